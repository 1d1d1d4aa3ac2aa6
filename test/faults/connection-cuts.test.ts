/**
 * The line to the server cut at the worst moments, against the shared real
 * Dovecot: a relay between Twinbox and the server resets both sockets in the
 * middle of a POP3 RETR, just before the QUIT that would commit deletions,
 * in the middle of an IMAP body FETCH, and while a watch IDLEs. Each case
 * ends with a typed error or a successful retry, and then counts by
 * Message-ID what is here and on the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { appendMessage, eventually, leaseMailboxes, messageIdsOnServer, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { rawMessage } from '../mailstack/fixtures';
import { startFaultRelay } from './fault-relay';
import type { FaultRelay } from './fault-relay';
import { appendQuickly, failureOf, relayableEndpoint, openFaultTwinbox, idsInIndex, idsInStore, report, saveAccount, tally } from './fault-harness';
import type { FaultTwinbox } from './fault-harness';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface Setup {
  user: TestUser;
  ids: string[];
  /** Bytes of all the messages put on the server. */
  bytes: number;
  relay: FaultRelay;
  twinbox: FaultTwinbox;
  dataDir: string;
}

async function setUp(context: TestContext, protocol: 'imap' | 'pop3', messages: number): Promise<Setup> {
  const target = relayableEndpoint(context, protocol);
  const [user] = await leaseMailboxes(context, 1);
  const tag = uniqueTag(`cut-${protocol}`);
  const raws = Array.from({ length: messages }, (_, i) => rawMessage(tag, i + 1));
  await appendQuickly(user!, raws);
  const relay = await startFaultRelay(target);
  cleanups.push(() => relay.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'twinbox-faults-'));
  cleanups.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
  const twinbox = await openFaultTwinbox(dataDir);
  cleanups.push(() => twinbox.close());
  return {
    user: user!,
    ids: raws.map((_, i) => `${tag}.${i + 1}@twinbox.test`),
    bytes: raws.reduce((sum, raw) => sum + Buffer.byteLength(raw), 0),
    relay,
    twinbox,
    dataDir,
  };
}

describe('POP3 with "delete after download", the connection cut', () => {
  it('in the middle of a RETR: a typed error, nothing deleted on the server; the next check brings the rest, once', async (context) => {
    const { user, ids, bytes, relay, twinbox, dataDir } = await setUp(context, 'pop3', 90);
    const account = await saveAccount(twinbox, context, user, 'pop3', { through: relay });
    let armed = true;
    // Into the second batch (the first is a screenful of 50): some messages are committed here, the rest not.
    relay.setRule((line) => {
      if (!armed || !/^RETR /i.test(line)) return { kind: 'forward' };
      armed = false;
      return { kind: 'cut-after-server-bytes', bytes: Math.round(bytes * 0.8) };
    });

    const error = await failureOf(twinbox.engine.pop3.check(account));
    expect(error.code).toBe('CONNECTION_LOST');
    expect(relay.cuts).toBe(1);
    const afterCut = tally(ids, await idsInIndex(twinbox.page, account.id), await messageIdsOnServer(user), idsInStore(dataDir, account.id));
    expect(afterCut).toMatchObject({ onServer: 90, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    expect(afterCut.here).toBeLessThan(90);

    const retry = await twinbox.engine.pop3.check(account);
    expect(retry.deletedOnServer).toHaveLength(90);
    const counts = tally(ids, await idsInIndex(twinbox.page, account.id), await messageIdsOnServer(user), idsInStore(dataDir, account.id));
    expect(counts).toEqual({ here: 90, onServer: 0, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    expect(new Set(idsInStore(dataDir, account.id)).size).toBe(90);
    report('POP3 cut mid-RETR', `${error.code} (${afterCut.here} here after the cut), retry ok`, counts);
  });

  it('just before QUIT, after the DELEs: a typed error and the server deletes nothing; the next check deletes, once', async (context) => {
    const { user, ids, relay, twinbox, dataDir } = await setUp(context, 'pop3', 40);
    const account = await saveAccount(twinbox, context, user, 'pop3', { through: relay });
    let armed = true;
    // The QUIT of the session that marked messages: the server never enters its UPDATE state.
    relay.setRule((line, connection) => {
      if (!armed || !/^QUIT/i.test(line) || !connection.commands.some((command) => /^DELE /i.test(command))) return { kind: 'forward' };
      armed = false;
      return { kind: 'cut' };
    });

    const error = await failureOf(twinbox.engine.pop3.check(account));
    expect(error.code).toBe('CONNECTION_LOST');
    expect(relay.cuts).toBe(1);
    const afterCut = tally(ids, await idsInIndex(twinbox.page, account.id), await messageIdsOnServer(user), idsInStore(dataDir, account.id));
    expect(afterCut).toEqual({ here: 40, onServer: 40, lost: 0, duplicated: 0, deletedNotDurable: 0 });

    const retry = await twinbox.engine.pop3.check(account);
    expect(retry).toMatchObject({ downloaded: 0 });
    expect(retry.deletedOnServer).toHaveLength(40);
    const counts = tally(ids, await idsInIndex(twinbox.page, account.id), await messageIdsOnServer(user), idsInStore(dataDir, account.id));
    expect(counts).toEqual({ here: 40, onServer: 0, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    report('POP3 cut before QUIT', `${error.code}, server kept all 40, retry ok`, counts);
  });
});

describe('IMAP, the connection cut', () => {
  it('in the middle of a FETCH of bodies: a typed error while it keeps failing, then one retry stores each body once', async (context) => {
    const { user, ids, bytes, relay, twinbox, dataDir } = await setUp(context, 'imap', 60);
    const account = await saveAccount(twinbox, context, user, 'imap', { through: relay });
    await twinbox.engine.imap.syncFolder(account, 'INBOX');
    const bodyFetch = /^\S+ UID FETCH .*BODY\.PEEK\[\]/i;

    // Every body fetch cut halfway: the pool's one retry on a new connection is cut too.
    relay.setRule((line) => (bodyFetch.test(line) ? { kind: 'cut-after-server-bytes', bytes: Math.round(bytes / 2) } : { kind: 'forward' }));
    const error = await failureOf(twinbox.engine.imap.downloadAll(account, 'INBOX'));
    expect(error.code).toBe('CONNECTION_LOST');
    expect(relay.cuts).toBe(2);
    // Whatever arrived before the cut is not kept as a message: no file holds half a body.
    expect(idsInStore(dataDir, account.id)).toEqual([]);

    // One cut: the pool retries on a new connection and the download completes.
    let armed = true;
    relay.setRule((line) => {
      if (!armed || !bodyFetch.test(line)) return { kind: 'forward' };
      armed = false;
      return { kind: 'cut-after-server-bytes', bytes: Math.round(bytes / 2) };
    });
    expect(await twinbox.engine.imap.downloadAll(account, 'INBOX')).toBe(60);
    expect(relay.cuts).toBe(3);
    const stored = idsInStore(dataDir, account.id);
    expect(stored).toHaveLength(60);
    const counts = tally(ids, await idsInIndex(twinbox.page, account.id, 'INBOX'), await messageIdsOnServer(user), stored);
    expect(counts).toEqual({ here: 60, onServer: 60, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    expect(new Set(stored)).toEqual(new Set(ids));
    report('IMAP cut mid-FETCH of bodies', `${error.code} while every attempt is cut, then the pool's retry stores all`, counts);
  });

  it('during IDLE: the watch comes back by itself and reports mail that came meanwhile; a sync then matches the server', async (context) => {
    const { user, ids, relay, twinbox, dataDir } = await setUp(context, 'imap', 20);
    const account = await saveAccount(twinbox, context, user, 'imap', { through: relay });
    await twinbox.engine.imap.syncFolder(account, 'INBOX');
    await twinbox.watch(account.id, 'INBOX');
    const idling = (): number | undefined =>
      relay.connections.find((connection) => !connection.closed && /^\S+ IDLE$/i.test(connection.commands.at(-1) ?? ''))?.id;
    const first = await eventually(() => Promise.resolve(idling()));

    expect(relay.cutWhere((connection) => connection.id === first)).toBe(1);
    const tag = uniqueTag('idle');
    // Delivered while the watch has no connection: it must still be reported.
    await appendMessage(user, rawMessage(tag, 1));
    await eventually(() => Promise.resolve(twinbox.changes.find((change) => change.accountId === account.id && change.reason === 'new-mail')));
    const second = await eventually(() => Promise.resolve(idling()));
    expect(second).not.toBe(first);
    twinbox.changes.length = 0;
    await appendMessage(user, rawMessage(tag, 2));
    await eventually(() => Promise.resolve(twinbox.changes.find((change) => change.accountId === account.id && change.reason === 'new-mail')));

    await twinbox.engine.imap.syncFolder(account, 'INBOX');
    const expected = [...ids, `${tag}.1@twinbox.test`, `${tag}.2@twinbox.test`];
    const counts = tally(expected, await idsInIndex(twinbox.page, account.id, 'INBOX'), await messageIdsOnServer(user), idsInStore(dataDir, account.id));
    expect(counts).toMatchObject({ here: 22, onServer: 22, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    report('IMAP cut during IDLE', 'the watch reconnected by itself and reported both new messages', counts);
  });
});
