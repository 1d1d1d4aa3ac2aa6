import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TransferSkipped } from '../../../shared/contract';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import type { Account } from '../../../shared/model';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { Modal } from '../accounts/fields';
import { downloadBytes } from '../reader/bytes';
import { describeCount, exportFolders, newOperationId, pickedFiles, runExport, runImport, uploadFiles } from './transfer';

type Run =
  | { kind: 'idle' }
  | { kind: 'running'; id: string; what: 'exporting' | 'uploading' | 'importing'; processed: number; total: number | null }
  | { kind: 'done'; text: string; skipped: TransferSkipped[] }
  | { kind: 'failed'; error: TwinboxError };

const WHOLE_ACCOUNT = '';


/** One message left out: where it was and why, the reason worded here from main's code; technical detail after it. */
function SkippedItem({ entry }: { entry: TransferSkipped }): React.JSX.Element {
  const { t } = useTranslation(['folders', 'errors']);
  const reason =
    entry.reason === 'refused'
      ? t('skipReason.refused', { error: t(`errors:${entry.errorCode ?? 'INTERNAL'}`) })
      : entry.reason === 'too-large'
        ? t('skipReason.too-large', { limitMb: entry.limitMb })
        : t(`skipReason.${entry.reason}`);
  return (
    <li>
      {entry.label === null
        ? t('transfer.skippedEntry', { source: entry.source, index: entry.index, reason })
        : t('transfer.skippedEntryLabelled', { source: entry.source, index: entry.index, label: entry.label, reason })}
      {entry.detail !== undefined && (
        <>
          {' '}
          <span className="transfer-skipped-detail">{t('transfer.skippedDetail', { detail: entry.detail })}</span>
        </>
      )}
    </li>
  );
}

/**
 * Export an account or one of its folders (mbox or Maildir), or import .eml,
 * mbox or Maildir mail into one of its folders: with progress, Cancel, and
 * the list of messages that were left out and why. A POP3 account's export
 * is complete by construction: this computer holds the only copy.
 */
export function MailboxTransferDialog({ account, onClose }: { account: Account; onClose: () => void }): React.JSX.Element {
  const { client, db, engine } = useApp();
  const { t } = useTranslation(['folders', 'common']);
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
        setRun({ kind: 'running', id, what: 'exporting', processed: 0, total: null });
        const paths = scope === WHOLE_ACCOUNT ? selectable.map((folder) => folder.path) : [scope];
        const chosen = await exportFolders(db, account.id, paths);
        const name = scope === WHOLE_ACCOUNT ? account.name : (selectable.find((folder) => folder.path === scope)?.name ?? scope);
        const result = await runExport(client, { exportId: id, accountId: account.id, format, name, folders: chosen });
        if (result.kind === 'download') downloadBytes(result.filename, result.content);
        setRun(
          result.kind === 'saved'
            ? { kind: 'done', text: t('transfer.exported', { count: result.messages, path: result.path }), skipped: result.skipped }
            : result.kind === 'cancelled'
              ? { kind: 'done', text: t('transfer.exportCancelled'), skipped: [] }
              : { kind: 'done', text: t('transfer.exportedDownload'), skipped: [] },
        );
        return;
      }
      const upload = host !== 'electron';
      if (upload) {
        setRun({ kind: 'running', id, what: 'uploading', processed: 0, total: null });
        await uploadFiles(client, id, pickedFiles(picked, source === 'maildir'), (sent, total) => setRun({ kind: 'running', id, what: 'uploading', processed: Math.round((sent / Math.max(total, 1)) * 100), total: 100 }));
      }
      setRun({ kind: 'running', id, what: 'importing', processed: 0, total: null });
      const result = await runImport(
        { client, engine },
        { importId: id, accountId: account.id, folder: target, protocol: account.protocol, source: upload ? 'upload' : source, quoting: mboxo ? 'mboxo' : 'mboxrd' },
      );
      const messages = describeCount(result.imported);
      const imported =
        result.skipped.length === 0 ? t('transfer.imported', { messages }) : t('transfer.importedSkipped', { messages, skipped: describeCount(result.skipped.length) });
      setRun({ kind: 'done', text: result.cancelled ? t('transfer.importStopped', { result: imported }) : imported, skipped: result.skipped });
    } catch (error) {
      setRun({ kind: 'failed', error: asTwinboxError(error) });
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
      <h2 id={titleId}>{t('transfer.title', { account: account.name })}</h2>
      <fieldset disabled={busy}>
        <legend>{t('transfer.whatToDo')}</legend>
        <label>
          <input type="radio" name="transfer-mode" checked={mode === 'export'} onChange={() => setMode('export')} /> {t('transfer.export')}
        </label>
        <label>
          <input type="radio" name="transfer-mode" checked={mode === 'import'} onChange={() => setMode('import')} /> {t('transfer.import')}
        </label>
      </fieldset>
      {mode === 'export' ? (
        <fieldset disabled={busy}>
          <legend>{t('transfer.exportLegend')}</legend>
          <label>
            {t('transfer.mail')}{' '}
            <select value={scope} onChange={(event) => setScope(event.target.value)}>
              <option value={WHOLE_ACCOUNT}>{t('transfer.wholeAccount')}</option>
              {selectable.map((folder) => (
                <option key={folder.path} value={folder.path} dir="auto">
                  {folder.path}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="radio" name="transfer-format" checked={format === 'mbox'} onChange={() => setFormat('mbox')} /> {t('transfer.mbox')}
          </label>
          <label>
            <input type="radio" name="transfer-format" checked={format === 'maildir'} onChange={() => setFormat('maildir')} /> {t('transfer.maildir')}
          </label>
          <p className="transfer-note">
            {t(account.protocol === 'pop3' ? 'transfer.onlyCopy' : 'transfer.fetchedFirst')}
          </p>
        </fieldset>
      ) : (
        <fieldset disabled={busy}>
          <legend>{t('transfer.importLegend')}</legend>
          <label>
            {t('transfer.into')}{' '}
            <select value={target} onChange={(event) => setTarget(event.target.value)}>
              {selectable.map((folder) => (
                <option key={folder.path} value={folder.path} dir="auto">
                  {folder.path}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="radio" name="transfer-source" checked={source === 'files'} onChange={() => setSource('files')} /> {t('transfer.files')}
          </label>
          <label>
            <input type="radio" name="transfer-source" checked={source === 'maildir'} onChange={() => setSource('maildir')} /> {t('transfer.maildirFolder')}
          </label>
          {host !== 'electron' && (
            <input
              type="file"
              aria-label={t(source === 'maildir' ? 'transfer.pickMaildir' : 'transfer.pickFiles')}
              multiple
              {...(source === 'maildir' ? { webkitdirectory: '' } : {})}
              onChange={(event) => setPicked([...(event.target.files ?? [])])}
            />
          )}
          <label>
            <input type="checkbox" checked={mboxo} onChange={(event) => setMboxo(event.target.checked)} /> {t('transfer.mboxo')}
          </label>
        </fieldset>
      )}
      {run.kind === 'running' && (
        <div className="transfer-progress" role="status">
          {t('transfer.progress', {
            what: t(`transfer.${run.what}`),
            amount: run.total === null ? describeCount(run.processed) : t('transfer.progressOf', { processed: run.processed, total: run.total }),
          })}
          <progress max={run.total ?? undefined} value={run.total === null ? undefined : run.processed} />
        </div>
      )}
      {run.kind === 'done' && (
        <div role="status" className="transfer-result">
          <p>{run.text}</p>
          {run.skipped.length > 0 && (
            <>
              <p>{t('transfer.skipped')}</p>
              <ul className="transfer-skipped" aria-label={t('transfer.skippedList')}>
                {run.skipped.map((entry) => (
                  <SkippedItem key={`${entry.source}\u0000${entry.index}`} entry={entry} />
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {run.kind === 'failed' && (
        <p role="alert" className="accounts-error">
          {errorText(run.error)}
        </p>
      )}
      <div className="dialog-buttons">
        {busy ? (
          <button type="button" onClick={cancel}>
            {t(mode === 'export' ? 'transfer.cancelExport' : 'transfer.cancelImport')}
          </button>
        ) : (
          <button type="button" onClick={onClose}>
            {t('common:close')}
          </button>
        )}
        <button type="button" className="primary" disabled={!canStart} onClick={() => void start()}>
          {t(mode === 'export' ? 'transfer.startExport' : 'transfer.startImport')}
        </button>
      </div>
    </Modal>
  );
}
