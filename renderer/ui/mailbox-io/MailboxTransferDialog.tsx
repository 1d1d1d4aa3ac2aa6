import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useId, useRef, useState } from 'react';
import type { TransferSkipped } from '../../../shared/contract';
import { TwinboxError } from '../../../shared/errors';
import type { Account } from '../../../shared/model';
import { useApp } from '../app-context';
import { Modal } from '../accounts/fields';
import { downloadBytes } from '../reader/bytes';
import { describeCount, exportFolders, newOperationId, pickedFiles, runExport, runImport, uploadFiles } from './transfer';

type Run =
  | { kind: 'idle' }
  | { kind: 'running'; id: string; what: string; processed: number; total: number | null }
  | { kind: 'done'; text: string; skipped: TransferSkipped[] }
  | { kind: 'failed'; error: TwinboxError };

const WHOLE_ACCOUNT = '';

function failureOf(error: unknown): TwinboxError {
  return error instanceof TwinboxError ? error : new TwinboxError('INTERNAL', String(error));
}

/**
 * Export an account or one of its folders (mbox or Maildir), or import .eml,
 * mbox or Maildir mail into one of its folders: with progress, Cancel, and
 * the list of messages that were left out and why. A POP3 account's export
 * is complete by construction: this computer holds the only copy.
 */
export function MailboxTransferDialog({ account, onClose }: { account: Account; onClose: () => void }): React.JSX.Element {
  const { client, db, engine } = useApp();
  const titleId = useId();
  const folders = useLiveQuery(() => db.folders.where('accountId').equals(account.id).toArray(), [account.id]) ?? [];
  const [host, setHost] = useState<'electron' | 'web'>();
  const [mode, setMode] = useState<'export' | 'import'>('export');
  const [scope, setScope] = useState(WHOLE_ACCOUNT);
  const [format, setFormat] = useState<'mbox' | 'maildir'>('mbox');
  const [target, setTarget] = useState('INBOX');
  const [source, setSource] = useState<'files' | 'maildir'>('files');
  const [mboxo, setMboxo] = useState(false);
  const [picked, setPicked] = useState<File[]>([]);
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  const running = useRef<string | undefined>(undefined);

  useEffect(() => {
    client.call('app.getInfo', {}).then(
      (info) => setHost(info.host),
      () => setHost('web'),
    );
    return client.on('mailbox.progress', (progress) => {
      if (progress.operationId !== running.current) return;
      setRun((current) => (current.kind === 'running' ? { ...current, processed: progress.processed, total: progress.total } : current));
    });
  }, [client]);

  const selectable = folders.filter((folder) => folder.selectable);
  const busy = run.kind === 'running';

  async function start(): Promise<void> {
    const id = newOperationId();
    running.current = id;
    try {
      if (mode === 'export') {
        setRun({ kind: 'running', id, what: 'Exporting', processed: 0, total: null });
        const paths = scope === WHOLE_ACCOUNT ? selectable.map((folder) => folder.path) : [scope];
        const chosen = await exportFolders(db, account.id, paths);
        const name = scope === WHOLE_ACCOUNT ? account.name : (selectable.find((folder) => folder.path === scope)?.name ?? scope);
        const result = await runExport(client, { exportId: id, accountId: account.id, format, name, folders: chosen });
        if (result.kind === 'download') downloadBytes(result.filename, result.content);
        setRun(
          result.kind === 'saved'
            ? { kind: 'done', text: `Exported ${describeCount(result.messages)} to ${result.path}.`, skipped: result.skipped }
            : result.kind === 'cancelled'
              ? { kind: 'done', text: 'Export cancelled: nothing was written.', skipped: [] }
              : { kind: 'done', text: 'Exported.', skipped: [] },
        );
        return;
      }
      const upload = host !== 'electron';
      if (upload) {
        setRun({ kind: 'running', id, what: 'Sending the files to Twinbox', processed: 0, total: null });
        await uploadFiles(client, id, pickedFiles(picked, source === 'maildir'), (sent, total) => setRun({ kind: 'running', id, what: 'Sending the files to Twinbox', processed: Math.round((sent / Math.max(total, 1)) * 100), total: 100 }));
      }
      setRun({ kind: 'running', id, what: 'Importing', processed: 0, total: null });
      const result = await runImport(
        { client, engine },
        { importId: id, accountId: account.id, folder: target, protocol: account.protocol, source: upload ? 'upload' : source, quoting: mboxo ? 'mboxo' : 'mboxrd' },
      );
      const skipped = result.skipped.length === 0 ? '' : `; ${describeCount(result.skipped.length)} skipped (listed below)`;
      setRun({ kind: 'done', text: `${result.cancelled ? 'Import stopped: ' : ''}Imported ${describeCount(result.imported)}${skipped}.`, skipped: result.skipped });
    } catch (error) {
      setRun({ kind: 'failed', error: failureOf(error) });
    } finally {
      running.current = undefined;
    }
  }

  function cancel(): void {
    if (run.kind === 'running') void client.call('mail.exportCancel', { exportId: run.id }).catch(() => undefined);
  }

  const canStart = !busy && (mode === 'export' ? selectable.length > 0 : host === 'electron' || picked.length > 0);

  return (
    <Modal labelledBy={titleId} className="transfer-dialog" onClose={() => (busy ? undefined : onClose())}>
      <h2 id={titleId}>Export or import mail: {account.name}</h2>
      <fieldset disabled={busy}>
        <legend>What to do</legend>
        <label>
          <input type="radio" name="transfer-mode" checked={mode === 'export'} onChange={() => setMode('export')} /> Export
        </label>
        <label>
          <input type="radio" name="transfer-mode" checked={mode === 'import'} onChange={() => setMode('import')} /> Import
        </label>
      </fieldset>
      {mode === 'export' ? (
        <fieldset disabled={busy}>
          <legend>Export</legend>
          <label>
            Mail{' '}
            <select value={scope} onChange={(event) => setScope(event.target.value)}>
              <option value={WHOLE_ACCOUNT}>The whole account</option>
              {selectable.map((folder) => (
                <option key={folder.path} value={folder.path}>
                  {folder.path}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="radio" name="transfer-format" checked={format === 'mbox'} onChange={() => setFormat('mbox')} /> mbox (one file per folder)
          </label>
          <label>
            <input type="radio" name="transfer-format" checked={format === 'maildir'} onChange={() => setFormat('maildir')} /> Maildir (one file per message, flags kept)
          </label>
          <p className="transfer-note">
            {account.protocol === 'pop3'
              ? 'This computer holds the only copy of this account’s mail: the export has all of it.'
              : 'Messages not yet on this computer are fetched from the server first.'}
          </p>
        </fieldset>
      ) : (
        <fieldset disabled={busy}>
          <legend>Import</legend>
          <label>
            Into{' '}
            <select value={target} onChange={(event) => setTarget(event.target.value)}>
              {selectable.map((folder) => (
                <option key={folder.path} value={folder.path}>
                  {folder.path}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="radio" name="transfer-source" checked={source === 'files'} onChange={() => setSource('files')} /> .eml or mbox files (Thunderbird’s local folders too)
          </label>
          <label>
            <input type="radio" name="transfer-source" checked={source === 'maildir'} onChange={() => setSource('maildir')} /> A Maildir folder
          </label>
          {host !== 'electron' && (
            <input
              type="file"
              aria-label={source === 'maildir' ? 'Maildir folder to import' : 'Files to import'}
              multiple
              {...(source === 'maildir' ? { webkitdirectory: '' } : {})}
              onChange={(event) => setPicked([...(event.target.files ?? [])])}
            />
          )}
          <label>
            <input type="checkbox" checked={mboxo} onChange={(event) => setMboxo(event.target.checked)} /> The mbox is mboxo: keep “&gt;From” lines as they are
          </label>
        </fieldset>
      )}
      {run.kind === 'running' && (
        <div className="transfer-progress" role="status">
          {run.what}… {run.total === null ? describeCount(run.processed) : `${run.processed} of ${run.total}`}
          <progress max={run.total ?? undefined} value={run.total === null ? undefined : run.processed} />
        </div>
      )}
      {run.kind === 'done' && (
        <div role="status" className="transfer-result">
          <p>{run.text}</p>
          {run.skipped.length > 0 && (
            <>
              <p>Skipped:</p>
              <ul className="transfer-skipped" aria-label="Skipped messages">
                {run.skipped.map((entry) => (
                  <li key={`${entry.source}\u0000${entry.index}`}>
                    {entry.source}, message {entry.index}
                    {entry.label === null ? '' : ` (${entry.label})`}: {entry.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {run.kind === 'failed' && (
        <p role="alert" className="accounts-error">
          {run.error.userText}
        </p>
      )}
      <div className="dialog-buttons">
        {busy ? (
          <button type="button" onClick={cancel}>
            Cancel {mode === 'export' ? 'export' : 'import'}
          </button>
        ) : (
          <button type="button" onClick={onClose}>
            Close
          </button>
        )}
        <button type="button" className="primary" disabled={!canStart} onClick={() => void start()}>
          {mode === 'export' ? 'Export…' : 'Import…'}
        </button>
      </div>
    </Modal>
  );
}
