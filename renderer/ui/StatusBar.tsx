import { useLiveQuery } from 'dexie-react-hooks';
import { useSyncExternalStore } from 'react';
import type { Account } from '../../shared/model';
import type { PendingOperation } from '../db/schema';
import { useApp } from './app-context';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * What the engine is doing, per account: progress while syncing and while
 * indexing for search, the time of the last sync, errors in the words of
 * shared/errors with a way to retry, and changes the server refused (rolled
 * back here) until dismissed.
 */
export function StatusBar(): React.JSX.Element {
  const { db, engine } = useApp();
  const statuses = useSyncExternalStore(engine.status.subscribe, engine.status.getSnapshot);
  const accounts = useLiveQuery(() => db.accounts.toArray(), [], [] as Account[]);
  const refused = useLiveQuery(() => db.pending.filter((op) => op.status === 'failed').toArray(), [], [] as PendingOperation[]);
  return (
    <footer className="status-bar">
      <div role="status" aria-label="Sync status" className="sync-status">
        {accounts.map((account) => {
          const status = statuses.get(account.id) ?? { state: 'idle' as const };
          return (
            <span key={account.id} className={`account-status ${status.state}`}>
              <strong>{account.name}:</strong>{' '}
              {status.state === 'syncing' && (
                <>
                  {status.note ?? 'Syncing'}
                  {status.progress && (
                    <>
                      {' '}
                      <progress
                        aria-label={`Syncing ${account.name}`}
                        max={Math.max(status.progress.total, 1)}
                        value={status.progress.done}
                      />{' '}
                      {status.progress.done} of {status.progress.total}
                    </>
                  )}
                </>
              )}
              {status.state === 'idle' && (status.lastSyncAt ? `Up to date (${time.format(status.lastSyncAt)})` : 'Waiting')}
              {status.indexing && status.indexing.left > 0 && (
                <>
                  {' '}
                  · Indexing for search{' '}
                  <progress
                    aria-label={`Indexing ${account.name} for search`}
                    max={status.indexing.done + status.indexing.left}
                    value={status.indexing.done}
                  />{' '}
                  {status.indexing.left} left
                </>
              )}
              {(status.state === 'error' || status.state === 'offline') && (
                <>
                  {status.state === 'offline' ? 'Offline. ' : ''}
                  {status.error?.text}{' '}
                  <button type="button" onClick={() => void engine.syncNow(account.id)}>
                    Retry {account.name}
                  </button>
                </>
              )}
            </span>
          );
        })}
      </div>
      {refused.map((op) => (
        <div key={op.id} role="alert" className="error-bar">
          {describeRefusal(op)} {op.error?.text}{' '}
          <button type="button" onClick={() => op.id !== undefined && void engine.writer.dismissFailed(op.id)}>
            Dismiss
          </button>
        </div>
      ))}
    </footer>
  );
}

function describeRefusal(op: PendingOperation): string {
  const count = op.serverIds.length === 1 ? 'a message' : `${op.serverIds.length} messages`;
  switch (op.kind) {
    case 'setFlags':
      return `Could not change ${count} on the server; it was put back as it was.`;
    case 'delete':
      return `Could not delete ${count} on the server; it is back in the list.`;
    case 'move':
      return `Could not move ${count} to ${op.target ?? 'the folder'}; it is back in the list.`;
  }
}
