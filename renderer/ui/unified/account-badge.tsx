import { useLiveQuery } from 'dexie-react-hooks';
import type { Account } from '../../../shared/model';
import { t } from '../../i18n';
import { useApp } from '../app-context';

/** How a row from several accounts says whose it is. */
export interface AccountBadge {
  name: string;
  protocol: 'IMAP' | 'POP3';
  colour: string;
}

/**
 * Distinct at a glance and dark enough for white text (WCAG AA) in both
 * themes; an account keeps its colour while the accounts before it stay.
 */
const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#be185d', '#6d28d9', '#0e7490', '#b91c1c', '#4d7c0f'];

export function accountBadges(accounts: readonly Account[]): Map<string, AccountBadge> {
  return new Map(
    accounts.map((account, index) => [
      account.id,
      { name: account.name, protocol: account.protocol === 'imap' ? 'IMAP' : 'POP3', colour: PALETTE[index % PALETTE.length] ?? '#1d4ed8' },
    ]),
  );
}

const NO_ACCOUNTS: Account[] = [];

export function useAccountBadges(): Map<string, AccountBadge> {
  const { db } = useApp();
  const accounts = useLiveQuery(() => db.accounts.toArray(), [], NO_ACCOUNTS);
  return accountBadges(accounts);
}

/** What a screen reader hears for a row from several accounts: the row, then whose account it is in. */
export function inAccount(badge: AccountBadge, row: string): string {
  return t('mail:list.inAccount', { row, account: badge.name, protocol: badge.protocol });
}

export function AccountTag({ badge }: { badge: AccountBadge }): React.JSX.Element {
  return (
    <span className="account-tag" aria-hidden="true" style={{ backgroundColor: badge.colour }}>
      {badge.name}
    </span>
  );
}
