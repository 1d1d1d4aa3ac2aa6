import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { leaseMailboxes, mailStack, openImap, requireEndpoint, skipBecause, tlsTrust, uniqueTag } from '../mailstack/index';

/**
 * Proves the IMAP side of the test stack with imapflow, before any Twinbox
 * code runs on it: a user logs in, sees the special-use folders, appends a
 * message and fetches back exactly the bytes that went in.
 */
describe('IMAP server of the test stack', () => {
  it('logs in over IMAPS, lists special-use folders, appends and fetches byte for byte', async (context) => {
    requireEndpoint(context, 'imaps');
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const raw =
      `From: Alice <alice@example.org>\r\nTo: ${user!.address}\r\nSubject: ${tag} Grüße\r\n` +
      `Message-ID: <${tag}@twinbox.test>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n` +
      `.A line that starts with a dot\r\nEnd: Grüße\r\n`;
    const client = await openImap(user!, { endpoint: 'imaps' });
    try {
      const folders = await client.list();
      const specialUses = new Set(folders.map((f) => f.specialUse?.toLowerCase()).filter((use) => use !== undefined && use !== '\\inbox'));
      if (mailStack().origin === 'local') {
        expect([...specialUses].sort()).toEqual(['\\archive', '\\drafts', '\\junk', '\\sent', '\\trash']);
      }
      expect(folders.some((f) => f.path.toUpperCase() === 'INBOX')).toBe(true);

      const appended = await client.append('INBOX', Buffer.from(raw, 'utf8'), ['\\Seen']);
      expect(appended && appended.uid).toBeGreaterThan(0);

      const lock = await client.getMailboxLock('INBOX');
      try {
        const message = await client.fetchOne(String(appended && appended.uid), { source: true, flags: true, envelope: true }, { uid: true });
        expect(message).not.toBe(false);
        if (message === false) return;
        // This stack's Dovecot stores the bytes as given; another server may rewrite a message on
        // APPEND (8-bit header characters, line endings), so there only the content is checked.
        if (mailStack().origin === 'local') expect(message.source?.equals(Buffer.from(raw, 'utf8'))).toBe(true);
        else expect(message.source?.toString('utf8')).toMatch(/\r?\n\.A line that starts with a dot\r?\nEnd: Grüße\r?\n?$/);
        expect(message.envelope?.subject).toBe(`${tag} Grüße`);
        expect([...(message.flags ?? [])]).toContain('\\Seen');
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it('upgrades the plain port with STARTTLS and verifies the certificate', async (context) => {
    const endpoint = requireEndpoint(context, 'imap');
    const [user] = await leaseMailboxes(context, 1);
    const client = new ImapFlow({
      host: endpoint.host,
      port: endpoint.port,
      secure: false,
      auth: { user: user!.user, pass: user!.password },
      tls: { ...tlsTrust(), rejectUnauthorized: true },
      logger: false,
      disableCompression: true,
    });
    await client.connect();
    try {
      if (!client.secureConnection) skipBecause(context, 'the plain IMAP endpoint does not offer STARTTLS');
      expect(client.secureConnection).toBe(true);
      expect(client.authenticated).toBeTruthy();
    } finally {
      await client.logout();
    }
  });

  it('refuses a wrong password with an authentication failure, not a hang', async (context) => {
    const endpoint = requireEndpoint(context, 'imaps');
    const [user] = await leaseMailboxes(context, 1);
    const client = new ImapFlow({
      host: endpoint.host,
      port: endpoint.port,
      secure: true,
      auth: { user: user!.user, pass: `${user!.password}-wrong` },
      tls: { ...tlsTrust(), rejectUnauthorized: true },
      logger: false,
    });
    client.on('error', () => undefined);
    const failure = await client.connect().then(
      () => undefined,
      (error: unknown) => error as { authenticationFailed?: boolean },
    );
    expect(failure?.authenticationFailed).toBe(true);
  });

  it('rejects a certificate it was not told to trust', async (context) => {
    const endpoint = requireEndpoint(context, 'imaps');
    if (!mailStack().caPem) skipBecause(context, 'the server uses a publicly trusted certificate');
    const [user] = await leaseMailboxes(context, 1);
    const client = new ImapFlow({
      host: endpoint.host,
      port: endpoint.port,
      secure: true,
      auth: { user: user!.user, pass: user!.password },
      tls: { servername: mailStack().tlsServername, rejectUnauthorized: true },
      logger: false,
    });
    client.on('error', () => undefined);
    const failure = await client.connect().then(
      () => undefined,
      (error: unknown) => error as { code?: string },
    );
    expect(failure?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});
