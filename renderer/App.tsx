import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState } from 'react';
import type { AppInfo } from '../shared/contract';
import { TwinboxError } from '../shared/errors';
import type { MessageKey } from './db/writer';
import { useApp } from './ui/app-context';
import { MessageList, EMPTY_SELECTION } from './ui/MessageList';
import type { ListSelection } from './ui/MessageList';
import { Reader } from './ui/Reader';
import type { FolderRef } from './ui/selection';
import { Sidebar } from './ui/Sidebar';
import { StatusBar } from './ui/StatusBar';
import { Toolbar } from './ui/Toolbar';
import { AccountsMenu } from './ui/accounts/AccountsMenu';

type HostState = { kind: 'connecting' } | { kind: 'connected'; info: AppInfo } | { kind: 'failed'; error: TwinboxError };

export function App(): React.JSX.Element {
  const { client, db } = useApp();
  const [host, setHost] = useState<HostState>({ kind: 'connecting' });
  const [folder, setFolder] = useState<FolderRef | undefined>();
  const [selection, setSelection] = useState<ListSelection>(EMPTY_SELECTION);
  const [reading, setReading] = useState<MessageKey | undefined>();

  useEffect(() => {
    let current = true;
    client.call('app.getInfo', {}).then(
      (info) => current && setHost({ kind: 'connected', info }),
      (error: unknown) =>
        current && setHost({ kind: 'failed', error: error instanceof TwinboxError ? error : new TwinboxError('INTERNAL', String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [client]);

  // Until the user picks a folder, show the first account's Inbox.
  const firstInbox = useLiveQuery(async () => {
    const [account] = await db.accounts.toArray();
    return account ? { accountId: account.id, path: 'INBOX' } : undefined;
  }, []);
  const shown = folder ?? firstInbox;

  function selectFolder(next: FolderRef): void {
    setFolder(next);
    setSelection(EMPTY_SELECTION);
    setReading(undefined);
  }

  return (
    <div className="shell">
      <header className="shell-header">
        <h1>Twinbox</h1>
        <Toolbar folder={shown} selection={selection.keys} onDeleted={() => setReading(undefined)} />
        <AccountsMenu />
      </header>
      <Sidebar selected={shown} onSelect={selectFolder} />
      <main className="shell-main" aria-label="Messages">
        {shown ? (
          <MessageList
            key={`${shown.accountId}\u0000${shown.path}`}
            folder={shown}
            selection={selection}
            onSelection={setSelection}
            onOpen={setReading}
            onDelete={() => document.getElementById('toolbar-delete')?.click()}
          />
        ) : (
          <p className="empty">Add an IMAP or POP3 account to see its mail here.</p>
        )}
        <Reader messageKey={reading} />
      </main>
      <StatusBar />
      <div className="host-status" role="status" aria-label="Connection">
        {host.kind === 'connecting' && 'Connecting…'}
        {host.kind === 'connected' && `Connected to ${host.info.name} ${host.info.version} (${host.info.host === 'electron' ? 'desktop' : 'web'} host)`}
        {host.kind === 'failed' && host.error.userText}
      </div>
    </div>
  );
}
