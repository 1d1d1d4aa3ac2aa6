import { describe, expect, it } from 'vitest';
import { LineSession } from '../mailstack/line-session';
import { appendMessage, leaseMailboxes, openImap, requireEndpoint, skipBecause, tlsTrust, uniqueTag } from '../mailstack/index';
import type { TestUser } from '../mailstack/index';

/**
 * Proves the POP3 side of the test stack with a bare protocol session (no
 * client library): over POP3S and over STLS, a user's POP3 INBOX holds exactly
 * what IMAP shows in INBOX, byte for byte.
 */
describe('POP3 server of the test stack', () => {
  async function seed(user: TestUser): Promise<Buffer[]> {
    const tag = uniqueTag();
    const messages = [
      `Subject: ${tag} first\r\nMessage-ID: <${tag}.1@twinbox.test>\r\n\r\nHello\r\n`,
      // A dot-led line is stuffed on the wire; the session must give it back unstuffed.
      `Subject: ${tag} second\r\nMessage-ID: <${tag}.2@twinbox.test>\r\n\r\n.hidden dot\r\n..two dots\r\n`,
      `Subject: ${tag} third\r\nMessage-ID: <${tag}.3@twinbox.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nÜmlaut ✓\r\n`,
    ].map((text) => Buffer.from(text, 'utf8'));
    for (const raw of messages) await appendMessage(user, raw);
    return messages;
  }

  async function imapSources(user: TestUser): Promise<Buffer[]> {
    const client = await openImap(user);
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const sources: Buffer[] = [];
        for await (const message of client.fetch('1:*', { source: true })) {
          if (message.source) sources.push(message.source);
        }
        return sources;
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  }

  async function readInbox(session: LineSession, user: TestUser): Promise<{ stat: string; uidls: string[]; bodies: Buffer[] }> {
    expect(await session.command(`USER ${user.user}`)).toMatch(/^\+OK/);
    expect(await session.command(`PASS ${user.password}`)).toMatch(/^\+OK/);
    const stat = await session.command('STAT');
    expect(await session.command('UIDL')).toMatch(/^\+OK/);
    const uidls = (await session.readMultiline()).toString('latin1').split('\r\n').filter(Boolean);
    const count = Number(/^\+OK (\d+)/.exec(stat)?.[1]);
    const bodies: Buffer[] = [];
    for (let n = 1; n <= count; n++) {
      expect(await session.command(`RETR ${n}`)).toMatch(/^\+OK/);
      bodies.push(await session.readMultiline());
    }
    expect(await session.command('QUIT')).toMatch(/^\+OK/);
    return { stat, uidls, bodies };
  }

  async function expectSameInboxAsImap(session: LineSession, user: TestUser, sent: Buffer[]): Promise<void> {
    const { stat, uidls, bodies } = await readInbox(session, user);
    const totalSize = sent.reduce((sum, raw) => sum + raw.length, 0);
    expect(stat).toBe(`+OK ${sent.length} ${totalSize}`);
    expect(uidls).toHaveLength(sent.length);
    expect(new Set(uidls.map((line) => line.split(' ')[1])).size).toBe(sent.length);
    expect(bodies).toEqual(await imapSources(user));
    expect(bodies).toEqual(sent);
  }

  it('serves the IMAP INBOX over POP3S: STAT, UIDL and RETR agree byte for byte', async (context) => {
    const endpoint = requireEndpoint(context, 'pop3s');
    const [user] = await leaseMailboxes(context, 1);
    const sent = await seed(user!);
    const session = await LineSession.open({ ...endpoint, tls: tlsTrust() });
    try {
      expect(session.encrypted).toBe(true);
      expect(await session.readLine()).toMatch(/^\+OK/);
      await expectSameInboxAsImap(session, user!, sent);
    } finally {
      session.close();
    }
  });

  it('upgrades the plain port with STLS and then serves the same INBOX', async (context) => {
    const endpoint = requireEndpoint(context, 'pop3');
    const [user] = await leaseMailboxes(context, 1);
    const sent = await seed(user!);
    const session = await LineSession.open(endpoint);
    try {
      expect(await session.readLine()).toMatch(/^\+OK/);
      expect(await session.command('CAPA')).toMatch(/^\+OK/);
      const capabilities = (await session.readMultiline()).toString('latin1').split('\r\n');
      if (!capabilities.includes('STLS')) skipBecause(context, 'the plain POP3 endpoint does not offer STLS');
      expect(await session.command('STLS')).toMatch(/^\+OK/);
      await session.upgradeToTls(tlsTrust());
      expect(session.encrypted).toBe(true);
      await expectSameInboxAsImap(session, user!, sent);
    } finally {
      session.close();
    }
  });
});
