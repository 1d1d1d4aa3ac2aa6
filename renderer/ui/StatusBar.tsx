import { useLiveQuery } from 'dexie-react-hooks';
import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { isErrorCode } from '../../shared/errors';
import type { Account } from '../../shared/model';
import type { PendingOperation } from '../db/rows';
import { t } from '../i18n';
import { useApp } from './app-context';
import { timeOfDay } from './format';

/** A failure's sentence in the language shown now, by its code (the text kept with it is in the language of its time). */
function failureText(error: { code: string; text: string } | undefined): string | undefined {
  if (!error) return undefined;
  return isErrorCode(error.code) ? t(`errors:${error.code}`) : error.text;
}

/**
 * What the engine is doing, per account: progress while syncing and while
 * indexing for search, the time of the last sync, errors in the words of
 * shared/errors with a way to retry, and changes the server refused (rolled
 * back here) until dismissed.
 */
export function StatusBar(): React.JSX.Element {
  // Re-rendered when the language changes; the sentences come from `t`, which failureText and describeRefusal share.
  useTranslation(['mail', 'common']);
  const { db, engine } = useApp();
  const statuses = useSyncExternalStore(engine.status.subscribe, engine.status.getSnapshot);
  const accounts = useLiveQuery(() => db.accounts.toArray(), [], [] as Account[]);
  const refused = useLiveQuery(() => db.pending.filter((op) => op.status === 'failed').toArray(), [], [] as PendingOperation[]);
  return (
    <footer className="status-bar">
      <div role="status" aria-label={t('mail:status.label')} className="sync-status">
        {accounts.map((account) => {
          const status = statuses.get(account.id) ?? { state: 'idle' as const };
          return (
            <span key={account.id} className={`account-status ${status.state}`}>
              <strong>{account.name}:</strong>{' '}
              {status.state === 'syncing' && (
                <>
                  {status.note ?? t('mail:status.syncing')}
                  {status.progress && (
                    <>
                      {' '}
                      <progress
                        aria-label={t('mail:status.syncingAccount', { account: account.name })}
                        max={Math.max(status.progress.total, 1)}
                        value={status.progress.done}
                      />{' '}
                      {t('mail:status.progress', { done: status.progress.done, total: status.progress.total })}
                    </>
                  )}
                </>
              )}
              {status.state === 'idle' && (status.lastSyncAt ? t('mail:status.upToDate', { time: timeOfDay(status.lastSyncAt, true) }) : t('mail:status.waiting'))}
              {status.indexing && status.indexing.left > 0 && (
                <>
                  {' '}
                  · {t('mail:status.indexing')}{' '}
                  <progress
                    aria-label={t('mail:status.indexingAccount', { account: account.name })}
                    max={status.indexing.done + status.indexing.left}
                    value={status.indexing.done}
                  />{' '}
                  {t('mail:status.left', { left: status.indexing.left })}
                </>
              )}
              {(status.state === 'error' || status.state === 'offline') && (
                <>
                  {status.state === 'offline' ? `${t('mail:status.offline')} ` : ''}
                  {failureText(status.error)}{' '}
                  <button type="button" onClick={() => void engine.syncNow(account.id)}>
                    {t('mail:status.retry', { account: account.name })}
                  </button>
                </>
              )}
            </span>
          );
        })}
      </div>
      {refused.map((op) => (
        <div key={op.id} role="alert" className="error-bar">
          {describeRefusal(op)} {failureText(op.error)}{' '}
          <button type="button" onClick={() => op.id !== undefined && void engine.writer.dismissFailed(op.id)}>
            {t('common:dismiss')}
          </button>
        </div>
      ))}
    </footer>
  );
}

function describeRefusal(op: PendingOperation): string {
  const count = op.serverIds.length;
  switch (op.kind) {
    case 'setFlags':
      return t('mail:status.refused.setFlags', { count });
    case 'delete':
      return t('mail:status.refused.delete', { count });
    case 'move':
      return op.target === undefined ? t('mail:status.refused.moveSomewhere', { count }) : t('mail:status.refused.move', { count, folder: op.target });
  }
}
