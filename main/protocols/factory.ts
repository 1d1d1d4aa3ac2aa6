import type { Account, ProtocolLogLine } from '../../shared/model';
import type { MailAdapter } from './adapter';
import { ImapAdapter } from './imap/adapter';
import { Pop3Adapter } from './pop3/adapter';

/** The one place that knows which class serves which protocol; everything else asks the adapter's capabilities. */
export function createAdapter(account: Account, password: string, log: ((line: ProtocolLogLine) => void) | undefined): MailAdapter {
  const options = { accountId: account.id, server: account.incoming, password, ...(log ? { log } : {}) };
  return account.protocol === 'imap' ? new ImapAdapter(options) : new Pop3Adapter(options);
}
