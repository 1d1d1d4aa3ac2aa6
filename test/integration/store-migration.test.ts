import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProtocolLogLine } from '../../shared/model';
import { Pop3Adapter } from '../../main/protocols/pop3/adapter';
import type { MessageSource } from '../../main/protocols/adapter';
import { declareVersions } from '../../renderer/db/schema';
import { SyncEngine } from '../../renderer/sync/engine';
import { appendMessages, eventually, leaseMailboxes, uniqueTag } from '../mailstack';
import { clientHarness, saveAccount } from './client-harness';
import { accountFor, rawMessage } from '../mailstack/fixtures';
import type { ClientHarness } from './client-harness';

/**
 * A cache written by the Twinbox before the message store (schema v5, each
 * POP3 message's bytes in IndexedDB) opens in this one, and its mail moves
 * into main's store before anything is downloaded: no message lost, none
 * fetched again, the bytes exactly as they were.
 */
let harness: ClientHarness | undefined;
let engine: SyncEngine | undefined;

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await harness?.close();
  harness = undefined;
});

describe('moving a schema v5 cache into the message store', () => {
  it('moves every POP3 message, byte for byte, and downloads none of them again', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i, { body: `Only here: ${tag} text ${i}.` })));
    harness = clientHarness();
    const account = await saveAccount(
      harness.client,
      accountFor(context, user!, 'pop3', { pop3: { retention: { kind: 'keep' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } }),
      user!.password,
    );

    // What the old Twinbox downloaded: the server's own bytes and UIDLs, as its POP3 check kept them.
    const pop3 = new Pop3Adapter({ accountId: account.id, server: account.incoming, password: user!.password });
    const sources: MessageSource[] = [];
    for await (const delta of pop3.sync('INBOX', { protocol: 'pop3', knownUidls: new Set() })) if (delta.kind === 'messages') sources.push(...delta.sources);
    await pop3.close();
    expect(sources).toHaveLength(3);
    const draft = new TextEncoder().encode(`Subject: ${tag} draft\r\nMessage-ID: <${tag}.draft@twinbox.test>\r\n\r\nNot sent yet.\r\n`);

    const v5 = new Dexie('twinbox', harness.idb);
    declareVersions(v5, 5);
    const row = (folder: string, serverId: string, subject: string, docId: number): Record<string, unknown> => ({
      accountId: account.id,
      folder,
      serverId,
      references: [],
      subject,
      from: [],
      to: [],
      cc: [],
      replyTo: [],
      size: 10,
      flags: ['\\Seen'],
      hasAttachments: false,
      sortDate: docId,
      seen: 1,
      flagged: 0,
      threadId: `${serverId}@x`,
      hasBody: 1,
      partial: 0,
      docId,
      threadHead: 1,
      threadDate: docId,
      threadSize: 1,
      senderKey: '',
      subjectKey: subject,
    });
    const body = (folder: string, serverId: string, raw: Uint8Array): Record<string, unknown> => ({
      accountId: account.id,
      folder,
      serverId,
      text: 'text',
      attachments: [],
      headers: [],
      raw,
      warnings: [],
      size: raw.byteLength,
      lastAccess: 0,
    });
    // One of them had been moved to this computer's Archive.
    const folderOf = (i: number): string => (i === 0 ? 'Archive' : 'INBOX');
    await v5.table('messages').bulkPut([...sources.map((s, i) => row(folderOf(i), s.serverId, `${tag} ${i}`, i + 1)), row('Drafts', 'local-draft', `${tag} draft`, 9)]);
    await v5.table('bodies').bulkPut([...sources.map((s, i) => body(folderOf(i), s.serverId, s.bytes)), body('Drafts', 'local-draft', draft)]);
    await v5.table('ledger').bulkPut(sources.map((s) => ({ accountId: account.id, uidl: s.serverId, size: s.bytes.byteLength, firstSeenAt: 1, downloadedAt: 1, committedAt: 1 })));
    await v5.table('syncState').put({ accountId: account.id, folder: 'INBOX', protocol: 'pop3', serverTotal: 3, completedAt: 1, knownUidls: sources.map((s) => s.serverId) });
    await v5.table('accounts').put(account);
    v5.close();

    // This Twinbox starts on it, and logs what it says to the server.
    const log: ProtocolLogLine[] = [];
    harness.client.on('protocol.log', (line) => log.push(line));
    await harness.client.call('app.setProtocolLog', { enabled: true });
    const db = harness.openDatabase();
    engine = new SyncEngine(harness.client, db);
    await engine.start();
    await eventually(async () => ((await db.syncState.get([account.id, 'INBOX']))?.completedAt ?? 0) > 1 || undefined, 20_000);

    expect(await db.bodies.count()).toBe(0);
    expect(await db.messages.count()).toBe(4);
    expect(await harness.client.call('store.usage', { accountId: account.id })).toMatchObject({ messages: 4, unindexed: 0 });
    for (const [i, source] of sources.entries()) {
      const kept = await harness.client.call('mail.source', { accountId: account.id, folder: folderOf(i), serverId: source.serverId });
      expect(Buffer.from(kept).equals(Buffer.from(source.bytes))).toBe(true);
    }
    expect(Buffer.from(await harness.client.call('mail.source', { accountId: account.id, folder: 'Drafts', serverId: 'local-draft' })).equals(Buffer.from(draft))).toBe(true);
    // The check after the move asked for the list and nothing else: no message was fetched again.
    expect(log.some((line) => line.direction === 'out' && line.text.startsWith('UIDL'))).toBe(true);
    expect(log.filter((line) => line.direction === 'out' && /^(RETR|TOP)/.test(line.text))).toEqual([]);
    // Flags kept with the files too, for other mail tools.
    expect((await harness.client.call('store.list', { accountId: account.id, folder: 'Archive' })).messages[0]?.flags).toEqual(['\\Seen']);
  });
});
