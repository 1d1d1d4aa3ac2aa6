import { useLiveQuery } from 'dexie-react-hooks';
import { Archive, Eraser, Flag, FlagOff, Forward, Keyboard, Mail, MailOpen, RefreshCw, Reply, ReplyAll, SquarePen, Trash } from 'lucide-react';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageKey } from '../db/rows';
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
  const { t } = useTranslation(['mail', 'common']);
  const { db, engine } = useApp();
  const compose = useCompose();
  const wipeDialog = useRef<HTMLDialogElement>(null);
  const account = useLiveQuery(() => (folder ? db.accounts.get(folder.accountId) : undefined), [folder?.accountId]);
  const none = selection.length === 0;
  const single = selection.length === 1 ? selection[0] : undefined;
  const selectionAccount = selection[0]?.[0];
  const oneAccount = selection.every((key) => key[0] === selectionAccount);

  return (
    <div className="toolbar" role="toolbar" aria-label={t('toolbar.label')}>
      <button
        type="button"
        disabled={!folder && !everyAccount}
        onClick={() => {
          if (folder) void engine.syncNow(folder.accountId);
          else if (everyAccount) void db.accounts.toArray().then((accounts) => accounts.forEach((a) => void engine.syncNow(a.id)));
        }}
      >
        <Icon icon={RefreshCw} />
        {t('toolbar.getMail')}
      </button>
      <button type="button" onClick={() => compose.open(folder ? { kind: 'new', accountId: folder.accountId } : { kind: 'new' })}>
        <Icon icon={SquarePen} />
        {t('toolbar.newMessage')}
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'reply', message: single })}>
        <Icon icon={Reply} />
        {t('toolbar.reply')}
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'replyAll', message: single })}>
        <Icon icon={ReplyAll} />
        {t('toolbar.replyAll')}
      </button>
      <button type="button" disabled={!single} onClick={() => single && compose.open({ kind: 'forward', message: single })}>
        <Icon icon={Forward} />
        {t('toolbar.forward')}
      </button>
      <span className="toolbar-gap" />
      <button type="button" disabled={none} onClick={actions.toggleRead}>
        <Icon icon={allRead ? Mail : MailOpen} />
        {allRead ? t('toolbar.markUnread') : t('toolbar.markRead')}
      </button>
      <button type="button" disabled={none} onClick={actions.toggleFlag}>
        <Icon icon={allFlagged ? FlagOff : Flag} />
        {allFlagged ? t('toolbar.unflag') : t('toolbar.flag')}
      </button>
      <button type="button" disabled={none} onClick={actions.archive}>
        <Icon icon={Archive} />
        {t('toolbar.archive')}
      </button>
      <button type="button" disabled={none} onClick={actions.delete}>
        <Icon icon={Trash} />
        {t('common:delete')}
      </button>
      <MoveMenu accountId={oneAccount ? selectionAccount : undefined} current={selection[0]?.[1]} disabled={none || !oneAccount} onMove={actions.move} />
      <span className="toolbar-gap" />
      {/* The two least used, drawn as icons alone (so that the toolbar fits one line of a 1280-pixel window); their words stay as their names and tooltips. */}
      <button type="button" className="icon-only" title={t('toolbar.forget')} disabled={!account} onClick={() => wipeDialog.current?.showModal()}>
        <Icon icon={Eraser} />
        <span className="visually-hidden">{t('toolbar.forget')}</span>
      </button>
      <button type="button" className="icon-only" title={t('toolbar.shortcutsTitle')} onClick={showShortcuts}>
        <Icon icon={Keyboard} />
        <span className="visually-hidden">{t('shortcuts.title')}</span>
      </button>
      <dialog ref={wipeDialog} aria-labelledby="wipe-title" className="dialog">
        <h2 id="wipe-title">{t('toolbar.wipe.title', { account: account?.name ?? '' })}</h2>
        <p>{account?.protocol === 'pop3' ? t('toolbar.wipe.pop3') : t('toolbar.wipe.imap')}</p>
        <form method="dialog" className="dialog-buttons">
          <button type="submit" value="cancel">
            {t('common:cancel')}
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
            {t('toolbar.wipe.confirm')}
          </button>
        </form>
      </dialog>
    </div>
  );
}
