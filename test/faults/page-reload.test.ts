/**
 * The page reloaded in the middle of a sync, in real Chromium against
 * Twinbox's main process (the built out/main/web.js, or TWINBOX_OUT_DIR) and
 * real Dovecot. A relay between main and the server holds the sync's second
 * batch, so the reload always falls between a committed first batch and a
 * second one main is still fetching; the held commands go on afterwards, as a
 * slow server's would, while the reloaded page starts its own sync. Counted
 * by Message-ID in the page's IndexedDB, the store's files and the server.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { Account, ServerSettings } from '../../shared/model';
import { accountDirName, folderDirName } from '../../main/store/maildir-names';
import { leaseMailboxes, messageIdsOnServer, serverSettingsFor, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { rawMessage } from '../mailstack/fixtures';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/harness';
import { callMain, startMain } from '../e2e/main-process';
import { startFaultRelay } from './fault-relay';
import type { FaultRelay, RelayedConnection, RelayRule } from './fault-relay';
import { appendQuickly, relayableEndpoint, idsInIndex, idsInStore as idsStored, report, tally } from './fault-harness';

const OUT_DIR = resolve(import.meta.dirname, '../..', process.env.TWINBOX_OUT_DIR ?? 'out');
/** Two batches: a first screen of 50, then the rest. */
const MESSAGES = 100;
const FIRST_BATCH = 50;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface Run {
  user: TestUser;
  ids: string[];
  account: Account;
  dataDir: string;
  page: Page;
  relay: FaultRelay;
}

async function begin(context: TestContext, protocol: 'imap' | 'pop3', rule: RelayRule): Promise<Run> {
  const target = relayableEndpoint(context, protocol);
  const [user] = await leaseMailboxes(context, 1);
  const tag = uniqueTag(`reload-${protocol}`);
  await appendQuickly(user!, Array.from({ length: MESSAGES }, (_, i) => rawMessage(tag, i + 1)));
  const relay = await startFaultRelay(target);
  relay.setRule(rule);
  cleanups.push(() => relay.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'twinbox-faults-data-'));
  const profile = mkdtempSync(join(tmpdir(), 'twinbox-faults-profile-'));
  cleanups.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
  cleanups.push(() => Promise.resolve(rmSync(profile, { recursive: true, force: true })));
  const main = await startMain({ outDir: OUT_DIR, dataDir, label: `page reload ${protocol}` });
  cleanups.push(async () => {
    if (main.child.exitCode === null && main.child.signalCode === null) main.child.kill('SIGTERM');
    await main.exited;
  });
  const incoming: ServerSettings = { ...serverSettingsFor(context, user!, protocol), host: relay.host, port: relay.port, security: 'plain' };
  const account = await callMain(main.url, 'accounts.save', {
    account: {
      name: `Reload ${protocol}`,
      email: user!.address,
      displayName: user!.user,
      protocol,
      incoming,
      outgoing: incoming,
      ...(protocol === 'pop3' ? { pop3: { retention: { kind: 'delete-after-download' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } } : {}),
    },
    incomingPassword: user!.password,
  });
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  cleanups.push(() => browser.close());
  const page = browser.pages()[0] ?? (await browser.newPage());
  // The page starts syncing at once.
  await page.goto(main.url);
  return { user: user!, ids: Array.from({ length: MESSAGES }, (_, i) => `${tag}.${i + 1}@twinbox.test`), account, dataDir, page, relay };
}

/**
 * A rule that holds the `nth` command matching `pattern` (the first of the
 * second batch) until `release` is called; `held` resolves when it is held.
 */
function holdNth(pattern: RegExp, nth: number): { rule: RelayRule; held: Promise<RelayedConnection>; release: () => void } {
  let seen = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markHeld!: (connection: RelayedConnection) => void;
  const held = new Promise<RelayedConnection>((resolve) => (markHeld = resolve));
  return {
    rule: (line, connection) => {
      if (!pattern.test(line) || ++seen !== nth) return { kind: 'forward' };
      markHeld(connection);
      return { kind: 'hold', until: released };
    },
    held,
    release,
  };
}

/** Reloads while the second batch is held, then lets the held commands go on once the new page has begun. */
async function reloadMidSync(run: Run, hold: { held: Promise<RelayedConnection>; release: () => void }): Promise<number> {
  await hold.held;
  // The first batch is committed while the second waits at the relay.
  await expect.poll(async () => (await idsInIndex(run.page, run.account.id, 'INBOX')).length, { timeout: 15_000 }).toBe(FIRST_BATCH);
  const committed = (await idsInIndex(run.page, run.account.id, 'INBOX')).length;
  await run.page.reload();
  await new Promise((resolve) => setTimeout(resolve, 500));
  hold.release();
  return committed;
}

/** Message-IDs in the store's Inbox files (new/ and cur/), read from the files. */
function idsInStore(run: Run): string[] {
  return idsStored(run.dataDir, run.account.id);
}

/** Files the index has not confirmed (still in `new/`). */
function unconfirmedFiles(run: Run): string[] {
  const dir = join(run.dataDir, 'Mail', accountDirName(run.account.id), folderDirName('INBOX'), 'new');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('the page reloaded in the middle of a sync', () => {
  it('POP3 with "delete after download": the reloaded page finishes the download; each message here once, none left on the server', async (context) => {
    const hold = holdNth(/^RETR /i, FIRST_BATCH + 1);
    const run = await begin(context, 'pop3', hold.rule);
    const committed = await reloadMidSync(run, hold);

    await expect
      .poll(async () => ({ here: (await idsInIndex(run.page, run.account.id, 'INBOX')).length, server: (await messageIdsOnServer(run.user)).length }), { timeout: 30_000 })
      .toEqual({ here: MESSAGES, server: 0 });
    // The abandoned sync's held batch arrives after the reload, when the new page may already have stored and
    // confirmed the same messages: the store keeps those as they are. Its session ends once it is done: count after that.
    const abandoned = await hold.held;
    await expect.poll(() => abandoned.closed, { timeout: 15_000 }).toBe(true);
    expect(unconfirmedFiles(run)).toEqual([]);
    const counts = tally(run.ids, await idsInIndex(run.page, run.account.id, 'INBOX'), await messageIdsOnServer(run.user), idsInStore(run));
    expect(counts).toEqual({ here: MESSAGES, onServer: 0, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    const stored = idsInStore(run);
    expect(stored).toHaveLength(MESSAGES);
    expect(new Set(stored).size).toBe(MESSAGES);
    report('page reloaded mid-download (POP3, delete after download)', `reloaded with ${committed} committed; the new page finished the check`, counts);
  });

  it('IMAP: the reloaded page completes the folder from where the index was; each message here once', async (context) => {
    const hold = holdNth(/^\S+ UID FETCH .*ENVELOPE/i, 2);
    const run = await begin(context, 'imap', hold.rule);
    const committed = await reloadMidSync(run, hold);

    await expect.poll(async () => (await idsInIndex(run.page, run.account.id, 'INBOX')).length, { timeout: 30_000 }).toBe(MESSAGES);
    const counts = tally(run.ids, await idsInIndex(run.page, run.account.id, 'INBOX'), await messageIdsOnServer(run.user), idsInStore(run));
    expect(counts).toEqual({ here: MESSAGES, onServer: MESSAGES, lost: 0, duplicated: 0, deletedNotDurable: 0 });
    const stored = idsInStore(run);
    expect(new Set(stored).size).toBe(stored.length);
    report('page reloaded mid-sync (IMAP)', `reloaded with ${committed} committed; the new page completed the folder`, counts);
  });
});
