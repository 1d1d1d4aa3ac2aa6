import { describe, expect, it } from 'vitest';
import { messageIdentity } from './identity';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const whole = [
  'Received: from mx.example by mail.example; Tue, 1 Dec 2026 10:00:00 +0000',
  'From: Ana <ana@example.org>',
  'Subject: A long subject that the sender',
  ' folded over two lines',
  'Date: Tue, 1 Dec 2026 09:59:58 +0000',
  'Content-Type: text/plain',
  '',
  'No Message-ID here.',
  '',
].join('\r\n');

describe('a message’s identity', () => {
  it('is the same from the whole message (POP3) and from the fields IMAP fetches, in another order and folding', () => {
    // What BODY.PEEK[HEADER.FIELDS (REFERENCES IN-REPLY-TO MESSAGE-ID DATE FROM SUBJECT)] may return: the fields alone, reordered, re-folded.
    const fields = 'Date: Tue, 1 Dec 2026 09:59:58 +0000\r\nSubject: A long subject that the sender\r\n\tfolded over two lines\r\nFrom: Ana <ana@example.org>\r\n\r\n';
    expect(messageIdentity(bytes(whole), 200)).toBe(messageIdentity(bytes(fields), 200));
    expect(messageIdentity(bytes(whole.replace(/\r\n/g, '\n')), 200)).toBe(messageIdentity(bytes(fields), 200));
  });

  it('tells apart messages without a Message-ID that differ in size, sender, date or subject', () => {
    const base = messageIdentity(bytes(whole), 200);
    expect(messageIdentity(bytes(whole), 201)).not.toBe(base);
    expect(messageIdentity(bytes(whole.replace('ana@', 'bo@')), 200)).not.toBe(base);
    expect(messageIdentity(bytes(whole.replace('09:59:58', '09:59:59')), 200)).not.toBe(base);
    expect(messageIdentity(bytes(whole.replace('A long', 'A short')), 200)).not.toBe(base);
  });

  it('tells apart two messages sharing a Message-ID, and ignores the body and other fields', () => {
    const withId = (subject: string): string => `Message-ID: <same@example.org>\r\nSubject: ${subject}\r\nX-Other: ${subject}\r\n\r\nbody ${subject}`;
    expect(messageIdentity(bytes(withId('one')), 90)).not.toBe(messageIdentity(bytes(withId('two')), 90));
    expect(messageIdentity(bytes(withId('one').replace('X-Other: one', 'X-Other: 1')), 90)).toBe(messageIdentity(bytes(withId('one')), 90));
  });

  it('keeps 8-bit header bytes as they are', () => {
    const latin = new Uint8Array([...bytes('Subject: caf'), 0xe9, ...bytes('\r\n\r\n')]);
    const utf8 = bytes('Subject: café\r\n\r\n');
    expect(messageIdentity(latin, 10)).not.toBe(messageIdentity(utf8, 10));
    expect(messageIdentity(latin, 10)).toMatch(/^[\w-]{22}$/);
  });
});
