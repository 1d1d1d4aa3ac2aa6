import { useLiveQuery } from 'dexie-react-hooks';
import { Archive, FilePen, Flag, Folder, FolderPlus, Inbox, Mails, Send, ShieldBan, Trash } from 'lucide-react';
import type { LucideIcon } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CachedFolder, MessageKey } from '../db/rows';
import { MESSAGE_DRAG_TYPE } from './MessageList';
import type { Account, SpecialUse } from '../../shared/model';
import { AccountSettingsButton } from './accounts/AccountsMenu';
import { QuotaMeter } from './accounts/QuotaMeter';
import { useApp } from './app-context';
import type { FolderRef } from './selection';
import { isProtectedFolder, isWithin, rebase } from '../../shared/folder-names';
import { FolderDialog } from './folders/FolderDialog';
import type { FolderTask } from './folders/FolderDialog';
import { FolderMenu } from './folders/FolderMenu';
import { formatNumber } from './format';
import { Icon } from './icon';
import { folderLabel } from '../i18n/folder-label';

/** Special folders first, in the order mail clients use; then the rest by name. */
const SPECIAL_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];

function folderOrder(a: CachedFolder, b: CachedFolder): number {
  const rank = (f: CachedFolder): number => (f.specialUse ? SPECIAL_ORDER.indexOf(f.specialUse) : -1);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return (ra < 0 ? 99 : ra) - (rb < 0 ? 99 : rb);
  return a.path.localeCompare(b.path);
}

const SPECIAL_ICON: Record<SpecialUse, LucideIcon> = {
  inbox: Inbox,
  drafts: FilePen,
  sent: Send,
  archive: Archive,
  junk: ShieldBan,
  trash: Trash,
  all: Mails,
  flagged: Flag,
};

function folderIcon(folder: CachedFolder): LucideIcon {
  if (folder.path.toUpperCase() === 'INBOX') return Inbox;
  return folder.specialUse ? SPECIAL_ICON[folder.specialUse] : Folder;
}

/** Accounts and their folders, each with its unread count; POP3 accounts show this computer's folders. */
export function Sidebar({
  hidden,
  selected,
  onSelect,
  onDropMessages,
  top,
}: {
  hidden: boolean;
  selected: FolderRef | undefined;
  onSelect: (folder: FolderRef) => void;
  onDropMessages: (target: FolderRef, keys: MessageKey[]) => void;
  /** Shown above the accounts (the unified folders). */
  top?: React.ReactNode;
}): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const { db } = useApp();
  const accounts = useLiveQuery(() => db.accounts.toArray(), [], [] as Account[]);
  return (
    <nav className="sidebar" aria-label={t('sidebar.label')} hidden={hidden}>
      {accounts.length === 0 && <p className="empty">{t('sidebar.noAccounts')}</p>}
      {top}
      {accounts.map((account) => (
        <AccountFolders key={account.id} account={account} selected={selected} onSelect={onSelect} onDropMessages={onDropMessages} />
      ))}
    </nav>
  );
}

function AccountFolders({
  account,
  selected,
  onSelect,
  onDropMessages,
}: {
  account: Account;
  selected: FolderRef | undefined;
  onSelect: (folder: FolderRef) => void;
  onDropMessages: (target: FolderRef, keys: MessageKey[]) => void;
}): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const { db } = useApp();
  const folders = useLiveQuery(
    async () => (await db.folders.where('accountId').equals(account.id).toArray()).filter((f) => f.selectable).sort(folderOrder),
    [account.id],
    [] as CachedFolder[],
  );
  const headingId = `account-${account.id}`;
  const [task, setTask] = useState<FolderTask>();
  const [menuFor, setMenuFor] = useState<string>();
  return (
    <section className="account" aria-labelledby={headingId}>
      <div className="account-heading">
        <h2 id={headingId} className="account-name">
          {account.name}{' '}
          <span className="protocol-badge">
            {/* i18n-exempt: protocol names */}
            {account.protocol === 'imap' ? 'IMAP' : 'POP3'}
          </span>
        </h2>
        <button type="button" className="folder-new" aria-label={t('sidebar.newFolderIn', { account: account.name })} title={t('sidebar.newFolder')} onClick={() => setTask({ kind: 'create', accountId: account.id, parent: undefined })}>
          <Icon icon={FolderPlus} />
        </button>
        <AccountSettingsButton account={account} />
      </div>
      <QuotaMeter account={account} />
      <ul className="folders" aria-label={t('sidebar.foldersOf', { account: account.name })}>
        {folders.map((folder) => (
          <FolderItem
            key={folder.path}
            folder={folder}
            current={selected?.accountId === account.id && selected.path === folder.path}
            onSelect={() => onSelect({ accountId: account.id, path: folder.path })}
            onDrop={(keys) => onDropMessages({ accountId: account.id, path: folder.path }, keys)}
            menu={
              <FolderMenu
                folder={folder}
                open={menuFor === folder.path}
                protectedFolder={isProtectedFolder(folders, folder.path, folder.delimiter)}
                onOpenChange={(open) => setMenuFor(open ? folder.path : undefined)}
                onTask={setTask}
              />
            }
            onMenu={() => setMenuFor(folder.path)}
          />
        ))}
      </ul>
      {task && (
        <FolderDialog
          task={task}
          onClose={() => setTask(undefined)}
          onDone={(path) => {
            setTask(undefined);
            if (task.kind === 'create') {
              if (path !== undefined) onSelect({ accountId: account.id, path });
              return;
            }
            // The folder shown follows a rename or move (it may be a subfolder of the one moved); a deleted one gives way to the Inbox.
            const shown = selected?.accountId === account.id ? selected.path : undefined;
            if (shown === undefined || !isWithin(shown, task.folder.path, task.folder.delimiter)) return;
            onSelect({ accountId: account.id, path: path === undefined ? 'INBOX' : rebase(shown, task.folder.path, path) });
          }}
        />
      )}
    </section>
  );
}

function FolderItem({
  folder,
  current,
  onSelect,
  onDrop,
  menu,
  onMenu,
}: {
  folder: CachedFolder;
  current: boolean;
  onSelect: () => void;
  onDrop: (keys: MessageKey[]) => void;
  menu: React.ReactNode;
  onMenu: () => void;
}): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const [over, setOver] = useState(false);
  const { db } = useApp();
  // Kept with the rows (db/folder-counts.ts): counting them here would walk the whole folder after every commit.
  const unread = useLiveQuery(async () => (await db.folderCounts.get([folder.accountId, folder.path]))?.unread ?? 0, [folder.accountId, folder.path], 0);
  const name = folderLabel(folder);
  const depth = folder.delimiter === '' ? 0 : folder.path.split(folder.delimiter).length - 1;
  return (
    <li className="folder-row">
      <button
        type="button"
        className={`folder${over ? ' drop-target' : ''}`}
        style={depth > 0 ? { paddingInlineStart: `${8 + depth * 14}px` } : undefined}
        onContextMenu={(event) => {
          event.preventDefault();
          onMenu();
        }}
        onKeyDown={(event) => {
          // The keyboard's way to a context menu, as on any desktop.
          if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
            event.preventDefault();
            onMenu();
          }
        }}
        aria-current={current ? 'true' : undefined}
        aria-label={unread > 0 ? t('sidebar.unreadCount', { name, count: unread }) : name}
        onClick={onSelect}
        onDragOver={(event) => {
          if (!event.dataTransfer.types.includes(MESSAGE_DRAG_TYPE)) return;
          event.preventDefault();
          event.dataTransfer.dropEffect = 'move';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          setOver(false);
          const data = event.dataTransfer.getData(MESSAGE_DRAG_TYPE);
          if (!data) return;
          event.preventDefault();
          // Only messages of this account can move into its folders.
          const keys = (JSON.parse(data) as MessageKey[]).filter((key) => key[0] === folder.accountId && key[1] !== folder.path);
          if (keys.length > 0) onDrop(keys);
        }}
      >
        <Icon icon={folderIcon(folder)} className="folder-icon" />
        <span className="folder-name" dir="auto">
          {name}
        </span>
        {unread > 0 && (
          <span className="unread-count" aria-hidden="true">
            {formatNumber(unread)}
          </span>
        )}
      </button>
      {menu}
    </li>
  );
}
