import { useLiveQuery } from 'dexie-react-hooks';
import { useRef } from 'react';
import type { CachedMessage } from '../db/schema';
import type { MessageKey } from '../db/writer';
import { useApp } from './app-context';
import { useCompose } from './compose/compose-state';
import type { FolderRef } from './selection';

/** Actions on the selected messages, and on the account of the folder shown. */
export function Toolbar({ folder, selection, onDeleted }: { folder: FolderRef | undefined; selection: MessageKey[]; onDeleted: () => void }): React.JSX.Element {
  const { db, engine } = useApp();
  const compose = useCompose();
  const single = selection.length === 1 ? selection[0] : undefined;
  const wipeDialog = useRef<HTMLDialogElement>(null);
  const rows = useLiveQuery(() => db.messages.bulkGet(selection), [selection], [] as (CachedMessage | undefined)[]);
  const present = rows.filter((row): row is CachedMessage => row !== undefined);
  const account = useLiveQuery(() => (folder ? db.accounts.get(folder.accountId) : undefined), [folder?.accountId]);
  const none = present.length === 0;
  const allRead = present.every((row) => row.seen === 1);
  const allFlagged = present.every((row) => row.flagged === 1);

  return (
    <div className="toolbar" role="toolbar" aria-label="Message actions">
      <button type="button" disabled={!folder} onClick={() => folder && void engine.syncNow(folder.accountId)}>
        Get mail
      </button>
      <button type="button" onClick={() => compose.open(folder ? { kind: 'new', accountId: folder.accountId } : { kind: 'new' })}>
        New message
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'reply', message: single })}>
        Reply
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'replyAll', message: single })}>
        Reply all
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'forward', message: single })}>
        Forward
      </button>
      <button type="button" disabled={none} onClick={() => void engine.actions.setRead(selection, !allRead)}>
        {allRead && !none ? 'Mark as unread' : 'Mark as read'}
      </button>
      <button type="button" disabled={none} onClick={() => void engine.actions.setFlagged(selection, !allFlagged)}>
        {allFlagged && !none ? 'Unflag' : 'Flag'}
      </button>
      <button
        id="toolbar-delete"
        type="button"
        disabled={none}
        onClick={() => {
          void engine.actions.delete(selection);
          onDeleted();
        }}
      >
        Delete
      </button>
      <button type="button" disabled={!account} onClick={() => wipeDialog.current?.showModal()}>
        Forget local copy…
      </button>
      <dialog ref={wipeDialog} aria-labelledby="wipe-title" className="dialog">
        <h2 id="wipe-title">Forget this computer’s copy of {account?.name}?</h2>
        <p>
          {account?.protocol === 'pop3'
            ? 'This is what happens when a computer dies. With POP3, this computer holds the mail: only what the server still keeps comes back.'
            : 'This is what happens when a computer dies. With IMAP, the server holds the mail: everything comes back at the next sync.'}
        </p>
        <form method="dialog" className="dialog-buttons">
          <button type="submit" value="cancel">
            Cancel
          </button>
          <button
            type="submit"
            value="wipe"
            onClick={() => {
              if (account) void engine.wipeAndResync(account.id);
              onDeleted();
            }}
          >
            Forget and resync
          </button>
        </form>
      </dialog>
    </div>
  );
}
