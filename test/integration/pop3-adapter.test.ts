import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { ProtocolLogLine, ServerSettings } from '../../shared/model';
import type { AdapterDelta, SyncOptions } from '../../main/protocols/adapter';
import { Pop3Adapter } from '../../main/protocols/pop3/adapter';
import { leaseMailboxes, openImap, serverSettingsFor, uniqueTag } from '../mailstack/index';
import type { TestUser } from '../mailstack/index';

/**
 * The POP3 adapter against the real Dovecot, checked through an independent
 * IMAP session: sync yields new mail newest first and nothing twice, notices
 * what vanished, downloads byte-exact, and deletes exactly what it is told,
 * and nothing at all when the connection is cut before QUIT.
 */

const TIMEOUTS = { connectMs: 10_000, commandMs: 10_000 };

function adapterFor(context: TestContext, user: TestUser, options: { server?: Partial<ServerSettings>; log?: ProtocolLogLine[] } = {}): Pop3Adapter {
  const log = options.log;
  return new Pop3Adapter({
    accountId: 'pop3-adapter-test',
    server: { ...serverSettingsFor(context, user, 'pop3s'), ...options.server },
    password: user.password,
    timeouts: TIMEOUTS,
    ...(log ? { log: (line: ProtocolLogLine) => log.push(line) } : {}),
  });
}

function messageText(tag: string, n: number, body = `Message number ${n}.\r\n`): Buffer {
  return Buffer.from(
    `From: Sender <sender@example.org>\r\nTo: someone@example.org\r\nSubject: ${tag} ${n}\r\n` +
      `Message-ID: <${tag}.${n}@twinbox.test>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\n${body}`,
    'latin1',
  );
}

/** Appends through one IMAP session, in order; returns the UIDs. */
async function appendAll(user: TestUser, messages: Buffer[]): Promise<number[]> {
  const client = await openImap(user);
  try {
    const uids: number[] = [];
    for (const raw of messages) {
      const appended = await client.append('INBOX', raw);
      if (!appended || typeof appended.uid !== 'number') throw new Error('no APPENDUID');
      uids.push(appended.uid);
    }
    return uids;
  } finally {
    await client.logout();
  }
}

/** Message-IDs in the INBOX as an independent IMAP session sees it. */
async function imapMessageIds(user: TestUser): Promise<string[]> {
  const client = await openImap(user);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const ids: string[] = [];
      for await (const message of client.fetch('1:*', { envelope: true })) ids.push(message.envelope?.messageId ?? '');
      return ids.map((id) => id.replace(/^<|>$/g, '')).sort();
    } catch {
      return [];
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

async function imapDelete(user: TestUser, uids: number[]): Promise<void> {
  const client = await openImap(user);
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      await client.messageDelete(uids.join(','), { uid: true });
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

async function collect(adapter: Pop3Adapter, knownUidls: string[], options: SyncOptions = {}): Promise<AdapterDelta[]> {
  const deltas: AdapterDelta[] = [];
  for await (const delta of adapter.sync('INBOX', { protocol: 'pop3', knownUidls: new Set(knownUidls) }, options)) deltas.push(delta);
  return deltas;
}

type MessagesDelta = Extract<AdapterDelta, { kind: 'messages' }>;
const messageDeltas = (deltas: AdapterDelta[]): MessagesDelta[] => deltas.filter((delta): delta is MessagesDelta => delta.kind === 'messages');
const doneOf = (deltas: AdapterDelta[]): Extract<AdapterDelta, { kind: 'done' }> | undefined =>
  deltas.find((delta): delta is Extract<AdapterDelta, { kind: 'done' }> => delta.kind === 'done');
/** The UIDLs on the server when a sync ended. */
const onServerOf = (deltas: AdapterDelta[]): string[] => doneOf(deltas)?.onServer ?? [];

/** UIDL by Message-ID, as one sync saw them. */
function uidlsByMessageId(deltas: AdapterDelta[]): Map<string, string> {
  return new Map(messageDeltas(deltas).flatMap((delta) => delta.summaries.map((summary) => [summary.messageId ?? '', summary.serverId] as const)));
}

describe('POP3 adapter against the real server', () => {
  it('syncs newest first in batches, byte-exact, and a second sync with the returned state yields nothing new', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const messages = Array.from({ length: 7 }, (_, i) => messageText(tag, i + 1, i === 3 ? '.dot-led\r\n..two\r\n\xe9t\xe9\r\n' : undefined));
    await appendAll(user!, messages);
    const adapter = adapterFor(context, user!);
    await adapter.connect();
    expect(adapter.connected).toBe(true);
    expect(adapter.capabilities).toMatchObject({ serverFolders: false, serverFlags: false, stableIds: true, partialFetch: true, append: false });
    expect(await adapter.listFolders()).toEqual([expect.objectContaining({ path: 'INBOX', specialUse: 'inbox' })]);

    const first = await collect(adapter, [], { batchSize: 3 });
    expect(first.map((delta) => delta.kind)).toEqual(['messages', 'messages', 'messages', 'done']);
    const batches = messageDeltas(first);
    expect(batches.map((batch) => batch.summaries.map((summary) => summary.subject))).toEqual([
      [`${tag} 7`, `${tag} 6`, `${tag} 5`],
      [`${tag} 4`, `${tag} 3`, `${tag} 2`],
      [`${tag} 1`],
    ]);
    expect(batches.map((batch) => batch.progress)).toEqual([
      { done: 3, total: 7 },
      { done: 6, total: 7 },
      { done: 7, total: 7 },
    ]);
    const summaries = batches.flatMap((batch) => batch.summaries);
    const sources = batches.flatMap((batch) => batch.sources);
    expect(summaries.map((summary) => summary.size)).toEqual([...messages].reverse().map((raw) => raw.length));
    expect(summaries.every((summary) => summary.flags.length === 0)).toBe(true);
    expect(sources.map((source) => source.serverId)).toEqual(summaries.map((summary) => summary.serverId));
    sources.forEach((source, i) => expect(Buffer.from(source.bytes).equals(messages[messages.length - 1 - i]!)).toBe(true));
    expect(batches.every((batch) => batch.partial.length === 0)).toBe(true);
    expect(doneOf(first)?.total).toBe(7);
    expect(new Set(onServerOf(first))).toEqual(new Set(summaries.map((summary) => summary.serverId)));

    const second = await collect(adapter, onServerOf(first), { batchSize: 3 });
    expect(second.map((delta) => delta.kind)).toEqual(['done']);
    expect(onServerOf(second)).toEqual(onServerOf(first));
    await adapter.close();
    expect(adapter.connected).toBe(false);
  });

  it('sees mail that arrived since the last sync, and reports what was deleted elsewhere as vanished', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const uids = await appendAll(user!, [1, 2, 3, 4].map((n) => messageText(tag, n)));
    const adapter = adapterFor(context, user!);
    const first = await collect(adapter, []);
    const uidlOf = uidlsByMessageId(first);

    // Meanwhile, another device deletes two messages and a new one arrives.
    await imapDelete(user!, [uids[0]!, uids[2]!]);
    await appendAll(user!, [messageText(tag, 5)]);

    const second = await collect(adapter, onServerOf(first));
    expect(second.map((delta) => delta.kind)).toEqual(['vanished', 'messages', 'done']);
    const vanished = second[0]?.kind === 'vanished' ? second[0].serverIds : [];
    expect(vanished.sort()).toEqual([uidlOf.get(`${tag}.1@twinbox.test`), uidlOf.get(`${tag}.3@twinbox.test`)].sort());
    expect(messageDeltas(second).flatMap((delta) => delta.summaries.map((summary) => summary.subject))).toEqual([`${tag} 5`]);
    expect(onServerOf(second)).toHaveLength(3);
    expect(doneOf(second)?.total).toBe(3);
    await adapter.close();
  });

  it('downloads headers only (TOP) when asked or above the size limit, and the whole message on demand, byte-exact', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const large = messageText(tag, 2, `${'.a dot-led line of a large message\r\n'.repeat(20_000)}end\r\n`);
    await appendAll(user!, [messageText(tag, 1), large]);
    const adapter = adapterFor(context, user!);

    const limited = await collect(adapter, [], { maxMessageBytes: 100_000 });
    const [batch] = messageDeltas(limited);
    const largeUidl = batch?.summaries.find((summary) => summary.subject === `${tag} 2`)?.serverId;
    expect(batch?.partial).toEqual([largeUidl]);
    expect(batch?.summaries.find((summary) => summary.serverId === largeUidl)?.size).toBe(large.length);
    const header = batch?.sources.find((source) => source.serverId === largeUidl);
    expect(header?.partial).toBe(true);
    const headerText = Buffer.from(header!.bytes).toString('utf8');
    expect(headerText).toContain(`Subject: ${tag} 2\r\n`);
    expect(headerText.endsWith('\r\n\r\n')).toBe(true);

    const headersOnly = messageDeltas(await collect(adapter, [], { headersOnly: true }))[0];
    expect(headersOnly?.partial).toHaveLength(2);
    expect(headersOnly?.sources.every((source) => source.partial)).toBe(true);
    expect(headersOnly?.summaries.map((summary) => summary.subject)).toEqual([`${tag} 2`, `${tag} 1`]);

    const fetched = await adapter.fetchMessages('INBOX', [largeUidl!, 'no-such-uidl']);
    expect(fetched.messages.map((m) => m.serverId)).toEqual([largeUidl]);
    expect(Buffer.from(fetched.messages[0]!.bytes).equals(large)).toBe(true);
  });

  it('deletes exactly the named UIDLs, as an independent IMAP session confirms', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendAll(user!, [1, 2, 3, 4, 5].map((n) => messageText(tag, n)));
    const adapter = adapterFor(context, user!);
    const uidlOf = uidlsByMessageId(await collect(adapter, []));
    const doomed = [uidlOf.get(`${tag}.2@twinbox.test`)!, uidlOf.get(`${tag}.4@twinbox.test`)!];

    const result = await adapter.delete('INBOX', [...doomed, 'never-existed']);
    expect(result.deleted.sort()).toEqual([...doomed].sort());
    expect(result.missing).toEqual(['never-existed']);
    expect(await imapMessageIds(user!)).toEqual([1, 3, 5].map((n) => `${tag}.${n}@twinbox.test`).sort());
  });

  it('deletes nothing when the connection is cut after DELE, before QUIT is answered', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendAll(user!, [1, 2, 3].map((n) => messageText(tag, n)));
    const uidls = onServerOf(await collect(adapterFor(context, user!), []));

    const target = serverSettingsFor(context, user!, 'pop3s');
    const proxy = await startCuttableProxy(target.port);
    try {
      let delesSent = 0;
      let deleReplies = 0;
      const watching = (line: ProtocolLogLine): void => {
        if (line.direction === 'out' && line.text.startsWith('DELE')) delesSent++;
        else if (line.direction === 'in' && delesSent > 0 && ++deleReplies === uidls.length) {
          // Every DELE has its +OK: cut now, before QUIT can even be written.
          proxy.cut();
        }
      };
      const cutting = new Pop3Adapter({ accountId: 'pop3-adapter-test', server: { ...target, port: proxy.port }, password: user!.password, timeouts: TIMEOUTS, log: watching });
      await expect(cutting.delete('INBOX', uidls)).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
      expect(deleReplies).toBe(uidls.length);
      expect(await imapMessageIds(user!)).toEqual([1, 2, 3].map((n) => `${tag}.${n}@twinbox.test`).sort());

      // The same deletion through the same relay, uncut, goes through: the cut was what stopped it.
      const adapter = adapterFor(context, user!, { server: { port: proxy.port } });
      await expect(adapter.delete('INBOX', uidls)).resolves.toEqual({ deleted: uidls, missing: [] });
      expect(await imapMessageIds(user!)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('rejects what POP3 cannot do with NOT_SUPPORTED, and folders other than INBOX', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const adapter = adapterFor(context, user!);
    await expect(adapter.setFlags('INBOX', ['x'], { add: ['\\Seen'] })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(adapter.move('INBOX', ['x'], 'Archive')).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(adapter.search('INBOX', { text: 'x' })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(adapter.append('INBOX', new Uint8Array(1), [])).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await expect(adapter.fetchMessages('Sent', ['x'])).rejects.toMatchObject({ code: 'MAILBOX_NOT_FOUND' });
  });
});

/** A TCP relay to the real server that the test can cut at a moment of its choosing, as a network failure would. */
async function startCuttableProxy(upstreamPort: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    return socket;
  };
  const server: Server = createServer((client) => {
    track(client);
    const upstream = track(connect({ host: '127.0.0.1', port: upstreamPort }));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const cut = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    cut,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
