import { useLiveQuery } from 'dexie-react-hooks';
import { Flag, Inbox, MailDot } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useApp } from '../app-context';
import { formatNumber } from '../format';
import { Icon } from '../icon';
import { flaggedTotal, inboxesUnread, UNIFIED_VIEWS, unreadTotal } from './unified-source';
import type { UnifiedView } from './unified-source';

/**
 * The sidebar's "Unified" section, above the accounts: every account's
 * Inbox, unread mail and flagged mail together, as Thunderbird's unified
 * folders are, shown whenever there is an account.
 */
export function UnifiedFolders({ selected, onSelect }: { selected: UnifiedView | undefined; onSelect: (view: UnifiedView) => void }): React.JSX.Element | null {
  const { t } = useTranslation('mail');
  const { db } = useApp();
  const hasAccounts = useLiveQuery(async () => (await db.accounts.count()) > 0, [], false);
  if (!hasAccounts) return null;
  return (
    <section className="account unified" aria-labelledby="unified-heading">
      <div className="account-heading">
        <h2 id="unified-heading" className="account-name">
          {t('unified.heading')}
        </h2>
      </div>
      <ul className="folders" aria-label={t('unified.label')}>
        {UNIFIED_VIEWS.map((view) => (
          <UnifiedItem key={view} view={view} name={t(`unified.${view}`)} current={selected === view} onSelect={() => onSelect(view)} />
        ))}
      </ul>
    </section>
  );
}

function UnifiedItem({ view, name, current, onSelect }: { view: UnifiedView; name: string; current: boolean; onSelect: () => void }): React.JSX.Element {
  const { t } = useTranslation('mail');
  const { db } = useApp();
  // Added up from the counts kept per folder (db/folder-counts.ts): counting rows would read them after every commit.
  const count = useLiveQuery(() => (view === 'inboxes' ? inboxesUnread(db) : view === 'unread' ? unreadTotal(db) : flaggedTotal(db)), [view], 0);
  return (
    <li>
      <button type="button" className="folder" aria-current={current ? 'true' : undefined} aria-label={count > 0 ? t(view === 'flagged' ? 'sidebar.flaggedCount' : 'sidebar.unreadCount', { name, count }) : name} onClick={onSelect}>
        <Icon icon={view === 'inboxes' ? Inbox : view === 'unread' ? MailDot : Flag} className="folder-icon" />
        <span className="folder-name">{name}</span>
        {count > 0 && (
          <span className="unread-count" aria-hidden="true">
            {formatNumber(count)}
          </span>
        )}
      </button>
    </li>
  );
}
