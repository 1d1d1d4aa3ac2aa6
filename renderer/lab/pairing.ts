/**
 * The Lab opens one mailbox twice: a POP3 account and an IMAP account of the
 * same user on the same server. Which accounts those are is decided from their
 * settings, since nothing else ties two accounts together.
 */
import type { Account } from '../../shared/model';
import { t } from '../i18n';

export interface LabPair {
  pop3: Account;
  imap: Account;
}

/** Same incoming host and user name: the same mailbox (Dovecot serves IMAP and POP3 from one Maildir). */
export function sameMailbox(a: Account, b: Account): boolean {
  const host = (account: Account): string => account.incoming.host.trim().toLowerCase().replace(/\.$/, '');
  return host(a) === host(b) && a.incoming.username.trim().toLowerCase() === b.incoming.username.trim().toLowerCase();
}

/** The first POP3 account that has an IMAP twin, with that twin. */
export function defaultPair(accounts: readonly Account[]): LabPair | undefined {
  for (const pop3 of accounts.filter((a) => a.protocol === 'pop3')) {
    const imap = accounts.find((a) => a.protocol === 'imap' && sameMailbox(a, pop3));
    if (imap) return { pop3, imap };
  }
  return undefined;
}

/** The policy in the words of the account settings. */
export function retentionWords(account: Account): string {
  const policy = account.pop3?.retention ?? { kind: 'keep' as const };
  switch (policy.kind) {
    case 'keep':
      return t('lab:retention.keep');
    case 'days':
      return t('lab:retention.days', { count: policy.days });
    case 'until-deleted-here':
      return t('lab:retention.untilDeletedHere');
    case 'delete-after-download':
      return t('lab:retention.deleteAfterDownload');
  }
}
