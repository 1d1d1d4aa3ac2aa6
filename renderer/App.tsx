import { useEffect, useState } from 'react';
import type { AppInfo } from '../shared/contract';
import { TwinboxError } from '../shared/errors';
import type { TwinboxClient } from './ipc/client';

type HostState = { kind: 'connecting' } | { kind: 'connected'; info: AppInfo } | { kind: 'failed'; error: TwinboxError };

export function App({ client }: { client: TwinboxClient }): React.JSX.Element {
  const [host, setHost] = useState<HostState>({ kind: 'connecting' });

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

  return (
    <div className="shell">
      <header className="shell-header">
        <h1>Twinbox</h1>
      </header>
      <nav className="shell-sidebar" aria-label="Accounts and folders">
        <p className="empty">No accounts yet.</p>
      </nav>
      <main className="shell-main" aria-label="Messages">
        <p className="empty">Add an IMAP or POP3 account to see its mail here.</p>
      </main>
      <footer className="shell-status" role="status" aria-label="Connection">
        {host.kind === 'connecting' && 'Connecting…'}
        {host.kind === 'connected' && `Connected to ${host.info.name} ${host.info.version} (${host.info.host === 'electron' ? 'desktop' : 'web'} host)`}
        {host.kind === 'failed' && host.error.userText}
      </footer>
    </div>
  );
}
