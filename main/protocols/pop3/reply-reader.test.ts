import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TwinboxError } from '../../../shared/errors';
import { Pop3ReplyReader } from './reply-reader';
import type { Pop3Reply, ReplyShape } from './reply-reader';

/**
 * A POP3 client must give the same replies whatever sizes the network cut the
 * server's stream into. node-pop3 0.11.0, for one, hangs when the CRLF.CRLF
 * terminator arrives in two reads. This test replays one recorded session and
 * feeds it whole, cut in two at every byte offset, one byte at a time, and in
 * random pieces, and wants the identical, byte-exact replies every time.
 */

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

// The message as stored: dot-led lines, 8-bit bytes that are not UTF-8 (ISO-8859-1 "Grüße" and a lone 0xFF),
// a CR that is not part of a line end, and a last line of text (no blank line before the terminator).
const storedMessage = Buffer.concat([
  latin1('From: a@example.org\r\nSubject: dots\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'),
  latin1('.starts with a dot\r\n..starts with two\r\n.\r\nx\r\n'),
  Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65, 0x20, 0xff, 0x0d, 0x0a]),
  latin1('a lone\rcarriage return\r\n.\r.\r\n'),
  latin1('last line without a blank line after it\r\n'),
]);

/** Dot-stuffing as RFC 1939 section 3 has the server do it. */
function stuff(message: Buffer): Buffer {
  const text = message.toString('latin1');
  return latin1(text.replace(/(^|\r\n)\./g, '$1..'));
}

const headerBlock = latin1('From: a@example.org\r\nSubject: dots\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n');

const recorded: { shape: ReplyShape; wire: Buffer; expected: Omit<Pop3Reply, 'wireBytes'> }[] = [
  { shape: 'single', wire: latin1('+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n'), expected: { status: 'ok', line: '+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>', text: 'POP3 ready <1896.697170952@dbc.mtview.ca.us>' } },
  {
    shape: 'multi',
    wire: latin1('+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nPIPELINING\r\nSASL PLAIN\r\n.\r\n'),
    expected: { status: 'ok', line: '+OK', text: '', body: latin1('CAPA\r\nTOP\r\nUIDL\r\nPIPELINING\r\nSASL PLAIN\r\n') },
  },
  { shape: 'sasl', wire: latin1('+ \r\n'), expected: { status: 'continue', line: '+ ', text: '' } },
  { shape: 'sasl', wire: latin1('+OK Logged in.\r\n'), expected: { status: 'ok', line: '+OK Logged in.', text: 'Logged in.' } },
  {
    shape: 'multi',
    wire: latin1('+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n'),
    expected: { status: 'ok', line: '+OK', text: '', body: latin1('1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n') },
  },
  {
    shape: 'multi',
    wire: Buffer.concat([latin1(`+OK ${storedMessage.length} octets\r\n`), stuff(storedMessage), latin1('.\r\n')]),
    expected: { status: 'ok', line: `+OK ${storedMessage.length} octets`, text: `${storedMessage.length} octets`, body: storedMessage },
  },
  { shape: 'multi', wire: latin1('-ERR [SYS/TEMP] no such message\r\n'), expected: { status: 'err', line: '-ERR [SYS/TEMP] no such message', text: '[SYS/TEMP] no such message' } },
  {
    shape: 'multi',
    wire: Buffer.concat([latin1('+OK\r\n'), headerBlock, latin1('.\r\n')]),
    expected: { status: 'ok', line: '+OK', text: '', body: headerBlock },
  },
  { shape: 'multi', wire: latin1('+OK empty\r\n.\r\n'), expected: { status: 'ok', line: '+OK empty', text: 'empty', body: Buffer.alloc(0) } },
  { shape: 'single', wire: latin1('+OK bye\r\n'), expected: { status: 'ok', line: '+OK bye', text: 'bye' } },
];

const stream = Buffer.concat(recorded.map((reply) => reply.wire));
const expectedReplies: Pop3Reply[] = recorded.map((reply) => ({ ...reply.expected, wireBytes: reply.wire.length }));

function readAll(chunks: Buffer[]): Pop3Reply[] {
  const reader = new Pop3ReplyReader();
  for (const reply of recorded) reader.expect(reply.shape);
  const replies = chunks.flatMap((chunk) => reader.push(chunk));
  expect(reader.pendingReplies).toBe(0);
  expect(reader.holdsPartialReply).toBe(false);
  return replies;
}

function cutAt(data: Buffer, offsets: number[]): Buffer[] {
  const points = [0, ...[...new Set(offsets)].sort((a, b) => a - b), data.length];
  return points.slice(1).map((end, i) => Buffer.from(data.subarray(points[i], end)));
}

describe('POP3 reply framing', () => {
  it('reads a recorded session byte-exact when it arrives whole', () => {
    expect(readAll([stream])).toEqual(expectedReplies);
    // The stuffed wire form really differs from the stored message, so unstuffing is being tested.
    expect(stuff(storedMessage).equals(storedMessage)).toBe(false);
  });

  it('reads the same replies when the stream is cut in two at every byte offset', () => {
    for (let offset = 1; offset < stream.length; offset++) {
      const replies = readAll(cutAt(stream, [offset]));
      if (JSON.stringify(replies) !== JSON.stringify(expectedReplies)) {
        expect.fail(`cut at byte ${offset} (${JSON.stringify(stream.subarray(Math.max(0, offset - 3), offset + 3).toString('latin1'))}) changed the replies`);
      }
    }
    expect(readAll(cutAt(stream, [stream.length - 1]))).toEqual(expectedReplies);
  });

  it('reads the same replies when the stream arrives one byte at a time', () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(readAll(bytes)).toEqual(expectedReplies);
  });

  it('reads the same replies whatever random pieces the stream arrives in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }), (offsets) => {
        expect(readAll(cutAt(stream, offsets))).toEqual(expectedReplies);
      }),
      { numRuns: 300 },
    );
  });

  it('treats a bare LF as content, so a dot after it is not line-leading', () => {
    const reader = new Pop3ReplyReader();
    reader.expect('multi');
    const [reply] = reader.push(latin1('+OK\r\na\n.b\r\n..c\r\n.\r\n'));
    expect(reply?.body?.toString('latin1')).toBe('a\n.b\r\n.c\r\n');
  });

  it('keeps a reply waiting until its terminator is complete', () => {
    const reader = new Pop3ReplyReader();
    reader.expect('multi');
    expect(reader.push(latin1('+OK\r\nbody\r\n.\r'))).toEqual([]);
    expect(reader.holdsPartialReply).toBe(true);
    const [reply] = reader.push(latin1('\n'));
    expect(reply?.body?.toString('latin1')).toBe('body\r\n');
  });

  it('refuses a reply that is neither +OK nor -ERR', () => {
    const reader = new Pop3ReplyReader();
    reader.expect('single');
    expect(() => reader.push(latin1('* OK IMAP4rev1 ready\r\n'))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }) as TwinboxError);
    // The reader stays broken: the connection cannot be trusted any more.
    expect(() => reader.push(latin1('+OK\r\n'))).toThrow(TwinboxError);
  });

  it('refuses a SASL challenge where no SASL exchange is going on', () => {
    const reader = new Pop3ReplyReader();
    reader.expect('single');
    expect(() => reader.push(latin1('+ \r\n'))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }) as TwinboxError);
  });

  it('refuses an overlong status line before its end arrives', () => {
    const reader = new Pop3ReplyReader({ maxStatusLineBytes: 512 });
    reader.expect('single');
    expect(() => reader.push(Buffer.alloc(600, 0x41))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }) as TwinboxError);
  });

  it('refuses an overlong line in a listing but not in a message', () => {
    const longLine = `+OK\r\n1 ${'x'.repeat(5000)}\r\n.\r\n`;
    const listing = new Pop3ReplyReader();
    listing.expect('multi', 1024);
    expect(() => listing.push(latin1(longLine))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }) as TwinboxError);
    const message = new Pop3ReplyReader();
    message.expect('multi');
    expect(message.push(latin1(longLine))[0]?.body?.length).toBe(5004);
  });

  it('refuses a body larger than the limit', () => {
    const reader = new Pop3ReplyReader({ maxBodyBytes: 100 });
    reader.expect('multi');
    expect(() => reader.push(latin1(`+OK\r\n${'y'.repeat(200)}`))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }) as TwinboxError);
  });

  it('refuses bytes that no command asked for', () => {
    const reader = new Pop3ReplyReader();
    reader.expect('single');
    expect(() => reader.push(latin1('+OK\r\n+OK surprise\r\n'))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }) as TwinboxError);
  });
});
