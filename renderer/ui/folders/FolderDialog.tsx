import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useId, useMemo, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import { isWithin, parentPath } from '../../../shared/folder-names';
import type { CachedFolder } from '../../db/rows';
import { errorText } from '../../i18n';
import { folderLabel } from '../../i18n/folder-label';
import { FolderAdmin } from '../../sync/folder-admin';
import type { DeletePlan } from '../../sync/folder-admin';
import { Modal } from '../accounts/fields';
import { useApp } from '../app-context';

/** What the user asked to do to which folder. */
export type FolderTask =
  | { kind: 'create'; accountId: string; parent: string | undefined }
  | { kind: 'rename'; accountId: string; folder: CachedFolder }
  | { kind: 'move'; accountId: string; folder: CachedFolder }
  | { kind: 'delete'; accountId: string; folder: CachedFolder };

/** The engine's folder management, for the views. */
export function useFolderAdmin(): FolderAdmin {
  const { client, engine } = useApp();
  return useMemo(
    () =>
      new FolderAdmin({
        client,
        writer: engine.writer,
        imap: engine.imap,
        capabilities: (accountId) => engine.capabilities(accountId),
        syncNow: (accountId, folders) => engine.syncNow(accountId, folders),
      }),
    [client, engine],
  );
}

/** A folder's name inside a sentence: isolated, so that a name in a right-to-left script does not reorder the words around it. */
const NAME_PARTS = { name: <bdi />, trash: <bdi /> };


/** The dialog for one folder task; `onDone` gets the folder's path afterwards (undefined when it is gone). */
export function FolderDialog({ task, onClose, onDone }: { task: FolderTask; onClose: () => void; onDone: (path: string | undefined) => void }): React.JSX.Element {
  if (task.kind === 'delete') return <DeleteFolder accountId={task.accountId} folder={task.folder} onClose={onClose} onDone={onDone} />;
  return <NameOrPlace task={task} onClose={onClose} onDone={onDone} />;
}

/** "New folder…", "Rename…" and "Move to…": a name, a place, or both. */
function NameOrPlace({ task, onClose, onDone }: { task: Exclude<FolderTask, { kind: 'delete' }>; onClose: () => void; onDone: (path: string) => void }): React.JSX.Element {
  const { db } = useApp();
  const { t } = useTranslation(['folders', 'common']);
  const admin = useFolderAdmin();
  const titleId = useId();
  const nameId = useId();
  const placeId = useId();
  const hintId = useId();
  const folder = task.kind === 'create' ? undefined : task.folder;
  const separator = folder?.delimiter ?? '';
  const [name, setName] = useState(folder ? folder.name : '');
  const [parent, setParent] = useState<string | undefined>(task.kind === 'create' ? task.parent : folder && parentPath(folder.path, separator));
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<TwinboxError>();
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);
  const folders = useLiveQuery(() => db.folders.where('accountId').equals(task.accountId).toArray(), [task.accountId], [] as CachedFolder[]);
  // A folder cannot go inside itself; the Inbox takes subfolders only where the server says so, like any other.
  const places = folders
    .filter((f) => !folder || !isWithin(f.path, folder.path, separator))
    .sort((a, b) => a.path.localeCompare(b.path));

  useEffect(() => {
    let current = true;
    void admin.nameProblem(task.accountId, parent, name, folder?.path).then((found) => {
      if (current) setProblem(found);
    });
    return () => {
      current = false;
    };
  }, [admin, task.accountId, parent, name, folder?.path]);

  const unchanged = folder !== undefined && name.trim() === folder.name && parent === parentPath(folder.path, separator);
  const title =
    task.kind === 'create' ? (
      t('dialog.newFolder')
    ) : (
      <Trans t={t} i18nKey={task.kind === 'rename' ? 'dialog.renameTitle' : 'dialog.moveTitle'} values={{ name: folderLabel(task.folder) }} components={NAME_PARTS} />
    );
  const action = {
    create: { idle: t('dialog.create'), busy: t('dialog.creating') },
    rename: { idle: t('dialog.rename'), busy: t('dialog.renaming') },
    move: { idle: t('dialog.move'), busy: t('dialog.moving') },
  }[task.kind];

  async function submit(event: React.SyntheticEvent): Promise<void> {
    event.preventDefault();
    setTouched(true);
    if (problem !== undefined || unchanged) return;
    setBusy(true);
    setError(undefined);
    try {
      const path = task.kind === 'create' ? await admin.create(task.accountId, parent, name) : await admin.rename(task.accountId, task.folder.path, { parent, name });
      onDone(path);
    } catch (failure) {
      setError(asTwinboxError(failure));
      setBusy(false);
    }
  }

  const showProblem = problem !== undefined && (touched || name !== '');
  return (
    <Modal labelledBy={titleId} className="folder-dialog" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <h2 id={titleId}>{title}</h2>
        {task.kind !== 'move' && (
          <p className="folder-field">
            <label htmlFor={nameId}>{t('dialog.name')}</label>
            <input
              id={nameId}
              type="text"
              dir="auto"
              autoFocus
              value={name}
              aria-invalid={showProblem}
              aria-describedby={showProblem ? hintId : undefined}
              onChange={(event) => {
                setName(event.target.value);
                setError(undefined);
              }}
            />
          </p>
        )}
        {task.kind !== 'rename' && (
          <p className="folder-field">
            <label htmlFor={placeId}>{t(task.kind === 'create' ? 'dialog.createIn' : 'dialog.moveInto')}</label>
            <select
              id={placeId}
              autoFocus={task.kind === 'move'}
              value={parent ?? ''}
              onChange={(event) => {
                setParent(event.target.value === '' ? undefined : event.target.value);
                setError(undefined);
              }}
            >
              <option value="">{t('dialog.topLevel')}</option>
              {places.map((f) => (
                <option key={f.path} value={f.path} dir="auto">
                  {'\u2003'.repeat(depthOf(f))}
                  {folderLabel(f)}
                </option>
              ))}
            </select>
          </p>
        )}
        {showProblem && (
          <p id={hintId} className="folder-problem" role="status">
            {problem}
          </p>
        )}
        {error && (
          <p role="alert" className="accounts-error">
            {errorText(error)}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose} disabled={busy}>
            {t('common:cancel')}
          </button>
          <button type="submit" disabled={busy || unchanged || (touched && problem !== undefined)}>
            {busy ? action.busy : action.idle}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function depthOf(folder: CachedFolder): number {
  if (folder.delimiter === '') return 0;
  return folder.path.split(folder.delimiter).length - 1;
}

/** The confirmation before a folder goes, saying how much mail goes with it and where. */
function DeleteFolder({ accountId, folder, onClose, onDone }: { accountId: string; folder: CachedFolder; onClose: () => void; onDone: (path: string | undefined) => void }): React.JSX.Element {
  const { t } = useTranslation(['folders', 'common']);
  const admin = useFolderAdmin();
  const titleId = useId();
  const textId = useId();
  const [plan, setPlan] = useState<DeletePlan>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<TwinboxError>();
  const name = folderLabel(folder);

  useEffect(() => {
    let current = true;
    void admin.planDelete(accountId, folder.path).then((found) => {
      if (current) setPlan(found);
    });
    return () => {
      current = false;
    };
  }, [admin, accountId, folder.path]);

  async function remove(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      const deleted = await admin.delete(accountId, folder.path);
      onDone(deleted.kind === 'trashed' ? deleted.path : undefined);
    } catch (failure) {
      setError(asTwinboxError(failure));
      setBusy(false);
    }
  }

  const what = plan === undefined ? t('delete.itsMessages') : t('delete.messages', { count: plan.messages });
  const contents = plan === undefined || plan.subfolders === 0 ? what : t('delete.withSubfolders', { messages: what, count: plan.subfolders });
  const trash = plan?.trashName ?? t('trash');
  return (
    <Modal labelledBy={titleId} describedBy={textId} role="alertdialog" className="folder-dialog" onClose={onClose}>
      <h2 id={titleId}>
        <Trans t={t} i18nKey="delete.title" values={{ name }} components={NAME_PARTS} />
      </h2>
      <div id={textId}>
        <p>
          <Trans t={t} i18nKey={plan?.into === 'forever' ? 'delete.forever' : 'delete.toTrash'} values={{ name, trash, contents }} components={NAME_PARTS} />
        </p>
      </div>
      {error && (
        <p role="alert" className="accounts-error">
          {errorText(error)}
        </p>
      )}
      <div className="dialog-buttons">
        {/* First, so that Enter on opening cancels rather than deletes. */}
        <button type="button" autoFocus onClick={onClose} disabled={busy}>
          {t('common:cancel')}
        </button>
        <button type="button" className="accounts-danger" onClick={() => void remove()} disabled={busy || plan === undefined}>
          {busy ? t('delete.deleting') : plan?.into === 'forever' ? t('delete.forGood') : t('delete.moveToTrash', { trash })}
        </button>
      </div>
    </Modal>
  );
}
