import { describe, expect, it } from 'vitest';
import { attachmentId, parseAttachmentId, toMessageBody } from './message-body';
import type { AttachmentRef } from './message-body';
import { parseMessage } from './parse';

const ref: AttachmentRef = { accountId: 'acc-1', folder: 'Archiv/2026 "Ä"', serverId: '4711', index: 2 };

function encode(value: unknown): string {
  return `att1.${Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')}`;
}

describe('attachment ids', () => {
  it('names the location it was made from', () => {
    expect(parseAttachmentId(attachmentId(ref))).toEqual(ref);
    const pop3 = { accountId: 'p', folder: 'INBOX', serverId: 'UID-0001.x', index: 0 };
    expect(parseAttachmentId(attachmentId(pop3))).toEqual(pop3);
  });

  it('is opaque: no path or folder name readable in it', () => {
    const id = attachmentId(ref);
    expect(id).toMatch(/^att1\.[A-Za-z0-9_-]+$/);
    expect(id).not.toContain('Archiv');
  });

  it.each([
    ['another prefix', attachmentId(ref).replace('att1.', 'att2.')],
    ['no payload', 'att1.'],
    ['characters outside base64url', `${attachmentId(ref)}!`],
    ['standard base64 with padding', `att1.${Buffer.from(JSON.stringify(['acc-1', 'INBOX', '1', 0])).toString('base64')}`],
    ['extra bytes after the payload', `${attachmentId(ref)}AA`],
    ['the same data spelled differently', `att1.${Buffer.from('[ "acc-1", "INBOX", "1", 0 ]').toString('base64url')}`],
    ['not JSON', `att1.${Buffer.from('hello').toString('base64url')}`],
    ['an object instead of a list', encode({ accountId: 'a', folder: 'INBOX', serverId: '1', index: 0 })],
    ['five fields', encode(['a', 'INBOX', '1', 0, 'extra'])],
    ['a number as account', encode([1, 'INBOX', '1', 0])],
    ['an empty account', encode(['', 'INBOX', '1', 0])],
    ['an empty message id', encode(['a', 'INBOX', '', 0])],
    ['a negative index', encode(['a', 'INBOX', '1', -1])],
    ['a fractional index', encode(['a', 'INBOX', '1', 1.5])],
    ['a huge index', encode(['a', 'INBOX', '1', 1e12])],
    ['an index as a string', encode(['a', 'INBOX', '1', '0'])],
    ['control characters in the folder', encode(['a', 'IN\u0000BOX', '1', 0])],
    ['an oversized id', encode(['a', 'x'.repeat(5000), '1', 0])],
  ])('refuses %s', (_case, id) => {
    expect(parseAttachmentId(id)).toBeUndefined();
  });

  it('refuses what is not a string at all', () => {
    for (const value of [undefined, null, 42, ['att1.x'], { id: attachmentId(ref) }]) expect(parseAttachmentId(value)).toBeUndefined();
  });
});

describe('message body for the reader', () => {
  it('describes each attachment by an id that leads back to it', async () => {
    const raw = Buffer.from(
      [
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Two files.',
        '--b',
        'Content-Type: text/csv; name="a.csv"',
        '',
        '1,2',
        '--b',
        'Content-Type: image/gif; name="b.gif"',
        'Content-ID: <b@x>',
        'Content-Disposition: inline',
        '',
        'GIF89a',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const parsed = await parseMessage(raw);
    const body = toMessageBody(parsed, { accountId: 'acc', folder: 'INBOX', serverId: '9' });
    expect(body.text).toBe('Two files.');
    expect(body.attachments.map(({ id: _id, ...rest }) => rest)).toEqual([
      { filename: 'a.csv', contentType: 'text/csv', size: 3, inline: false, role: 'file' },
      { filename: 'b.gif', contentType: 'image/gif', size: 6, inline: true, contentId: 'b@x', role: 'file' },
    ]);
    expect(body.attachments.map((attachment) => parseAttachmentId(attachment.id))).toEqual([
      { accountId: 'acc', folder: 'INBOX', serverId: '9', index: 0 },
      { accountId: 'acc', folder: 'INBOX', serverId: '9', index: 1 },
    ]);
  });
});
