/**
 * What people would use instead of Twinbox, run on the same mailbox and the
 * same disk: mbsync (isync) for IMAP, fetchmail for POP3, both from Debian's
 * packages, and the raw limits: one `UID FETCH 1:* (BODY.PEEK[])`, and every
 * POP3 RETR pipelined 100 in flight, both over TLS, reading the bytes and
 * throwing them away. Nothing here parses or stores mail: that is the point
 * of a limit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { killLater } from './cleanup';

export interface PeerTarget {
  host: string;
  imapsPort: number;
  pop3sPort: number;
  user: string;
  password: string;
  /** PEM of the server's certificate, trusted explicitly. */
  caPem: string;
  caFile: string;
  /** Name the certificate is issued to. */
  servername: string;
  /** Where the peers write (the same disk as Twinbox's profile). */
  workDir: string;
  messages: number;
}

export interface PeerTools {
  mbsync?: { path: string; version: string };
  fetchmail?: { path: string; version: string };
  /** One line per peer that is not installed, said plainly in the report. */
  missing: string[];
}

/** Finds the peers; a missing one is reported, and the rest still runs. */
export function findPeers(): PeerTools {
  const tools: PeerTools = { missing: [] };
  const mbsync = which('mbsync');
  if (mbsync) tools.mbsync = { path: mbsync, version: versionOf(mbsync, ['--version']).replace(/^isync\s+/i, '') };
  else tools.missing.push('mbsync (isync) is not installed: apt-get install isync; its rows show "missing"');
  const fetchmail = which('fetchmail');
  if (fetchmail) {
    const line = versionOf(fetchmail, ['--version']).split('\n').find((l) => /release/i.test(l)) ?? '';
    tools.fetchmail = { path: fetchmail, version: /release\s+(\S+?)(\+|\s|$)/.exec(line)?.[1] ?? line.trim() };
  } else tools.missing.push('fetchmail is not installed: apt-get install fetchmail; its rows show "missing"');
  return tools;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

function versionOf(path: string, args: string[]): string {
  try {
    return execFileSync(path, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    // fetchmail --version exits non-zero when it finds no configuration; its output is still the version.
    const output = error as { stdout?: string; stderr?: string };
    return `${output.stdout ?? ''}${output.stderr ?? ''}`.trim();
  }
}

// ---- running a peer -------------------------------------------------------------------

interface RunResult {
  seconds: number;
  code: number | null;
  output: string;
}

async function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const release = killLater(child, command);
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  const seconds = (performance.now() - started) / 1000;
  await release();
  return { seconds, code, output };
}

/** mbsync into a Maildir of its own on the benchmark's disk, pulling INBOX. */
export class Mbsync {
  private readonly dir: string;
  private readonly config: string;

  constructor(
    private readonly tool: { path: string },
    private readonly target: PeerTarget,
    name = 'mbsync',
  ) {
    this.dir = join(target.workDir, name);
    this.config = join(this.dir, 'mbsyncrc');
  }

  /** A fresh Maildir and no sync state: everything is downloaded (and fsynced, mbsync's default). */
  async full(): Promise<number> {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(join(this.dir, 'mail'), { recursive: true });
    writeFileSync(this.config, this.configText(), { mode: 0o600 });
    const result = await this.run();
    const count = this.countMessages();
    if (count !== this.target.messages) throw new Error(`mbsync stored ${count} of ${this.target.messages} messages:\n${result.output}`);
    return result.seconds;
  }

  /** Again, with nothing changed on the server. */
  async resync(): Promise<number> {
    return (await this.run()).seconds;
  }

  private async run(): Promise<RunResult> {
    const result = await timed(this.tool.path, ['-c', this.config, '-q', 'bench']);
    if (result.code !== 0) throw new Error(`mbsync exited with ${result.code}:\n${result.output}`);
    return result;
  }

  private countMessages(): number {
    const inbox = join(this.dir, 'mail', 'INBOX');
    return ['cur', 'new'].reduce((sum, sub) => sum + (existsSync(join(inbox, sub)) ? readdirSync(join(inbox, sub)).length : 0), 0);
  }

  private configText(): string {
    const t = this.target;
    return [
      'IMAPAccount bench',
      // isync matches the certificate against a host name only (not an IP address), and the certificate names localhost.
      `Host ${t.servername}`,
      `Port ${t.imapsPort}`,
      `User ${t.user}`,
      `Pass ${t.password}`,
      'SSLType IMAPS',
      `CertificateFile ${t.caFile}`,
      '',
      'IMAPStore remote',
      'Account bench',
      '',
      'MaildirStore local',
      `Path ${join(this.dir, 'mail')}/`,
      `Inbox ${join(this.dir, 'mail', 'INBOX')}`,
      'SubFolders Verbatim',
      '',
      'Channel bench',
      'Far :remote:',
      'Near :local:',
      'Patterns INBOX',
      'Create Near',
      'Sync Pull',
      'Expunge None',
      'SyncState *',
      '',
    ].join('\n');
  }
}

/** fetchmail in keep mode, UIDL-tracked, writing BSMTP to a file on the benchmark's disk. */
export class Fetchmail {
  private readonly dir: string;

  constructor(
    private readonly tool: { path: string },
    private readonly target: PeerTarget,
  ) {
    this.dir = join(target.workDir, 'fetchmail');
  }

  /** Every message downloaded and kept on the server, from a fresh UIDL list. */
  async full(): Promise<number> {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    const rc = join(this.dir, 'fetchmailrc');
    const t = this.target;
    writeFileSync(
      rc,
      [
        'set no bouncemail',
        // By the certificate's name, which fetchmail checks (it does not match IP addresses).
        `poll ${t.servername} with proto POP3 port ${t.pop3sPort} uidl`,
        `  user "${t.user}" there with password "${t.password}" is "root" here`,
        `  options keep ssl sslcertck sslcertfile "${t.caFile}"`,
        `  bsmtp "${join(this.dir, 'mail.bsmtp')}"`,
        '',
      ].join('\n'),
    );
    // fetchmail refuses a run-control file others could read.
    chmodSync(rc, 0o600);
    const result = await this.run(0);
    const delivered = countLinesStarting(readFileSync(join(this.dir, 'mail.bsmtp')), 'MAIL FROM:');
    if (delivered !== t.messages) throw new Error(`fetchmail delivered ${delivered} of ${t.messages} messages:\n${result.output}`);
    return result.seconds;
  }

  /** Again: every message is still on the server and in its UIDL list, so nothing is downloaded. */
  async noNewMail(): Promise<number> {
    return (await this.run(1)).seconds;
  }

  private async run(expected: number): Promise<RunResult> {
    const rc = join(this.dir, 'fetchmailrc');
    // FETCHMAILHOME keeps its lock and UIDL files here, apart from any other fetchmail on the machine.
    const result = await timed(this.tool.path, ['-f', rc, '--idfile', join(this.dir, 'fetchids'), '--nosyslog', '-s'], {
      ...process.env,
      FETCHMAILHOME: this.dir,
    });
    // 0: mail retrieved; 1: no mail. Anything else is a failure.
    if (result.code !== expected) throw new Error(`fetchmail exited with ${result.code}, expected ${expected}:\n${result.output}`);
    return result;
  }
}

// ---- the raw limits ------------------------------------------------------------------------

function openTls(target: PeerTarget, port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port, ca: target.caPem, servername: target.servername });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * A bare IMAP session over TLS: commands in, lines out. Literals are skipped
 * by their announced length, never scanned or kept, so reading a whole
 * mailbox costs what the server and the connection cost, nothing more.
 */
class RawImap {
  private literal = 0;
  private partial: Buffer[] = [];
  private lines: string[] = [];
  private waiter: { tag: string; resolve: (lines: string[]) => void; reject: (error: Error) => void } | undefined;
  private next = 1;
  /** Message bytes received in literals, and FETCH responses, since the last reset. */
  literalBytes = 0;
  fetches = 0;

  private constructor(private readonly socket: TLSSocket) {}

  static async open(target: PeerTarget): Promise<RawImap> {
    const socket = await openTls(target, target.imapsPort);
    const session = new RawImap(socket);
    const greeting = new Promise<void>((resolve, reject) => {
      session.waiter = { tag: '*', resolve: () => resolve(), reject };
    });
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.once('close', () => session.waiter?.reject(new Error('IMAP: the server closed the connection')));
    await greeting;
    await session.command(`LOGIN ${quote(target.user)} ${quote(target.password)}`);
    return session;
  }

  /** Sends one command; resolves with its untagged lines at the tagged OK. */
  command(text: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const tag = `B${this.next++}`;
      this.lines = [];
      this.waiter = { tag, resolve, reject };
      this.socket.write(`${tag} ${text}\r\n`);
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    let position = 0;
    while (position < chunk.length) {
      if (this.literal > 0) {
        const take = Math.min(this.literal, chunk.length - position);
        this.literal -= take;
        this.literalBytes += take;
        position += take;
        continue;
      }
      const newline = chunk.indexOf(10, position);
      if (newline < 0) {
        this.partial.push(chunk.subarray(position));
        break;
      }
      this.partial.push(chunk.subarray(position, newline + 1));
      position = newline + 1;
      const line = Buffer.concat(this.partial).toString('latin1');
      this.partial = [];
      const announced = /\{(\d+)\}\r\n$/.exec(line);
      if (announced) this.literal = Number(announced[1]);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const waiter = this.waiter;
    if (waiter?.tag === '*') {
      // The greeting.
      this.waiter = undefined;
      if (line.startsWith('* OK')) waiter.resolve([]);
      else waiter.reject(new Error(`IMAP greeting: ${line.trim()}`));
      return;
    }
    if (line.startsWith('* ')) {
      if (line.includes(' FETCH ')) this.fetches++;
      // Lines that carry a literal are counted, not kept: they may be a message's first line.
      else this.lines.push(line.trim());
      return;
    }
    if (waiter && line.startsWith(`${waiter.tag} `)) {
      this.waiter = undefined;
      if (line.startsWith(`${waiter.tag} OK`)) waiter.resolve(this.lines);
      else waiter.reject(new Error(`IMAP: ${line.trim()}`));
    }
  }
}

/**
 * One `UID FETCH 1:* (BODY.PEEK[])` over TLS (or other items: the warm-up
 * asks for what a summary needs), from connecting to the tagged OK.
 */
export async function rawImapFetchAll(target: PeerTarget, items = 'BODY.PEEK[]'): Promise<{ seconds: number; messages: number; bytes: number }> {
  const started = performance.now();
  const session = await RawImap.open(target);
  try {
    await session.command('SELECT INBOX');
    session.fetches = 0;
    session.literalBytes = 0;
    await session.command(`UID FETCH 1:* (${items})`);
    const seconds = (performance.now() - started) / 1000;
    if (session.fetches !== target.messages) throw new Error(`raw IMAP fetch returned ${session.fetches} of ${target.messages} messages`);
    return { seconds, messages: session.fetches, bytes: session.literalBytes };
  } finally {
    session.close();
  }
}

/**
 * The least a no-change resync can cost: on a logged-in connection, one
 * `SELECT INBOX (QRESYNC (uidvalidity highestmodseq))` (RFC 7162), which
 * reports every change since, here none. Milliseconds, `times` times.
 */
export async function rawImapResync(target: PeerTarget, times: number): Promise<number[]> {
  const session = await RawImap.open(target);
  try {
    await session.command('ENABLE QRESYNC');
    const selected = await session.command('SELECT INBOX');
    const uidValidity = selected.map((line) => /\[UIDVALIDITY (\d+)\]/.exec(line)?.[1]).find((v) => v !== undefined);
    const modseq = selected.map((line) => /\[HIGHESTMODSEQ (\d+)\]/.exec(line)?.[1]).find((v) => v !== undefined);
    if (uidValidity === undefined || modseq === undefined) throw new Error('the server reported no UIDVALIDITY or HIGHESTMODSEQ');
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      const lines = await session.command(`SELECT INBOX (QRESYNC (${uidValidity} ${modseq}))`);
      ms.push(performance.now() - started);
      if (lines.some((line) => line.includes('VANISHED')) || session.fetches > 0) throw new Error('the mailbox changed during a no-change resync');
    }
    return ms;
  } finally {
    session.close();
  }
}

function quote(text: string): string {
  return `"${text.replace(/(["\\])/g, '\\$1')}"`;
}

const TERMINATOR = Buffer.from('\r\n.\r\n');

/**
 * Every message by RETR over TLS, 100 commands in flight (pipelining, RFC
 * 2449): login to the last message's terminating line. Replies are found by
 * their terminator alone (dot-stuffed lines cannot look like it).
 */
export async function rawPop3RetrAll(target: PeerTarget, inFlight = 100): Promise<{ seconds: number; messages: number; bytes: number }> {
  const started = performance.now();
  const socket = await openTls(target, target.pop3sPort);
  try {
    let lineWaiter: ((line: string) => void) | undefined;
    let lineBuffer = '';
    let retrieving: ((chunk: Buffer) => void) | undefined;
    socket.on('data', (chunk: Buffer) => {
      if (retrieving) {
        retrieving(chunk);
        return;
      }
      lineBuffer += chunk.toString('latin1');
      const end = lineBuffer.indexOf('\r\n');
      if (end >= 0 && lineWaiter) {
        const line = lineBuffer.slice(0, end);
        lineBuffer = lineBuffer.slice(end + 2);
        const waiter = lineWaiter;
        lineWaiter = undefined;
        waiter(line);
      }
    });
    const reply = (command?: string): Promise<string> =>
      new Promise((resolve, reject) => {
        lineWaiter = (line) => (line.startsWith('+OK') ? resolve(line) : reject(new Error(`POP3: ${command ?? 'greeting'}: ${line}`)));
        if (command !== undefined) socket.write(`${command}\r\n`);
      });
    await reply();
    await reply(`USER ${target.user}`);
    await reply(`PASS ${target.password}`);
    const stat = await reply('STAT');
    const count = Number(stat.split(' ')[1]);
    if (count !== target.messages) throw new Error(`POP3 STAT says ${count}, expected ${target.messages}`);
    let bytes = 0;
    let done = 0;
    let sent = 0;
    await new Promise<void>((resolve) => {
      let carry = Buffer.alloc(0);
      const sendMore = (): void => {
        let commands = '';
        while (sent < count && sent - done < inFlight) commands += `RETR ${++sent}\r\n`;
        if (commands !== '') socket.write(commands);
      };
      retrieving = (chunk) => {
        bytes += chunk.length;
        // The last four bytes of the previous chunk may begin a terminator.
        const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
        let from = 0;
        for (;;) {
          const found = data.indexOf(TERMINATOR, from);
          if (found < 0) break;
          done++;
          from = found + TERMINATOR.length;
        }
        carry = Buffer.from(data.subarray(Math.max(from, data.length - (TERMINATOR.length - 1))));
        if (done >= count) resolve();
        else sendMore();
      };
      sendMore();
    });
    const seconds = (performance.now() - started) / 1000;
    retrieving = undefined;
    socket.write('QUIT\r\n');
    return { seconds, messages: done, bytes };
  } finally {
    socket.end();
    socket.destroy();
  }
}

/** Lines of `bytes` that start with `prefix`, counted in the bytes: 100,000 messages make a file too large for one string. */
function countLinesStarting(bytes: Buffer, prefix: string): number {
  let count = bytes.subarray(0, prefix.length).toString('latin1') === prefix ? 1 : 0;
  const needle = Buffer.from(`\n${prefix}`, 'latin1');
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + needle.length)) count++;
  return count;
}
