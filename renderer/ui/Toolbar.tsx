import { useLiveQuery } from 'dexie-react-hooks';
import { Archive, Eraser, Flag, FlagOff, Forward, Keyboard, Mail, MailOpen, RefreshCw, Reply, ReplyAll, SquarePen, Trash } from 'lucide-react';
import { useRef } from 'react';
import type { MessageKey } from '../db/writer';
import { useApp } from './app-context';
import { useCompose } from './compose/compose-state';
import { Icon } from './icon';
import { MoveMenu } from './MoveMenu';
import type { FolderRef } from './selection';
import { showShortcuts } from './Shortcuts';

/** What the toolbar (and the keyboard) does to the selected messages; the app records each for undo. */
export interface MessageActions {
  toggleRead: () => void;
  toggleFlag: () => void;
  delete: () => void;
  archive: () => void;
  move: (target: string) => void;
}

/** Actions on the selected messages, and on the account of the folder shown. */
export function Toolbar({
  folder,
  everyAccount = false,
  selection,
  allRead,
  allFlagged,
  actions,
  onWiped,
}: {
  folder: FolderRef | undefined;
  /** A unified view is shown: "Get mail" checks every account. */
  everyAccount?: boolean;
  selection: MessageKey[];
  allRead: boolean;
  allFlagged: boolean;
  actions: MessageActions;
  onWiped: () => void;
}): React.JSX.Element {
  const { db, engine } = useApp();
  const compose = useCompose();
  const wipeDialog = useRef<HTMLDialogElement>(null);
  const account = useLiveQuery(() => (folder ? db.accounts.get(folder.accountId) : undefined), [folder?.accountId]);
  const none = selection.length === 0;
  const single = selection.length === 1 ? selection[0] : undefined;
  const selectionAccount = selection[0]?.[0];
  const oneAccount = selection.every((key) => key[0] === selectionAccount);

  return (
    <div className="toolbar" role="toolbar" aria-label="Message actions">
      <button
        type="button"
        disabled={!folder && !everyAccount}
        onClick={() => {
          if (folder) void engine.syncNow(folder.accountId);
          else if (everyAccount) void db.accounts.toArray().then((accounts) => accounts.forEach((a) => void engine.syncNow(a.id)));
        }}
      >
        <Icon icon={RefreshCw} />
        Get mail
      </button>
      <button type="button" onClick={() => compose.open(folder ? { kind: 'new', accountId: folder.accountId } : { kind: 'new' })}>
        <Icon icon={SquarePen} />
        New message
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'reply', message: single })}>
        <Icon icon={Reply} />
        Reply
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'replyAll', message: single })}>
        <Icon icon={ReplyAll} />
        Reply all
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'forward', message: single })}>
        <Icon icon={Forward} />
        Forward
      </button>
      <span className="toolbar-gap" />
      <button type="button" disabled={none} onClick={actions.toggleRead}>
        <Icon icon={allRead ? Mail : MailOpen} />
        {allRead ? 'Mark as unread' : 'Mark as read'}
      </button>
      <button type="button" disabled={none} onClick={actions.toggleFlag}>
        <Icon icon={allFlagged ? FlagOff : Flag} />
        {allFlagged ? 'Unflag' : 'Flag'}
      </button>
      <button type="button" disabled={none} onClick={actions.archive}>
        <Icon icon={Archive} />
        Archive
      </button>
      <button type="button" disabled={none} onClick={actions.delete}>
        <Icon icon={Trash} />
        Delete
      </button>
      <MoveMenu accountId={oneAccount ? selectionAccount : undefined} current={selection[0]?.[1]} disabled={none || !oneAccount} onMove={actions.move} />
      <span className="toolbar-gap" />
      {/* The two least used, drawn as icons alone (so that the toolbar fits one line of a 1280-pixel window); their words stay as their names and tooltips. */}
      <button type="button" className="icon-only" title="Forget local copy…" disabled={!account} onClick={() => wipeDialog.current?.showModal()}>
        <Icon icon={Eraser} />
        <span className="visually-hidden">Forget local copy…</span>
      </button>
      <button type="button" className="icon-only" title="Keyboard shortcuts (?)" onClick={showShortcuts}>
        <Icon icon={Keyboard} />
        <span className="visually-hidden">Keyboard shortcuts</span>
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
              // A failure shows in the sync status line, with when it is tried again.
              if (account) engine.wipeAndResync(account.id).catch(() => undefined);
              onWiped();
            }}
          >
            Forget and resync
          </button>
        </form>
      </dialog>
    </div>
  );
}
