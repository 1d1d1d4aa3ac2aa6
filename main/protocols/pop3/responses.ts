/**
 * What POP3 replies mean: capability lists (RFC 2449), maildrop listings
 * (STAT, LIST, UIDL), and the response codes a -ERR may carry, turned into
 * the error codes a user sees. Pure functions over replies the reader framed.
 */
import { TwinboxError } from '../../../shared/errors';
import type { ErrorCode } from '../../../shared/errors';
import { printable } from './reply-reader';
import type { Pop3Reply } from './reply-reader';

/** Longest line accepted in CAPA, LIST and UIDL listings (RFC 1939 keeps a UIDL to 70 characters; some servers stretch it). */
export const MAX_LISTING_LINE_BYTES = 1024;

/** A server's CAPA reply, upper-cased tags with their arguments. */
export class Pop3Capabilities {
  private readonly tags: Map<string, string[]>;

  private constructor(tags: Map<string, string[]>) {
    this.tags = tags;
  }

  /** Parses the body of a +OK reply to CAPA. Unknown tags are kept; empty lines are ignored. */
  static parse(body: Buffer): Pop3Capabilities {
    const tags = new Map<string, string[]>();
    for (const line of body.toString('latin1').split('\r\n')) {
      const words = line.trim().split(/\s+/).filter((word) => word !== '');
      const [tag, ...args] = words;
      if (tag === undefined) continue;
      tags.set(tag.toUpperCase(), args);
    }
    return new Pop3Capabilities(tags);
  }

  /** Whether the server announced `tag` (case-insensitive). */
  has(tag: string): boolean {
    return this.tags.has(tag.toUpperCase());
  }

  /** Arguments of a tag (e.g. the mechanisms after SASL), or [] when absent. */
  argumentsOf(tag: string): string[] {
    return this.tags.get(tag.toUpperCase()) ?? [];
  }

  /** The SASL mechanisms offered, upper-cased. */
  get saslMechanisms(): string[] {
    return this.argumentsOf('SASL').map((mechanism) => mechanism.toUpperCase());
  }

  /** Every tag, for the protocol log and tests. */
  get names(): string[] {
    return [...this.tags.keys()];
  }
}

/** One message in the maildrop as this session numbers it. */
export interface MaildropEntry {
  /** The message number, valid only within the session that listed it. */
  number: number;
  /** The unique id that stays the same across sessions. */
  uidl: string;
  /** Size in octets as LIST reports it. */
  size: number;
}

/** Parses a +OK reply to STAT ("+OK count octets"). */
export function parseStat(reply: Pop3Reply): { count: number; size: number } {
  const match = /^(\d+) (\d+)(?: |$)/.exec(reply.text);
  if (!match) throw new TwinboxError('PROTOCOL_ERROR', `the server's STAT reply has no counts: ${printable(reply.line)}`);
  return { count: Number(match[1]), size: Number(match[2]) };
}

/** Parses the body of a multi-line LIST reply into sizes by message number. */
export function parseList(body: Buffer): Map<number, number> {
  return parseNumberedListing(body, 'LIST', /^(\d+)$/, (value) => Number(value));
}

/**
 * Parses the body of a multi-line UIDL reply into UIDLs by message number.
 * RFC 1939 allows printable ASCII only and requires each UIDL to be unique in
 * the maildrop; a listing that breaks either could make a deletion hit the
 * wrong message, so it is refused.
 */
export function parseUidl(body: Buffer): Map<number, string> {
  const uidls = parseNumberedListing(body, 'UIDL', /^[\x21-\x7e]{1,255}$/, (value) => value);
  const seen = new Set<string>();
  for (const uidl of uidls.values()) {
    if (seen.has(uidl)) throw new TwinboxError('PROTOCOL_ERROR', `the server listed the UIDL ${printable(uidl)} twice`);
    seen.add(uidl);
  }
  return uidls;
}

function parseNumberedListing<T>(body: Buffer, command: string, valuePattern: RegExp, convert: (value: string) => T): Map<number, T> {
  const entries = new Map<number, T>();
  for (const line of body.toString('latin1').split('\r\n')) {
    if (line === '') continue;
    const match = /^(\d+) +(\S+)(?: .*)?$/.exec(line);
    const number = Number(match?.[1]);
    const value = match?.[2];
    if (value === undefined || !Number.isSafeInteger(number) || number < 1 || !valuePattern.test(value)) {
      throw new TwinboxError('PROTOCOL_ERROR', `the server's ${command} listing has a line Twinbox cannot read: ${printable(line)}`);
    }
    if (entries.has(number)) throw new TwinboxError('PROTOCOL_ERROR', `the server's ${command} listing names message ${number} twice`);
    entries.set(number, convert(value));
  }
  return entries;
}

/** Joins UIDL and LIST of one session into maildrop entries, in message-number order. */
export function joinListings(uidls: Map<number, string>, sizes: Map<number, number>): MaildropEntry[] {
  if (uidls.size !== sizes.size) {
    throw new TwinboxError('PROTOCOL_ERROR', `the server listed ${uidls.size} UIDLs but ${sizes.size} message sizes`);
  }
  const entries: MaildropEntry[] = [];
  for (const [number, uidl] of uidls) {
    const size = sizes.get(number);
    if (size === undefined) throw new TwinboxError('PROTOCOL_ERROR', `the server listed a UIDL for message ${number} but no size`);
    entries.push({ number, uidl, size });
  }
  return entries.sort((a, b) => a.number - b.number);
}

/** The RFC 2449 / RFC 3206 response code of a reply ("[SYS/TEMP] ..." gives "SYS/TEMP"), upper-cased. */
export function responseCodeOf(reply: Pop3Reply): string | undefined {
  return /^\[([^\]\s]+)\]/.exec(reply.text)?.[1]?.toUpperCase();
}

/**
 * Response codes that name a cause the user can act on. POP3 has no code for
 * "busy": a mailbox locked by another client ([IN-USE]), a login refused for
 * now ([LOGIN-DELAY]) and a temporary server failure ([SYS/TEMP]) all mean
 * "try again later", which is what TIMEOUT tells the user and the scheduler.
 */
const RESPONSE_CODES: Record<string, ErrorCode> = {
  AUTH: 'AUTH_FAILED',
  'IN-USE': 'TIMEOUT',
  'LOGIN-DELAY': 'TIMEOUT',
  'SYS/TEMP': 'TIMEOUT',
};

/**
 * The error a -ERR reply stands for: its response code when it has one the
 * user can act on, otherwise `fallback` (what -ERR means for the command that
 * was sent: AUTH_FAILED after PASS, MESSAGE_GONE after RETR, and so on). The
 * server's text goes into the detail for the protocol log.
 */
export function errorForReply(reply: Pop3Reply, fallback: ErrorCode, doing: string): TwinboxError {
  const code = codeForResponse(responseCodeOf(reply)) ?? fallback;
  return new TwinboxError(code, `${doing}: the server answered ${printable(reply.line)}`);
}

/** Response codes are hierarchical (RFC 2449 section 8): "SYS/TEMP/DISK" falls back to "SYS/TEMP", then "SYS". */
function codeForResponse(responseCode: string | undefined): ErrorCode | undefined {
  const parts = responseCode?.split('/') ?? [];
  for (let length = parts.length; length > 0; length--) {
    const code = RESPONSE_CODES[parts.slice(0, length).join('/')];
    if (code) return code;
  }
  return undefined;
}
