/**
 * Twinbox for the fault tests: main's services in this process (adapters,
 * pool, message store on a data directory the test names), served by the
 * loopback web host to the built page in Debian's Chromium, whose sync engine
 * the tests drive through `window.twinboxBench` (test/e2e/harness.ts opens it
 * with `cacheHook`). The page's index is Chromium's own IndexedDB, so what a
 * fault leaves in it is what a real commit left. Pauses are made short (the
 * pool's backoff, a watch's reconnects), so that a retry after a fault
 * happens within a test, as it would within a minute for a user.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestContext } from 'vitest';
import type { EventPayloads } from '../../shared/contract';
import { isErrorCode, TwinboxError } from '../../shared/errors';
import type { Account, ServerSettings } from '../../shared/model';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { createAdapter } from '../../main/protocols/factory';
import type { Services } from '../../main/services';
import { accountDirName, folderDirName, parseFileName } from '../../main/store/maildir-names';
import type { TwinboxDatabase } from '../../renderer/db/schema';
import type { TwinboxClient } from '../../renderer/ipc/twinbox-client';
import type { SyncEngine } from '../../renderer/sync/engine';
import type { ImapFolderResult } from '../../renderer/sync/imap-mode';
import type { Pop3CheckResult } from '../../renderer/sync/pop3-mode';
import { openTwinbox } from '../e2e/harness';
import type { TwinboxSession } from '../e2e/harness';
import { appendMessages, requireEndpoint, serverSettingsFor, skipBecause } from '../mailstack';
import type { MailStackInfo, TestUser } from '../mailstack';

/** The page's sync engine, run in the page: a failure there is thrown here as the TwinboxError it was, code and all. */
export interface PageEngine {
  pop3: { check(account: Account): Promise<Pop3CheckResult> };
  imap: {
    syncFolder(account: Account, folder: string): Promise<ImapFolderResult>;
    downloadAll(account: Account, folder: string): Promise<number>;
  };
}

export interface FaultTwinbox {
  services: Services;
  /** Calls main as test setup (same dispatch as the page's calls, another caller). */
  call: TwinboxSession['call'];
  readonly page: Page;
  engine: PageEngine;
  /** Starts an IDLE watch as the page does, owned by the page's connection. */
  watch(accountId: string, folder: string): Promise<void>;
  /** `mail.changed` events main has sent (new mail pushed by a watch). */
  changes: EventPayloads['mail.changed'][];
  close(): Promise<void>;
}

/** What renderer/index.tsx puts on `window` with `bench=1`, as far as these tests use it. */
interface PageHook {
  engine: SyncEngine;
  db: TwinboxDatabase;
  client: TwinboxClient;
}

/** How the page's globals look from code evaluated in it. */
type PageGlobal = typeof globalThis & { twinboxBench?: PageHook };

/** Work done in the page: the function handed to page.evaluate carries no closure, so it is told what to do. */
type PageJob =
  | { kind: 'pop3.check'; account: Account }
  | { kind: 'imap.syncFolder'; account: Account; folder: string }
  | { kind: 'imap.downloadAll'; account: Account; folder: string }
  | { kind: 'accounts.mirror' }
  | { kind: 'mail.watch'; accountId: string; folder: string };

interface PageJobResults {
  'pop3.check': Pop3CheckResult;
  'imap.syncFolder': ImapFolderResult;
  'imap.downloadAll': number;
  'accounts.mirror': null;
  'mail.watch': null;
}

/** An outcome that survives page.evaluate: a thrown error's class would not, so its name and code are carried instead. */
type Settled = { ok: true; value: PageJobResults[keyof PageJobResults] } | { ok: false; name: string; code: string | null; message: string };

/** The typed error `work` fails with; anything else (success, an untyped error) fails the test. */
export async function failureOf(work: Promise<unknown>): Promise<TwinboxError> {
  const error: unknown = await work.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof TwinboxError)) throw new Error(`expected a typed error, got ${String(error)}`);
  return error;
}

async function inPage<K extends PageJob['kind']>(page: Page, job: PageJob & { kind: K }): Promise<PageJobResults[K]> {
  const settled = await page.evaluate(async (job: PageJob): Promise<Settled> => {
    const hook = (globalThis as PageGlobal).twinboxBench;
    if (!hook) return { ok: false, name: 'Error', code: null, message: 'the page has no twinboxBench hook (opened without bench=1?)' };
    try {
      switch (job.kind) {
        case 'pop3.check':
          return { ok: true, value: await hook.engine.pop3.check(job.account) };
        case 'imap.syncFolder':
          return { ok: true, value: await hook.engine.imap.syncFolder(job.account, job.folder) };
        case 'imap.downloadAll':
          return { ok: true, value: await hook.engine.imap.downloadAll(job.account, job.folder) };
        case 'accounts.mirror':
          // As the engine does when it starts: the page's copy of main's accounts.
          await hook.engine.writer.replaceAccounts(await hook.client.call('accounts.list', {}));
          return { ok: true, value: null };
        case 'mail.watch':
          await hook.client.call('mail.watch', { accountId: job.accountId, folder: job.folder });
          return { ok: true, value: null };
      }
    } catch (error) {
      const thrown = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; code?: unknown; message?: unknown };
      return {
        ok: false,
        name: typeof thrown.name === 'string' ? thrown.name : typeof error,
        code: typeof thrown.code === 'string' ? thrown.code : null,
        message: typeof thrown.message === 'string' ? thrown.message : String(error),
      };
    }
  }, job);
  if (settled.ok) return settled.value as PageJobResults[K];
  // Only the page's own TwinboxError counts as typed; anything else (a DOMException from IndexedDB, say) stays untyped.
  if (settled.name === 'TwinboxError' && isErrorCode(settled.code)) throw new TwinboxError(settled.code, settled.message);
  throw new Error(`the page threw ${settled.name}${settled.code === null ? '' : ` (${settled.code})`}: ${settled.message}`);
}

/** `dataDir`: where main keeps settings and the message store (`Mail/`); the caller removes it. */
export async function openFaultTwinbox(dataDir: string): Promise<FaultTwinbox> {
  const session = await openTwinbox({
    cacheHook: true,
    // The functions handed to page.evaluate may be compiled with __name() wrappers the page lacks.
    initScript: 'globalThis.__name = globalThis.__name || ((fn) => fn);',
    services: {
      dataDir,
      createAdapter: (account, password, log) =>
        account.protocol === 'imap'
          ? new ImapAdapter({ accountId: account.id, server: account.incoming, password, ...(log ? { log } : {}) }, { watchReconnectDelaysMs: { first: 100, last: 1_000 } })
          : createAdapter(account, password, log),
      pool: { backoffMs: { initial: 100, max: 1_000 } },
      watches: { backoffMs: { initial: 100, max: 1_000 } },
    },
  });
  const changes: EventPayloads['mail.changed'][] = [];
  session.services.events.subscribe((event, payload) => {
    if (event === 'mail.changed') changes.push(payload as EventPayloads['mail.changed']);
  });
  try {
    await session.page.waitForFunction(() => (globalThis as PageGlobal).twinboxBench !== undefined, undefined, { timeout: 20_000 });
  } catch (error) {
    await session.dispose();
    throw error;
  }
  return {
    services: session.services,
    call: (method, input) => session.call(method, input),
    get page() {
      return session.page;
    },
    engine: {
      pop3: { check: (account) => inPage(session.page, { kind: 'pop3.check', account }) },
      imap: {
        syncFolder: (account, folder) => inPage(session.page, { kind: 'imap.syncFolder', account, folder }),
        downloadAll: (account, folder) => inPage(session.page, { kind: 'imap.downloadAll', account, folder }),
      },
    },
    async watch(accountId, folder) {
      await inPage(session.page, { kind: 'mail.watch', accountId, folder });
    },
    changes,
    close: () => session.dispose(),
  };
}

/** The plain-port endpoint a fault relay can stand in front of: only on this machine, since the relay talks to loopback only. */
export function relayableEndpoint(context: TestContext, name: 'imap' | 'pop3'): { host: string; port: number } {
  const endpoint = requireEndpoint(context, name);
  if (endpoint.host !== '127.0.0.1' && endpoint.host !== 'localhost') skipBecause(context, `the fault relay runs on loopback only; ${name.toUpperCase()} is at ${endpoint.host}`);
  return endpoint;
}

/**
 * Saves an account whose incoming server is reached through `through` (a
 * fault relay), unencrypted so that the relay sees commands, and gives the
 * page its copy. POP3 accounts delete after download: the policy that puts
 * the most at stake.
 */
export async function saveAccount(
  twinbox: FaultTwinbox,
  context: TestContext,
  user: TestUser,
  protocol: 'imap' | 'pop3',
  options: { through?: { host: string; port: number }; stack?: MailStackInfo } = {},
): Promise<Account> {
  const endpoint = protocol === 'imap' ? 'imap' : 'pop3';
  const direct = serverSettingsFor(context, user, endpoint, options.stack);
  const incoming: ServerSettings = { ...direct, security: 'plain', ...(options.through ? { host: options.through.host, port: options.through.port } : {}) };
  const account = await twinbox.call('accounts.save', {
    account: {
      name: `${protocol} ${user.user}`,
      email: user.address,
      displayName: user.user,
      protocol,
      incoming,
      outgoing: incoming,
      ...(protocol === 'pop3'
        ? { pop3: { retention: { kind: 'delete-after-download' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } }
        : { imap: { deleteMode: 'trash', cacheLimitMegabytes: 500 } }),
    },
    incomingPassword: user.password,
  });
  await inPage(twinbox.page, { kind: 'accounts.mirror' });
  return account;
}

/**
 * Puts messages on the server over several IMAP connections at once: the
 * server flushes each APPEND on its own (about 35 ms here), and flushes on
 * parallel connections overlap. The order of UIDs does not matter to these tests.
 */
export async function appendQuickly(user: TestUser, raws: readonly string[], stack?: MailStackInfo): Promise<void> {
  const lanes = 5;
  const share = Math.ceil(raws.length / lanes);
  await Promise.all(
    Array.from({ length: lanes }, (_, lane) => raws.slice(lane * share, (lane + 1) * share)).filter((part) => part.length > 0).map((part) => appendMessages(user, part, stack ? { stack } : {})),
  );
}

/** A row of the page's index, as far as the counts need it. */
export interface IndexRow {
  folder: string;
  serverId: string;
  messageId: string;
}

/**
 * The rows of the page's index for an account (optionally one folder), read
 * from Chromium's IndexedDB on a connection of its own, not through the
 * page's code: only what a transaction committed is there to read. A script,
 * since Node's types have no DOM.
 */
export async function rowsInIndex(page: Page, accountId: string, folder?: string): Promise<IndexRow[]> {
  const script = `new Promise((done, fail) => {
    const accountId = ${JSON.stringify(accountId)};
    const folder = ${folder === undefined ? 'undefined' : JSON.stringify(folder)};
    const request = indexedDB.open('twinbox');
    request.onerror = () => fail(request.error);
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('messages')) { db.close(); done([]); return; }
      const rows = db.transaction('messages').objectStore('messages').getAll();
      rows.onerror = () => fail(rows.error);
      rows.onsuccess = () => {
        db.close();
        done(rows.result
          .filter((row) => row.accountId === accountId && (folder === undefined || row.folder === folder))
          .map((row) => ({ folder: row.folder, serverId: row.serverId, messageId: row.messageId || '' })));
      };
    };
  })`;
  return page.evaluate<IndexRow[]>(script);
}

/** Message-IDs of the rows in the page's index for an account (optionally one folder). */
export async function idsInIndex(page: Page, accountId: string, folder?: string): Promise<string[]> {
  return (await rowsInIndex(page, accountId, folder)).map((row) => row.messageId);
}

/**
 * Message-IDs of the whole messages in the store's files for a folder, read
 * from the files themselves (not through the store's own bookkeeping).
 * Files still in `tmp/` are not durable messages and are left out.
 */
export function idsInStore(dataDir: string, accountId: string, folder = 'INBOX'): string[] {
  const dir = join(dataDir, 'Mail', accountDirName(accountId), folderDirName(folder));
  const ids: string[] = [];
  for (const stage of ['new', 'cur']) {
    if (!existsSync(join(dir, stage))) continue;
    for (const name of readdirSync(join(dir, stage))) {
      if (parseFileName(name)?.partial === true) continue;
      ids.push(messageIdOf(readFileSync(join(dir, stage, name))));
    }
  }
  return ids;
}

function messageIdOf(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  const header = text.slice(0, Math.max(0, text.indexOf('\r\n\r\n')) || text.length);
  return /^Message-ID:\s*<([^>\r\n]*)>/im.exec(header)?.[1] ?? '';
}


/** What a fault left behind, counted by Message-ID against what was put on the server. */
export interface Tally {
  here: number;
  onServer: number;
  /** Sent to the server at the start, and now neither here nor there. */
  lost: number;
  /** Shown here more than once. */
  duplicated: number;
  /** Gone from the server without a durable copy in the store. */
  deletedNotDurable: number;
}

export function tally(expected: readonly string[], here: readonly string[], onServer: readonly string[], durable: readonly string[]): Tally {
  const hereSet = new Set(here);
  const serverSet = new Set(onServer);
  const durableSet = new Set(durable);
  return {
    here: here.length,
    onServer: onServer.length,
    lost: expected.filter((id) => !hereSet.has(id) && !serverSet.has(id)).length,
    duplicated: here.length - hereSet.size,
    deletedNotDurable: expected.filter((id) => !serverSet.has(id) && !durableSet.has(id)).length,
  };
}

/** One line per case for the log, so a run shows what each fault left (the README quotes them). */
export function report(name: string, outcome: string, counts: Tally): void {
  console.info(
    `[fault] ${name}: ${outcome}; here ${counts.here}, on server ${counts.onServer}, lost ${counts.lost}, duplicated ${counts.duplicated}, deleted on the server without a durable copy ${counts.deletedNotDurable}`,
  );
}
