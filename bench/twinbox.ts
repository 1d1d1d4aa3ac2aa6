/**
 * Twinbox end to end, as a user runs it without Electron: the built main
 * process (out/main/web.js) as a child of its own, so that its memory can be
 * read from /proc, and the built renderer in Debian's Chromium through the
 * loopback host, with a profile on the same disk the peers write to.
 *
 * The page is opened with `#bench=1`, which makes renderer/index.tsx expose
 * `window.twinboxBench = { engine, db, client, searchLocally }` instead of
 * starting the engine's scheduler: the benchmark drives each sync itself and
 * times it inside the page with performance.now(), so nothing else competes
 * with a measurement, and counts are read from the cache itself.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { chromium } from 'playwright-core';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { Account } from '../shared/model';
import type { MethodInput, MethodName, MethodResult } from '../shared/contract';
import type { TwinboxDatabase } from '../renderer/db/schema';
import type { MessageKey } from '../renderer/db/rows';
import type { TwinboxClient } from '../renderer/ipc/twinbox-client';
import type { SyncEngine } from '../renderer/sync/engine';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/e2e/harness';
import { callMain, startMain } from '../test/e2e/main-process';
import { killLater, onCleanup, stopChild } from './cleanup';

/** What renderer/index.tsx exposes on `window` with `#bench=1` (typed here: bench/ cannot import renderer/ui). */
interface BenchHook {
  engine: SyncEngine;
  db: TwinboxDatabase;
  client: TwinboxClient;
  searchLocally: (db: TwinboxDatabase, text: string, accountId?: string) => Promise<{ keys: MessageKey[]; truncated: boolean }>;
}

/** How the page's own globals look from code evaluated in it. */
type PageGlobal = typeof globalThis & { twinboxBench?: BenchHook };

export interface MailServer {
  host: string;
  imapsPort: number;
  pop3sPort: number;
  user: string;
  password: string;
  caPem: string;
}

export interface LaunchOptions {
  /** The build: out/ or TWINBOX_OUT_DIR. */
  outDir: string;
  dataDir: string;
  profileDir: string;
  /** Write CPU profiles of main (node --cpu-prof) and of the page (CDP) here. */
  cpuProfileDir?: string;
  /**
   * The loopback host's port. The page's IndexedDB belongs to its origin, port included:
   * a launch that must find the cache an earlier one left needs the same port.
   */
  port?: number;
  label: string;
}

/** Peak memory in bytes. */
export interface MemoryPeak {
  /** Peak resident set (VmHWM) of main. */
  main: number;
  /** Peak resident set of the largest renderer process of this browser (the page's). */
  renderer: number;
  rendererProcesses: number;
  /**
   * Peak private memory (RssAnon, sampled every half second): without the
   * shared library pages that VmHWM counts too, which are most of an idle
   * Chromium renderer's resident set.
   */
  mainPrivate: number;
  rendererPrivate: number;
}

/**
 * CPU seconds (user + system) spent so far, per part of the system: where a
 * job's wall-clock time went. `browser` is Chromium's browser process, where
 * IndexedDB's backend (LevelDB) runs; `page` the renderer running Twinbox's
 * UI and cache code; `otherBrowser` its other helpers (network, GPU...);
 * `server` Dovecot, with the processes it has already reaped.
 */
export interface CpuTimes {
  main: number;
  /** Of `main`: its JavaScript thread, where a CPU profile looks (the rest is V8's helpers and libuv's file threads). */
  mainJsThread: number;
  /** Of `main`: time in the kernel, for all its threads (writes, flushes, renames). */
  mainKernel: number;
  page: number;
  browser: number;
  otherBrowser: number;
  server: number;
}

export function cpuSpent(before: CpuTimes, after: CpuTimes): CpuTimes {
  return {
    main: after.main - before.main,
    mainJsThread: after.mainJsThread - before.mainJsThread,
    mainKernel: after.mainKernel - before.mainKernel,
    page: after.page - before.page,
    browser: after.browser - before.browser,
    otherBrowser: after.otherBrowser - before.otherBrowser,
    server: after.server - before.server,
  };
}

/** One running Twinbox: main child, browser, page. */
export class TwinboxInstance {
  private readonly peaks = new Map<number, { renderer: boolean; kb: number; anonKb: number }>();
  private sampler: ReturnType<typeof setInterval> | undefined;
  private cdp: CDPSession | undefined;

  private constructor(
    private readonly options: LaunchOptions,
    private readonly main: ChildProcess,
    private readonly url: string,
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly stopAll: () => Promise<void>,
  ) {}

  static async launch(options: LaunchOptions): Promise<TwinboxInstance> {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium, or set TWINBOX_CHROMIUM`);
    mkdirSync(options.dataDir, { recursive: true });
    mkdirSync(options.profileDir, { recursive: true });
    const nodeArgs = options.cpuProfileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=main-${options.label}.cpuprofile`]
      : [];
    const { child: main, url } = await startMain({
      outDir: options.outDir,
      dataDir: options.dataDir,
      ...(options.port === undefined ? {} : { port: options.port }),
      nodeArgs,
      label: options.label,
    });
    const stopMain = killLater(main, `Twinbox main (${options.label})`);
    let context: BrowserContext;
    try {
      context = await chromium.launchPersistentContext(options.profileDir, {
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
        // The benchmark cleans up on Ctrl+C itself, in order (browser, then main, then the servers).
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (error) {
      await stopMain();
      throw error;
    }
    const closeBrowser = onCleanup(`close Chromium (${options.label})`, () => context.close().catch(() => undefined));
    // tsx compiles the functions handed to page.evaluate with esbuild's keepNames, which wraps
    // named inner functions in __name(); the page has no such helper, so give it a harmless one.
    await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((fn) => fn);' });
    const page = context.pages()[0] ?? (await context.newPage());
    const instance = new TwinboxInstance(options, main, url, context, page, async () => {
      await closeBrowser();
      await stopMain();
    });
    instance.startSampling();
    return instance;
  }

  /** Calls the contract over the host's WebSocket, as the page does (same origin, same token). */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> {
    return callMain(this.url, method, input);
  }

  /** Saves an account in main, trusting the stack's certificate by fingerprint as a user would. */
  async saveAccount(server: MailServer, protocol: 'imap' | 'pop3', id?: string): Promise<Account> {
    const trustedCertificate = { pem: server.caPem, fingerprint256: new X509Certificate(server.caPem).fingerprint256 };
    const incoming = {
      host: server.host,
      port: protocol === 'imap' ? server.imapsPort : server.pop3sPort,
      security: 'tls' as const,
      username: server.user,
      trustedCertificate,
    };
    return this.call('accounts.save', {
      account: {
        ...(id === undefined ? {} : { id }),
        name: `Bench ${protocol.toUpperCase()} ${server.user}`,
        email: `${server.user}@twinbox.test`,
        displayName: 'Bench',
        protocol,
        incoming,
        // Never used: the benchmark sends nothing.
        outgoing: { ...incoming, port: 1, security: 'tls' },
        ...(protocol === 'imap'
          ? { imap: { deleteMode: 'trash', cacheLimitMegabytes: 100_000 } }
          : { pop3: { retention: { kind: 'keep' }, pollMinutes: 24 * 60, headersOnly: false, maxMessageBytes: 0 } }),
      },
      incomingPassword: server.password,
    });
  }

  /** Opens the page in benchmark mode and mirrors main's accounts into the cache, as the engine would. */
  async open(): Promise<void> {
    await this.page.goto(`${this.url}&bench=1`);
    await this.page.waitForFunction(() => (globalThis as PageGlobal).twinboxBench !== undefined, undefined, { timeout: 20_000 });
    await this.page.evaluate(async () => {
      const hook = (globalThis as PageGlobal).twinboxBench;
      if (!hook) throw new Error('the page has no benchmark hook: is renderer/index.tsx built with it?');
      await hook.engine.writer.replaceAccounts(await hook.client.call('accounts.list', {}));
    });
    if (this.options.cpuProfileDir) {
      this.cdp = await this.context.newCDPSession(this.page);
      await this.cdp.send('Profiler.enable');
      await this.cdp.send('Profiler.setSamplingInterval', { interval: 250 });
      await this.cdp.send('Profiler.start');
    }
  }

  /**
   * A first IMAP sync of INBOX on a fresh cache, as the engine does it
   * (capabilities, folder list, the folder newest first), then every body.
   * Milliseconds from the start: to the newest 50 committed, to all
   * summaries, to all bodies (skipped when `bodies` is false).
   */
  imapFirstSync(accountId: string, bodies: boolean): Promise<{ firstScreen: number; summaries: number; full: number; messages: number; withBody: number }> {
    return this.page.evaluate(
      async ({ accountId, bodies }) => {
        const hook = (globalThis as PageGlobal).twinboxBench;
        if (!hook) throw new Error('no benchmark hook');
        const { engine, db } = hook;
        const account = await db.accounts.get(accountId);
        if (!account) throw new Error(`no account ${accountId} in the cache`);
        const t0 = performance.now();
        let firstScreen = -1;
        await engine.capabilities(accountId);
        await engine.imap.syncFolderList(account);
        await engine.imap.syncFolder(account, 'INBOX', () => {
          if (firstScreen < 0) firstScreen = performance.now() - t0;
        });
        const summaries = performance.now() - t0;
        if (bodies) await engine.imap.downloadAll(account, 'INBOX');
        const full = performance.now() - t0;
        const messages = await db.messages.where('[accountId+folder+sortDate]').between([accountId, 'INBOX', -Infinity], [accountId, 'INBOX', Infinity]).count();
        const withBody = (await hook.client.call('store.usage', { accountId })).messages;
        return { firstScreen, summaries, full: bodies ? full : -1, messages, withBody };
      },
      { accountId, bodies },
    );
  }

  /** INBOX synced again `times` times with nothing changed on the server; milliseconds each. */
  imapResync(accountId: string, times: number): Promise<{ ms: number[]; added: number; vanished: number; flagChanges: number }> {
    return this.page.evaluate(
      async ({ accountId, times }) => {
        const hook = (globalThis as PageGlobal).twinboxBench;
        if (!hook) throw new Error('no benchmark hook');
        const account = await hook.db.accounts.get(accountId);
        if (!account) throw new Error(`no account ${accountId}`);
        const ms: number[] = [];
        const totals = { added: 0, vanished: 0, flagChanges: 0 };
        for (let i = 0; i < times; i++) {
          const t0 = performance.now();
          const result = await hook.engine.imap.syncFolder(account, 'INBOX');
          ms.push(performance.now() - t0);
          totals.added += result.added;
          totals.vanished += result.vanished;
          totals.flagChanges += result.flagChanges;
        }
        return { ms, ...totals };
      },
      { accountId, times },
    );
  }

  /**
   * A first POP3 check on a fresh cache: every message downloaded, flushed to
   * main's store, and committed in the index (row and ledger entry).
   */
  pop3FirstCheck(accountId: string): Promise<{ ms: number; downloaded: number; stored: number }> {
    return this.page.evaluate(
      async ({ accountId }) => {
        const hook = (globalThis as PageGlobal).twinboxBench;
        if (!hook) throw new Error('no benchmark hook');
        const { engine, db } = hook;
        const account = await db.accounts.get(accountId);
        if (!account) throw new Error(`no account ${accountId}`);
        await engine.writer.ensureLocalFolders(accountId);
        const t0 = performance.now();
        const result = await engine.pop3.check(account);
        const ms = performance.now() - t0;
        const stored = (await hook.client.call('store.usage', { accountId })).messages;
        return { ms, downloaded: result.downloaded, stored };
      },
      { accountId },
    );
  }

  /** "No new mail": checks with every message committed here and still on the server. */
  pop3NoNewMail(accountId: string, times: number): Promise<{ ms: number[]; downloaded: number }> {
    return this.page.evaluate(
      async ({ accountId, times }) => {
        const hook = (globalThis as PageGlobal).twinboxBench;
        if (!hook) throw new Error('no benchmark hook');
        const account = await hook.db.accounts.get(accountId);
        if (!account) throw new Error(`no account ${accountId}`);
        const ms: number[] = [];
        let downloaded = 0;
        for (let i = 0; i < times; i++) {
          const t0 = performance.now();
          downloaded += (await hook.engine.pop3.check(account)).downloaded;
          ms.push(performance.now() - t0);
        }
        return { ms, downloaded };
      },
      { accountId, times },
    );
  }

  /**
   * Background search indexing worked through to the end (the queue a
   * download left), as the engine runs it between syncs: milliseconds, and
   * how many messages' text was indexed.
   */
  indexComplete(accountId: string): Promise<{ ms: number; indexed: number }> {
    return this.page.evaluate(
      async ({ accountId }) => {
        const hook = (globalThis as PageGlobal).twinboxBench;
        if (!hook) throw new Error('no benchmark hook');
        const t0 = performance.now();
        await hook.engine.indexer.drain();
        const ms = performance.now() - t0;
        const indexed = await hook.db.messages.where('[accountId+textIndexed]').equals([accountId, 1]).count();
        return { ms, indexed };
      },
      { accountId },
    );
  }

  /**
   * Opens `count` stored messages spread over the folder, as the reader does:
   * main reads each from its store and parses it.
   */
  openCached(accountId: string, count: number): Promise<number[]> {
    return this.page.evaluate(
      async ({ accountId, count }) => {
        const hook = (globalThis as PageGlobal).twinboxBench;
        if (!hook) throw new Error('no benchmark hook');
        const { engine, db } = hook;
        // Remembered, so that opening asks nothing of main (the app knows them after its first sync).
        await engine.capabilities(accountId);
        const keys = await db.messages.where('[accountId+folder+sortDate]').between([accountId, 'INBOX', -Infinity], [accountId, 'INBOX', Infinity]).primaryKeys();
        const ms: number[] = [];
        for (let i = 0; i < count; i++) {
          const key = keys[Math.floor(((i + 0.5) * keys.length) / count)];
          if (!key) continue;
          const t0 = performance.now();
          const body = await engine.openMessage(key);
          ms.push(performance.now() - t0);
          if (body.text === undefined && body.html === undefined) throw new Error(`message ${key.join('/')} opened without a body`);
        }
        return ms;
      },
      { accountId, count },
    );
  }

  /** Local search over the account's cache; each query `repeats` times. */
  search(accountId: string, queries: string[], repeats: number): Promise<{ query: string; ms: number[]; found: number; truncated: boolean }[]> {
    return this.page.evaluate(
      async ({ accountId, queries, repeats }) => {
        const hook = (globalThis as PageGlobal).twinboxBench;
        if (!hook) throw new Error('no benchmark hook');
        const results: { query: string; ms: number[]; found: number; truncated: boolean }[] = [];
        for (const query of queries) {
          const ms: number[] = [];
          let found = 0;
          let truncated = false;
          for (let i = 0; i < repeats; i++) {
            const t0 = performance.now();
            const answer = await hook.searchLocally(hook.db, query, accountId);
            ms.push(performance.now() - t0);
            found = answer.keys.length;
            truncated = answer.truncated;
          }
          results.push({ query, ms, found, truncated });
        }
        return results;
      },
      { accountId, queries, repeats },
    );
  }

  /** What an account's part of main's message store takes: the files' bytes, and the disk blocks they occupy. */
  storeOnDisk(accountId: string): { bytes: number; allocated: number; files: number } {
    const total = { bytes: 0, allocated: 0, files: 0 };
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(path);
          continue;
        }
        const info = statSync(path);
        total.bytes += info.size;
        total.allocated += info.blocks * 512;
        total.files++;
      }
    };
    const root = join(this.options.dataDir, 'Mail', accountId);
    if (existsSync(root)) walk(root);
    return total;
  }

  /** Peak resident memory so far of main and of the browser's renderers. */
  memory(): MemoryPeak {
    this.sample();
    const memory: MemoryPeak = { main: 0, renderer: 0, rendererProcesses: 0, mainPrivate: 0, rendererPrivate: 0 };
    for (const [pid, peak] of this.peaks) {
      if (pid === this.main.pid) {
        memory.main = peak.kb * 1024;
        memory.mainPrivate = peak.anonKb * 1024;
      } else if (peak.renderer) {
        memory.rendererProcesses++;
        memory.renderer = Math.max(memory.renderer, peak.kb * 1024);
        memory.rendererPrivate = Math.max(memory.rendererPrivate, peak.anonKb * 1024);
      }
    }
    return memory;
  }

  /** CPU seconds used so far by main, the browser's processes and the mail server (see CpuTimes). */
  cpuTimes(): CpuTimes {
    const times: CpuTimes = { main: 0, mainJsThread: 0, mainKernel: 0, page: 0, browser: 0, otherBrowser: 0, server: 0 };
    const mainPid = this.main.pid;
    if (mainPid !== undefined) {
      times.main = cpuOf(mainPid, false);
      times.mainJsThread = ticksOf(`/proc/${mainPid}/task/${mainPid}/stat`).total;
      times.mainKernel = ticksOf(`/proc/${mainPid}/stat`).kernel;
    }
    for (const root of processesWith(`--user-data-dir=${this.options.profileDir}`).filter((pid) => !cmdline(pid).includes('--type='))) {
      // Helpers that have exited are in the browser's reaped-children time.
      times.browser += cpuOf(root, false);
      times.otherBrowser += cpuOf(root, true) - cpuOf(root, false);
      for (const pid of descendants(root)) {
        if (cmdline(pid).includes('--type=renderer')) times.page = Math.max(times.page, cpuOf(pid, false));
        else times.otherBrowser += cpuOf(pid, false);
      }
    }
    // Dovecot's master reaps its imap and pop3 processes: their time is in its children's total.
    for (const master of pids().filter((pid) => /(^|\/)dovecot( |$)/.test(cmdline(pid)) && !/dovecot\//.test(cmdline(pid)))) {
      times.server += cpuOf(master, true);
      for (const pid of descendants(master)) times.server += cpuOf(pid, false);
    }
    return times;
  }

  /** Stops the page's CPU profile (if any), the browser and main; main writes its own profile as it exits. */
  async close(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    if (this.cdp && this.options.cpuProfileDir) {
      const { profile } = await this.cdp.send('Profiler.stop');
      writeFileSync(join(this.options.cpuProfileDir, `renderer-${this.options.label}.cpuprofile`), JSON.stringify(profile));
    }
    await this.stopAll();
    // SIGTERM lets web.js shut down cleanly (and write --cpu-prof); stopAll already sent it.
    await stopChild(this.main);
  }

  private startSampling(): void {
    this.sample();
    this.sampler = setInterval(() => this.sample(), 500);
    this.sampler.unref();
  }

  /** VmHWM is a high-water mark already; sampling only catches processes before they go. */
  private sample(): void {
    const mainPid = this.main.pid;
    if (mainPid !== undefined) this.record(mainPid, false);
    const browser = processesWith(`--user-data-dir=${this.options.profileDir}`).filter((pid) => !cmdline(pid).includes('--type='));
    for (const root of browser) {
      for (const pid of descendants(root)) {
        if (cmdline(pid).includes('--type=renderer')) this.record(pid, true);
      }
    }
  }

  private record(pid: number, renderer: boolean): void {
    const status = statusOf(pid);
    if (status === undefined) return;
    const previous = this.peaks.get(pid);
    this.peaks.set(pid, { renderer, kb: Math.max(status.hwmKb, previous?.kb ?? 0), anonKb: Math.max(status.anonKb, previous?.anonKb ?? 0) });
  }
}

function statusOf(pid: number): { hwmKb: number; anonKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    const anon = /^RssAnon:\s+(\d+) kB/m.exec(status)?.[1];
    return hwm === undefined ? undefined : { hwmKb: Number(hwm), anonKb: Number(anon ?? 0) };
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process in seconds, and with `reaped` its waited-for children's too. */
function cpuOf(pid: number, reaped: boolean): number {
  const ticks = ticksOf(`/proc/${pid}/stat`);
  return reaped ? ticks.total + ticks.reaped : ticks.total;
}

/** CPU seconds from a process's or thread's stat file: user + system, system alone, and reaped children's. */
function ticksOf(statFile: string): { total: number; kernel: number; reaped: number } {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // Fields after the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15);
    return { total: (utime + stime) / CLOCK_TICKS_PER_SECOND, kernel: stime / CLOCK_TICKS_PER_SECOND, reaped: (cutime + cstime) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return { total: 0, kernel: 0, reaped: 0 };
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

function processesWith(argument: string): number[] {
  return pids().filter((pid) => cmdline(pid).split(' ').includes(argument));
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of pids()) {
    const parent = parentOf(pid);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    if (pid === undefined) break;
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
