import { afterEach, describe, expect, it } from 'vitest';
import type { Account } from '../../shared/model';
import { SyncEngine } from '../../renderer/sync/engine';
import { RESULT_LIMIT, searchLocally } from '../../renderer/db/local-search';
import { appendMessage, appendMessages, deliverBySmtpOrAppend, eventually, leaseMailboxes, openImap, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { cachedFolder, clientHarness, saveAccount } from './client-harness';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';
import type { ClientHarness } from './client-harness';

/**
 * IMAP mode end to end below the UI: the renderer's cache (fake-indexeddb)
 * and sync code against real Dovecot through the contract. The rule under
 * test: after a sync, the cache equals what the server has.
 */
let harness: ClientHarness | undefined;
let engine: SyncEngine | undefined;

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await harness?.close();
  harness = undefined;
});

async function setUp(user: TestUser, extra: Partial<Account> = {}, context: Parameters<typeof accountFor>[0]) {
  harness = clientHarness();
  const account = await saveAccount(harness.client, accountFor(context, user, 'imap', extra), user.password);
  const db = harness.openDatabase();
  engine = new SyncEngine(harness.client, db);
  await engine.writer.replaceAccounts([account]);
  return { account, db, engine, harness };
}

describe('IMAP mode: the cache mirrors the server', () => {
  it('fetches a folder newest first in batches, ending equal to the server', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, Array.from({ length: 120 }, (_, i) => rawMessage(tag, i + 1)));
    const { account, db, engine } = await setUp(user!, {}, context);
    const progress: number[] = [];
    await engine.imap.syncFolder(account, 'INBOX', (p) => progress.push(p.done));
    expect(progress).toEqual([50, 120]);
    const rows = await db.messages.where('[accountId+folder+sortDate]').between([account.id, 'INBOX', -Infinity], [account.id, 'INBOX', Infinity]).reverse().toArray();
    expect(rows).toHaveLength(120);
    expect(rows[0]?.subject).toBe(`${tag} message 120`);
    expect(rows.at(-1)?.subject).toBe(`${tag} message 1`);
    expect(await cachedFolder(db, account.id)).toEqual(await serverFolder(user!));
    expect((await db.syncState.get([account.id, 'INBOX']))?.completedAt).toBeTypeOf('number');
  });

  it('commits the newest 50 first: a sync cut after its first batch shows exactly them', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, Array.from({ length: 80 }, (_, i) => rawMessage(tag, i + 1)));
    const { account, db, engine, harness } = await setUp(user!, {}, context);
    // The connection goes after the start, the new UIDVALIDITY and the first batch: the call for the
    // next one (made while the first is committed) is the one lost.
    harness.cutAfter(3);
    const sync = engine.imap.syncFolder(account, 'INBOX');
    await expect(sync).rejects.toMatchObject({ code: 'HOST_UNAVAILABLE' });
    const shown = await db.messages.toArray();
    expect(shown.map((m) => m.subject).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `${tag} message ${80 - i}`).sort());
    // The sync state says the folder is not complete; the next sync fills the rest, no duplicates, no holes.
    expect((await db.syncState.get([account.id, 'INBOX']))?.completedAt).toBeUndefined();
    harness.restore();
    await engine.imap.syncFolder(account, 'INBOX');
    expect(await cachedFolder(db, account.id)).toEqual(await serverFolder(user!));
    expect(await db.messages.count()).toBe(80);
  });

  it('follows another device: new mail, flags and expunges arrive as exact changes', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    for (let i = 1; i <= 5; i++) await appendMessage(user!, rawMessage(tag, i));
    const { account, db, engine } = await setUp(user!, {}, context);
    await engine.imap.syncFolder(account, 'INBOX');
    const other = await openImap(user!);
    try {
      const lock = await other.getMailboxLock('INBOX');
      try {
        await other.messageFlagsAdd('1,2', ['\\Seen', '\\Flagged'], { uid: true });
        await other.messageDelete('3', { uid: true });
        await other.append('INBOX', rawMessage(tag, 6), ['\\Seen']);
      } finally {
        lock.release();
      }
    } finally {
      await other.logout();
    }
    const result = await engine.imap.syncFolder(account, 'INBOX');
    expect(result).toMatchObject({ added: 1, vanished: 1, reset: false });
    expect(await cachedFolder(db, account.id)).toEqual(await serverFolder(user!));
    const two = await db.messages.get([account.id, 'INBOX', '2']);
    expect(two).toMatchObject({ seen: 1, flagged: 1 });
  });

  it('marks read on the server, where another device sees it', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    await appendMessage(user!, rawMessage(uniqueTag(), 1));
    const { account, db, engine } = await setUp(user!, {}, context);
    await engine.imap.syncFolder(account, 'INBOX');
    await engine.actions.setRead([[account.id, 'INBOX', '1']], true);
    expect((await db.messages.get([account.id, 'INBOX', '1']))?.seen).toBe(1);
    await eventually(async () => ((await serverFolder(user!)).get('1')?.includes('\\seen') ? true : undefined));
    await eventually(async () => ((await db.pending.count()) === 0 ? true : undefined));
  });

  it('keeps a change made offline across a reload and sends it when the connection is back', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    await appendMessage(user!, rawMessage(uniqueTag(), 1));
    const set = await setUp(user!, {}, context);
    const { account, harness } = set;
    await set.engine.imap.syncFolder(account, 'INBOX');
    await set.engine.capabilities(account.id);
    harness.cut();
    await set.engine.actions.setFlagged([[account.id, 'INBOX', '1']], true);
    const waiting = await set.engine.runner.run(account.id);
    expect(waiting.waiting).toBe(1);
    // Reload: a new page, a new handle on the same IndexedDB.
    await set.engine.stop();
    const reloaded = harness.openDatabase();
    const second = new SyncEngine(harness.client, reloaded);
    engine = second;
    expect(await reloaded.pending.count()).toBe(1);
    expect((await reloaded.messages.get([account.id, 'INBOX', '1']))?.flagged).toBe(1);
    harness.restore();
    expect(await second.runner.run(account.id)).toMatchObject({ done: 1, failed: 0 });
    expect((await serverFolder(user!)).get('1')).toContain('\\flagged');
  });

  it('rolls a refused change back and says why', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    await appendMessage(user!, rawMessage(uniqueTag(), 1));
    const { account, db, engine } = await setUp(user!, {}, context);
    await engine.imap.syncFolder(account, 'INBOX');
    await engine.actions.move([[account.id, 'INBOX', '1']], 'No Such Folder');
    await eventually(async () => ((await db.pending.filter((op) => op.status === 'failed').count()) === 1 ? true : undefined));
    const failed = await db.pending.toArray();
    expect(failed[0]?.error).toMatchObject({ code: 'MAILBOX_NOT_FOUND', text: expect.stringMatching(/folder no longer exists/) as unknown });
    expect(await db.messages.get([account.id, 'INBOX', '1'])).toBeDefined();
    expect((await serverFolder(user!)).has('1')).toBe(true);
  });

  it('deletes on the server: to Trash, gone from INBOX for every device', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    await appendMessage(user!, rawMessage(uniqueTag(), 1));
    await appendMessage(user!, rawMessage(uniqueTag(), 2));
    const { account, db, engine } = await setUp(user!, {}, context);
    await engine.imap.syncFolder(account, 'INBOX');
    await engine.actions.delete([[account.id, 'INBOX', '1']]);
    expect(await db.messages.get([account.id, 'INBOX', '1'])).toBeUndefined();
    await eventually(async () => ((await serverFolder(user!)).has('1') ? undefined : true));
    expect((await serverFolder(user!, 'Trash')).size).toBe(1);
    // A sync while the deletion is under way or after it never brings the message back.
    await engine.imap.syncFolder(account, 'INBOX');
    expect([...(await cachedFolder(db, account.id)).keys()]).toEqual(['2']);
  });

  it('drops and refetches a folder whose UIDVALIDITY changed', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const other = await openImap(user!);
    try {
      await other.mailboxCreate('Projects');
      for (let i = 1; i <= 3; i++) await other.append('Projects', rawMessage(tag, i), []);
    } finally {
      await other.logout();
    }
    const { account, db, engine } = await setUp(user!, {}, context);
    await engine.imap.syncFolder(account, 'Projects');
    const before = (await db.syncState.get([account.id, 'Projects']))?.uidValidity;
    const again = await openImap(user!);
    try {
      await again.mailboxDelete('Projects');
      await again.mailboxCreate('Projects');
      await again.append('Projects', rawMessage(tag, 9), []);
    } finally {
      await again.logout();
    }
    const result = await engine.imap.syncFolder(account, 'Projects');
    expect(result.reset).toBe(true);
    expect((await db.syncState.get([account.id, 'Projects']))?.uidValidity).not.toBe(before);
    expect((await db.messages.toArray()).map((m) => m.subject)).toEqual([`${tag} message 9`]);
  });

  it('restores exactly what the server has after the cache is wiped', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    for (let i = 1; i <= 4; i++) await appendMessage(user!, rawMessage(tag, i), { flags: i % 2 === 0 ? ['\\Seen'] : [] });
    const { account, db, engine } = await setUp(user!, {}, context);
    await engine.imap.syncFolderList(account);
    await engine.imap.syncFolder(account, 'INBOX');
    await engine.writer.wipeAccountCache(account.id);
    expect(await db.messages.count()).toBe(0);
    await engine.imap.syncFolderList(account);
    await engine.imap.syncFolder(account, 'INBOX');
    expect(await cachedFolder(db, account.id)).toEqual(await serverFolder(user!));
    expect((await db.folders.toArray()).map((f) => f.path)).toEqual(expect.arrayContaining(['INBOX', 'Sent', 'Trash']));
  });

  it('comes back whole when the server asks for a sync while the cache is being forgotten', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, Array.from({ length: 30 }, (_, i) => rawMessage(tag, i + 1)));
    const { account, db, harness } = await setUp(user!, {}, context);
    await engine?.stop();
    // A push from the server ("mail changed") arrives just as the wipe starts, and the wipe takes
    // a while (a large store): the sync it asked for, if it runs now, tells the server what the
    // cache holds before the wipe and gets the server's answer after it.
    let wiping = false;
    let syncStarted: () => void = () => undefined;
    const client: typeof harness.client = {
      ...harness.client,
      call: async (method, input) => {
        if (method === 'mail.syncStart') syncStarted();
        if (method === 'store.wipe') {
          wiping = true;
          const started = new Promise<void>((resolve) => (syncStarted = resolve));
          void engine?.syncNow(account.id);
          await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 1_000))]);
        }
        if (method === 'mail.syncNext' && wiping) {
          wiping = false;
          await eventually(async () => ((await db.syncState.get([account.id, 'INBOX'])) ? undefined : true));
        }
        return harness.client.call(method, input);
      },
    };
    engine = new SyncEngine(client, db);
    await engine.start();
    await eventually(async () => ((await db.syncState.get([account.id, 'INBOX']))?.completedAt ? true : undefined));
    expect(await db.messages.count()).toBe(30);
    await engine.wipeAndResync(account.id);
    expect(await cachedFolder(db, account.id)).toEqual(await serverFolder(user!));
    expect(await db.messages.count()).toBe(30);
  });

  it('keeps bodies in the message store within the cache size, evicting the least recently opened', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const big = 'x'.repeat(400 * 1024);
    for (let i = 1; i <= 3; i++) await appendMessage(user!, rawMessage(tag, i, { body: `${i} ${big}` }));
    const { account, engine, harness } = await setUp(user!, { imap: { deleteMode: 'trash', cacheLimitMegabytes: 1 } }, context);
    await engine.imap.syncFolder(account, 'INBOX');
    const stored = async (): Promise<string[]> => (await harness.client.call('store.list', { accountId: account.id, folder: 'INBOX' })).messages.map((m) => m.serverId).sort();
    for (const uid of ['1', '2', '3']) await engine.openMessage([account.id, 'INBOX', uid]);
    // About 400 KB each: a 1 MB cache keeps the two opened last, and says how full it is.
    expect(await stored()).toEqual(['2', '3']);
    const usage = await harness.client.call('store.usage', { accountId: account.id });
    expect(usage.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(usage.limitBytes).toBe(1024 * 1024);
    // Opening an evicted one fetches it again, and the least recently opened (2) makes room.
    expect((await engine.openMessage([account.id, 'INBOX', '1'])).text).toContain(big);
    expect(await stored()).toEqual(['1', '3']);
    // Reading a body through Twinbox never marked it read on the server.
    expect((await serverFolder(user!)).get('1')).toEqual([]);
  });

  it('forgets the stored bodies with the rows: a wiped cache, and a folder whose UIDVALIDITY changed', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2].map((i) => rawMessage(tag, i)));
    const client = await openImap(user!);
    await client.mailboxCreate('Projects');
    await client.append('Projects', rawMessage(tag, 3));
    await client.logout();
    const { account, db, engine, harness } = await setUp(user!, {}, context);
    await engine.imap.syncFolderList(account);
    for (const folder of ['INBOX', 'Projects']) await engine.imap.syncFolder(account, folder);
    await engine.openMessage([account.id, 'INBOX', '1']);
    await engine.openMessage([account.id, 'Projects', '1']);
    const usage = (): Promise<{ messages: number }> => harness.client.call('store.usage', { accountId: account.id });
    expect((await usage()).messages).toBe(2);

    // The folder is recreated on the server: same name, new UIDVALIDITY, and UID 1 is another message.
    const other = await openImap(user!);
    await other.mailboxDelete('Projects');
    await other.mailboxCreate('Projects');
    await other.append('Projects', rawMessage(tag, 4));
    await other.logout();
    await engine.imap.syncFolder(account, 'Projects');
    expect((await usage()).messages).toBe(1);
    expect((await engine.openMessage([account.id, 'Projects', '1'])).text).toContain(`message 4`);

    // "This computer died": files and rows go together, and a resync brings back what the server has.
    await engine.writer.replaceAccounts([account]);
    await harness.client.call('store.wipe', { accountId: account.id });
    await engine.writer.wipeAccountCache(account.id);
    expect((await usage()).messages).toBe(0);
    expect(await db.messages.count()).toBe(0);
    await engine.imap.syncFolderList(account);
    await engine.imap.syncFolder(account, 'INBOX');
    expect(await cachedFolder(db, account.id)).toEqual(await serverFolder(user!));
  });

  it('syncs by itself when the server announces new mail (IDLE)', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const { account, db, harness } = await setUp(user!, {}, context);
    await engine?.stop();
    engine = new SyncEngine(harness.client, db);
    await engine.start();
    await eventually(async () => ((await db.syncState.get([account.id, 'INBOX']))?.completedAt ? true : undefined));
    const tag = uniqueTag();
    await deliverBySmtpOrAppend(user!, { subject: `${tag} pushed`, text: 'hello' });
    await eventually(async () => ((await db.messages.filter((m) => m.subject === `${tag} pushed`).count()) === 1 ? true : undefined), 15_000);
  });

  it('reads a whole folder for offline use in batches, each committed as it comes', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    // A word only the bodies have.
    const bodyWord = `${tag.toLowerCase()}lighthouse`;
    await appendMessages(user!, Array.from({ length: 250 }, (_, i) => rawMessage(tag, i + 1, { body: `Body of message ${i + 1}, about the ${bodyWord}.` })));
    const { account, db, engine, harness } = await setUp(user!, {}, context);
    await engine.imap.syncFolder(account, 'INBOX');
    expect((await searchLocally(db, bodyWord)).keys).toHaveLength(0);
    const progress: number[] = [];
    expect(await engine.imap.downloadAll(account, 'INBOX', (p) => progress.push(p.done))).toBe(250);
    expect(progress).toEqual([200, 250]);
    expect((await harness.client.call('store.usage', { accountId: account.id })).messages).toBe(250);
    expect(await db.bodies.count()).toBe(0);
    // The download parsed nothing: the words come in the background.
    expect((await searchLocally(db, bodyWord)).keys).toHaveLength(0);
    await engine.indexer.drain();
    expect((await db.messages.toArray()).every((m) => m.textIndexed === 1 && m.snippet?.startsWith('Body of message'))).toBe(true);
    // Read offline, every body is searchable.
    const everyBody = await searchLocally(db, bodyWord, account.id);
    // More than a search lists: the newest are listed, with a note that there are more.
    expect(everyBody.keys).toHaveLength(RESULT_LIMIT);
    expect(everyBody.truncated).toBe(true);
    // The oldest are found too, with a word more: messages 10 and 100 to 109.
    expect((await searchLocally(db, `${bodyWord} 10`, account.id)).keys).toHaveLength(11);
    // Nothing was marked read by reading it for offline use.
    expect([...(await serverFolder(user!)).values()].every((flags) => !flags.includes('\\seen'))).toBe(true);
  });
});
