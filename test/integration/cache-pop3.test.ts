import { afterEach, describe, expect, it } from 'vitest';
import type { Account, RetentionPolicy } from '../../shared/model';
import { SyncEngine } from '../../renderer/sync/engine';
import { appendMessage, appendMessages, deliverBySmtpOrAppend, eventually, leaseMailboxes, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { clientHarness, saveAccount } from './client-harness';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';
import type { ClientHarness } from './client-harness';

/**
 * POP3 mode end to end below the UI: this computer keeps the mail, the
 * server is a drop box, and the server copy goes only when the retention
 * policy says so, and only once the message is committed here.
 */
const DAY = 24 * 60 * 60 * 1000;
/** What main puts in a POP3 check's first batch: the first screen. */
const FIRST_SCREEN = 50;
let harness: ClientHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function setUp(context: Parameters<typeof accountFor>[0], user: TestUser, retention: RetentionPolicy, pop3: Partial<NonNullable<Account['pop3']>> = {}) {
  harness = clientHarness();
  const clock = { now: Date.UTC(2026, 10, 1) };
  const account = await saveAccount(
    harness.client,
    accountFor(context, user, 'pop3', { pop3: { retention, pollMinutes: 10, headersOnly: false, maxMessageBytes: 0, ...pop3 } }),
    user.password,
  );
  const db = harness.openDatabase();
  const engine = new SyncEngine(harness.client, db, { now: () => clock.now });
  await engine.writer.replaceAccounts([account]);
  return { account, db, engine, clock, harness };
}

function harnessUsage(accountId: string): Promise<{ messages: number; unindexed: number }> {
  return harness!.client.call('store.usage', { accountId });
}

/** What the Inbox shows (deleted messages wait in this computer's Trash). */
async function subjects(db: Awaited<ReturnType<typeof setUp>>['db']): Promise<string[]> {
  return (await db.messages.filter((m) => m.folder === 'INBOX').toArray()).map((m) => m.subject).sort();
}

describe('POP3 mode: this computer keeps the mail', () => {
  it('downloads new mail newest first, committed with its ledger entry, and nothing twice', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    for (let i = 1; i <= 3; i++) await appendMessage(user!, rawMessage(tag, i));
    const { account, db, engine } = await setUp(context, user!, { kind: 'keep' });
    const first = await engine.pop3.check(account);
    expect(first.downloaded).toBe(3);
    const ledger = await db.ledger.toArray();
    expect(ledger.every((e) => e.committedAt !== undefined && e.downloadedAt !== undefined)).toBe(true);
    // The messages themselves are in main's store, confirmed by the index; IndexedDB holds no bytes.
    expect(await harnessUsage(account.id)).toMatchObject({ messages: 3, unindexed: 0 });
    expect(await db.bodies.count()).toBe(0);
    // New mail appears at the next check; what is already here is not fetched again.
    await deliverBySmtpOrAppend(user!, { subject: `${tag} new`, text: 'new' });
    await eventually(async () => ((await serverFolder(user!)).size === 4 ? true : undefined));
    const second = await engine.pop3.check(account);
    expect(second.downloaded).toBe(1);
    expect(await subjects(db)).toEqual([`${tag} new`, `${tag} message 1`, `${tag} message 2`, `${tag} message 3`].sort());
  });

  it('marks read here only: the server’s flags do not change', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    await appendMessage(user!, rawMessage(uniqueTag(), 1));
    const { account, db, engine } = await setUp(context, user!, { kind: 'keep' });
    await engine.pop3.check(account);
    const serverBefore = await serverFolder(user!);
    const [row] = await db.messages.toArray();
    await engine.actions.setRead([[account.id, 'INBOX', row!.serverId]], false);
    await engine.actions.setFlagged([[account.id, 'INBOX', row!.serverId]], true);
    expect(await db.messages.get([account.id, 'INBOX', row!.serverId])).toMatchObject({ seen: 0, flagged: 1 });
    expect(await db.pending.count()).toBe(0);
    expect(await serverFolder(user!)).toEqual(serverBefore);
  });

  it('never brings back a message deleted here, and keeps the server copy under "keep"', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    for (let i = 1; i <= 2; i++) await appendMessage(user!, rawMessage(tag, i));
    const { account, db, engine } = await setUp(context, user!, { kind: 'keep' });
    await engine.pop3.check(account);
    const victim = (await db.messages.toArray()).find((m) => m.subject === `${tag} message 1`)!;
    await engine.actions.delete([[account.id, 'INBOX', victim.serverId]]);
    const again = await engine.pop3.check(account);
    expect(again.downloaded).toBe(0);
    expect(await subjects(db)).toEqual([`${tag} message 2`]);
    expect((await serverFolder(user!)).size).toBe(2);
  });

  it('deletes on the server what was deleted here, under "until deleted here"', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    for (let i = 1; i <= 2; i++) await appendMessage(user!, rawMessage(tag, i));
    const { account, db, engine } = await setUp(context, user!, { kind: 'until-deleted-here' });
    await engine.pop3.check(account);
    expect((await serverFolder(user!)).size).toBe(2);
    const victim = (await db.messages.toArray()).find((m) => m.subject === `${tag} message 1`)!;
    await engine.actions.delete([[account.id, 'INBOX', victim.serverId]]);
    const result = await engine.pop3.check(account);
    expect(result.deletedOnServer).toEqual([victim.serverId]);
    expect((await serverFolder(user!)).size).toBe(1);
    expect((await db.ledger.get([account.id, victim.serverId]))?.deletedOnServerAt).toBeTypeOf('number');
  });

  it('empties the server after download under "delete after download", keeping everything here', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    for (let i = 1; i <= 3; i++) await appendMessage(user!, rawMessage(tag, i));
    const { account, db, engine } = await setUp(context, user!, { kind: 'delete-after-download' });
    const result = await engine.pop3.check(account);
    expect(result.deletedOnServer).toHaveLength(3);
    expect((await serverFolder(user!)).size).toBe(0);
    expect(await subjects(db)).toHaveLength(3);
    // The server no longer has them; this computer does, whole, in its message store.
    expect(await harnessUsage(account.id)).toMatchObject({ messages: 3 });
    for (const row of await db.messages.toArray()) {
      expect(new TextDecoder().decode(await harness!.client.call('mail.source', { accountId: account.id, folder: 'INBOX', serverId: row.serverId }))).toContain(row.subject);
    }
  });

  it('deletes each server copy when its days are up, by the policy’s clock', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessage(user!, rawMessage(tag, 1));
    const { account, engine, clock } = await setUp(context, user!, { kind: 'days', days: 7 });
    const first = await engine.pop3.check(account);
    expect(first.nextDeletionAt).toBe(clock.now + 7 * DAY);
    clock.now += 3 * DAY;
    await appendMessage(user!, rawMessage(tag, 2));
    expect((await engine.pop3.check(account)).deletedOnServer).toEqual([]);
    clock.now += 4 * DAY;
    const due = await engine.pop3.check(account);
    expect(due.deletedOnServer).toHaveLength(1);
    expect((await serverFolder(user!)).size).toBe(1);
    clock.now += 3 * DAY;
    expect((await engine.pop3.check(account)).deletedOnServer).toHaveLength(1);
    expect((await serverFolder(user!)).size).toBe(0);
  });

  it('after the cache is wiped, gets back only what the server still keeps', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    for (let i = 1; i <= 3; i++) await appendMessage(user!, rawMessage(tag, i));
    const { account, db, engine } = await setUp(context, user!, { kind: 'until-deleted-here' });
    await engine.pop3.check(account);
    const victim = (await db.messages.toArray()).find((m) => m.subject === `${tag} message 2`)!;
    await engine.actions.delete([[account.id, 'INBOX', victim.serverId]]);
    await engine.pop3.check(account);
    // The computer died: its mail folder and its index are gone.
    await harness!.client.call('store.wipe', { accountId: account.id });
    await engine.writer.wipeAccountCache(account.id);
    engine.pop3.forget(account.id);
    await engine.pop3.check(account);
    expect(await subjects(db)).toEqual([`${tag} message 1`, `${tag} message 3`]);
  });

  it('rebuilds a lost index from the message store: nothing lost, nothing downloaded twice, deletions remembered', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    for (let i = 1; i <= 5; i++) await appendMessage(user!, rawMessage(tag, i));
    const { account, db, engine, harness } = await setUp(context, user!, { kind: 'keep' });
    await engine.pop3.check(account);
    await engine.writer.ensureLocalFolders(account.id);
    const bySubject = async (n: number): Promise<string> => (await db.messages.toArray()).find((m) => m.subject === `${tag} message ${n}`)!.serverId;
    const [one, two, three, four] = [await bySubject(1), await bySubject(2), await bySubject(3), await bySubject(4)];
    await engine.actions.setRead([[account.id, 'INBOX', one]], true);
    await engine.actions.archive([[account.id, 'INBOX', two]]);
    await engine.actions.delete([[account.id, 'INBOX', three]]);
    await engine.actions.delete([[account.id, 'INBOX', four]]);
    await engine.actions.delete([[account.id, 'Trash', four]]);
    await engine.stop();

    // The index is gone (the browser cleared it, or its folder was deleted); main's store is not.
    await db.delete();
    const rebuiltDb = harness.openDatabase();
    const rebuilt = new SyncEngine(harness.client, rebuiltDb);
    await rebuilt.writer.replaceAccounts([account]);
    await rebuilt.writer.ensureLocalFolders(account.id);
    const result = await rebuilt.pop3.check(account);
    expect(result).toMatchObject({ adopted: 4, downloaded: 0 });
    const rows = await rebuiltDb.messages.toArray();
    const where = new Map(rows.map((row) => [row.serverId, row]));
    expect(where.get(one)).toMatchObject({ folder: 'INBOX', seen: 1 });
    expect(where.get(two)?.folder).toBe('Archive');
    expect(where.get(three)?.folder).toBe('Trash');
    expect(where.has(four)).toBe(false);
    expect(await rebuiltDb.ledger.get([account.id, four])).toMatchObject({ deletedHereAt: expect.any(Number) as number });
    expect(await rebuiltDb.ledger.get([account.id, three])).toMatchObject({ committedAt: expect.any(Number) as number, deletedHereAt: expect.any(Number) as number });
    // The server still has all five; none is downloaded again, the one deleted for good included.
    expect((await serverFolder(user!)).size).toBe(5);
    expect((await rebuilt.pop3.check(account)).downloaded).toBe(0);
    await rebuilt.stop();
  });

  it('survives a connection cut mid-check: committed batches stay, the rest comes next time, no duplicates', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, Array.from({ length: 120 }, (_, i) => rawMessage(tag, i + 1)));
    const { account, db, engine, harness } = await setUp(context, user!, { kind: 'delete-after-download' });
    // The connection goes after the store's count, the start and the first batch: the first batch is
    // committed, and telling main so is the call lost. Main has meanwhile stored the next batch too.
    harness.cutAfter(3);
    await expect(engine.pop3.check(account)).rejects.toMatchObject({ code: 'HOST_UNAVAILABLE' });
    // The first batch is a screenful (50).
    const committed = await db.messages.count();
    expect(committed).toBe(FIRST_SCREEN);
    // Nothing was deleted on the server: the check never reached its retention step.
    expect((await serverFolder(user!)).size).toBe(120);
    harness.restore();
    const reloaded = new SyncEngine(harness.client, harness.openDatabase());
    const result = await reloaded.pop3.check(account);
    // What main had stored but the page had not committed is adopted from the store, not downloaded again.
    expect(result.downloaded + result.adopted).toBe(120 - FIRST_SCREEN);
    expect(await db.messages.count()).toBe(120);
    expect(new Set((await db.messages.toArray()).map((m) => m.messageId)).size).toBe(120);
    expect((await serverFolder(user!)).size).toBe(0);
  });

  it('downloads headers only when asked, and the rest when the message is opened', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessage(user!, rawMessage(tag, 1, { body: 'The body arrives later.' }));
    const { account, db, engine } = await setUp(context, user!, { kind: 'keep' }, { headersOnly: true });
    await engine.pop3.check(account);
    const [row] = await db.messages.toArray();
    expect(row).toMatchObject({ partial: 1, subject: `${tag} message 1` });
    expect((await engine.openMessage([account.id, 'INBOX', row!.serverId])).text).toContain('The body arrives later.');
    expect(await db.messages.get([account.id, 'INBOX', row!.serverId])).toMatchObject({ partial: 0 });
    // Kept whole now: it opens from this computer even once the server has deleted it.
    expect(await harnessUsage(account.id)).toMatchObject({ messages: 1 });
    expect(new TextDecoder().decode(await harness!.client.call('mail.source', { accountId: account.id, folder: 'INBOX', serverId: row!.serverId }))).toContain('The body arrives later.');
  });
});
