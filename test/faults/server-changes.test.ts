/**
 * The server changing under a sync, on a Dovecot of this file's own: an
 * administrator's restart between two batches of an IMAP sync, and the
 * Inbox's UIDVALIDITY changing between two batches (the server's index
 * rebuilt, as after a migration or a restore, with some messages gone and
 * the rest numbered anew). A relay holds the sync's second batch while the
 * server changes, so the change falls between the batches every time.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import { mailStack, messageIdsOnServer, openImap, skipBecause, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { startLocalMailStack } from '../mailstack/local-stack';
import type { LocalMailStack } from '../mailstack/local-stack';
import { rawMessage } from '../mailstack/fixtures';
import { startFaultRelay } from './fault-relay';
import type { FaultRelay } from './fault-relay';
import { appendQuickly, failureOf, openFaultTwinbox, idsInIndex, idsInStore, report, rowsInIndex, saveAccount, tally } from './fault-harness';
import type { FaultTwinbox } from './fault-harness';

/** More than one batch: the first is a screenful of 50. */
const MESSAGES = 80;
const SUMMARY_FETCH = /^\S+ UID FETCH .*ENVELOPE/i;

let ownStack: Promise<LocalMailStack> | undefined;
let usersTaken = 0;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  await (await ownStack)?.stop();
});

interface Setup {
  stack: LocalMailStack;
  user: TestUser;
  ids: string[];
  relay: FaultRelay;
  twinbox: FaultTwinbox;
  dataDir: string;
}

async function setUp(context: TestContext): Promise<Setup> {
  if (mailStack().origin !== 'local') skipBecause(context, 'restarting the server and changing its files needs the local harness');
  ownStack ??= startLocalMailStack({ smtp: false });
  const stack = await ownStack;
  const user = stack.info.pool?.users[usersTaken++];
  if (!user) throw new Error('no test mailbox left');
  const tag = uniqueTag('server');
  await appendQuickly(user, Array.from({ length: MESSAGES }, (_, i) => rawMessage(tag, i + 1)), stack.info);
  const relay = await startFaultRelay({ host: '127.0.0.1', port: stack.dovecot.ports.imap });
  cleanups.push(() => relay.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'twinbox-faults-'));
  cleanups.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
  const twinbox = await openFaultTwinbox(dataDir);
  cleanups.push(() => twinbox.close());
  return { stack, user, ids: Array.from({ length: MESSAGES }, (_, i) => `${tag}.${i + 1}@twinbox.test`), relay, twinbox, dataDir };
}

/** Holds the sync's second summary FETCH until `change` has run; resolves when the change is done. */
function changeBetweenBatches(relay: FaultRelay, change: () => Promise<void>): Promise<void> {
  let fetches = 0;
  let done!: () => void;
  let failed!: (error: unknown) => void;
  const changed = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  relay.setRule((line) => {
    if (!SUMMARY_FETCH.test(line) || ++fetches !== 2) return { kind: 'forward' };
    const until = change().then(done, failed);
    return { kind: 'hold', until };
  });
  return changed;
}

describe('the server changes during an IMAP sync', () => {
  it('Dovecot restarted between two batches: a typed error, and the next sync completes without duplicates', async (context) => {
    const { stack, user, ids, relay, twinbox, dataDir } = await setUp(context);
    const account = await saveAccount(twinbox, context, user, 'imap', { through: relay, stack: stack.info });
    const restarted = changeBetweenBatches(relay, () => stack.dovecot.shutDown());

    const error = await failureOf(twinbox.engine.imap.syncFolder(account, 'INBOX'));
    await restarted;
    expect(error.code).toBe('CONNECTION_LOST');
    const partial = (await idsInIndex(twinbox.page, account.id, 'INBOX')).length;
    expect(partial).toBeLessThan(MESSAGES);
    // While the server is down the relay, like a load balancer before a dead server, takes the connection and drops it.
    expect((await failureOf(twinbox.engine.imap.syncFolder(account, 'INBOX'))).code).toBe('CONNECTION_LOST');

    await stack.dovecot.startAgain();
    await expect.poll(() => twinbox.engine.imap.syncFolder(account, 'INBOX').then(() => true, () => false)).toBe(true);
    const counts = tally(ids, await idsInIndex(twinbox.page, account.id, 'INBOX'), await messageIdsOnServer(user, { stack: stack.info }), idsInStore(dataDir, account.id));
    expect(counts).toEqual({ here: MESSAGES, onServer: MESSAGES, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    report('Dovecot restarted during an IMAP sync', `${error.code} (${partial} here), again while down, retry ok`, counts);
  });

  it('UIDVALIDITY changed between two batches: stale rows and bodies dropped, the folder fetched again, no duplicates', async (context) => {
    const { stack, user, relay, twinbox, dataDir } = await setUp(context);
    const account = await saveAccount(twinbox, context, user, 'imap', { through: relay, stack: stack.info });
    // Bodies of the old numbering in the store too: they must not survive under the new one.
    await twinbox.engine.imap.syncFolder(account, 'INBOX');
    await twinbox.engine.imap.downloadAll(account, 'INBOX');
    const before = await uidValidityOf(user, stack);
    // A second sync with work in two batches: sixty more messages arrive first.
    const tag = uniqueTag('later');
    await appendQuickly(user, Array.from({ length: 60 }, (_, i) => rawMessage(tag, i + 1)), stack.info);
    const changed = changeBetweenBatches(relay, () => Promise.resolve(rebuildInbox(stack, user, 10)));

    const outcome = await twinbox.engine.imap.syncFolder(account, 'INBOX').then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await changed;
    const after = await uidValidityOf(user, stack);
    expect(after).not.toBe(before);
    let how: string;
    if (outcome.ok) {
      how = `the same sync reset the folder (reset: ${String(outcome.result.reset)})`;
    } else {
      if (!(outcome.error instanceof TwinboxError)) throw outcome.error;
      how = `${outcome.error.code}, then a retry reset the folder`;
      await twinbox.engine.imap.syncFolder(account, 'INBOX');
    }
    const onServer = await messageIdsOnServer(user, { stack: stack.info });
    expect(onServer).toHaveLength(MESSAGES + 60 - 10);
    const here = await idsInIndex(twinbox.page, account.id, 'INBOX');
    // Each row is the message the server has under that UID now.
    const byUid = await messageIdsByUid(user, stack);
    const rows = await rowsInIndex(twinbox.page, account.id, 'INBOX');
    expect(rows.filter((row) => byUid.get(row.serverId) !== row.messageId)).toEqual([]);
    // Bodies stored under the old UIDVALIDITY are gone; what the store holds now matches the server's numbering.
    const stored = idsInStore(dataDir, account.id);
    expect(stored.filter((id) => !onServer.includes(id))).toEqual([]);
    const counts = tally(onServer, here, onServer, stored);
    expect(counts).toEqual({ here: onServer.length, onServer: onServer.length, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    report('UIDVALIDITY changed between two batches', how, counts);
  });
});

async function uidValidityOf(user: TestUser, stack: LocalMailStack): Promise<string> {
  const client = await openImap(user, { stack: stack.info });
  try {
    const status = await client.status('INBOX', { uidValidity: true });
    if (status === false) throw new Error('the server refused STATUS');
    return String(status.uidValidity);
  } finally {
    await client.logout();
  }
}

async function messageIdsByUid(user: TestUser, stack: LocalMailStack): Promise<Map<string, string>> {
  const client = await openImap(user, { stack: stack.info });
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const result = new Map<string, string>();
      for await (const message of client.fetch('1:*', { uid: true, envelope: true })) {
        result.set(String(message.uid), (message.envelope?.messageId ?? '').replace(/^<|>$/g, ''));
      }
      return result;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/**
 * What a server's rebuilt index looks like to clients: the Inbox's UID list
 * and indexes removed (Dovecot makes new ones, with a new UIDVALIDITY and
 * UIDs from 1), and the `lose` oldest messages gone with the old disk.
 */
function rebuildInbox(stack: LocalMailStack, user: TestUser, lose: number): void {
  const maildir = join(stack.dir, `dovecot-${stack.dovecot.ports.imap}`, 'home', user.user, 'Maildir');
  const files = ['cur', 'new'].flatMap((stage) => (existsSync(join(maildir, stage)) ? readdirSync(join(maildir, stage)).map((name) => join(maildir, stage, name)) : []));
  // Maildir names begin with the delivery time, so the first in name order are the oldest.
  files.sort((a, b) => (a.split('/').at(-1) ?? '').localeCompare(b.split('/').at(-1) ?? ''));
  for (const file of files.slice(0, lose)) rmSync(file);
  for (const name of readdirSync(maildir)) {
    if (name === 'dovecot-uidlist' || name.startsWith('dovecot.index')) rmSync(join(maildir, name), { force: true });
  }
}
