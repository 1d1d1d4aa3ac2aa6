/**
 * The demo's two accounts: the same mailbox as POP3 and as IMAP, over TLS,
 * with the local stack's self-signed certificate trusted by its fingerprint
 * (exactly as a user trusts one in the account dialog), POP3 keeping the
 * server's copies.
 */
import { X509Certificate } from 'node:crypto';
import type { Account, ServerSettings } from '../shared/model';
import type { MailStackInfo, TestUser } from '../test/mailstack/types';

export interface DemoAccount {
  account: Omit<Account, 'id'>;
  password: string;
}

export function demoAccounts(stack: MailStackInfo, user: TestUser): DemoAccount[] {
  const trusted = stack.caPem ? { trustedCertificate: { pem: stack.caPem, fingerprint256: new X509Certificate(stack.caPem).fingerprint256 } } : {};
  const at = (endpoint: { host: string; port: number } | undefined, security: ServerSettings['security'], what: string): ServerSettings => {
    if (!endpoint) throw new Error(`the demo's mail server has no ${what}`);
    return { host: endpoint.host, port: endpoint.port, security, username: user.user, ...trusted };
  };
  // Without Postfix (not root) there is no SMTP server: sending then fails with a clear error, and the
  // Lab's "New mail arrives" falls back to IMAP APPEND.
  const outgoing = stack.smtp ? at(stack.smtp, 'starttls', 'SMTP') : { host: '127.0.0.1', port: 1, security: 'plain' as const, username: user.user };
  const common = { email: user.address, displayName: 'Demo User', outgoing };
  return [
    {
      account: {
        ...common,
        name: 'Demo (POP3)',
        protocol: 'pop3',
        incoming: at(stack.pop3s, 'tls', 'POP3S'),
        pop3: { retention: { kind: 'keep' }, pollMinutes: 10, headersOnly: false, maxMessageBytes: 0 },
      },
      password: user.password,
    },
    {
      account: {
        ...common,
        name: 'Demo (IMAP)',
        protocol: 'imap',
        incoming: at(stack.imaps, 'tls', 'IMAPS'),
        imap: { deleteMode: 'trash', cacheLimitMegabytes: 200 },
      },
      password: user.password,
    },
  ];
}
