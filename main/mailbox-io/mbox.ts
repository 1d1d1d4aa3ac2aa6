/**
 * mbox, both ways. Written as mboxrd: every line of the message matching
 * /^>*From / gets one more ">", a "From " line (sender, asctime date in UTC)
 * goes before it, and one line end after it. Nothing else of the message is
 * touched: its bytes and line ends come back exactly.
 *
 * The line end after a message is what makes that exact. A message that ends
 * in a line end gets the blank line every mbox reader expects; one that does
 * not (a few in any large collection) gets a single line end, so that the
 * next "From " line follows a non-blank line. The reader takes off exactly one
 * line end before each "From " line, CRLF when the message's bytes end in CR
 * or CRLF (the writer adds CRLF then), LF otherwise.
 *
 * Read, a separator is a "From " line at the start of the file, after a blank
 * line, or shaped like a real one ("From sender weekday month day time year")
 * anywhere: mboxrd and mboxo both quote every "From " line inside a message,
 * and the blank-line rule keeps files from writers that did not from being
 * cut at a "From " that happens to start a line of text. mboxrd takes one ">"
 * off each /^>+From / line; mboxo cannot tell a quoted ">From" from one the
 * author wrote, so it is left as it is.
 */
import type { FileHandle } from 'node:fs/promises';
import type { SkipCause } from '../../shared/contract';
import { flagsFromHeaders } from './flags';
import { addressIn, headerFields } from './headers';
import { isBlank, linesOfBuffer, toBuffer } from './lines';
import type { Line } from './lines';

export type MboxQuoting = 'mboxrd' | 'mboxo';

export interface ReadMessage {
  kind: 'message';
  /** 1-based position in the file, counting skipped entries too. */
  index: number;
  /** Where its "From " line starts in the file, in bytes. */
  offset: number;
  raw: Buffer;
  flags: string[];
  internalDate?: Date;
  /** What identifies it to a person: the "From " line, a file name. */
  label?: string;
}

/** An entry that is no message, and why: a code the page words in the user's language. */
export interface SkippedEntry extends SkipCause {
  kind: 'skipped';
  index: number;
  offset: number;
  /** What identifies it to a person: the "From " line, a file name. */
  label?: string;
}

export type ReadEntry = ReadMessage | SkippedEntry;

/** A failure's own words, for a skip's `detail`: technical, in English, shown only as detail. */
export function errorDetail(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const CR = 0x0d;
const LF = 0x0a;
const FROM_ = Buffer.from('From ', 'latin1');
const GT = 0x3e;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** asctime, as "From " lines carry it; some writers put a zone before the year, and Thunderbird zero-pads the day. */
const ASCTIME = /(?:^|\s)(Sun|Mon|Tue|Wed|Thu|Fri|Sat)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-]\d{4}|[A-Z]{1,5})\s+)?(\d{4})\s*$/;
/** Beyond this an entry is skipped, not held in memory: no mail server takes messages near this size. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const FROM_LINE = /^From \S+\s+(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d{1,2}:\d{2}/;

// ---- writing ---------------------------------------------------------------------------

export function asctime(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${WEEKDAYS[date.getUTCDay()] ?? 'Sun'} ${MONTHS[date.getUTCMonth()] ?? 'Jan'} ${String(date.getUTCDate()).padStart(2, ' ')} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
}

/** The envelope sender: Return-Path, else From, else MAILER-DAEMON as other writers do. */
export function envelopeSender(raw: Buffer): string {
  const fields = headerFields(raw);
  for (const name of ['return-path', 'from']) {
    const address = fields.get(name)?.map(addressIn).find((found) => found !== undefined);
    // The sender is one word of the "From " line: anything that would split it is not an address to keep.
    if (address !== undefined && /^[\x21-\x7e]+$/.test(address)) return address;
  }
  return 'MAILER-DAEMON';
}

function startsWithQuotedFrom(line: Buffer): boolean {
  let i = 0;
  while (i < line.length && line[i] === GT) i++;
  return line.length - i >= FROM_.length && line.compare(FROM_, 0, FROM_.length, i, i + FROM_.length) === 0;
}

function endsWithCr(raw: Buffer): boolean {
  if (raw.length === 0) return false;
  const last = raw[raw.length - 1];
  return last === CR || (last === LF && raw.length > 1 && raw[raw.length - 2] === CR);
}

/** One message as an mboxrd entry: "From " line, the quoted message, and the line end after it. */
export function mboxrdEntry(message: Uint8Array, internalDate: Date): Buffer {
  const raw = toBuffer(message);
  const firstLine = raw.indexOf(LF);
  const crlf = firstLine > 0 && raw[firstLine - 1] === CR;
  const parts: Buffer[] = [Buffer.from(`From ${envelopeSender(raw)} ${asctime(internalDate)}${crlf ? '\r\n' : '\n'}`, 'latin1')];
  const quote = Buffer.from('>', 'latin1');
  let run = 0;
  let position = 0;
  for (const line of linesOfBuffer(raw)) {
    if (startsWithQuotedFrom(line)) {
      if (position > run) parts.push(raw.subarray(run, position));
      parts.push(quote);
      run = position;
    }
    position += line.length;
  }
  if (raw.length > run) parts.push(raw.subarray(run));
  parts.push(Buffer.from(endsWithCr(raw) ? '\r\n' : '\n', 'latin1'));
  return Buffer.concat(parts);
}

/** Appends mboxrd entries to an open file. */
export class MboxWriter {
  private position: number;

  constructor(
    private readonly file: FileHandle,
    start = 0,
  ) {
    this.position = start;
  }

  async write(message: Uint8Array, internalDate: Date): Promise<void> {
    const entry = mboxrdEntry(message, internalDate);
    let written = 0;
    while (written < entry.length) {
      const { bytesWritten } = await this.file.write(entry, written, entry.length - written, this.position + written);
      written += bytesWritten;
    }
    this.position += entry.length;
  }

  get bytes(): number {
    return this.position;
  }
}

// ---- reading ---------------------------------------------------------------------------

export function isFromLine(line: Buffer): boolean {
  return line.length >= FROM_.length && line.compare(FROM_, 0, FROM_.length, 0, FROM_.length) === 0;
}

/** The date of a "From " line, read as UTC (as this writer and most others put it). */
export function fromLineDate(line: string): Date | undefined {
  const match = ASCTIME.exec(line.replace(/\r?\n$/, ''));
  if (!match) return undefined;
  const [, , month, day, hours, minutes, seconds, zone, year] = match;
  let time = Date.UTC(Number(year), MONTHS.indexOf(month ?? ''), Number(day), Number(hours), Number(minutes), Number(seconds ?? '0'));
  if (zone !== undefined && /^[+-]\d{4}$/.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    time -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  return Number.isNaN(time) ? undefined : new Date(time);
}

function unquote(line: Buffer): Buffer {
  return line[0] === GT && startsWithQuotedFrom(line) ? line.subarray(1) : line;
}

/** Takes off the one line end the writer added: CRLF when the bytes before it end in CR, LF otherwise. */
function withoutSeparator(parts: Buffer[]): Buffer {
  const raw = Buffer.concat(parts);
  if (raw.length >= 2 && raw[raw.length - 2] === CR && raw[raw.length - 1] === LF) return raw.subarray(0, raw.length - 2);
  if (raw.length >= 1 && raw[raw.length - 1] === LF) return raw.subarray(0, raw.length - 1);
  return raw;
}

function labelOf(fromLine: Buffer): string {
  return fromLine.toString('latin1').replace(/\r?\n$/, '').slice(0, 200);
}

/**
 * The messages of an mbox, one at a time: only the message being read is in
 * memory. Malformed entries come out as `skipped` with the reason and where
 * they are, and reading goes on with the next.
 */
export async function* readMbox(lines: AsyncIterable<Line>, options: { quoting: MboxQuoting; maxMessageBytes?: number }): AsyncGenerator<ReadEntry> {
  const limit = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  let index = 0;
  let current: { fromLine: Buffer | undefined; offset: number; parts: Buffer[]; bytes: number } | undefined;
  let previousBlank = false;
  let first = true;

  const finish = (): ReadEntry | undefined => {
    if (!current) return undefined;
    const entry = current;
    current = undefined;
    index++;
    if (!entry.fromLine) {
      return {
        kind: 'skipped',
        index,
        offset: entry.offset,
        reason: 'not-mbox',
      };
    }
    const label = labelOf(entry.fromLine);
    if (entry.bytes > limit) return { kind: 'skipped', index, offset: entry.offset, reason: 'too-large', limitMb: Math.round(limit / 1024 / 1024), label };
    const raw = withoutSeparator(entry.parts);
    if (raw.length === 0 || raw.every((byte) => byte === LF || byte === CR || byte === 0x20 || byte === 0x09)) {
      return { kind: 'skipped', index, offset: entry.offset, reason: 'empty-message', label };
    }
    // A message without header fields is kept: collections hold such files on purpose, and its bytes are still mail to someone.
    const { flags, expunged } = flagsFromHeaders(headerFields(raw));
    if (expunged) return { kind: 'skipped', index, offset: entry.offset, reason: 'deleted-in-thunderbird', label };
    const internalDate = fromLineDate(label);
    return { kind: 'message', index, offset: entry.offset, raw, flags, label, ...(internalDate ? { internalDate } : {}) };
  };

  for await (const { bytes: line, offset } of lines) {
    const separator = isFromLine(line) && (first || previousBlank || FROM_LINE.test(line.toString('latin1')));
    if (separator) {
      const done = finish();
      if (done) yield done;
      current = { fromLine: line, offset, parts: [], bytes: 0 };
    } else {
      current ??= { fromLine: undefined, offset, parts: [], bytes: 0 };
      const kept = options.quoting === 'mboxrd' ? unquote(line) : line;
      current.bytes += kept.length;
      // Only what can still be a message is held: text before any "From " line, or past the limit, is counted and let go.
      if (current.fromLine === undefined || current.bytes > limit) current.parts = [];
      else current.parts.push(kept);
    }
    previousBlank = isBlank(line);
    first = false;
  }
  const done = finish();
  if (done) yield done;
}
