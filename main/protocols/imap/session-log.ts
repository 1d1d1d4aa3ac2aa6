/**
 * The logger handed to imapflow. It does two jobs:
 *
 * - The protocol log: with `logRaw`, imapflow reports every chunk written to
 *   and read from the socket (after TLS, before parsing; COMPRESS is off, so
 *   these are the protocol's own bytes). A framer per direction cuts each
 *   stream into commands and replies and emits one line each, with the true
 *   byte count; literals (message bodies, APPEND data) are counted but
 *   summarised as `{N bytes}`. Frames of LOGIN and AUTHENTICATE reach us only
 *   as a placeholder, so their text is imapflow's masked rendering of the
 *   command and their size comes from its byte counter.
 * - Errors imapflow swallows: many of its commands log a failure and resolve
 *   `false`, so the last logged error is kept to tell the user why.
 */
import type { Logger } from 'imapflow';
import type { ProtocolLogLine } from '../../../shared/model';

/** One command or reply on the wire. */
export interface WireMessage {
  text: string;
  bytes: number;
}

/** How much of a message's text a log line keeps; the byte count is always the whole. */
const TEXT_LIMIT_BYTES = 240;
/** A literal announcement ends its line: `{123}`, `{123+}` (LITERAL+), `~{123}` (BINARY). */
const LITERAL_AT_LINE_END = /~?\{(\d+)\+?\}\r?\n$/;
const LITERAL_MARKER = /~?\{(\d+)\+?\}\r?\n/g;

/**
 * Cuts one direction of an IMAP byte stream into messages: a line, and when
 * it ends in a literal announcement, the literal's bytes and the line that
 * continues after it, until a line ends without one (RFC 9051 section 2.2).
 */
export class WireFramer {
  private textBytes: Buffer[] = [];
  private textLength = 0;
  private truncated = false;
  private bytes = 0;
  private literalRemaining = 0;
  private lineTail = '';
  private inMessage = false;

  constructor(private readonly emit: (message: WireMessage) => void) {}

  /** True between the first byte of a message and its final line end. */
  get midMessage(): boolean {
    return this.inMessage;
  }

  /** Takes the next bytes of the stream, split anywhere; emits each message once its last line ends. */
  push(chunk: Uint8Array): void {
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let offset = 0;
    while (offset < data.length) {
      this.inMessage = true;
      if (this.literalRemaining > 0) {
        const take = Math.min(this.literalRemaining, data.length - offset);
        this.literalRemaining -= take;
        this.bytes += take;
        offset += take;
        continue;
      }
      const newline = data.indexOf(0x0a, offset);
      const end = newline < 0 ? data.length : newline + 1;
      const piece = data.subarray(offset, end);
      this.bytes += piece.length;
      this.keepText(piece);
      this.lineTail = (this.lineTail + piece.subarray(Math.max(0, piece.length - 32)).toString('latin1')).slice(-32);
      offset = end;
      if (newline >= 0) this.endOfLine();
    }
  }

  private keepText(piece: Buffer): void {
    const room = TEXT_LIMIT_BYTES - this.textLength;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = piece.length > room ? piece.subarray(0, room) : piece;
    if (kept.length < piece.length) this.truncated = true;
    this.textBytes.push(Buffer.from(kept));
    this.textLength += kept.length;
  }

  private endOfLine(): void {
    const literal = LITERAL_AT_LINE_END.exec(this.lineTail);
    this.lineTail = '';
    if (literal) {
      this.literalRemaining = Number(literal[1]);
      return;
    }
    let text = Buffer.concat(this.textBytes)
      .toString('utf8')
      .replace(LITERAL_MARKER, (_marker, size: string) => `{${size} bytes}`)
      .replace(/\r?\n$/, '')
      .replace(/[\r\n]+/g, ' ');
    if (this.truncated) text += '…';
    const bytes = this.bytes;
    this.textBytes = [];
    this.textLength = 0;
    this.truncated = false;
    this.bytes = 0;
    this.inMessage = false;
    this.emit({ text, bytes });
  }
}

/** An imapflow Logger that also answers which levels it wants, so imapflow skips building the rest. */
export type LevelAwareLogger = Logger & { isLevelEnabled(level: string): boolean };

export interface SessionLog {
  readonly logger: LevelAwareLogger;
  /** Whether imapflow should report raw socket traffic (only when someone reads the protocol log). */
  readonly wantsRaw: boolean;
  /** Gives the log the byte counter of the connection it serves (imapflow creates the connection after the logger). */
  attach(connection: { stats(): { sent: number; received: number } }): void;
  /** How many failures imapflow has logged so far; pass it to `errorSince`. */
  errorMark(): number;
  /** The newest failure imapflow logged after `mark`, if any. */
  errorSince(mark: number): unknown;
}

interface LogEntry {
  src?: unknown;
  msg?: unknown;
  data?: unknown;
  hidden?: unknown;
  err?: unknown;
}

/** The logger for one connection of one account. */
export function createSessionLog(accountId: string, log: ((line: ProtocolLogLine) => void) | undefined): SessionLog {
  let connection: { stats(): { sent: number } } | undefined;
  let errorCount = 0;
  let lastError: unknown;
  let pendingCommandText: string | undefined;
  let hiddenFrame: { text: string; sentBefore: number } | undefined;

  const write = (direction: 'in' | 'out', message: WireMessage): void => {
    if (!log) return;
    try {
      log({ accountId, protocol: 'imap', direction, text: message.text, bytes: message.bytes, at: Date.now() });
    } catch {
      // A failing listener must not break the connection it listens to.
    }
  };
  const outgoing = new WireFramer((message) => write('out', message));
  const incoming = new WireFramer((message) => write('in', message));

  const flushHiddenFrame = (): void => {
    if (!hiddenFrame) return;
    const sent = connection?.stats().sent ?? hiddenFrame.sentBefore;
    write('out', { text: hiddenFrame.text, bytes: Math.max(0, sent - hiddenFrame.sentBefore) });
    hiddenFrame = undefined;
  };

  const onTrace = (entry: LogEntry): void => {
    if (entry.msg === 'read from socket' && typeof entry.data === 'string') {
      incoming.push(Buffer.from(entry.data, 'base64'));
      return;
    }
    if (entry.msg !== 'write to socket') return;
    if (entry.hidden === true) {
      // imapflow counts the frame right after this call: read the counter once the write is done.
      if (hiddenFrame) return;
      // A command line ("2 LOGIN ...") is shown as imapflow masked it; a SASL continuation not at all.
      const masked = pendingCommandText;
      const text = masked !== undefined && !outgoing.midMessage && /^\S+ [A-Za-z]/.test(masked) ? masked : '(credentials hidden)';
      pendingCommandText = undefined;
      hiddenFrame = { text, sentBefore: connection?.stats().sent ?? 0 };
      queueMicrotask(flushHiddenFrame);
      return;
    }
    if (typeof entry.data !== 'string') return;
    if (!outgoing.midMessage) pendingCommandText = undefined;
    outgoing.push(Buffer.from(entry.data, 'base64'));
  };

  const onFailure = (entry: unknown): void => {
    const err = (entry as LogEntry | null)?.err;
    if (err === undefined) return;
    errorCount++;
    lastError = err;
  };

  const logger: LevelAwareLogger = {
    trace: (entry: LogEntry) => onTrace(entry),
    debug: (entry: LogEntry) => {
      // The masked rendering of the command about to be written (passwords as "(* value hidden *)").
      if (entry.src === 'c' && typeof entry.msg === 'string') pendingCommandText = entry.msg;
    },
    info: () => undefined,
    warn: onFailure,
    error: onFailure,
    fatal: onFailure,
    // Debug only when logging: imapflow then renders each command once, which gives the masked
    // text of credential frames. Trace stays off so it does not also render every FETCH reply.
    isLevelEnabled: (level: string) => level === 'warn' || level === 'error' || level === 'fatal' || (log !== undefined && level === 'debug'),
  };

  return {
    logger,
    wantsRaw: log !== undefined,
    attach(target) {
      connection = target;
    },
    errorMark: () => errorCount,
    errorSince: (mark) => (errorCount > mark ? lastError : undefined),
  };
}
