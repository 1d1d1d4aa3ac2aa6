import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linesOf, linesOfFile } from './lines';
import { asctime, fromLineDate, mboxrdEntry, MboxWriter, readMbox } from './mbox';
import type { MboxQuoting, ReadEntry, ReadMessage } from './mbox';

const DATE = new Date('2026-12-05T05:05:31Z');

function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

async function read(bytes: Buffer | string, quoting: MboxQuoting = 'mboxrd', chunkSize = 7): Promise<ReadEntry[]> {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  const entries: ReadEntry[] = [];
  for await (const entry of readMbox(linesOf(chunked(buffer, chunkSize)), { quoting })) entries.push(entry);
  return entries;
}

function messages(entries: ReadEntry[]): ReadMessage[] {
  return entries.filter((entry): entry is ReadMessage => entry.kind === 'message');
}

function reasonOf(entry: ReadEntry | undefined): string {
  return entry?.kind === 'skipped' ? entry.reason : '';
}

function mbox(...raws: string[]): Buffer {
  return Buffer.concat(raws.map((raw) => mboxrdEntry(Buffer.from(raw, 'latin1'), DATE)));
}

describe('mboxrd writing', () => {
  it('puts a "From " line with the envelope sender and an asctime date in UTC before the message', () => {
    const entry = mboxrdEntry(Buffer.from('Return-Path: <bounce@example.org>\nFrom: Ann <ann@example.com>\n\nhi\n'), DATE);
    expect(entry.toString('latin1')).toBe('From bounce@example.org Sat Dec  5 05:05:31 2026\nReturn-Path: <bounce@example.org>\nFrom: Ann <ann@example.com>\n\nhi\n\n');
    expect(mboxrdEntry(Buffer.from('From: Ann <ann@example.com>\n\nhi\n'), DATE).toString('latin1')).toMatch(/^From ann@example\.com /);
    expect(mboxrdEntry(Buffer.from('Subject: none\n\nhi\n'), DATE).toString('latin1')).toMatch(/^From MAILER-DAEMON /);
    expect(asctime(new Date('2001-01-09T23:04:05Z'))).toBe('Tue Jan  9 23:04:05 2001');
  });

  it('quotes every line matching /^>*From / with one more ">", and nothing else', () => {
    const raw = 'From: a@b\n\nFrom the start\n>From quoted\n>>From twice\nFrom\nFromage\n From indented\n>From\n';
    const body = mboxrdEntry(Buffer.from(raw), DATE).toString('latin1').split('\n').slice(1).join('\n');
    expect(body).toBe('From: a@b\n\n>From the start\n>>From quoted\n>>>From twice\nFrom\nFromage\n From indented\n>From\n\n');
  });

  it('quotes a "From " line at the very start of the message (an .eml that kept its own envelope line)', () => {
    const raw = 'From someone@example.org Mon Jan  1 00:00:00 2001\nSubject: x\n\nbody\n';
    const entry = mboxrdEntry(Buffer.from(raw), DATE).toString('latin1');
    expect(entry.split('\n')[1]).toBe('>From someone@example.org Mon Jan  1 00:00:00 2001');
  });

  it('keeps CRLF line ends and ends a CRLF message with a CRLF blank line', () => {
    const raw = 'From: a@b\r\n\r\nFrom here\r\nend\r\n';
    expect(mboxrdEntry(Buffer.from(raw), DATE).toString('latin1')).toBe('From a@b Sat Dec  5 05:05:31 2026\r\nFrom: a@b\r\n\r\n>From here\r\nend\r\n\r\n');
  });

  it('writes through a file handle, appending', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinbox-mbox-'));
    try {
      const file = await open(join(dir, 'out.mbox'), 'w');
      const writer = new MboxWriter(file);
      await writer.write(Buffer.from('Subject: 1\n\none\n'), DATE);
      await writer.write(Buffer.from('Subject: 2\n\ntwo\n'), DATE);
      await file.close();
      expect(await readFile(join(dir, 'out.mbox'))).toEqual(mbox('Subject: 1\n\none\n', 'Subject: 2\n\ntwo\n'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('mbox reading', () => {
  const tricky = [
    'From: a@b\nSubject: one\n\nFrom the start\n>From quoted\n>>From twice\nFrom\nFromage\n',
    'Subject: no final newline\n\nlast line',
    'Subject: ends in a blank line\n\nbody\n\n',
    'Subject: crlf\r\n\r\nFrom here\r\n>From there\r\n',
    'Subject: crlf without the last\r\n\r\nx\r\nFrom y',
    'Subject: stray cr\r\n\r\nends in CR\r',
    'From x@y Mon Jan  1 00:00:00 2001\nSubject: own envelope line\n\nbody\n',
    'Subject: 8-bit \xe9\xff\x00\n\n\xe9t\xe9\n',
  ];

  it('gives back every message byte for byte (mboxrd), whatever its line ends, across chunk boundaries', async () => {
    for (const chunkSize of [1, 3, 7, 1 << 20]) {
      const found = messages(await read(mbox(...tricky), 'mboxrd', chunkSize));
      expect(found.map((m) => m.raw.toString('latin1'))).toEqual(tricky);
      expect(found.map((m) => m.internalDate?.toISOString())).toEqual(tricky.map(() => DATE.toISOString()));
      expect(found.map((m) => m.index)).toEqual(tricky.map((_, i) => i + 1));
    }
  });

  it('streams: a message comes out before the rest of the file is read', async () => {
    const seen: ReadEntry[] = [];
    let seenWhenResumed = -1;
    async function* source(): AsyncGenerator<Buffer> {
      yield mbox('Subject: 1\n\none\n');
      yield mbox('Subject: 2\n\ntwo\n');
      // The first message was handed on once the second's "From " line was read, before this chunk was asked for.
      seenWhenResumed = seen.length;
      yield mbox('Subject: 3\n\nthree\n');
    }
    for await (const entry of readMbox(linesOf(source()), { quoting: 'mboxrd' })) seen.push(entry);
    expect(seenWhenResumed).toBe(1);
    expect(seen).toHaveLength(3);
  });

  it('reads from a file on disk as a stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinbox-mbox-'));
    try {
      await writeFile(join(dir, 'in.mbox'), mbox(...tricky));
      const found: ReadEntry[] = [];
      for await (const entry of readMbox(linesOfFile(join(dir, 'in.mbox')), { quoting: 'mboxrd' })) found.push(entry);
      expect(messages(found).map((m) => m.raw.toString('latin1'))).toEqual(tricky);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('mboxo leaves ">From" lines as they are, since it cannot tell which were quoted', async () => {
    const file = 'From a@b Sat Dec  5 05:05:31 2026\nSubject: x\n\n>From quoted\n>>From twice\n\n';
    expect(messages(await read(file, 'mboxo'))[0]?.raw.toString('latin1')).toBe('Subject: x\n\n>From quoted\n>>From twice\n');
    expect(messages(await read(file, 'mboxrd'))[0]?.raw.toString('latin1')).toBe('Subject: x\n\nFrom quoted\n>From twice\n');
  });

  it('does not cut a message at a "From " line that neither follows a blank line nor looks like an envelope line', async () => {
    const file = 'From a@b Sat Dec  5 05:05:31 2026\nSubject: x\n\nsome text\nFrom the text, unquoted by a careless writer\n\nFrom c@d Sat Dec  5 05:05:32 2026\nSubject: y\n\nz\n\n';
    const found = messages(await read(file, 'mboxo'));
    expect(found).toHaveLength(2);
    expect(found[0]?.raw.toString('latin1')).toContain('From the text');
  });

  it('reads the date of "From " lines of other writers', () => {
    expect(fromLineDate('From - Sat Dec 05 05:05:31 2026')?.toISOString()).toBe('2026-12-05T05:05:31.000Z');
    expect(fromLineDate('From a@b Mon Jan  1 10:00:00 +0200 2001\r\n')?.toISOString()).toBe('2001-01-01T08:00:00.000Z');
    expect(fromLineDate('From a@b Mon Jan  1 10:00 2001')?.toISOString()).toBe('2001-01-01T10:00:00.000Z');
    expect(fromLineDate('From a@b yesterday')).toBeUndefined();
  });

  it("reads a Thunderbird local folder: its flags from X-Mozilla-Status, and skips what it expunged but kept", async () => {
    const file = [
      'From - Sat Dec 05 05:05:31 2026',
      'X-Mozilla-Status: 0001',
      'X-Mozilla-Status2: 00000000',
      'Subject: read',
      '',
      'a',
      '',
      'From - Sat Dec 05 05:06:00 2026',
      'X-Mozilla-Status: 0006',
      'Subject: replied and starred, unread',
      '',
      '>From b',
      '',
      'From - Sat Dec 05 05:07:00 2026',
      'X-Mozilla-Status: 0009',
      'Subject: deleted',
      '',
      'c',
      '',
      'From - Sat Dec 05 05:08:00 2026',
      'Status: RO',
      'X-Status: AF',
      'Subject: mutt flags',
      '',
      'd',
      '',
    ].join('\n');
    const entries = await read(file, 'mboxrd');
    expect(entries.map((entry) => entry.kind)).toEqual(['message', 'message', 'skipped', 'message']);
    const found = messages(entries);
    expect(found.map((m) => m.flags)).toEqual([['\\Seen'], ['\\Answered', '\\Flagged'], ['\\Seen', '\\Answered', '\\Flagged']]);
    expect(found[1]?.raw.toString('latin1')).toContain('\nFrom b\n');
    expect(found[0]?.internalDate?.toISOString()).toBe('2026-12-05T05:05:31.000Z');
    const skipped = entries[2];
    expect(skipped).toMatchObject({ kind: 'skipped', index: 3, label: 'From - Sat Dec 05 05:07:00 2026' });
    expect(reasonOf(skipped)).toBe('deleted-in-thunderbird');
  });

  it('skips what is malformed, says why and where, and reads the rest', async () => {
    const file = 'garbage at the start\nmore\n\nFrom a@b Sat Dec  5 05:05:31 2026\n\nFrom a@b Sat Dec  5 05:05:32 2026\nSubject: good\n\nok\n\nFrom a@b Sat Dec  5 05:05:33 2026\n \r\n\t\n\nFrom a@b Sat Dec  5 05:05:34 2026\nSubject: also good\n\nfine\n\n';
    const entries = await read(file);
    expect(entries.map((entry) => entry.kind)).toEqual(['skipped', 'skipped', 'message', 'skipped', 'message']);
    expect(entries[0]).toMatchObject({ index: 1, offset: 0 });
    expect(reasonOf(entries[0])).toBe('not-mbox');
    expect(entries[1]).toMatchObject({ index: 2, offset: 'garbage at the start\nmore\n\n'.length });
    expect(reasonOf(entries[1])).toBe('empty-message');
    expect(entries[3]).toMatchObject({ index: 4, label: 'From a@b Sat Dec  5 05:05:33 2026' });
    expect(reasonOf(entries[3])).toBe('empty-message');
    expect(messages(entries).map((m) => m.raw.toString('latin1'))).toEqual(['Subject: good\n\nok\n', 'Subject: also good\n\nfine\n']);
  });

  it('skips an entry larger than the limit without holding it, and reads on', async () => {
    const file = mbox('Subject: big\n\n' + 'x'.repeat(100) + '\n', 'Subject: small\n\nok\n');
    const entries: ReadEntry[] = [];
    for await (const entry of readMbox(linesOf([file]), { quoting: 'mboxrd', maxMessageBytes: 50 })) entries.push(entry);
    expect(entries.map((entry) => entry.kind)).toEqual(['skipped', 'message']);
    expect(entries[0]).toMatchObject({ reason: 'too-large', limitMb: 0 });
  });

  it('skips an empty file and a file with no "From " line at all as one entry, without throwing', async () => {
    expect(await read('')).toEqual([]);
    expect(await read('Subject: an eml, not an mbox\n\nbody\n')).toMatchObject([{ kind: 'skipped', index: 1, offset: 0, reason: 'not-mbox' }]);
  });
});
