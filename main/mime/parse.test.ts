import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from './parse';

/** A raw message from lines; a hex string written as `hex:...` becomes those exact bytes (for legacy charsets). */
function rawMessage(...lines: string[]): Uint8Array {
  return Buffer.concat(lines.map((line) => Buffer.concat([line.startsWith('hex:') ? Buffer.from(line.slice(4), 'hex') : Buffer.from(line, 'utf8'), Buffer.from('\r\n')])));
}

/** A header line whose value is given as legacy-charset bytes. */
function rawHeader(name: string, hex: string): string {
  return `hex:${Buffer.from(`${name}: `).toString('hex')}${hex}`;
}

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PNG_SIZE = Buffer.from(PNG_BASE64, 'base64').byteLength;

describe('headers only (POP3 TOP n 0)', () => {
  const headerBlock = [
    'From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>',
    'To: Team: anna@example.org, "Bo, Jr." <bo@example.org>;',
    'Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus Berlin',
    'Date: Thu, 26 Nov 2026 10:00:00 +0100',
    'Message-ID: <abc@example.org>',
    'Content-Type: multipart/mixed; boundary="b1"',
  ];

  it('reads a header block that ends without a blank line into a full summary with no body', async () => {
    const parsed = await parseMessage(rawMessage(...headerBlock));
    expect(parsed.summary).toMatchObject({
      subject: 'Grüße aus Berlin',
      from: [{ name: 'Jürgen Müller', address: 'juergen@example.org' }],
      to: [
        { name: '', address: 'anna@example.org' },
        { name: 'Bo, Jr.', address: 'bo@example.org' },
      ],
      date: '2026-11-26T09:00:00.000Z',
      messageId: 'abc@example.org',
    });
    expect(parsed.headersOnly).toBe(true);
    expect(parsed.text).toBeUndefined();
    expect(parsed.html).toBeUndefined();
    expect(parsed.summary.snippet).toBeUndefined();
    expect(parsed.attachments).toEqual([]);
    // A multipart/mixed body that was not downloaded: nothing is wrong with the message.
    expect(parsed.warnings).toEqual([]);
    expect(parsed.headers.map(([name]) => name)).toEqual(['From', 'To', 'Subject', 'Date', 'Message-ID', 'Content-Type']);
  });

  it('reads the same block with its blank line identically', async () => {
    const withoutBlank = await parseMessage(rawMessage(...headerBlock));
    const withBlank = await parseMessage(rawMessage(...headerBlock, ''));
    expect(withBlank).toEqual(withoutBlank);
  });

  it('guesses attachments from the Content-Type when there is no body to look at', async () => {
    const mixed = await parseMessage(rawMessage(...headerBlock, ''));
    const alternative = await parseMessage(rawMessage('Subject: hi', 'Content-Type: multipart/alternative; boundary=x', ''));
    const plain = await parseMessage(rawMessage('Subject: hi', ''));
    expect(mixed.summary.hasAttachments).toBe(true);
    expect(alternative.summary.hasAttachments).toBe(false);
    expect(plain.summary.hasAttachments).toBe(false);
  });
});

describe('snippet', () => {
  it('collapses the text body to about 200 characters, cut between words', async () => {
    const words = Array.from({ length: 80 }, (_, index) => `word${index}`).join('  \r\n\t');
    const parsed = await parseMessage(rawMessage('Subject: long', '', words));
    const snippet = parsed.summary.snippet ?? '';
    expect(snippet.length).toBeGreaterThan(150);
    expect(snippet.length).toBeLessThanOrEqual(200);
    expect(snippet).toMatch(/^word0 word1 word2 /);
    expect(snippet).not.toMatch(/\s{2}|[\r\n\t]/);
    expect(words.replace(/\s+/g, ' ')).toContain(snippet);
    expect(words.replace(/\s+/g, ' ').charAt(snippet.length)).toBe(' ');
  });

  it('takes HTML without head, styles, scripts, comments or tags, and decodes entities', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><head><title>Newsletter title</title><style>p { color: red }</style></head>',
        '<body><!-- tracking --><script>var x = "<p>no</p>";</script>',
        '<p>Caf&eacute; &amp; <b>Bar</b>&nbsp;&#8211; open&#x21;</p>&zwnj;&zwnj;</body></html>',
      ),
    );
    expect(parsed.summary.snippet).toBe('Café & Bar – open!');
  });

  it('falls back to the HTML when the text alternative is empty', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        '--alt',
        'Content-Type: text/plain',
        '',
        '   ',
        '--alt',
        'Content-Type: text/html',
        '',
        '<div>Only the <i>HTML</i> says something</div>',
        '--alt--',
      ),
    );
    expect(parsed.summary.snippet).toBe('Only the HTML says something');
  });
});

describe('inline parts and attachments', () => {
  it('treats an image the HTML references by cid as inline, and lists nothing', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/related; boundary="rel"',
        '',
        '--rel',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Logo: <img src="cid:logo@example.org"></p>',
        '--rel',
        'Content-Type: image/png; name="logo.png"',
        'Content-Transfer-Encoding: base64',
        'Content-ID: <logo@example.org>',
        '',
        PNG_BASE64,
        '--rel--',
      ),
    );
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: 'logo.png', contentType: 'image/png', size: PNG_SIZE, inline: true, contentId: 'logo@example.org' });
    expect(parsed.summary.hasAttachments).toBe(false);
  });

  it('lists a PDF sent with Content-Disposition inline that nothing references', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/mixed; boundary="mix"',
        '',
        '--mix',
        'Content-Type: text/plain',
        '',
        'See the invoice.',
        '--mix',
        'Content-Type: application/pdf',
        'Content-Disposition: inline; filename="invoice.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 fake').toString('base64'),
        '--mix--',
      ),
    );
    expect(parsed.attachments).toEqual([expect.objectContaining({ filename: 'invoice.pdf', contentType: 'application/pdf', size: 13, inline: false })]);
    expect(parsed.summary.hasAttachments).toBe(true);
  });

  it('shows an image with Content-Disposition inline in a text message inline', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/mixed; boundary="mix"',
        '',
        '--mix',
        'Content-Type: text/plain',
        '',
        'Look at this:',
        '--mix',
        'Content-Type: image/png',
        'Content-Disposition: inline; filename="photo.png"',
        'Content-Transfer-Encoding: base64',
        '',
        PNG_BASE64,
        '--mix--',
      ),
    );
    expect(parsed.attachments[0]).toMatchObject({ filename: 'photo.png', inline: true });
    expect(parsed.summary.hasAttachments).toBe(false);
  });

  it('lists a related image that the HTML never references, so it is not lost', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/related; boundary="rel"',
        '',
        '--rel',
        'Content-Type: text/html',
        '',
        '<p>No images here</p>',
        '--rel',
        'Content-Type: image/png',
        'Content-ID: <orphan@example.org>',
        'Content-Transfer-Encoding: base64',
        '',
        PNG_BASE64,
        '--rel--',
      ),
    );
    expect(parsed.attachments[0]).toMatchObject({ filename: 'attachment-1.png', inline: false });
    expect(parsed.summary.hasAttachments).toBe(true);
  });

  it('lists an S/MIME signature without counting it as an attachment', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"',
        '',
        '--sig',
        'Content-Type: text/plain',
        '',
        'Signed text.',
        '--sig',
        'Content-Type: application/pkcs7-signature; name="smime.p7s"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="smime.p7s"',
        '',
        'MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAA==',
        '--sig--',
      ),
    );
    expect(parsed.text).toBe('Signed text.');
    expect(parsed.attachments).toEqual([expect.objectContaining({ filename: 'smime.p7s', contentType: 'application/pkcs7-signature', role: 'signature', inline: false })]);
    expect(parsed.summary.hasAttachments).toBe(false);
  });

  it('lists an S/MIME encrypted message as its smime.p7m attachment', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'From: sender@example.org',
        'Subject: secret',
        'MIME-Version: 1.0',
        'Content-Type: application/pkcs7-mime; smime-type=enveloped-data',
        'Content-Transfer-Encoding: base64',
        '',
        'MIAGCSqGSIb3DQEHA6CAMIACAQAxggFMMIIBSAIBADAwMCsxKTAnBgNVBAMTIFRlc3Q=',
      ),
    );
    expect(parsed.summary.subject).toBe('secret');
    expect(parsed.attachments).toEqual([expect.objectContaining({ filename: 'smime.p7m', contentType: 'application/pkcs7-mime', role: 'encrypted' })]);
    expect(parsed.summary.hasAttachments).toBe(true);
  });

  it('names unnamed parts by their type and strips directories from sent names', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/mixed; boundary="mix"',
        '',
        '--mix',
        'Content-Type: application/pdf',
        '',
        'x',
        '--mix',
        'Content-Type: application/octet-stream; name="C:\\Users\\ann\\report.xlsx"',
        '',
        'y',
        '--mix',
        'Content-Type: application/ms-tnef',
        '',
        'z',
        '--mix--',
      ),
    );
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual(['attachment-1.pdf', 'report.xlsx', 'winmail.dat']);
    expect(parsed.attachments[2]?.role).toBe('tnef');
  });

  it('makes sent names safe where it reads them, so the list and the saved file agree', async () => {
    const part = (disposition: string, body: string): string[] => ['--mix', 'Content-Type: application/octet-stream', `Content-Disposition: ${disposition}`, '', body];
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/mixed; boundary="mix"',
        '',
        ...part("attachment; filename*=utf-8''a%E2%80%AEtxt.exe", 'a'),
        ...part('attachment; filename="../../etc/passwd"', 'b'),
        ...part('attachment; filename="nul.txt"', 'c'),
        ...part('attachment; filename="report.pdf...   "', 'd'),
        ...part('attachment; filename=".."', 'e'),
        ...part("attachment; filename*=utf-8''%E2%80%8Fq%C2%9B.zip", 'f'),
        '--mix--',
      ),
    );
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual(['atxt.exe', 'passwd', '_nul.txt', 'report.pdf', 'attachment-5', 'q.zip']);
  });

  it('decodes RFC 2231 file names split into sections in a legacy charset', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Content-Type: multipart/mixed; boundary="mix"',
        '',
        '--mix',
        'Content-Type: text/plain',
        'Content-Disposition: attachment;',
        " filename*0*=iso-8859-1''R%E9sum%E9%20;",
        ' filename*1*=%FCber;',
        ' filename*2=".txt"',
        '',
        'hello',
        '--mix--',
      ),
    );
    expect(parsed.attachments[0]).toMatchObject({ filename: 'Résumé über.txt', contentType: 'text/plain', size: 5 });
  });

  it('takes files out of uuencoded blocks in the text', async () => {
    const parsed = await parseMessage(rawMessage('Subject: old style', '', 'Here it is:', '', 'begin 644 cat.txt', '#0V%T', '`', 'end', '', 'Bye'));
    expect(parsed.attachments).toEqual([expect.objectContaining({ filename: 'cat.txt', size: 3 })]);
    expect(Buffer.from(parsed.attachments[0]?.content ?? []).toString()).toBe('Cat');
    expect(parsed.text).not.toContain('begin 644');
    expect(parsed.text).toContain('Bye');
  });
});

describe('dates', () => {
  it('leaves the date out, without complaint, when there is no Date header', async () => {
    const parsed = await parseMessage(rawMessage('Subject: no date', '', 'body'));
    expect(parsed.summary.date).toBeUndefined();
    expect('date' in parsed.summary).toBe(false);
    expect(parsed.warnings).toEqual([]);
  });

  it.each(['Whenever', 'Mon, 30 Jun 3609 15:33:50 +0600', 'Wed, 15 Dec 2010    59:10 -0500', 'Sat, 31 Feb 2004 10:00:00 +0000', '12'])('refuses "%s" and says so', async (value) => {
    const parsed = await parseMessage(rawMessage(`Date: ${value}`, '', 'body'));
    expect(parsed.summary.date).toBeUndefined();
    expect(parsed.warnings.join(' ')).toMatch(/Date header .* is not a date/);
  });

  it.each([
    ['Fri, 21 Nov 1997 09:55:06 -0600 (CST)', '1997-11-21T15:55:06.000Z'],
    ['21 Nov 97 09:55 EST', '1997-11-21T14:55:00.000Z'],
    ['18 Feb 01 12:29:13 AM', '2001-02-18T00:29:13.000Z'],
    ['Tue, 7 Apr 2026 22:00:00 GMT', '2026-04-07T22:00:00.000Z'],
    ['Mon Jan  5 10:00:00 2004', '2004-01-05T10:00:00.000Z'],
    ['2015-07-21T16:02:29Z', '2015-07-21T16:02:29.000Z'],
  ])('reads "%s"', async (value, iso) => {
    const parsed = await parseMessage(rawMessage(`Date: ${value}`, '', 'body'));
    expect(parsed.summary.date).toBe(iso);
  });
});

describe('charsets and encoded words', () => {
  it('joins a character that the sender split between two encoded words', async () => {
    // "Grüße": the two bytes of "ü" (C3 BC) are split between the words.
    const parsed = await parseMessage(rawMessage('Subject: =?utf-8?B?R3LD?= =?UTF-8?B?vMOfZQ==?=', '', ''));
    expect(parsed.summary.subject).toBe('Grüße');
  });

  it('decodes ISO-2022-JP words one by one, as its escapes require', async () => {
    const parsed = await parseMessage(rawMessage('Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=', ' =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=', '', ''));
    expect(parsed.summary.subject).toBe('テストテスト');
  });

  it('guesses the charset of an encoded word with an unknown label, and says so', async () => {
    const parsed = await parseMessage(rawMessage('Subject: =?x-unknown?Q?Caf=C3=A9?=', '', ''));
    expect(parsed.summary.subject).toBe('Café');
    expect(parsed.warnings).toEqual([expect.stringContaining('unknown character set "x-unknown"')]);
  });

  it.each([
    ['GB2312', 'ccdad1b6c6f3d2b5d3cacfe4', '腾讯企业邮箱'],
    ['Big5', 'b773a4f9a453a8eca141b771bdd0adecbdcc', '新片又到，敬請原諒'],
    ['EUC-KR', 'c0ccbfebbee0b0fc20baafb0e620bec8b3bb', '이용약관 변경 안내'],
    ['Shift_JIS', '93648e718381815b838b8d4c8d908ed0', '電子メール広告社'],
    ['KOI8-R', 'efd4cbd5c4c120cfce20d0cfd1d7c9ccd3d13f', 'Откуда он появился?'],
    ['windows-1251', 'd2e5f1f2eee2eee520f1eeeee1f9e5ede8e5', 'Тестовое сообщение'],
    ['windows-1252', '466f726d61e7e36f20566572e36f', 'Formação Verão'],
  ])('reads a raw 8-bit %s subject that declares no charset', async (_charset, hex, expected) => {
    const parsed = await parseMessage(rawMessage(rawHeader('Subject', hex), '', 'body'));
    expect(parsed.summary.subject).toBe(expected);
    expect(parsed.warnings).toEqual([expect.stringContaining('8-bit characters without a declared character set')]);
  });

  it('reads undeclared 8-bit text in the charset it uses', async () => {
    const parsed = await parseMessage(rawMessage('Subject: hi', 'Content-Type: text/plain', '', 'hex:f0d2c9d7c5d42c20cbc1cb20c4c5ccc13f20f7d3a320c8cfd2cfdbcf2e'));
    expect(parsed.text).toBe('Привет, как дела? Всё хорошо.\n');
    expect(parsed.warnings).toEqual([expect.stringContaining('names no character set; it was read as koi8-r')]);
  });

  it('does not trust a us-ascii label on Shift_JIS bytes', async () => {
    const parsed = await parseMessage(rawMessage('Content-Type: text/plain; charset=us-ascii', '', 'hex:93648e718381815b838b8d4c8d908ed0'));
    expect(parsed.text).toBe('電子メール広告社\n');
  });

  it('keeps a declared legacy charset', async () => {
    const parsed = await parseMessage(rawMessage('Content-Type: text/plain; charset=windows-1251', 'Content-Transfer-Encoding: 8bit', '', 'hex:d2e5f1f2eee2eee520f1eeeee1f9e5ede8e5'));
    expect(parsed.text).toBe('Тестовое сообщение\n');
    expect(parsed.warnings).toEqual([]);
  });
});

describe('damaged structure', () => {
  it('finds the parts of a multipart that names no boundary', async () => {
    const parsed = await parseMessage(
      rawMessage('Subject: t', 'Content-Type: multipart/mixed', '', '--xyz', 'Content-Type: text/plain', '', 'The body', '--xyz', 'Content-Type: application/zip; name=a.zip', '', 'PK', '--xyz--'),
    );
    expect(parsed.text).toBe('The body');
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual(['a.zip']);
    expect(parsed.warnings).toEqual([expect.stringContaining('names no boundary')]);
  });

  it('shows a forwarded message inline with its headers, and lists it as one attachment', async () => {
    const parsed = await parseMessage(
      rawMessage(
        'Subject: Fwd: report',
        'Content-Type: multipart/mixed; boundary="outer"',
        '',
        '--outer',
        'Content-Type: text/plain',
        '',
        'See below.',
        '--outer',
        'Content-Type: message/rfc822',
        '',
        'From: Ann <ann@example.org>',
        'Subject: =?utf-8?q?Quartalsbericht_f=C3=BCr_Q3?=',
        'Content-Type: multipart/mixed; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain',
        '',
        'Numbers attached.',
        '--inner',
        'Content-Type: text/csv; name="q3.csv"',
        'Content-Disposition: attachment; filename="q3.csv"',
        '',
        'a,b',
        '--inner--',
        '--outer--',
      ),
    );
    expect(parsed.text).toContain('See below.');
    expect(parsed.text).toContain('Subject: Quartalsbericht für Q3');
    expect(parsed.text).toContain('Ann <ann@example.org>');
    expect(parsed.text).toContain('Numbers attached.');
    // One entry for the attached message: q3.csv is saved with it and listed when it is opened, not again here.
    expect(parsed.attachments).toEqual([expect.objectContaining({ filename: 'Quartalsbericht für Q3.eml', contentType: 'message/rfc822', role: 'message', inline: false })]);
    expect(parsed.summary.hasAttachments).toBe(true);
  });

  it('shows a message part marked inline without listing it', async () => {
    const parsed = await parseMessage(
      rawMessage('Content-Type: multipart/mixed; boundary="o"', '', '--o', 'Content-Type: message/rfc822', 'Content-Disposition: inline', '', 'Subject: quoted', '', 'Inner words', '--o--'),
    );
    expect(parsed.text).toContain('Inner words');
    expect(parsed.attachments).toEqual([]);
    expect(parsed.summary.hasAttachments).toBe(false);
  });

  it('says in plain words when a message has nothing to read', async () => {
    const parsed = await parseMessage(new Uint8Array(0));
    expect(parsed.summary.subject).toBe('');
    expect(parsed.warnings).toEqual(['The message is empty.']);
  });

  it('never throws, whatever the bytes', async () => {
    const template = Buffer.from(
      rawMessage(
        'From: =?utf-8?q?A?= <a@example.org>',
        'Subject: =?gb2312?B?xOO6ww==?=',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/html; charset=koi8-r',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        '<p>=F0=D2=C9</p>',
        '--b',
        'Content-Type: message/rfc822',
        '',
        'Subject: inner',
        '',
        'x',
        '--b--',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc.array(fc.tuple(fc.nat(template.length), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }).map((edits) => {
            const mutated = Uint8Array.from(template);
            for (const [position, byte] of edits) mutated[position] = byte;
            return mutated;
          }),
        ),
        async (bytes) => {
          const parsed = await parseMessage(bytes);
          expect(typeof parsed.summary.subject).toBe('string');
          expect(Array.isArray(parsed.warnings)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
