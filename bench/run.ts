/**
 * `npm run bench`: how fast Twinbox does its main jobs, against mbsync,
 * fetchmail and the raw protocol limits, on the same mailbox in the same
 * run, so that every figure is also a ratio that holds on a noisy machine.
 *
 *   npm run bench -- [--messages N] [--rounds R] [--no-100k] [--profile DIR] [--out FILE]
 *
 * --messages  messages in the main mailbox, 1,000 to 100,000 (default 10,000)
 * --rounds    rounds, Twinbox and the peers alternating (default 3; medians are reported)
 * --no-100k   skip the 100,000-message mailbox (its resync and search rows)
 * --profile   write CPU profiles of Twinbox's main process and page to DIR
 * --out       where the JSON goes (default bench-results.json)
 * --baseline  a JSON an earlier run wrote for another --messages: adds how the
 *             cost per message grew from that size to this one
 *
 * It is not a test: it asserts only that every program got all the mail
 * (a fast run that lost messages would mean nothing), never a time.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalMailStack } from '../test/mailstack/local-stack';
import { systemAccounts } from '../test/mailstack/system-accounts';
import { CHROMIUM_PATH } from '../test/e2e/harness';
import { freePort } from '../test/e2e/main-process';
import { cleanupAll, cleanupOnSignals, onCleanup, removeLater } from './cleanup';
import { Fetchmail, findPeers, Mbsync, rawImapFetchAll, rawImapResync, rawPop3RetrAll } from './peers';
import type { PeerTarget } from './peers';
import { describeMachine, describeVersions, formatValue, median, medianOf, renderTable } from './report';
import type { Row } from './report';
import { seedMaildir } from './seed';
import type { SeedResult } from './seed';
import { TwinboxInstance } from './twinbox';
import { cpuSpent } from './twinbox';
import type { CpuTimes, MailServer, MemoryPeak } from './twinbox';

const ROOT = resolve(import.meta.dirname, '..');
const SEED = 20_240_501;
const LARGE_MAILBOX = 100_000;
const RESYNCS_PER_ROUND = 5;
const CHECKS_PER_ROUND = 5;
const OPENS_PER_ROUND = 25;
const SEARCH_REPEATS = 3;
/** What people type: a common word, two words, a name, words in other scripts. */
const SEARCH_QUERIES = ['invoice', 'meeting agenda', 'müller', 'отчёт', 'zürich'];

interface Options {
  messages: number;
  rounds: number;
  large: boolean;
  profileDir: string | undefined;
  out: string;
  baseline: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { messages: 10_000, rounds: 3, large: true, profileDir: undefined, out: resolve('bench-results.json'), baseline: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--messages') options.messages = Number(value().replace(/[_,]/g, ''));
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--no-100k') options.large = false;
    else if (arg === '--profile') options.profileDir = resolve(value());
    else if (arg === '--out') options.out = resolve(value());
    else if (arg === '--baseline') options.baseline = resolve(value());
    else if (arg === '--help' || arg === '-h') {
      console.log('npm run bench -- [--messages N (1000..100000)] [--rounds R (default 3)] [--no-100k] [--profile DIR] [--out FILE] [--baseline FILE]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  if (!Number.isInteger(options.messages) || options.messages < 1000 || options.messages > 100_000) {
    throw new Error('--messages takes a whole number from 1,000 to 100,000');
  }
  if (!Number.isInteger(options.rounds) || options.rounds < 1 || options.rounds > 20) throw new Error('--rounds takes 1 to 20');
  return options;
}

/** One round of Twinbox on the main mailbox. Times in milliseconds. */
interface TwinboxRound {
  firstScreen: number;
  summaries: number;
  fullSync: number;
  resync: number[];
  pop3Full: number;
  pop3NoNewMail: number[];
  /** Background search indexing worked through after the IMAP full sync and after the POP3 download. */
  imapIndex: number;
  pop3Index: number;
  /** The POP3 account's message store: file bytes and disk blocks. */
  store: { bytes: number; allocated: number; files: number };
  open: number[];
  search: { query: string; ms: number[]; found: number; truncated: boolean }[];
  memory: MemoryPeak;
  /** The peaks as they stood after each job: which one raised them. */
  memoryAfter: { open: MemoryPeak; imap: MemoryPeak; pop3: MemoryPeak };
  /** CPU seconds per part of the system during the IMAP full sync and the POP3 full download: where the time went. */
  cpu: { imapFull: CpuTimes; pop3Full: CpuTimes };
}

interface LargeRound {
  /** Only in the round that filled the cache. */
  firstSync?: { summaries: number };
  resync: number[];
  /** Milliseconds: one SELECT with QRESYNC on a logged-in connection. */
  rawResync: number[];
  search: { query: string; ms: number[]; found: number; truncated: boolean }[];
  memory: MemoryPeak;
}

/** Seconds each, as the peers report wall-clock time. */
interface PeerRound {
  mbsyncFull?: number;
  mbsyncResync?: number[];
  fetchmailFull?: number;
  fetchmailNoNewMail?: number[];
  rawImap: number;
  rawPop3: number;
  /** Milliseconds: one SELECT with QRESYNC on a logged-in connection (median of 5). */
  rawResync: number;
}

function describeCpu(cpu: CpuTimes): string {
  const part = (name: string, seconds: number): string => `${name} ${seconds.toFixed(1)} s`;
  return [
    `${part('main', cpu.main)} (JavaScript thread ${cpu.mainJsThread.toFixed(1)} s, kernel ${cpu.mainKernel.toFixed(1)} s)`,
    part('page', cpu.page),
    part('browser process (IndexedDB)', cpu.browser),
    part('other browser helpers', cpu.otherBrowser),
    part('Dovecot', cpu.server),
  ].join(', ');
}

function medianCpu(rounds: CpuTimes[]): CpuTimes {
  const of = (part: keyof CpuTimes): number => median(rounds.map((r) => r[part])) ?? 0;
  return { main: of('main'), mainJsThread: of('mainJsThread'), mainKernel: of('mainKernel'), page: of('page'), browser: of('browser'), otherBrowser: of('otherBrowser'), server: of('server') };
}

/**
 * Moves a finished part's folder aside instead of deleting it: it goes with
 * the work folder at the end. Deleting 20,000 files between parts made the
 * part after it pay: this disk's ext4 has no journal, and for about 30 s
 * after a deletion its inode allocator reads the inode table to skip every
 * recently deleted inode before it creates a file (perf: recently_deleted,
 * find_inode_bit), which was 8 to 9 CPU-seconds of kernel time in main's
 * file writes instead of about 1: the "slow rounds" of earlier runs.
 */
function keptUntilTheEnd(dir: string, round: number): void {
  if (existsSync(dir)) renameSync(dir, `${dir}-round${round}`);
}

function log(text: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  cleanupOnSignals();
  const outDir = resolve(ROOT, process.env.TWINBOX_OUT_DIR ?? 'out');
  // Peers and Twinbox's profile share this folder, so they write to the same disk.
  const workDir = mkdtempSync(join(tmpdir(), 'twinbox-bench-'));
  removeLater(workDir);
  if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
  const machine = describeMachine(workDir);
  const peers = findPeers();
  for (const line of peers.missing) console.warn(`[bench] MISSING PEER: ${line}`);
  if (options.rounds < 3) console.warn(`[bench] ${options.rounds} round(s): the issue asks for at least 3 for the medians to mean much`);
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.ramBytes / 1024 ** 3).toFixed(0)} GiB, ${machine.disk}, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`);

  const startedStack = performance.now();
  const stack = await startLocalMailStack();
  onCleanup('stop the mail stack', () => stack.stop());
  const { info } = stack;
  const pool = info.pool?.users ?? [];
  const [mainUser, largeUser] = pool;
  if (!info.imaps || !info.pop3s || !info.caPem || !mainUser || !largeUser) throw new Error('the local mail stack lacks IMAPS, POP3S, a certificate or users');
  log(`mail stack up in ${((performance.now() - startedStack) / 1000).toFixed(1)} s: IMAPS ${info.imaps.port}, POP3S ${info.pop3s.port}`);

  const accounts = systemAccounts();
  const owner = { uid: accounts.mailUid, gid: accounts.mailGid };
  // local-stack.ts names Dovecot's folder after its plain IMAP port.
  const dovecotDir = join(stack.dir, `dovecot-${info.imap?.port ?? info.imaps.port}`);
  const home = (user: string): string => join(dovecotDir, 'home', user, 'Maildir');
  log(`seeding ${options.messages.toLocaleString('en')} messages into ${mainUser.user}'s Maildir…`);
  const seeded = await seedMaildir({ maildir: home(mainUser.user), count: options.messages, seed: SEED, owner, recipient: mainUser.address });
  log(describeSeed(seeded));
  let seededLarge: SeedResult | undefined;
  if (options.large) {
    log(`seeding ${LARGE_MAILBOX.toLocaleString('en')} small messages into ${largeUser.user}'s Maildir (resync cost does not depend on message size)…`);
    seededLarge = await seedMaildir({ maildir: home(largeUser.user), count: LARGE_MAILBOX, seed: SEED + 1, small: true, owner, recipient: largeUser.address });
    log(describeSeed(seededLarge));
  }

  const caFile = join(workDir, 'ca.pem');
  writeFileSync(caFile, info.caPem);
  const target = (user: typeof mainUser, messages: number): PeerTarget => ({
    host: info.imaps?.host ?? '127.0.0.1',
    imapsPort: info.imaps?.port ?? 0,
    pop3sPort: info.pop3s?.port ?? 0,
    user: user.user,
    password: user.password,
    caPem: info.caPem ?? '',
    caFile,
    servername: info.tlsServername,
    workDir,
    messages,
  });
  const mainTarget = target(mainUser, options.messages);
  const largeTarget = target(largeUser, LARGE_MAILBOX);
  const server = (t: PeerTarget): MailServer => ({ host: t.host, imapsPort: t.imapsPort, pop3sPort: t.pop3sPort, user: t.user, password: t.password, caPem: t.caPem });

  // Dovecot indexes a Maildir when it is first opened, and the files come into the page cache:
  // nobody's first round should pay for that.
  log('warming up the server (index, caches)…');
  await rawImapFetchAll(mainTarget);
  await rawImapFetchAll(mainTarget, 'UID FLAGS ENVELOPE INTERNALDATE RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (REFERENCES IN-REPLY-TO)]');
  await rawPop3RetrAll(mainTarget);
  if (options.large) await rawImapFetchAll(largeTarget, 'UID FLAGS ENVELOPE INTERNALDATE RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (REFERENCES IN-REPLY-TO)]');

  const twinboxRounds: TwinboxRound[] = [];
  const peerRounds: PeerRound[] = [];
  const largeRounds: LargeRound[] = [];
  const largeDir = join(workDir, 'twinbox-100k');
  // The same origin in every round, so that rounds after the first find the cache the first one filled.
  const largePort = await freePort();
  let largeAccountId: string | undefined;

  const runTwinbox = async (round: number): Promise<void> => {
    log(`round ${round}: Twinbox`);
    const dir = join(workDir, `twinbox-${round}`);
    const instance = await TwinboxInstance.launch({
      outDir,
      dataDir: join(dir, 'data'),
      profileDir: join(dir, 'profile'),
      label: `round${round}`,
      ...(options.profileDir ? { cpuProfileDir: options.profileDir } : {}),
    });
    try {
      const imap = await instance.saveAccount(server(mainTarget), 'imap');
      const pop3 = await instance.saveAccount(server(mainTarget), 'pop3');
      await instance.open();
      const afterOpen = instance.memory();
      const cpuBeforeImap = instance.cpuTimes();
      const first = await instance.imapFirstSync(imap.id, true);
      const cpuImap = cpuSpent(cpuBeforeImap, instance.cpuTimes());
      expect(first.messages === options.messages && first.withBody === options.messages, `Twinbox IMAP cached ${first.messages} summaries and ${first.withBody} bodies of ${options.messages}`);
      log(`  IMAP first screen ${formatValue(first.firstScreen, 'ms')}, all summaries ${formatValue(first.summaries, 'ms')}, full offline ${formatValue(first.full, 'ms')}`);
      log(`    CPU during it: ${describeCpu(cpuImap)}`);
      const imapIndex = await instance.indexComplete(imap.id);
      expect(imapIndex.indexed === options.messages, `Twinbox indexed the text of ${imapIndex.indexed} IMAP messages of ${options.messages}`);
      log(`  IMAP search index complete in ${formatValue(imapIndex.ms, 'ms')}`);
      const resync = await instance.imapResync(imap.id, RESYNCS_PER_ROUND);
      expect(resync.added === 0 && resync.vanished === 0 && resync.flagChanges === 0, `a no-change resync changed something: ${JSON.stringify(resync)}`);
      log(`  IMAP no-change resync ${resync.ms.map((ms) => formatValue(ms, 'ms')).join(', ')}`);
      const afterImap = instance.memory();
      const cpuBeforePop3 = instance.cpuTimes();
      const pop3First = await instance.pop3FirstCheck(pop3.id);
      const cpuPop3 = cpuSpent(cpuBeforePop3, instance.cpuTimes());
      expect(pop3First.downloaded === options.messages && pop3First.stored === options.messages, `Twinbox POP3 committed ${pop3First.downloaded} (${pop3First.stored} bodies) of ${options.messages}`);
      const noNew = await instance.pop3NoNewMail(pop3.id, CHECKS_PER_ROUND);
      expect(noNew.downloaded === 0, `a "no new mail" check downloaded ${noNew.downloaded}`);
      log(`  POP3 full download ${formatValue(pop3First.ms, 'ms')}, no new mail ${noNew.ms.map((ms) => formatValue(ms, 'ms')).join(', ')}`);
      log(`    CPU during the download: ${describeCpu(cpuPop3)}`);
      const pop3Index = await instance.indexComplete(pop3.id);
      expect(pop3Index.indexed === options.messages, `Twinbox indexed the text of ${pop3Index.indexed} POP3 messages of ${options.messages}`);
      const store = instance.storeOnDisk(pop3.id);
      expect(store.files === options.messages, `the POP3 store holds ${store.files} files for ${options.messages} messages`);
      log(`  POP3 search index complete in ${formatValue(pop3Index.ms, 'ms')}; store ${formatValue(store.bytes, 'bytes')} in files, ${formatValue(store.allocated, 'bytes')} on disk`);
      const afterPop3 = instance.memory();
      const open = await instance.openCached(imap.id, OPENS_PER_ROUND);
      const search = await instance.search(imap.id, SEARCH_QUERIES, SEARCH_REPEATS);
      const memory = instance.memory();
      log(`  open ${formatValue(median(open), 'ms')} (median), search ${search.map((s) => `${s.query} ${formatValue(median(s.ms), 'ms')} (${s.found}${s.truncated ? '+' : ''})`).join(', ')}`);
      log(
        `  peak memory: main ${formatValue(memory.main, 'bytes')} (private ${formatValue(memory.mainPrivate, 'bytes')}), ` +
          `renderer ${formatValue(memory.renderer, 'bytes')} (private ${formatValue(memory.rendererPrivate, 'bytes')}); ` +
          `after opening the page ${formatValue(afterOpen.main + afterOpen.renderer, 'bytes')}, after IMAP ${formatValue(afterImap.main + afterImap.renderer, 'bytes')}, after POP3 ${formatValue(afterPop3.main + afterPop3.renderer, 'bytes')}`,
      );
      twinboxRounds.push({
        firstScreen: first.firstScreen,
        summaries: first.summaries,
        fullSync: first.full,
        resync: resync.ms,
        pop3Full: pop3First.ms,
        pop3NoNewMail: noNew.ms,
        imapIndex: imapIndex.ms,
        pop3Index: pop3Index.ms,
        store,
        open,
        search,
        memory,
        memoryAfter: { open: afterOpen, imap: afterImap, pop3: afterPop3 },
        cpu: { imapFull: cpuImap, pop3Full: cpuPop3 },
      });
    } finally {
      // Removed with everything else at the end (see keptUntilTheEnd).
      await instance.close();
    }
  };

  const runPeers = async (round: number): Promise<void> => {
    log(`round ${round}: peers`);
    const result: PeerRound = { rawImap: 0, rawPop3: 0, rawResync: 0 };
    if (peers.mbsync) {
      const mbsync = new Mbsync(peers.mbsync, mainTarget);
      result.mbsyncFull = await mbsync.full();
      result.mbsyncResync = [await mbsync.resync(), await mbsync.resync(), await mbsync.resync()];
      log(`  mbsync full ${formatValue(result.mbsyncFull * 1000, 'ms')}, resync ${formatValue((median(result.mbsyncResync) ?? 0) * 1000, 'ms')}`);
    }
    if (peers.fetchmail) {
      const fetchmail = new Fetchmail(peers.fetchmail, mainTarget);
      result.fetchmailFull = await fetchmail.full();
      result.fetchmailNoNewMail = [await fetchmail.noNewMail(), await fetchmail.noNewMail(), await fetchmail.noNewMail()];
      log(`  fetchmail full ${formatValue(result.fetchmailFull * 1000, 'ms')}, no new mail ${formatValue((median(result.fetchmailNoNewMail) ?? 0) * 1000, 'ms')}`);
    }
    result.rawImap = (await rawImapFetchAll(mainTarget)).seconds;
    result.rawPop3 = (await rawPop3RetrAll(mainTarget)).seconds;
    result.rawResync = median(await rawImapResync(mainTarget, RESYNCS_PER_ROUND)) ?? 0;
    log(
      `  raw UID FETCH 1:* ${formatValue(result.rawImap * 1000, 'ms')}, raw POP3 RETR pipelined ${formatValue(result.rawPop3 * 1000, 'ms')}, ` +
        `raw SELECT (QRESYNC) ${formatValue(result.rawResync, 'ms')}`,
    );
    // The next round starts from empty folders; these go at the end (see keptUntilTheEnd).
    keptUntilTheEnd(join(workDir, 'mbsync'), round);
    keptUntilTheEnd(join(workDir, 'fetchmail'), round);
    peerRounds.push(result);
  };

  const runLarge = async (round: number): Promise<void> => {
    log(`round ${round}: Twinbox on ${LARGE_MAILBOX.toLocaleString('en')} messages`);
    const instance = await TwinboxInstance.launch({
      outDir,
      dataDir: join(largeDir, 'data'),
      profileDir: join(largeDir, 'profile'),
      label: `100k-round${round}`,
      port: largePort,
      ...(options.profileDir ? { cpuProfileDir: options.profileDir } : {}),
    });
    try {
      // The web host keeps passwords for its session only: the same account is saved again each launch.
      const account = await instance.saveAccount(server(largeTarget), 'imap', largeAccountId);
      largeAccountId = account.id;
      await instance.open();
      const entry: Partial<LargeRound> = {};
      if (round === 1) {
        // Summaries only: what a resync compares and what search finds without bodies (subject, names, addresses).
        const first = await instance.imapFirstSync(account.id, false);
        expect(first.messages === LARGE_MAILBOX, `Twinbox cached ${first.messages} summaries of ${LARGE_MAILBOX}`);
        entry.firstSync = { summaries: first.summaries };
        log(`  first sync: first screen ${formatValue(first.firstScreen, 'ms')}, all summaries ${formatValue(first.summaries, 'ms')}`);
        // Their words are written by background indexing, which the app runs once the sync is over.
        const indexed = await instance.indexComplete(account.id);
        log(`  search index complete in ${formatValue(indexed.ms, 'ms')}`);
      }
      const resync = await instance.imapResync(account.id, RESYNCS_PER_ROUND);
      expect(resync.added === 0 && resync.vanished === 0 && resync.flagChanges === 0, `a no-change resync changed something: ${JSON.stringify(resync)}`);
      const search = await instance.search(account.id, SEARCH_QUERIES, SEARCH_REPEATS);
      const memory = instance.memory();
      const rawResync = await rawImapResync(largeTarget, RESYNCS_PER_ROUND);
      log(
        `  no-change resync ${resync.ms.map((ms) => formatValue(ms, 'ms')).join(', ')} (raw SELECT (QRESYNC) ${formatValue(median(rawResync), 'ms')}); ` +
          `search ${search.map((s) => `${s.query} ${formatValue(median(s.ms), 'ms')} (${s.found}${s.truncated ? '+' : ''})`).join(', ')}`,
      );
      largeRounds.push({ ...entry, resync: resync.ms, rawResync, search, memory });
    } finally {
      await instance.close();
    }
  };

  for (let round = 1; round <= options.rounds; round++) {
    // Alternate who goes first, so that neither always meets the warmer (or busier) machine.
    if (round % 2 === 1) {
      await runTwinbox(round);
      await runPeers(round);
    } else {
      await runPeers(round);
      await runTwinbox(round);
    }
    if (options.large) await runLarge(round);
  }
  machine.loadAverageAtEnd = loadavg();

  const rows = buildRows(options, twinboxRounds, peerRounds, largeRounds, seeded.bytes, readBaseline(options.baseline));
  const missing: Record<string, string> = {};
  if (!peers.mbsync) missing.mbsync = 'not installed';
  if (!peers.fetchmail) missing.fetchmail = 'not installed';
  const table = renderTable(rows, missing);
  const command = `npm run bench -- --messages ${options.messages} --rounds ${options.rounds}${options.large ? '' : ' --no-100k'}`;
  const versions = describeVersions(ROOT, CHROMIUM_PATH, {
    ...(peers.mbsync ? { mbsync: peers.mbsync.version } : {}),
    ...(peers.fetchmail ? { fetchmail: peers.fetchmail.version } : {}),
  });
  const notes = [
    `Medians of ${options.rounds} rounds; Twinbox and the peers alternate who goes first.`,
    `Main mailbox: ${describeSeed(seeded)}.`,
    ...(seededLarge
      ? [`Large mailbox: ${describeSeed(seededLarge)}; small messages, because a no-change resync costs the same whatever their size.`]
      : ['Large mailbox skipped (--no-100k).']),
    'Twinbox: the built main process (out/main/web.js) as a child, the built renderer in Chromium through the loopback host; times taken inside the page.',
    'All traffic over TLS (IMAPS, POP3S) on loopback; peers and Twinbox write to the same disk.',
    `CPU during the IMAP full sync (median per part): ${describeCpu(medianCpu(twinboxRounds.map((r) => r.cpu.imapFull)))}.`,
    `CPU during the POP3 full download (median per part): ${describeCpu(medianCpu(twinboxRounds.map((r) => r.cpu.pop3Full)))}.`,
    ...peers.missing.map((line) => `MISSING PEER: ${line}`),
  ];
  console.log(`\n${command}\n\n${table}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  writeFileSync(
    options.out,
    `${JSON.stringify(
      {
        command,
        date: new Date().toISOString(),
        options: { messages: options.messages, rounds: options.rounds, large: options.large ? LARGE_MAILBOX : null },
        machine,
        versions,
        seed: { seed: SEED, main: seeded, large: seededLarge ?? null },
        table,
        rows,
        notes,
        rounds: { twinbox: twinboxRounds, peers: peerRounds, large: largeRounds },
      },
      null,
      2,
    )}\n`,
  );
  log(`written to ${options.out}`);
}

function describeSeed(seed: SeedResult): string {
  return (
    `${seed.count.toLocaleString('en')} messages, ${(seed.bytes / 1e6).toFixed(1)} MB, ${seed.withAttachments} with attachments, ` +
    `${seed.replies} replies, ${seed.nonAsciiSubjects} non-ASCII subjects, ${seed.withDotLines} with lines starting with a dot (written in ${seed.seconds.toFixed(1)} s)`
  );
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`incomplete run: ${message}`);
}

/** Per-message costs from an earlier run's JSON, for the growth rows. */
interface Baseline {
  messages: number;
  imapPerMessage: number | undefined;
  pop3PerMessage: number | undefined;
}

function readBaseline(path: string | undefined): Baseline | undefined {
  if (path === undefined) return undefined;
  const json = JSON.parse(readFileSync(path, 'utf8')) as { options?: { messages?: number }; rows?: Row[] };
  const perMessage = (id: string): number | undefined => json.rows?.find((row) => row.id === id)?.twinbox;
  return { messages: json.options?.messages ?? 0, imapPerMessage: perMessage('imap-per-message'), pop3PerMessage: perMessage('pop3-per-message') };
}

function buildRows(options: Options, twinbox: TwinboxRound[], peers: PeerRound[], large: LargeRound[], mailboxBytes: number, baseline: Baseline | undefined): Row[] {
  const n = options.messages.toLocaleString('en');
  const seconds = (values: (number | undefined)[]): (number | undefined)[] => values.map((v) => (v === undefined ? undefined : v * 1000));
  const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
  const row = (partial: Omit<Row, 'twinbox'> & { twinbox?: number }): Row => ({ ...partial, twinbox: partial.twinbox ?? medianOf(partial.rounds) });
  const rows: Row[] = [];

  const firstScreen = row({ id: 'imap-first-screen', work: 'IMAP first screen (newest 50 in the cache)', unit: 'ms', rounds: twinbox.map((r) => r.firstScreen), goal: '< 300 ms' });
  firstScreen.met = firstScreen.twinbox === undefined ? undefined : firstScreen.twinbox < 300;
  rows.push(firstScreen);

  const summaries = row({ id: 'imap-summaries', work: `IMAP all ${n} summaries in the list`, unit: 'ms', rounds: twinbox.map((r) => r.summaries), goal: '< 2 s' });
  summaries.met = summaries.twinbox === undefined ? undefined : summaries.twinbox < 2000;
  rows.push(summaries);

  const mbsyncFull = medianOf(seconds(peers.map((p) => p.mbsyncFull)));
  const rawImap = medianOf(seconds(peers.map((p) => p.rawImap)));
  const full = row({ id: 'imap-full-sync', work: `IMAP full offline sync (${n} bodies)`, unit: 'ms', rounds: twinbox.map((r) => r.fullSync), mbsync: mbsyncFull, limit: rawImap, goal: '≤ 0.5× mbsync, ≤ 5× limit' });
  full.ratioPeer = ratio(full.twinbox, mbsyncFull);
  full.ratioLimit = ratio(full.twinbox, rawImap);
  full.met = full.ratioPeer === undefined || full.ratioLimit === undefined ? undefined : full.ratioPeer <= 0.5 && full.ratioLimit <= 5;
  rows.push(full);
  rows.push(row({ id: 'imap-index', work: `  search index complete after it (${n})`, unit: 'ms', rounds: twinbox.map((r) => r.imapIndex) }));

  const mbsyncResync = medianOf(seconds(peers.map((p) => medianOf(p.mbsyncResync ?? []))));
  const rawResync = medianOf(peers.map((p) => p.rawResync));
  const resync = row({ id: 'imap-resync', work: `IMAP no-change resync (${n})`, unit: 'ms', rounds: twinbox.map((r) => median(r.resync)), mbsync: mbsyncResync, limit: rawResync, goal: '< 50 ms' });
  resync.ratioPeer = ratio(resync.twinbox, mbsyncResync);
  resync.ratioLimit = ratio(resync.twinbox, rawResync);
  resync.met = resync.twinbox === undefined ? undefined : resync.twinbox < 50;
  rows.push(resync);

  if (options.large) {
    const largeRaw = medianOf(large.map((r) => median(r.rawResync)));
    const largeResync = row({
      id: 'imap-resync-100k',
      work: `IMAP no-change resync (${LARGE_MAILBOX.toLocaleString('en')})`,
      unit: 'ms',
      rounds: large.map((r) => median(r.resync)),
      limit: largeRaw,
      goal: '< 50 ms, flat (≤ 1.5× the row above)',
    });
    largeResync.ratioLimit = ratio(largeResync.twinbox, largeRaw);
    largeResync.met =
      largeResync.twinbox === undefined || resync.twinbox === undefined ? undefined : largeResync.twinbox < 50 && largeResync.twinbox <= 1.5 * resync.twinbox;
    rows.push(largeResync);
  }

  const fetchmailFull = medianOf(seconds(peers.map((p) => p.fetchmailFull)));
  const rawPop3 = medianOf(seconds(peers.map((p) => p.rawPop3)));
  const pop3 = row({
    id: 'pop3-full',
    work: `POP3 full download (${n} committed, flushed)`,
    unit: 'ms',
    rounds: twinbox.map((r) => r.pop3Full),
    fetchmail: fetchmailFull,
    limit: rawPop3,
    goal: '≤ 0.5× fetchmail',
  });
  pop3.ratioPeer = ratio(pop3.twinbox, fetchmailFull);
  pop3.ratioLimit = ratio(pop3.twinbox, rawPop3);
  pop3.met = pop3.ratioPeer === undefined ? undefined : pop3.ratioPeer <= 0.5;
  rows.push(pop3);
  rows.push(row({ id: 'pop3-index', work: `  search index complete after it (${n})`, unit: 'ms', rounds: twinbox.map((r) => r.pop3Index) }));
  const store = row({ id: 'store-size', work: `POP3 message store on disk (${n} files)`, unit: 'bytes', rounds: twinbox.map((r) => r.store.allocated), limit: mailboxBytes });
  store.ratioLimit = ratio(store.twinbox, mailboxBytes);
  rows.push(store);

  // How cost grows: time per message, to compare with a run at another --messages (--baseline).
  const perMessage = (values: number[]): (number | undefined)[] => values.map((ms) => (ms * 1000) / options.messages);
  const imapPer = row({ id: 'imap-per-message', work: 'IMAP full offline sync, per message', unit: 'µs', rounds: perMessage(twinbox.map((r) => r.fullSync)) });
  const pop3Per = row({ id: 'pop3-per-message', work: 'POP3 full download, per message', unit: 'µs', rounds: perMessage(twinbox.map((r) => r.pop3Full)) });
  rows.push(imapPer, pop3Per);
  if (baseline) {
    const at = baseline.messages.toLocaleString('en');
    for (const [id, current, before, what] of [
      ['imap-growth', imapPer.twinbox, baseline.imapPerMessage, 'IMAP full sync'],
      ['pop3-growth', pop3Per.twinbox, baseline.pop3PerMessage, 'POP3 download'],
    ] as const) {
      const grown = ratio(current, before);
      rows.push({ id, work: `${what}: per message at ${n} / at ${at}`, unit: 'ratio', twinbox: grown, rounds: [grown], goal: '≤ 1.2×', met: grown === undefined ? undefined : grown <= 1.2 });
    }
  }

  const fetchmailNoNew = medianOf(seconds(peers.map((p) => medianOf(p.fetchmailNoNewMail ?? []))));
  const noNew = row({ id: 'pop3-no-new-mail', work: `POP3 "no new mail" (${n} on the server)`, unit: 'ms', rounds: twinbox.map((r) => median(r.pop3NoNewMail)), fetchmail: fetchmailNoNew, goal: '< 100 ms' });
  noNew.ratioPeer = ratio(noNew.twinbox, fetchmailNoNew);
  noNew.met = noNew.twinbox === undefined ? undefined : noNew.twinbox < 100;
  rows.push(noNew);

  const open = row({ id: 'open-cached', work: 'open a cached message (median of 25)', unit: 'ms', rounds: twinbox.map((r) => median(r.open)), goal: '< 50 ms' });
  open.met = open.twinbox === undefined ? undefined : open.twinbox < 50;
  rows.push(open);

  const searchMedian = (search: TwinboxRound['search']): number | undefined => median(search.flatMap((s) => s.ms));
  rows.push(row({ id: 'search', work: `local search (${n}, ${SEARCH_QUERIES.length} queries)`, unit: 'ms', rounds: twinbox.map((r) => searchMedian(r.search)) }));
  if (options.large) {
    const largeSearch = row({ id: 'search-100k', work: `local search (${LARGE_MAILBOX.toLocaleString('en')}, ${SEARCH_QUERIES.length} queries)`, unit: 'ms', rounds: large.map((r) => searchMedian(r.search)), goal: '< 150 ms' });
    largeSearch.met = largeSearch.twinbox === undefined ? undefined : largeSearch.twinbox < 150;
    rows.push(largeSearch);
  }

  rows.push(row({ id: 'memory-main', work: 'peak memory, main process', unit: 'bytes', rounds: twinbox.map((r) => r.memory.main) }));
  rows.push(row({ id: 'memory-renderer', work: 'peak memory, renderer', unit: 'bytes', rounds: twinbox.map((r) => r.memory.renderer) }));
  const memory = row({ id: 'memory-total', work: 'peak memory, main + renderer', unit: 'bytes', rounds: twinbox.map((r) => r.memory.main + r.memory.renderer), goal: '< 300 MB' });
  memory.met = memory.twinbox === undefined ? undefined : memory.twinbox < 300 * 1024 * 1024;
  rows.push(memory);
  rows.push(row({ id: 'memory-idle', work: '  of which: both, page just opened', unit: 'bytes', rounds: twinbox.map((r) => r.memoryAfter.open.main + r.memoryAfter.open.renderer) }));
  rows.push(row({ id: 'memory-private', work: '  private (RssAnon) peaks, main + renderer', unit: 'bytes', rounds: twinbox.map((r) => r.memory.mainPrivate + r.memory.rendererPrivate) }));
  return rows;
}

try {
  await main();
} catch (error) {
  console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
