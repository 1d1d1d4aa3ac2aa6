/**
 * The main window: header (search, accounts, contacts, the Lab, the
 * language), toolbar, folders, the message list and the reader, and the
 * status bar. It holds what is chosen (folder or unified view, selection,
 * the message open) and hands actions to the engine; the views under ui/
 * draw the pieces.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { FlaskConical, Mails } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo } from '../shared/contract';
import type { TwinboxError } from '../shared/errors';
import { asTwinboxError } from '../shared/errors';
import type { CachedMessage, MessageKey } from './db/rows';
import { errorText } from './i18n';
import type { Undo } from './sync/actions';
import { AccountsMenu } from './ui/accounts/AccountsMenu';
import { useApp } from './ui/app-context';
import { useCompose } from './ui/compose/compose-state';
import { useDensity } from './ui/density';
import { Icon } from './ui/icon';
import { ContactsButton } from './ui/contacts/Contacts';
import { LanguagePicker } from './ui/LanguagePicker';
import { DEFAULT_VIEW, folderSource, keysSource } from './ui/list-source';
import type { ViewOptions } from './ui/list-source';
import { EMPTY_SELECTION, MessageList } from './ui/MessageList';
import type { ListSelection, MessageListHandle } from './ui/MessageList';
import { askToNotify, notifyNewMail } from './ui/notifications';
import { Reader } from './ui/Reader';
import { useSearch } from './ui/search/SearchPanel';
import { keyId } from './ui/selection';
import type { FolderRef } from './ui/selection';
import { Shortcuts } from './ui/Shortcuts';
import { Sidebar } from './ui/Sidebar';
import { StatusBar } from './ui/StatusBar';
import { ThreadStrip } from './ui/ThreadStrip';
import { Lab } from './ui/lab/Lab';
import { Toolbar } from './ui/Toolbar';
import type { MessageActions } from './ui/Toolbar';
import { useAccountBadges } from './ui/unified/account-badge';
import { unifiedSource } from './ui/unified/unified-source';
import type { UnifiedView } from './ui/unified/unified-source';
import { UnifiedFolders } from './ui/unified/UnifiedFolders';
import { UndoBar } from './ui/UndoBar';
import type { LastAction } from './ui/UndoBar';
import { ViewControls } from './ui/ViewControls';

type HostState = { kind: 'connecting' } | { kind: 'connected'; info: AppInfo } | { kind: 'failed'; error: TwinboxError };

export function App(): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const { client, db, engine } = useApp();
  const compose = useCompose();
  const [host, setHost] = useState<HostState>({ kind: 'connecting' });
  const [folder, setFolder] = useState<FolderRef | undefined>();
  // A unified view, when one is shown instead of the folder (which is kept for when the user goes back to one).
  const [unified, setUnified] = useState<UnifiedView | undefined>();
  // What was opened in this showing of a unified view, which the Unread view keeps listing once read (see OpenedHere).
  // Added to as messages open, not replaced: the list's live query reads it when the open marks the message read.
  const [visit, setVisit] = useState<{ number: number; opened: Map<string, MessageKey> }>(() => ({ number: 0, opened: new Map() }));
  const [searchEverywhere, setSearchEverywhere] = useState(false);
  const [view, setView] = useState<ViewOptions>(DEFAULT_VIEW);
  const [query, setQuery] = useState('');
  const [selection, setSelection] = useState<ListSelection>(EMPTY_SELECTION);
  const [reading, setReading] = useState<MessageKey | undefined>();
  const [last, setLast] = useState<LastAction | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();
  const [labOpen, setLabOpen] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('view') === 'lab');
  const list = useRef<MessageListHandle>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  const density = useDensity();

  useEffect(() => {
    let current = true;
    client.call('app.getInfo', {}).then(
      (info) => current && setHost({ kind: 'connected', info }),
      (error: unknown) =>
        current && setHost({ kind: 'failed', error: asTwinboxError(error) }),
    );
    return () => {
      current = false;
    };
  }, [client]);

  useEffect(() => {
    askToNotify();
    return engine.onNewMail((news) => {
      void db.accounts.get(news.accountId).then((account) => notifyNewMail(news, account?.name ?? 'Twinbox'));
    });
  }, [engine, db]);

  // Until the user picks a folder (or when its account goes), show the first account's Inbox.
  const accountIds = useLiveQuery(async () => (await db.accounts.toArray()).map((a) => a.id), [], [] as string[]);
  const chosen = folder && accountIds.includes(folder.accountId) ? folder : undefined;
  const firstId = accountIds[0];
  // Memoised: the list's source below is made again whenever this changes, and the fallback would be a new object each render.
  const shown = useMemo(() => chosen ?? (firstId ? { accountId: firstId, path: 'INBOX' } : undefined), [chosen, firstId]);
  const unifiedShown = firstId ? unified : undefined;
  const folderShown = unifiedShown ? undefined : shown;
  const badges = useAccountBadges();
  const searching = query.trim().length >= 2;
  // A unified view searches every account; a folder its own account unless asked to search them all.
  const searchAll = unifiedShown !== undefined || searchEverywhere;
  const search = useSearch(searching ? query : '', searchAll ? undefined : folderShown);
  const source = useMemo(
    () =>
      searching
        ? keysSource(db, search.results.id, search.results.keys)
        : unifiedShown
          ? unifiedSource(db, unifiedShown, visit.opened, visit.number)
          : shown
            ? folderSource(db, shown, view)
            : undefined,
    [db, searching, search.results, unifiedShown, visit, shown, view],
  );

  function selectFolder(next: FolderRef): void {
    setFolder(next);
    setUnified(undefined);
    setQuery('');
    setSelection(EMPTY_SELECTION);
    setReading(undefined);
  }

  function selectUnified(next: UnifiedView): void {
    setUnified(next);
    setVisit((last) => ({ number: last.number + 1, opened: new Map() }));
    setQuery('');
    setSelection(EMPTY_SELECTION);
    setReading(undefined);
  }

  const run = useCallback(async (text: string, action: () => Promise<Undo>, clearsReader: boolean) => {
    setActionError(undefined);
    try {
      const undo = await action();
      setLast({ text, undo, at: Date.now() });
      if (clearsReader) {
        setReading(undefined);
        setSelection(EMPTY_SELECTION);
      }
    } catch (error) {
      setActionError(errorText(error));
    }
  }, []);

  const keys = selection.keys;
  const selectedRows = useLiveQuery(() => db.messages.bulkGet(keys), [keys], [] as (CachedMessage | undefined)[]);
  const present = selectedRows.filter((row): row is CachedMessage => row !== undefined);
  const allRead = present.length > 0 && present.every((row) => row.seen === 1);
  const allFlagged = present.length > 0 && present.every((row) => row.flagged === 1);

  const actions: MessageActions = {
    toggleRead: () => void run(allRead ? t('done.markedUnread') : t('done.markedRead'), () => engine.actions.setRead(keys, !allRead), false),
    toggleFlag: () => void run(allFlagged ? t('done.unflagged') : t('done.flagged'), () => engine.actions.setFlagged(keys, !allFlagged), false),
    delete: () => void run(t('done.deleted', { count: keys.length }), () => engine.actions.delete(keys), true),
    archive: () => void run(t('done.archived', { count: keys.length }), () => engine.actions.archive(keys), true),
    move: (target) => void run(t('done.moved', { count: keys.length, folder: target }), () => engine.actions.move(keys, target), true),
  };

  const undoLast = useCallback(async () => {
    if (!last) return;
    setLast(undefined);
    const undone = await last.undo.run();
    if (!undone) setActionError(t('done.tooLateToUndo'));
  }, [last, t]);

  const single = keys.length === 1 ? keys[0] : undefined;
  return (
    <div className="shell" data-density={density}>
      <header className="shell-header">
        <h1>
          <Icon icon={Mails} size={20} />
          {/* i18n-exempt: the product's name */}
          Twinbox
        </h1>
        <form role="search" className="search-box" onSubmit={(event) => event.preventDefault()}>
          <input
            ref={searchInput}
            type="search"
            aria-label={t('app.searchMail')}
            placeholder={t('app.searchMail')}
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              setSelection(EMPTY_SELECTION);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setQuery('');
              if (event.key === 'ArrowDown') list.current?.focus();
            }}
          />
        </form>
        <AccountsMenu />
        <ContactsButton />
        <button type="button" aria-pressed={labOpen} onClick={() => setLabOpen((open) => !open)}>
          <Icon icon={FlaskConical} />
          {t('app.protocolLab')}
        </button>
        <LanguagePicker />
      </header>
      <Toolbar folder={folderShown} everyAccount={unifiedShown !== undefined} selection={keys} allRead={allRead} allFlagged={allFlagged} actions={actions} onWiped={() => setReading(undefined)} />
      {labOpen && <Lab />}
      <Sidebar
        hidden={labOpen}
        selected={folderShown}
        onSelect={selectFolder}
        top={<UnifiedFolders selected={unifiedShown} onSelect={selectUnified} />}
        onDropMessages={(target, dropped) =>
          void run(t('done.moved', { count: dropped.length, folder: target.path }), () => engine.actions.move(dropped, target.path), true)
        }
      />
      <main className="shell-main" aria-label={t('app.mail')} hidden={labOpen}>
        <div className="list-pane">
          {searching ? (
            <>
              <label className="search-scope">
                <input type="checkbox" checked={searchAll} disabled={unifiedShown !== undefined} onChange={(event) => setSearchEverywhere(event.target.checked)} /> {t('app.allAccounts')}
              </label>
              {search.note}
            </>
          ) : (
            // A unified view lists newest first across accounts: of the list's options only the density applies there.
            <ViewControls view={view} onChange={setView} sorting={!unifiedShown} />
          )}
          {source ? (
            <MessageList
              key={source.id}
              ref={list}
              source={source}
              label={searching ? t('app.searchResults') : t('app.messages')}
              selection={selection}
              onSelection={setSelection}
              onOpen={(key) => {
                if (unifiedShown && !searching) visit.opened.set(keyId(key), key);
                setReading(key);
              }}
              onDelete={actions.delete}
              emptyText={searching ? t('app.nothingMatches') : t('app.emptyFolder')}
              accounts={unifiedShown || (searching && searchAll) ? badges : undefined}
            />
          ) : (
            <p className="empty">{t('app.noAccounts')}</p>
          )}
        </div>
        <div className="reader-pane">
          <ThreadStrip reading={reading} onOpen={setReading} />
          <Reader messageKey={reading} />
        </div>
      </main>
      {actionError && (
        <div role="alert" className="error-bar action-error">
          {actionError}{' '}
          <button type="button" onClick={() => setActionError(undefined)}>
            {t('common:dismiss')}
          </button>
        </div>
      )}
      <UndoBar last={last} onUndo={() => void undoLast()} onClose={() => setLast(undefined)} />
      <StatusBar />
      <div className="host-status" role="status" aria-label={t('app.connection')}>
        {host.kind === 'connecting' && t('app.connecting')}
        {host.kind === 'connected' && t(host.info.host === 'electron' ? 'app.connectedDesktop' : 'app.connectedWeb', { name: host.info.name, version: host.info.version })}
        {host.kind === 'failed' && errorText(host.error)}
      </div>
      <Shortcuts
        handlers={{
          next: () => void list.current?.moveBy(1),
          previous: () => void list.current?.moveBy(-1),
          reply: () => single && compose.open({ kind: 'reply', message: single }),
          replyAll: () => single && compose.open({ kind: 'replyAll', message: single }),
          forward: () => single && compose.open({ kind: 'forward', message: single }),
          newMessage: () => compose.open(folderShown ? { kind: 'new', accountId: folderShown.accountId } : { kind: 'new' }),
          delete: () => keys.length > 0 && actions.delete(),
          archive: () => keys.length > 0 && actions.archive(),
          toggleRead: () => keys.length > 0 && actions.toggleRead(),
          toggleFlag: () => keys.length > 0 && actions.toggleFlag(),
          search: () => searchInput.current?.focus(),
          undo: () => void undoLast(),
        }}
      />
    </div>
  );
}
