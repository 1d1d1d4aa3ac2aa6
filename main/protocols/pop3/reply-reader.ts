/**
 * POP3 reply framing on raw bytes (RFC 1939 section 3, RFC 2449, RFC 5034).
 *
 * POP3 does not say in a reply whether more lines follow: only the command
 * that was sent does (RETR, TOP, UIDL, LIST and CAPA answer +OK with a
 * multi-line body, everything else with one line). So the reader is told, in
 * order, which shape of reply each command sent will get, and it cuts the
 * incoming byte stream into replies accordingly. It works on Buffers and keeps
 * its state between reads, so a reply comes out the same whatever the network
 * split it into (a CR in one read and its LF in the next, the terminating
 * "." in one read and its CRLF in the next, and so on). Message bytes come out
 * exactly as the server stored them: dot-stuffing removed, 8-bit bytes
 * untouched, the final CRLF of the message kept.
 */
import { TwinboxError } from '../../../shared/errors';

/** What kind of reply a command gets: one status line, a status line and (after +OK) a body, or a SASL exchange step. */
export type ReplyShape = 'single' | 'multi' | 'sasl';

export interface Pop3Reply {
  /** `continue` is a SASL challenge ("+ data"), possible only for `sasl` replies. */
  status: 'ok' | 'err' | 'continue';
  /** The status line without its CRLF, decoded byte for byte (latin1). */
  line: string;
  /** The status line after "+OK ", "-ERR " or "+ ". */
  text: string;
  /** The body of a multi-line +OK reply: unstuffed, final CRLF kept, terminator removed. */
  body?: Buffer;
  /** Bytes this reply took on the wire, status line, body and terminator included. */
  wireBytes: number;
}

export interface ReplyLimits {
  /** Longest status line accepted (RFC 2449 allows 512 octets; servers stretch it). */
  maxStatusLineBytes: number;
  /** Largest multi-line body accepted; beyond it the server is not sending a message any more. */
  maxBodyBytes: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyLimits = {
  maxStatusLineBytes: 2048,
  maxBodyBytes: 1024 * 1024 * 1024,
};

interface Expectation {
  shape: ReplyShape;
  /** Longest line allowed in the body (listings like UIDL); undefined for messages, whose lines may be of any length. */
  maxBodyLineBytes: number | undefined;
}

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CR_ONLY = Buffer.from([CR]);

/** Where the body scanner stands between bytes; kept across reads. */
type BodyState =
  /** At the first byte of a line: a "." here is either stuffing or the terminator. */
  | 'line-start'
  /** A line began with "."; the next byte decides between stuffing and the terminator. */
  | 'dot'
  /** A line began with ".\r"; only "\n" completes the terminator. */
  | 'dot-cr'
  /** Inside a line. */
  | 'in-line';

/**
 * Cuts a POP3 server's byte stream into replies. Call `expect` once per
 * command sent (and once for the greeting), in the order sent, then `push`
 * every chunk read from the socket; `push` returns the replies it completed.
 * Throws a PROTOCOL_ERROR TwinboxError for bytes that are not POP3; the
 * reader is unusable afterwards (the connection must be dropped).
 */
export class Pop3ReplyReader {
  private readonly expectations: Expectation[] = [];
  private readonly limits: ReplyLimits;

  // Status line being collected.
  private statusParts: Buffer[] = [];
  private statusLength = 0;

  // Multi-line body being collected (set once a +OK status line for a multi-line reply is read).
  private inBody = false;
  private bodyStatus: { line: string; text: string } | undefined;
  private bodyParts: Buffer[] = [];
  private bodyLength = 0;
  private bodyState: BodyState = 'line-start';
  private previousWasCr = false;
  private lineLength = 0;

  private wireBytes = 0;
  private broken: TwinboxError | undefined;

  constructor(limits: Partial<ReplyLimits> = {}) {
    this.limits = { ...DEFAULT_REPLY_LIMITS, ...limits };
  }

  /** Announces the next reply's shape. `maxBodyLineBytes` bounds body lines of listings. */
  expect(shape: ReplyShape, maxBodyLineBytes?: number): void {
    this.expectations.push({ shape, maxBodyLineBytes });
  }

  /** Replies announced and not yet complete. */
  get pendingReplies(): number {
    return this.expectations.length;
  }

  /** True when bytes of an unfinished reply are held (e.g. anything after +OK to STLS). */
  get holdsPartialReply(): boolean {
    return this.statusLength > 0 || this.inBody;
  }

  /** Feeds one chunk; returns the replies it completed, in order. */
  push(chunk: Buffer): Pop3Reply[] {
    if (this.broken) throw this.broken;
    try {
      return this.consume(chunk);
    } catch (error) {
      this.broken = error instanceof TwinboxError ? error : new TwinboxError('PROTOCOL_ERROR', String(error), { cause: error });
      throw this.broken;
    }
  }

  private consume(chunk: Buffer): Pop3Reply[] {
    const replies: Pop3Reply[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const expectation = this.expectations[0];
      if (!expectation) {
        throw new TwinboxError('PROTOCOL_ERROR', `the server sent ${chunk.length - offset} bytes nobody asked for`);
      }
      const next = this.inBody ? this.readBody(chunk, offset, expectation) : this.readStatusLine(chunk, offset, expectation);
      if (next.reply) {
        this.expectations.shift();
        replies.push(next.reply);
      }
      offset = next.offset;
    }
    return replies;
  }

  private readStatusLine(chunk: Buffer, offset: number, expectation: Expectation): { offset: number; reply?: Pop3Reply } {
    const lf = chunk.indexOf(LF, offset);
    const end = lf === -1 ? chunk.length : lf + 1;
    const taken = end - offset;
    if (this.statusLength + taken > this.limits.maxStatusLineBytes) {
      throw new TwinboxError('PROTOCOL_ERROR', `the server sent a reply line longer than ${this.limits.maxStatusLineBytes} bytes`);
    }
    this.statusParts.push(chunk.subarray(offset, end));
    this.statusLength += taken;
    this.wireBytes += taken;
    if (lf === -1) return { offset: end };

    const raw = Buffer.concat(this.statusParts, this.statusLength);
    this.statusParts = [];
    this.statusLength = 0;
    // RFC 1939 wants CRLF; a bare LF costs nothing to accept here, unlike inside a message.
    const lineEnd = raw.length >= 2 && raw[raw.length - 2] === CR ? raw.length - 2 : raw.length - 1;
    const line = raw.toString('latin1', 0, lineEnd);
    const status = parseStatus(line, expectation.shape);
    if (status.status === 'ok' && expectation.shape === 'multi') {
      this.inBody = true;
      this.bodyStatus = { line, text: status.text };
      this.bodyState = 'line-start';
      this.previousWasCr = false;
      this.lineLength = 0;
      return { offset: end };
    }
    return { offset: end, reply: this.finish({ status: status.status, line, text: status.text }) };
  }

  /**
   * Scans body bytes. Runs of bytes that pass through unchanged are kept as
   * slices of the chunk (no copy); a run ends only where a stuffing dot is
   * dropped or the chunk ends, so a long message costs a few slices per read.
   */
  private readBody(chunk: Buffer, offset: number, expectation: Expectation): { offset: number; reply?: Pop3Reply } {
    const maxLine = expectation.maxBodyLineBytes;
    let i = offset;
    let runStart = offset;
    const flushRun = (until: number): void => {
      if (until > runStart) this.appendBody(chunk.subarray(runStart, until));
    };
    while (i < chunk.length) {
      switch (this.bodyState) {
        case 'line-start': {
          if (chunk[i] === DOT) {
            flushRun(i);
            i++;
            runStart = i;
            this.bodyState = 'dot';
            this.lineLength = 1;
          } else {
            this.bodyState = 'in-line';
            this.previousWasCr = false;
            this.lineLength = 0;
          }
          break;
        }
        case 'dot': {
          if (chunk[i] === CR) {
            // Held back: part of the terminator unless something other than LF follows.
            flushRun(i);
            i++;
            runStart = i;
            this.bodyState = 'dot-cr';
          } else {
            // A stuffing dot (RFC 1939: strip the first octet of a dot-led line that is not the terminator).
            this.bodyState = 'in-line';
            this.previousWasCr = false;
          }
          break;
        }
        case 'dot-cr': {
          if (chunk[i] === LF) {
            i++;
            this.wireBytes += i - offset;
            const status = this.bodyStatus ?? { line: '', text: '' };
            const body = Buffer.concat(this.bodyParts, this.bodyLength);
            this.inBody = false;
            this.bodyStatus = undefined;
            this.bodyParts = [];
            this.bodyLength = 0;
            return { offset: i, reply: this.finish({ status: 'ok', line: status.line, text: status.text, body }) };
          }
          // "." then CR then not LF: the dot was stuffing and the CR is content.
          this.appendBody(CR_ONLY);
          this.bodyState = 'in-line';
          this.previousWasCr = true;
          break;
        }
        case 'in-line': {
          const lf = chunk.indexOf(LF, i);
          const end = lf === -1 ? chunk.length : lf + 1;
          this.lineLength += end - i;
          if (maxLine !== undefined && this.lineLength > maxLine) {
            throw new TwinboxError('PROTOCOL_ERROR', `the server sent a listing line longer than ${maxLine} bytes`);
          }
          if (lf === -1) {
            this.previousWasCr = chunk[chunk.length - 1] === CR;
            i = chunk.length;
            break;
          }
          const endsLine = lf > i ? chunk[lf - 1] === CR : this.previousWasCr;
          i = end;
          this.previousWasCr = false;
          // A bare LF is content: lines end at CRLF only, so dot-stuffing is judged per CRLF line as the server applied it.
          if (endsLine) this.bodyState = 'line-start';
          break;
        }
      }
    }
    flushRun(i);
    this.wireBytes += i - offset;
    return { offset: i };
  }

  private appendBody(part: Buffer): void {
    this.bodyLength += part.length;
    if (this.bodyLength > this.limits.maxBodyBytes) {
      throw new TwinboxError('PROTOCOL_ERROR', `the server sent a reply larger than ${this.limits.maxBodyBytes} bytes`);
    }
    this.bodyParts.push(part);
  }

  private finish(reply: Omit<Pop3Reply, 'wireBytes'>): Pop3Reply {
    const wireBytes = this.wireBytes;
    this.wireBytes = 0;
    return { ...reply, wireBytes };
  }
}

function parseStatus(line: string, shape: ReplyShape): { status: Pop3Reply['status']; text: string } {
  const match = /^(\+OK|-ERR)(?: (.*)|)$/i.exec(line);
  if (match) return { status: match[1]?.toUpperCase() === '+OK' ? 'ok' : 'err', text: match[2] ?? '' };
  if (shape === 'sasl') {
    const challenge = /^\+(?: (.*)|)$/.exec(line);
    if (challenge) return { status: 'continue', text: challenge[1] ?? '' };
  }
  throw new TwinboxError('PROTOCOL_ERROR', `the server answered neither +OK nor -ERR: ${printable(line)}`);
}

/** A server line shortened and made safe to show in an error message. */
export function printable(line: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a message
  const clean = line.replace(/[\x00-\x1f\x7f-\xff]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 120)}...` : clean;
}
