/**
 * The POP3 safety rule under the worst a computer does: Twinbox's main
 * process killed (SIGKILL, as a power cut would: no cleanup, no QUIT) at
 * several points of a download under "delete after download", against real
 * Dovecot, with the page in real Chromium. After a restart, counted by
 * Message-ID: every message is in Twinbox exactly once, nothing is on the
 * server that should have gone, and the message store holds each message
 * once, confirmed by the index.
 */
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { Account } from '../../shared/model';
import { appendMessages, leaseMailboxes, messageIdsOnServer, outgoingSettingsFor, serverSettingsFor, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { rawMessage } from '../mailstack/fixtures';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './harness';
import { callMain, freePort, startMain } from './main-process';
import type { MainProcess } from './main-process';

const OUT_DIR = resolve(import.meta.dirname, '../..', process.env.TWINBOX_OUT_DIR ?? 'out');
/** Two batches (a first screen of 50, then the rest), so that a crash can fall between them. */
const MESSAGES = 150;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface Run {
  user: TestUser;
  account: Account;
  ids: string[];
  dataDir: string;
  port: number;
  browser: BrowserContext;
  page: Page;
  main: MainProcess;
}

async function begin(context: TestContext, crashAt: string | undefined): Promise<Run> {
  const [user] = await leaseMailboxes(context, 1);
  const tag = uniqueTag('crash');
  await appendMessages(user!, Array.from({ length: MESSAGES }, (_, i) => rawMessage(tag, i + 1)));
  const ids = Array.from({ length: MESSAGES }, (_, i) => `${tag}.${i + 1}@twinbox.test`);
  const dataDir = mkdtempSync(join(tmpdir(), 'twinbox-crash-data-'));
  const profile = mkdtempSync(join(tmpdir(), 'twinbox-crash-profile-'));
  cleanups.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
  cleanups.push(() => Promise.resolve(rmSync(profile, { recursive: true, force: true })));
  const port = await freePort();
  const main = await start(dataDir, port, crashAt);
  const account = await callMain(main.url, 'accounts.save', {
    account: {
      name: 'Crash test',
      email: user!.address,
      displayName: user!.user,
      protocol: 'pop3',
      incoming: serverSettingsFor(context, user!, 'pop3s'),
      outgoing: outgoingSettingsFor(context, user!),
      pop3: { retention: { kind: 'delete-after-download' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 },
    },
    incomingPassword: user!.password,
  });
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  cleanups.push(() => browser.close());
  const page = browser.pages()[0] ?? (await browser.newPage());
  // The page starts checking at once.
  await page.goto(main.url);
  return { user: user!, account, ids, dataDir, port, browser, page, main };
}

async function start(dataDir: string, port: number, crashAt: string | undefined): Promise<MainProcess> {
  const main = await startMain({ outDir: OUT_DIR, dataDir, port, env: crashAt === undefined ? {} : { TWINBOX_CRASH_AT: crashAt }, label: crashAt ?? 'crash test' });
  cleanups.push(async () => {
    if (main.child.exitCode === null && main.child.signalCode === null) main.child.kill('SIGKILL');
    await main.exited;
  });
  return main;
}

/** Main starts again on the same data and port (the page's IndexedDB is per origin), and the page is opened again. */
async function restart(run: Run): Promise<void> {
  run.main = await start(run.dataDir, run.port, undefined);
  // Without a system keychain (the web host) the password lived only as long as the process: give it again.
  const { id: _id, ...settings } = run.account;
  await callMain(run.main.url, 'accounts.save', { account: { ...settings, id: run.account.id }, incomingPassword: run.user.password });
  // A new token is only a new fragment: leave the page first, or it would not load again.
  await run.page.goto('about:blank');
  await run.page.goto(run.main.url);
}

/** Message-IDs of the rows in the page's index, read from IndexedDB as the views would (a script: Node's types have no DOM). */
async function idsInTwinbox(page: Page, accountId: string): Promise<string[]> {
  const script = `new Promise((done, fail) => {
    const request = indexedDB.open('twinbox');
    request.onerror = () => fail(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const rows = db.transaction('messages').objectStore('messages').getAll();
      rows.onerror = () => fail(rows.error);
      rows.onsuccess = () => {
        db.close();
        done(rows.result.filter((row) => row.accountId === ${JSON.stringify(accountId)}).map((row) => row.messageId || ''));
      };
    };
  })`;
  return page.evaluate<string[]>(script);
}

/** Files in the store's Inbox, by stage. */
function storeFiles(run: Run): { tmp: number; new: number; cur: number } {
  const inbox = join(run.dataDir, 'Mail', run.account.id, 'INBOX');
  const count = (stage: string): number => (existsSync(join(inbox, stage)) ? readdirSync(join(inbox, stage)).length : 0);
  return { tmp: count('tmp'), new: count('new'), cur: count('cur') };
}

/** After the restart: everything here once, nothing left on the server, each message stored once and confirmed. */
async function expectNothingLostNothingTwice(run: Run): Promise<void> {
  await expect
    .poll(async () => ({ twinbox: (await idsInTwinbox(run.page, run.account.id)).length, server: (await messageIdsOnServer(run.user)).length }), { timeout: 60_000 })
    .toEqual({ twinbox: MESSAGES, server: 0 });
  const here = await idsInTwinbox(run.page, run.account.id);
  expect(new Set(here).size).toBe(MESSAGES);
  expect([...here].sort()).toEqual([...run.ids].sort());
  await expect.poll(() => storeFiles(run), { timeout: 15_000 }).toEqual({ tmp: 0, new: 0, cur: MESSAGES });
}

describe('a crash during a POP3 download with "delete after download"', () => {
  it('after a batch is flushed to the store, before the page committed it: adopted, not downloaded again', async (context) => {
    const run = await begin(context, 'pop3-stored:2');
    expect(await run.main.exited).toBe('SIGKILL');
    // The server lost nothing: the deletion never began.
    expect(await messageIdsOnServer(run.user)).toHaveLength(MESSAGES);
    await restart(run);
    await expectNothingLostNothingTwice(run);
  });

  it('after everything is committed, as the server is asked to delete: the deletion happens at the next check', async (context) => {
    const run = await begin(context, 'pop3-before-dele');
    expect(await run.main.exited).toBe('SIGKILL');
    expect(await idsInTwinbox(run.page, run.account.id)).toHaveLength(MESSAGES);
    expect(await messageIdsOnServer(run.user)).toHaveLength(MESSAGES);
    await restart(run);
    await expectNothingLostNothingTwice(run);
  });

  it('after DELE, before QUIT: the server deletes nothing until a later session says QUIT', async (context) => {
    const run = await begin(context, 'pop3-before-quit');
    expect(await run.main.exited).toBe('SIGKILL');
    expect(await messageIdsOnServer(run.user)).toHaveLength(MESSAGES);
    await restart(run);
    await expectNothingLostNothingTwice(run);
  });

  it('at whatever moment the first files reach the store', async (context) => {
    const run = await begin(context, undefined);
    await expect.poll(() => storeFiles(run).tmp + storeFiles(run).new + storeFiles(run).cur, { interval: 5, timeout: 30_000 }).toBeGreaterThan(0);
    run.main.child.kill('SIGKILL');
    expect(await run.main.exited).toBe('SIGKILL');
    await restart(run);
    await expectNothingLostNothingTwice(run);
  });
});
