import { describe, expect, it } from 'vitest';
import type { ProtocolLogLine } from '../../../shared/model';
import { createSessionLog, WireFramer } from './session-log';
import type { WireMessage } from './session-log';

function frame(chunks: (string | Buffer)[]): WireMessage[] {
  const messages: WireMessage[] = [];
  const framer = new WireFramer((message) => messages.push(message));
  for (const chunk of chunks) framer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return messages;
}

describe('the protocol log framer', () => {
  it('gives one line per reply, however the bytes are split', () => {
    const wire = '* 3 EXISTS\r\n* OK [UIDNEXT 9] Predicted\r\nA1 OK done\r\n';
    const whole = frame([wire]);
    const byteByByte = frame([...Buffer.from(wire)].map((byte) => Buffer.from([byte])));
    expect(whole).toEqual([
      { text: '* 3 EXISTS', bytes: 12 },
      { text: '* OK [UIDNEXT 9] Predicted', bytes: 28 },
      { text: 'A1 OK done', bytes: 12 },
    ]);
    expect(byteByByte).toEqual(whole);
  });

  it('counts a literal in its reply and shows only its size', () => {
    const body = 'Subject: hi\r\n\r\nA line\r\n* 99 EXISTS looks like a reply but is body text\r\n';
    const size = Buffer.byteLength(body);
    const reply = `* 1 FETCH (UID 7 BODY[] {${size}}\r\n${body} FLAGS (\\Seen))\r\n`;
    const messages = frame([reply.slice(0, 20), reply.slice(20, 50), reply.slice(50), 'A2 OK Fetch completed\r\n']);
    expect(messages).toEqual([
      { text: `* 1 FETCH (UID 7 BODY[] {${size} bytes} FLAGS (\\Seen))`, bytes: Buffer.byteLength(reply) },
      { text: 'A2 OK Fetch completed', bytes: 23 },
    ]);
  });

  it('reads LITERAL+ and BINARY literals, and keeps long lines short in the log', () => {
    const append = `A3 APPEND Sent (\\Seen) {5+}\r\nhello\r\n`;
    const binary = `A4 APPEND Sent ~{3}\r\n\0\0\0\r\n`;
    const long = `* SEARCH ${Array.from({ length: 500 }, (_, i) => i + 1).join(' ')}\r\n`;
    const [first, second, third] = frame([append, binary, long]);
    expect(first).toEqual({ text: 'A3 APPEND Sent (\\Seen) {5 bytes}', bytes: Buffer.byteLength(append) });
    expect(second).toEqual({ text: 'A4 APPEND Sent {3 bytes}', bytes: Buffer.byteLength(binary) });
    expect(third!.bytes).toBe(Buffer.byteLength(long));
    expect(third!.text.length).toBeLessThan(260);
    expect(third!.text.endsWith('…')).toBe(true);
  });
});

describe('the imapflow logger', () => {
  it('logs credential frames by their masked text and true size, never their content', async () => {
    const lines: ProtocolLogLine[] = [];
    const log = createSessionLog('acct', (line) => lines.push(line));
    let sent = 0;
    log.attach({ stats: () => ({ sent, received: 0 }) });
    const secretFrame = Buffer.from('2 LOGIN "alice" "s3cret"\r\n');
    log.logger.debug({ src: 'c', msg: '2 LOGIN "alice" "(* value hidden *)"' });
    log.logger.trace?.({ src: 'c', msg: 'write to socket', data: Buffer.from('(* value hidden *)\r\n').toString('base64'), hidden: true });
    sent += secretFrame.length;
    await Promise.resolve();
    log.logger.debug({ src: 'c', msg: '3 NOOP' });
    log.logger.trace?.({ src: 'c', msg: 'write to socket', data: Buffer.from('3 NOOP\r\n').toString('base64') });
    expect(lines.map(({ direction, text, bytes }) => ({ direction, text, bytes }))).toEqual([
      { direction: 'out', text: '2 LOGIN "alice" "(* value hidden *)"', bytes: secretFrame.length },
      { direction: 'out', text: '3 NOOP', bytes: 8 },
    ]);
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it('remembers the failure imapflow logged for a command it reports as merely refused', () => {
    const log = createSessionLog('acct', undefined);
    const mark = log.errorMark();
    expect(log.errorSince(mark)).toBeUndefined();
    const failure = new Error('Command failed');
    log.logger.warn({ err: failure, cid: 'x' });
    expect(log.errorSince(mark)).toBe(failure);
    expect(log.errorSince(log.errorMark())).toBeUndefined();
    expect(log.wantsRaw).toBe(false);
    expect(log.logger.isLevelEnabled('debug')).toBe(false);
  });
});
