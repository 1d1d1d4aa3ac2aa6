import { createServer } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { ProtocolLogLine, ServerSettings } from '../../shared/model';
import { Pop3Session } from '../../main/protocols/pop3/session';
import type { Pop3SessionOptions } from '../../main/protocols/pop3/session';
import { appendMessage, leaseMailboxes, mailStack, openImap, serverSettingsFor, skipBecause, uniqueTag } from '../mailstack/index';
import type { TestUser } from '../mailstack/index';

/**
 * Twinbox's POP3 client against the real Dovecot of the test stack: how it
 * connects and logs in (POP3S, STLS, plain only when asked), and that what it
 * reads (UIDL sizes, TOP headers, RETR bytes) is exactly what the server holds,
 * as an independent IMAP session sees it.
 */

const TIMEOUTS = { connectMs: 10_000, commandMs: 10_000 };

function sessionOptions(user: TestUser, server: ServerSettings, log?: ProtocolLogLine[]): Pop3SessionOptions {
  return {
    accountId: 'pop3-session-test',
    server,
    password: user.password,
    timeouts: TIMEOUTS,
    ...(log ? { log: (line: ProtocolLogLine) => log.push(line) } : {}),
  };
}

function sent(log: ProtocolLogLine[]): string[] {
  return log.filter((line) => line.direction === 'out').map((line) => line.text);
}

/** Messages a POP3 client gets wrong easily: dot-led lines, 8-bit bytes that are not UTF-8, a large body. */
function trickyMessages(tag: string): Buffer[] {
  const header = (n: number, extra = ''): string =>
    `From: Sender <sender@example.org>\r\nTo: someone@example.org\r\nSubject: ${tag} ${n}\r\nMessage-ID: <${tag}.${n}@twinbox.test>\r\n` +
    `Date: Thu, 26 Nov 2026 10:00:0${n} +0000\r\nMIME-Version: 1.0\r\n${extra}\r\n`;
  const largeLines = Array.from({ length: 30_000 }, (_, i) => (i % 7 === 0 ? `.${'x'.repeat(60)}${i}` : `line ${i} ${'y'.repeat(60)}`));
  return [
    Buffer.from(`${header(1)}Hello\r\n`, 'latin1'),
    Buffer.from(`${header(2)}.hidden dot\r\n..two dots\r\n.\r\n...\r\nlast line\r\n`, 'latin1'),
    Buffer.concat([
      Buffer.from(header(3, 'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n'), 'latin1'),
      Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0xe9, 0xff, 0x0d, 0x0a, 0x2e, 0xe0, 0x0d, 0x0a]),
    ]),
    Buffer.from(`${header(4)}${largeLines.join('\r\n')}\r\n`, 'latin1'),
  ];
}

async function imapSources(user: TestUser): Promise<Buffer[]> {
  const client = await openImap(user);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const sources: Buffer[] = [];
      for await (const message of client.fetch('1:*', { source: true })) if (message.source) sources.push(message.source);
      return sources;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

async function openOrSkip(context: TestContext, options: Pop3SessionOptions): Promise<Pop3Session> {
  try {
    return await Pop3Session.open(options);
  } catch (error) {
    if ((error as { code?: string }).code === 'TLS_REQUIRED' && options.server.security === 'plain') {
      return skipBecause(context, 'the server refuses logins on its unencrypted port');
    }
    throw error;
  }
}

describe('POP3 sessions against the real server', () => {
  it('logs in over POP3S after CAPA, with SASL PLAIN when offered', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const log: ProtocolLogLine[] = [];
    const session = await Pop3Session.open(sessionOptions(user!, serverSettingsFor(context, user!, 'pop3s'), log));
    try {
      expect(session.encrypted).toBe(true);
      expect(session.capabilities?.has('UIDL')).toBe(true);
      expect(sent(log)[0]).toBe('CAPA');
      // Each log line carries the bytes of the whole reply, so CAPA's is larger than its first line.
      const capaReply = log.find((line, i) => line.direction === 'in' && log[i - 1]?.text === 'CAPA');
      expect(capaReply?.bytes).toBeGreaterThan(capaReply?.text.length ?? 0);
      if (session.capabilities?.saslMechanisms.includes('PLAIN')) {
        expect(session.authMechanism).toBe('SASL PLAIN');
        expect(sent(log)).toContain('AUTH PLAIN ****');
        expect(sent(log).some((text) => text.startsWith('PASS'))).toBe(false);
      }
      expect(JSON.stringify(log)).not.toContain(user!.password);
    } finally {
      await session.end();
    }
  });

  it('upgrades the plain port with STLS before logging in', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const log: ProtocolLogLine[] = [];
    const session = await Pop3Session.open(sessionOptions(user!, serverSettingsFor(context, user!, 'pop3'), log));
    try {
      expect(session.encrypted).toBe(true);
      const commands = sent(log);
      // CAPA again after STLS: what was announced in clear is not trusted.
      expect(commands.slice(0, 3)).toEqual(['CAPA', 'STLS', 'CAPA']);
      await expect(session.stat()).resolves.toEqual({ count: 0, size: 0 });
    } finally {
      await session.end();
    }
  });

  it('stays unencrypted with security "plain", even where STLS is offered', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const log: ProtocolLogLine[] = [];
    const server: ServerSettings = { ...serverSettingsFor(context, user!, 'pop3'), security: 'plain' };
    const session = await openOrSkip(context, sessionOptions(user!, server, log));
    try {
      expect(session.encrypted).toBe(false);
      expect(sent(log)).not.toContain('STLS');
      await expect(session.stat()).resolves.toEqual({ count: 0, size: 0 });
    } finally {
      await session.end();
    }
  });

  it('lists UIDLs with sizes, and reads headers (TOP n 0) and whole messages (RETR) exactly as IMAP sees them', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const messages = trickyMessages(uniqueTag());
    for (const raw of messages) await appendMessage(user!, raw);
    const sources = await imapSources(user!);
    expectSameBytes(sources, messages);

    const log: ProtocolLogLine[] = [];
    const session = await Pop3Session.open(sessionOptions(user!, serverSettingsFor(context, user!, 'pop3s'), log));
    try {
      const maildrop = await session.maildrop();
      expect(maildrop.map((entry) => entry.size)).toEqual(sources.map((source) => source.length));
      expect(new Set(maildrop.map((entry) => entry.uidl)).size).toBe(messages.length);
      expect(await session.stat()).toEqual({ count: messages.length, size: sources.reduce((sum, source) => sum + source.length, 0) });

      for (const [index, entry] of maildrop.entries()) {
        const source = sources[index]!;
        const headerBlock = source.subarray(0, source.indexOf('\r\n\r\n') + 4);
        expect((await session.headers(entry.number)).equals(headerBlock)).toBe(true);
      }

      log.length = 0;
      const fetched = await session.fetchMany(maildrop.map((entry) => ({ number: entry.number, headersOnly: false })));
      expectSameBytes(
        fetched.map((message) => ('bytes' in message ? message.bytes : Buffer.alloc(0))),
        sources,
      );
      if (session.capabilities?.has('PIPELINING')) {
        // Pipelined: several RETR went out before the first reply came in.
        const firstReply = log.findIndex((line) => line.direction === 'in');
        expect(log.slice(0, firstReply).filter((line) => line.text.startsWith('RETR')).length).toBeGreaterThan(1);
      }
      // Each reply's logged size covers its whole multi-line body.
      const replyBytes = log.filter((line) => line.direction === 'in').map((line) => line.bytes);
      replyBytes.forEach((bytes, i) => expect(bytes).toBeGreaterThan(sources[i]!.length));
    } finally {
      await session.end();
    }
  });

  it('reports AUTH_FAILED for a wrong password', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const options = { ...sessionOptions(user!, serverSettingsFor(context, user!, 'pop3s')), password: `${user!.password}-wrong` };
    await expect(Pop3Session.open(options)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('reports CONNECTION_REFUSED for a port nobody listens on', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const port = await unusedPort();
    const server: ServerSettings = { ...serverSettingsFor(context, user!, 'pop3s'), port };
    await expect(Pop3Session.open(sessionOptions(user!, server))).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
  });

  it('refuses the stack’s certificate unless the user trusted it, over POP3S and STLS, before any password', async (context) => {
    const stack = mailStack();
    if (!stack.caPem || new X509Certificate(stack.caPem).issuer !== new X509Certificate(stack.caPem).subject) {
      skipBecause(context, 'the server’s certificate is not self-signed');
    }
    const [user] = await leaseMailboxes(context, 1);
    for (const endpoint of ['pop3s', 'pop3'] as const) {
      const { trustedCertificate: _trusted, ...untrusted } = serverSettingsFor(context, user!, endpoint);
      const log: ProtocolLogLine[] = [];
      await expect(Pop3Session.open(sessionOptions(user!, untrusted, log))).rejects.toMatchObject({ code: 'TLS_CERT_UNTRUSTED' });
      expect(sent(log).filter((text) => /^(USER|PASS|AUTH|APOP)/.test(text))).toEqual([]);
    }
  });
});

/** Byte-exact comparison; vitest's deep equality walks a 2 MB Buffer element by element for seconds. */
function expectSameBytes(actual: Buffer[], expected: Buffer[]): void {
  expect(actual.map((bytes) => bytes.length)).toEqual(expected.map((bytes) => bytes.length));
  actual.forEach((bytes, i) => {
    if (!bytes.equals(expected[i]!)) expect.fail(`message ${i + 1} differs at byte ${firstDifference(bytes, expected[i]!)}`);
  });
}

function firstDifference(a: Buffer, b: Buffer): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}
