import type { MessageStructureObject } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { messageIdentity } from '../../mime/identity';
import { hasAttachments, threadingHeaders, toMessageSummary } from './summary';

const text = (subtype: string, extra: Partial<MessageStructureObject> = {}): MessageStructureObject => ({ type: `text/${subtype}`, ...extra });
const multipart = (subtype: string, ...childNodes: MessageStructureObject[]): MessageStructureObject => ({ type: `multipart/${subtype}`, childNodes });

describe('message summaries', () => {
  it('sees attachments the way a reader would', () => {
    expect(hasAttachments(text('plain'))).toBe(false);
    expect(hasAttachments(multipart('alternative', text('plain'), text('html')))).toBe(false);
    expect(hasAttachments(multipart('mixed', text('plain'), { type: 'application/pdf', disposition: 'attachment' }))).toBe(true);
    expect(hasAttachments(multipart('mixed', text('plain'), { type: 'image/png', parameters: { name: 'a.png' } }))).toBe(true);
    expect(hasAttachments(multipart('mixed', text('plain'), text('plain', { disposition: 'ATTACHMENT' })))).toBe(true);
    expect(hasAttachments(multipart('related', text('html'), { type: 'image/png', id: '<logo>' }))).toBe(false);
    expect(hasAttachments(multipart('mixed', text('plain'), { type: 'image/jpeg', disposition: 'inline' }))).toBe(false);
    expect(hasAttachments(multipart('mixed', text('plain'), { type: 'message/rfc822' }))).toBe(true);
  });

  it('reads folded threading headers, ids without brackets', () => {
    const block = Buffer.from('References: <a@x>\r\n <b@x>\r\n\t<c@x>\r\nIn-Reply-To: <c@x> (Bob\'s message)\r\n\r\n');
    expect(threadingHeaders(block)).toEqual({ references: ['a@x', 'b@x', 'c@x'], inReplyTo: 'c@x' });
    expect(threadingHeaders(undefined)).toEqual({ references: [] });
  });

  it('turns a FETCH response into a list row', () => {
    const summary = toMessageSummary({
      seq: 3,
      uid: 42,
      flags: new Set(['\\Seen', '$Important']),
      size: 1234,
      modseq: 99n,
      internalDate: new Date('2026-11-26T10:00:05Z'),
      envelope: {
        date: new Date('2026-11-26T10:00:00Z'),
        subject: 'Grüße',
        messageId: '<m1@example.org>',
        inReplyTo: '<m0@example.org>',
        from: [{ name: 'Alice', address: 'alice@example.org' }],
        to: [{ address: 'bob@example.org' }],
      },
      headers: Buffer.from('References: <m-1@example.org> <m0@example.org>\r\nMessage-ID: <m1@example.org>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\n'),
    });
    expect(summary).toEqual({
      serverId: '42',
      uid: 42,
      messageId: 'm1@example.org',
      // From the identity fields as the server sent them (and the size), as POP3 reads them from the whole message.
      identity: messageIdentity(Buffer.from('Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nMessage-ID: <m1@example.org>\r\n\r\n'), 1234),
      inReplyTo: 'm0@example.org',
      references: ['m-1@example.org', 'm0@example.org'],
      subject: 'Grüße',
      from: [{ name: 'Alice', address: 'alice@example.org' }],
      to: [{ name: '', address: 'bob@example.org' }],
      cc: [],
      replyTo: [],
      date: '2026-11-26T10:00:00.000Z',
      receivedAt: '2026-11-26T10:00:05.000Z',
      size: 1234,
      flags: ['\\Seen', '$Important'],
      hasAttachments: false,
      modseq: '99',
    });
  });
});
