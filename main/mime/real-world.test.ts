/**
 * Real-world mail read as other clients read it (issue 11, item 10). Each
 * message is a small equivalent of a corpus file (named in the test), so the
 * outcome is checked without the corpus; test/corpus holds the full files.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse';

/** A raw message from lines; a hex string written as `hex:...` becomes those exact bytes. */
function rawMessage(...lines: string[]): Uint8Array {
  return Buffer.concat(lines.map((line) => Buffer.concat([line.startsWith('hex:') ? Buffer.from(line.slice(4), 'hex') : Buffer.from(line, 'utf8'), Buffer.from('\r\n')])));
}

const listed = (parsed: Awaited<ReturnType<typeof parseMessage>>): string[] => parsed.attachments.filter((attachment) => !attachment.inline).map((attachment) => attachment.filename);

describe('real-world mail', () => {
  it('takes the last of two Subject headers, as IMAP servers do in ENVELOPE (mikel-mail/mime_emails/raw_email_with_binary_encoded.eml)', async () => {
    const parsed = await parseMessage(rawMessage('From: a@example.org', 'Subject: Testing outlook', 'Subject: Another PDF', '', 'Hello.'));
    expect(parsed.summary.subject).toBe('Another PDF');
  });

  it('reads a part with an unreadable Content-Type as text/plain (RFC 2045 5.2) (enmime/parts/empty-ctype-bad-content.eml)', async () => {
    const parsed = await parseMessage(
      rawMessage('Content-Type: multipart/alternative; boundary="b"', '', '--b', 'Content-Type: <html>', '', 'Use the View Invoices function.<br>', '--b--'),
    );
    expect(parsed.text).toContain('Use the View Invoices function.');
    expect(parsed.attachments).toEqual([]);
  });

  it('keeps a named part with an unreadable Content-Type a file', async () => {
    const parsed = await parseMessage(
      rawMessage('Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Body.', '--b', 'Content-Type: pdf; name="a.pdf"', '', '%PDF-1.4', '--b--'),
    );
    expect(parsed.attachments.map((attachment) => [attachment.filename, attachment.contentType])).toEqual([['a.pdf', 'application/octet-stream']]);
  });

  it('says there is no text when the HTML shows nothing (spamassassin/nice/004.eml)', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: multipart/alternative; boundary="a"',
        '',
        '--a',
        'Content-Type: text/plain',
        '',
        '',
        '--a',
        'Content-Type: text/html',
        '',
        '<HTML><HEAD><META content=text/html;charset=iso-8859-2 http-equiv=Content-Type></HEAD><BODY bgColor=#ffffff><DIV>&nbsp;</DIV></BODY></HTML>',
        '--a--',
        '--b',
        'Content-Type: application/msword; name="homily.rtf"',
        'Content-Disposition: attachment; filename="homily.rtf"',
        '',
        '{\\rtf1}',
        '--b--',
      ),
    );
    expect(parsed.html).toBeUndefined();
    expect((parsed.text ?? '').trim()).toBe('');
    expect(listed(parsed)).toEqual(['homily.rtf']);
  });

  it('keeps HTML that shows only an image', async () => {
    const parsed = await parseMessage(rawMessage('Content-Type: text/html', '', '<p><img src="https://example.org/a.png"></p>'));
    expect(parsed.html).toContain('<img');
  });

  it('tells the reader why a message/partial fragment has no text (mimekit/partial/message-partial.0.eml)', async () => {
    const parsed = await parseMessage(
      rawMessage('Subject: Photo', 'Content-Type: message/partial; id="x@mit.edu";', '\tnumber=1; total=3', '', 'Content-Type: multipart/mixed; boundary="q"', '', '--q'),
    );
    expect(parsed.text).toBeUndefined();
    expect(parsed.warnings).toContain('This is part 1 of 3 of a message split for sending; Twinbox cannot join the parts.');
  });

  it('lists one file once when attached messages are nested (stalwart-mail-parser/malformed/010.eml)', async () => {
    const parsed = await parseMessage(rawMessage('Content-Type: message/rfc822', '', 'Content-Type: message/rfc822', '', 'Content-Type: text/plain', '', '1'));
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual(['message.eml']);
  });

  it('lists an attached message as one entry, not with every part inside it (flanker/torture.eml, spamassassin/nice/mime8.eml)', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: application/postscript',
        '',
        '%!PS',
        '--outer',
        'Content-Type: message/rfc822',
        '',
        'Subject: A Multipart message',
        'Content-Type: multipart/mixed; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain',
        '',
        'This is a text prefix.',
        '--inner',
        'Content-Type: image/gif',
        '',
        'GIF89a',
        '--inner',
        'Content-Type: message/rfc822',
        '',
        'Subject: Sound',
        'Content-Type: audio/x-sun',
        '',
        'noise',
        '--inner--',
        '--outer--',
      ),
    );
    expect(parsed.text).toContain('This is a text prefix.');
    expect(parsed.attachments.map((attachment) => [attachment.filename, attachment.contentType])).toEqual([
      ['attachment-1.ps', 'application/postscript'],
      ['A Multipart message.eml', 'message/rfc822'],
    ]);
  });

  it('lists named inline text parts in a nested multipart for saving (enmime/parts/nestedmulti.eml)', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/alternative; boundary="100"',
        '',
        '--100',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'A text section',
        '--100',
        'Content-Type: multipart/related; boundary="200"',
        '',
        '--200',
        'Content-Type: text/html; charset=us-ascii',
        '',
        'An HTML section',
        '--200',
        'Content-Disposition: inline; filename=attach.txt',
        'Content-Type: text/plain; name="attach.txt"',
        '',
        'An inline text attachment',
        '--200',
        'Content-Disposition: inline',
        'Content-Type: text/plain; name="attach2.txt"',
        '',
        'Another inline text attachment',
        '--200--',
        '--100--',
      ),
    );
    expect(parsed.text).toContain('An inline text attachment');
    expect(listed(parsed)).toEqual(['attach.txt', 'attach2.txt']);
    expect(parsed.summary.hasAttachments).toBe(true);
  });

  it('shows a named inline text part and offers it for saving (enmime/mail/inlinemultipart.eml)', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset="us-ascii"',
        '',
        'Simple text.',
        '--b',
        'Content-Type: text/plain; name="test.txt"',
        'Content-Disposition: inline',
        '',
        'Text attachment.',
        '--b--',
      ),
    );
    expect(parsed.text).toContain('Simple text.');
    expect(parsed.text).toContain('Text attachment.');
    expect(listed(parsed)).toEqual(['test.txt']);
    expect(Buffer.from(parsed.attachments[0]?.content ?? []).toString('utf8')).toBe('Text attachment.');
  });

  it('does not list a named text part that is the body itself', async () => {
    const parsed = await parseMessage(rawMessage('Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain; name="body.txt"', '', 'Hello.', '--b--'));
    expect(parsed.attachments).toEqual([]);
  });

  it('reads unlabelled HTML in the charset its meta tag names (enmime/mail/non-mime-missing-charset.eml)', async () => {
    const head = Buffer.from('<html><head><meta charset="windows-1250"/></head><body>Euro: ').toString('hex');
    const tail = Buffer.from('</body></html>').toString('hex');
    // As in the corpus: the 0x80 of windows-1250 went through a Latin-1 to UTF-8 conversion (C2 80).
    const converted = await parseMessage(rawMessage('Subject: test', 'Content-Type: text/html', '', `hex:${head}c280${tail}`));
    expect(converted.html).toContain('Euro: €');
    expect(converted.html).not.toContain('\u0080');
    // As sent: the raw windows-1250 byte, with no MIME label at all.
    const raw = await parseMessage(rawMessage('Subject: test', 'Content-Type: text/html', '', `hex:${head}80${tail}`));
    expect(raw.html).toContain('Euro: €');
  });
});

/** The corpus files themselves, when ../shared/mail-corpus (or TWINBOX_MAIL_CORPUS) is present. */
describe('real-world mail: the corpus files', () => {
  const corpusDir = process.env.TWINBOX_MAIL_CORPUS ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/mail-corpus');
  const present = existsSync(path.join(corpusDir, 'MANIFEST.tsv'));
  const parseFile = (file: string): ReturnType<typeof parseMessage> => parseMessage(readFileSync(path.join(corpusDir, file)));
  const names = (parsed: Awaited<ReturnType<typeof parseMessage>>): string[] => parsed.attachments.map((attachment) => attachment.filename);

  it.skipIf(!present)('reads each file as other clients show it', async () => {
    expect((await parseFile('mikel-mail/mime_emails/raw_email_with_binary_encoded.eml')).summary.subject).toBe('Another PDF');

    const badType = await parseFile('enmime/parts/empty-ctype-bad-content.eml');
    expect(badType.text).toContain('Use the View Invoices function');
    expect(badType.attachments).toEqual([]);

    const blankHtml = await parseFile('spamassassin/nice/004.eml');
    expect(blankHtml.html).toBeUndefined();
    expect((blankHtml.text ?? '').trim()).toBe('');
    expect(names(blankHtml)).toEqual(['Jurek - Poprawiona Homilia XII na List to Kolosan.rtf']);

    const fragment = await parseFile('mimekit/partial/message-partial.0.eml');
    expect(fragment.warnings).toContain('This is part 1 of 3 of a message split for sending; Twinbox cannot join the parts.');

    expect(names(await parseFile('stalwart-mail-parser/malformed/010.eml'))).toEqual(['message.eml']);

    const torture = await parseFile('flanker/torture.eml');
    // The top-level parts only: 7 attached messages, an audio clip and two images (33 entries before).
    expect(names(torture)).toEqual([
      'Re_ a MIME-Version misfeature.eml',
      'Re_ multipart mail.eml',
      'attachment-3.au',
      'attachment-4',
      'message.eml',
      'A cheap digitizer test.eml',
      'meta-mail.eml',
      'An image that went gif-_ppm-_ps.eml',
      'attachment-9.gif',
      'Audio in q-p.eml',
      "Here's some more.eml",
    ]);
    expect(names(await parseFile('spamassassin/nice/mime8.eml'))).toEqual(['attachment-1.ps', 'Alices_PDP-10', 'A Multipart message.eml']);
    expect(names(await parseFile('mimekit/messages/rfc2060.eml'))).toEqual([
      'attachment-1',
      'This part specifier should be_ 3.eml',
      'attachment-3.gif',
      'This part specifier should be_ 4.2.eml',
    ]);

    const nested = await parseFile('enmime/parts/nestedmulti.eml');
    expect(names(nested)).toEqual(['attach.txt', 'attach2.txt']);
    const inlineText = await parseFile('enmime/mail/inlinemultipart.eml');
    expect(inlineText.text).toContain('Text attachment.');
    expect(names(inlineText)).toEqual(['test.pdf', 'test.txt']);

    const meta = await parseFile('enmime/mail/non-mime-missing-charset.eml');
    expect(meta.html).toContain('Unencoded Euro Sign: €');
    expect(meta.html).not.toContain('\u0080');
  });
});
