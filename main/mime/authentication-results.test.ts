import { describe, expect, it } from 'vitest';
import type { Address } from '../../shared/model';
import { parseAuthenticationResults, receivingServerResults, senderVerification, speaksFor } from './authentication-results';
import { toMessageBody } from './message-body';
import { parseMessage } from './parse';

// Values as the MIME reader gives them: unfolded, each fold one space.
const GMAIL =
  'mx.google.com;       dkim=pass header.i=@example.com header.s=20230601 header.b=AbCd12+/;       spf=pass (google.com: domain of bounce@mail.example.com designates 192.0.2.10 as permitted sender) smtp.mailfrom=bounce@mail.example.com;       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com';
const MICROSOFT =
  'spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=example.com; dkim=pass (signature was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100';
const FASTMAIL =
  'mx6.messagingengine.com;     dkim=pass (2048-bit rsa key sha256) header.d=example.com header.i=@example.com header.b="AbC+dEf/1" header.a=rsa-sha256 header.s=fm1 x-bits=2048;     dmarc=pass policy.published-domain-policy=reject policy.applied-disposition=none policy.evaluated-disposition=none (p=reject,d=none,d.eval=none) policy.policy-from=p header.from=example.com;     iprev=pass smtp.remote-ip=192.0.2.10 (mail.example.com);     spf=pass smtp.mailfrom=bounce@example.com smtp.helo=mail.example.com';

describe('parsing an Authentication-Results field', () => {
  it('reads a Gmail field: authserv-id, results, comments dropped, properties in order', () => {
    expect(parseAuthenticationResults(GMAIL)).toEqual({
      authservId: 'mx.google.com',
      results: [
        { method: 'dkim', result: 'pass', properties: [['header.i', '@example.com'], ['header.s', '20230601'], ['header.b', 'AbCd12+/']] },
        { method: 'spf', result: 'pass', properties: [['smtp.mailfrom', 'bounce@mail.example.com']] },
        { method: 'dmarc', result: 'pass', properties: [['header.from', 'example.com']] },
      ],
    });
  });

  it('reads a Microsoft field: no authserv-id, ";" without a blank, words outside the grammar, compauth with a reason', () => {
    expect(parseAuthenticationResults(MICROSOFT)).toEqual({
      results: [
        { method: 'spf', result: 'pass', properties: [['smtp.mailfrom', 'example.com']] },
        { method: 'dkim', result: 'pass', properties: [['header.d', 'example.com']] },
        { method: 'dmarc', result: 'pass', properties: [['action', 'none'], ['header.from', 'example.com']] },
        { method: 'compauth', result: 'pass', reason: '100', properties: [] },
      ],
    });
  });

  it('reads a Fastmail field: quoted values, policy properties, a comment between properties', () => {
    const parsed = parseAuthenticationResults(FASTMAIL);
    expect(parsed?.authservId).toBe('mx6.messagingengine.com');
    expect(parsed?.results.map((result) => `${result.method}=${result.result}`)).toEqual(['dkim=pass', 'dmarc=pass', 'iprev=pass', 'spf=pass']);
    expect(parsed?.results[0]?.properties).toContainEqual(['header.b', 'AbC+dEf/1']);
    expect(parsed?.results[1]?.properties.at(-1)).toEqual(['header.from', 'example.com']);
  });

  it.each([
    ['a version', 'mx.example.net 1; dkim=pass header.d=example.com', { authservId: 'mx.example.net', version: 1, results: [{ method: 'dkim', result: 'pass', properties: [['header.d', 'example.com']] }] }],
    ['no result at all', 'mx.example.net 1; none', { authservId: 'mx.example.net', version: 1, results: [] }],
    ['a method version', 'mx.example.net; dkim/1=pass header.d=example.com', { authservId: 'mx.example.net', results: [{ method: 'dkim', result: 'pass', properties: [['header.d', 'example.com']] }] }],
    [
      'a quoted authserv-id, nested comments with escapes, ";" inside quotes',
      '"mx example" (receiver (ours) \\) still a comment); dkim=pass (good; (really)) reason="signature ok; checked" header.d="example.com"',
      { authservId: 'mx example', results: [{ method: 'dkim', result: 'pass', reason: 'signature ok; checked', properties: [['header.d', 'example.com']] }] },
    ],
    ['blanks around "=", "." and "/", as the grammar allows', 'mx.example.net; dkim / 1 = pass header . d = example.com', { authservId: 'mx.example.net', results: [{ method: 'dkim', result: 'pass', properties: [['header.d', 'example.com']] }] }],
    ['upper case: names and results lower-cased, values as written', 'MX.EXAMPLE.NET; DKIM=PASS HEADER.D=EXAMPLE.COM', { authservId: 'mx.example.net', results: [{ method: 'dkim', result: 'pass', properties: [['header.d', 'EXAMPLE.COM']] }] }],
    ['a quoted local part', 'mx.example.net; dkim=pass header.i="john doe"@example.com', { authservId: 'mx.example.net', results: [{ method: 'dkim', result: 'pass', properties: [['header.i', 'john doe@example.com']] }] }],
    [
      "Microsoft's older field: a bare domain between results, an empty one at the end",
      'spf=none (sender IP is ) smtp.mailfrom=<>; dkim=none (message not signed) header.d=none;example.com; dmarc=none action=none header.from=example.com;',
      {
        results: [
          { method: 'spf', result: 'none', properties: [['smtp.mailfrom', '<>']] },
          { method: 'dkim', result: 'none', properties: [['header.d', 'none']] },
          { method: 'dmarc', result: 'none', properties: [['action', 'none'], ['header.from', 'example.com']] },
        ],
      },
    ],
    [
      "Yahoo's old field: words after the authserv-id",
      'mta1021.mail.ird.yahoo.com from=ml.example.jp; domainkeys=neutral (no sig); dkim=neutral (no sig)',
      { authservId: 'mta1021.mail.ird.yahoo.com', results: [{ method: 'domainkeys', result: 'neutral', properties: [] }, { method: 'dkim', result: 'neutral', properties: [] }] },
    ],
    ['a segment that does not open with its result, or has no method', 'mx.example.net; stray dkim=pass header.d=example.com; =pass dkim=pass header.d=example.com', { authservId: 'mx.example.net', results: [] }],
    ['a property without a value', 'mx.example.net; spf=pass smtp.mailfrom=', { authservId: 'mx.example.net', results: [{ method: 'spf', result: 'pass', properties: [['smtp.mailfrom', '']] }] }],
  ])('reads %s', (_name, value, expected) => {
    expect(parseAuthenticationResults(value)).toEqual(expected);
  });

  it.each([
    ['an unclosed comment', 'mx.example.net; dkim=fail (bad signature; dkim=pass header.d=example.com'],
    ['an unclosed quoted string', 'mx.example.net; dkim=fail reason="bad; dkim=pass header.d=example.com'],
  ])('believes nothing of a field with %s', (_name, value) => {
    expect(parseAuthenticationResults(value)).toBeUndefined();
  });
});

// A message as the reader's header list has it: what the receiving server wrote on top, then the author's fields.
function headersOf(trace: [string, string][], from = 'News <news@example.com>'): [string, string][] {
  return [...trace, ['From', from], ['To', 'reader@example.net'], ['Subject', 'News'], ['Date', 'Thu, 01 Jan 2026 10:00:00 +0000']];
}
const RECEIVED_BY_GMAIL: [string, string] = ['Received', 'from mail.example.com (mail.example.com. [192.0.2.10]) by mx.google.com with ESMTPS id x1; Thu, 01 Jan 2026 10:00:01 -0800 (PST)'];
const RECEIVED_BY_OUTLOOK: [string, string] = ['Received', 'from mail.example.com (192.0.2.10) by BN8NAM12FT012.mail.protection.outlook.com (10.13.182.190) with Microsoft SMTP Server id 15.20.1; Thu, 1 Jan 2026 10:00:01 +0000'];
const SENDER_HOP: [string, string] = ['Received', 'by mail.example.com (Postfix) id 4711; Thu, 01 Jan 2026 10:00:00 +0000'];
const ar = (value: string): [string, string] => ['Authentication-Results', value];
const news: Address[] = [{ name: 'News', address: 'news@example.com' }];
const address = (text: string): Address[] => [{ name: '', address: text }];

describe('whether the sender is verified', () => {
  it.each<[string, [string, string][], Address[], ReturnType<typeof senderVerification>]>([
    [
      'Gmail: its field below its own Received, DMARC pass for the From domain',
      headersOf([RECEIVED_BY_GMAIL, ['Received-SPF', 'pass (google.com: domain of bounce@mail.example.com designates 192.0.2.10 as permitted sender)'], ar(GMAIL), SENDER_HOP, ['DKIM-Signature', 'v=1; d=example.com; s=20230601; b=x']]),
      news,
      { verified: true, address: 'news@example.com', by: 'dmarc', domain: 'example.com' },
    ],
    ['Gmail before DMARC: dkim=pass with header.i only', headersOf([RECEIVED_BY_GMAIL, ar('mx.google.com; spf=pass smtp.mail=news@example.com; dkim=pass header.i=@example.com')]), news, { verified: true, address: 'news@example.com', by: 'dkim', domain: 'example.com' }],
    ['Microsoft with compauth: DMARC pass', headersOf([RECEIVED_BY_OUTLOOK, ar(MICROSOFT), ['Received-SPF', 'Pass (protection.outlook.com: domain of example.com designates 192.0.2.10 as permitted sender)']]), news, { verified: true, address: 'news@example.com', by: 'dmarc', domain: 'example.com' }],
    ['Microsoft: compauth=pass and SPF alone do not count', headersOf([ar('spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=pass reason=109')]), news, { verified: false }],
    ['Fastmail: DMARC pass', headersOf([ar(FASTMAIL), ['Received', 'from mail.example.com (mail.example.com [192.0.2.10]) by mx6.messagingengine.com (Postfix) with ESMTPS']]), news, { verified: true, address: 'news@example.com', by: 'dmarc', domain: 'example.com' }],
    ['Postfix with OpenDKIM: DKIM pass signed by the From domain', headersOf([ar('mail.example.net; dkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com header.b="AbC"'), RECEIVED_BY_GMAIL]), news, { verified: true, address: 'news@example.com', by: 'dkim', domain: 'example.com' }],
    [
      'two fields: the topmost (the receiving server) failed; a pass from an earlier hop below it does not count',
      headersOf([ar('mx.example.net; dkim=fail header.d=example.com; dmarc=fail header.from=example.com'), RECEIVED_BY_GMAIL, ar('relay.example.org; dkim=pass header.d=example.com; dmarc=pass header.from=example.com'), SENDER_HOP]),
      news,
      { verified: false },
    ],
    ['two fields: the topmost passed; a failure below it from an earlier hop does not undo it', headersOf([ar('mx.example.net; dkim=pass header.d=example.com'), RECEIVED_BY_GMAIL, ar('relay.example.org; dkim=fail header.d=example.com')]), news, { verified: true, address: 'news@example.com', by: 'dkim', domain: 'example.com' }],
    [
      "a forged field below the receiving server's, claiming the receiver's own name",
      headersOf([RECEIVED_BY_GMAIL, ar('mx.google.com; dkim=pass header.i=@evil.test; spf=pass smtp.mailfrom=evil.test'), ar('mx.google.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com')]),
      news,
      { verified: false },
    ],
    ["a sender's own field among the author's fields (Exchange writes it below From), none from the receiver", [RECEIVED_BY_GMAIL, ['From', 'news@example.com'], ['Subject', 'x'], ['authentication-results', 'dkim=pass header.d=example.com; dmarc=pass header.from=example.com']], news, { verified: false }],
    ['dkim=pass for another domain (a mailing service signing with its own name)', headersOf([ar('mx.example.net; dkim=pass header.d=sendgrid.net; spf=pass smtp.mailfrom=sendgrid.net')]), news, { verified: false }],
    ['dkim=pass for a domain that only ends like the From domain', headersOf([ar('mx.example.net; dkim=pass header.d=ample.com; dkim=pass header.d=evil-example.com; dkim=pass header.d=example.com.evil.test')]), news, { verified: false }],
    ['relaxed alignment: a signature by the parent domain speaks for a subdomain', headersOf([ar('mx.example.net; dkim=pass header.d=example.com')]), address('news@mail.example.com'), { verified: true, address: 'news@mail.example.com', by: 'dkim', domain: 'example.com' }],
    ['but a signature by a subdomain does not speak for its parent', headersOf([ar('mx.example.net; dkim=pass header.d=mail.example.com')]), news, { verified: false }],
    ['nor does a top-level domain', headersOf([ar('mx.example.net; dkim=pass header.d=com')]), news, { verified: false }],
    ['header.i as an address', headersOf([ar('mx.example.net; dkim=pass header.i=news@news.example.com')]), address('news@news.example.com'), { verified: true, address: 'news@news.example.com', by: 'dkim', domain: 'news.example.com' }],
    ['header.d wins over header.i', headersOf([ar('mx.example.net; dkim=pass header.d=evil.test header.i=@example.com')]), news, { verified: false }],
    ['comments and quoted values', headersOf([ar('mx.example.net (checked by us; really); dkim=pass (2048-bit key; secure) reason="good; very" header.d="example.com" header.b="ab;cd"')]), news, { verified: true, address: 'news@example.com', by: 'dkim', domain: 'example.com' }],
    ['upper case everywhere', headersOf([['AUTHENTICATION-RESULTS', 'MX.EXAMPLE.NET; DKIM=PASS HEADER.D=EXAMPLE.COM']]), address('News@Example.COM'), { verified: true, address: 'news@example.com', by: 'dkim', domain: 'example.com' }],
    ['dmarc=pass without header.from', headersOf([ar('mx.example.net; dmarc=pass')]), news, { verified: false }],
    ['dmarc=pass for another From domain', headersOf([ar('mx.example.net; dmarc=pass header.from=evil.test')]), news, { verified: false }],
    ['dmarc=fail, even beside an aligned DKIM pass: the server’s verdict stands', headersOf([ar('mx.example.net; dkim=pass header.d=example.com; dmarc=fail (p=REJECT) header.from=example.com')]), news, { verified: false }],
    ['dmarc=none (no policy published) beside an aligned DKIM pass', headersOf([ar('mx.example.net; dkim=pass header.d=example.com; dmarc=none header.from=example.com')]), news, { verified: true, address: 'news@example.com', by: 'dkim', domain: 'example.com' }],
    ['dkim=fail, neutral or policy', headersOf([ar('mx.example.net; dkim=fail header.d=example.com; dkim=neutral header.d=example.com; dkim=policy header.d=example.com')]), news, { verified: false }],
    ['dkim=pass naming no domain', headersOf([ar('mx.example.net; dkim=pass header.s=sel')]), news, { verified: false }],
    ['no field at all', headersOf([RECEIVED_BY_GMAIL]), news, { verified: false }],
    ['only fields under other names (ARC, X-Original-, -Original)', headersOf([['ARC-Authentication-Results', 'i=1; mx.google.com; dkim=pass header.d=example.com'], ['X-Original-Authentication-Results', 'mx.google.com; dkim=pass header.d=example.com'], ['Authentication-Results-Original', 'mx.example.net; dmarc=pass header.from=example.com']]), news, { verified: false }],
    ['a field that cannot be read', headersOf([ar('mx.example.net; dkim=pass header.d=example.com (unclosed')]), news, { verified: false }],
    ['two From addresses', headersOf([ar('mx.example.net; dkim=pass header.d=example.com')], 'news@example.com, other@example.com'), [...news, { name: '', address: 'other@example.com' }], { verified: false }],
    ['two From fields', [...headersOf([ar('mx.example.net; dkim=pass header.d=example.com')]), ['From', 'ceo@example.com']], news, { verified: false }],
    ['no From address', headersOf([ar('mx.example.net; dkim=pass header.d=example.com')]), [], { verified: false }],
    ['an internationalised From domain, signed in its ASCII form', headersOf([ar('mx.example.net; dkim=pass header.d=xn--bcher-kva.example')]), address('news@bücher.example'), { verified: true, address: 'news@bücher.example', by: 'dkim', domain: 'xn--bcher-kva.example' }],
    ['an internationalised From domain, signed in UTF-8 (RFC 8616)', headersOf([ar('mx.example.net; dmarc=pass header.from=bücher.example')]), address('news@bücher.example'), { verified: true, address: 'news@bücher.example', by: 'dmarc', domain: 'xn--bcher-kva.example' }],
  ])('%s', (_name, headers, from, expected) => {
    expect(senderVerification(headers, from)).toEqual(expected);
  });

  it('relaxed alignment, one way only', () => {
    expect(speaksFor('example.com', 'example.com')).toBe(true);
    expect(speaksFor('example.com', 'a.b.example.com')).toBe(true);
    expect(speaksFor('a.example.com', 'example.com')).toBe(false);
    expect(speaksFor('example.com', 'badexample.com')).toBe(false);
    expect(speaksFor('co', 'example.co')).toBe(false);
  });
});

/** Lines joined as mail wants them. */
const crlf = (lines: string[]): Uint8Array => Buffer.from(lines.join('\r\n'), 'latin1');

const AUTHOR_PART = ['From: Bank <alerts@bank.example>', 'To: reader@example.net', 'Subject: Your statement', 'Date: Thu, 01 Jan 2026 10:00:00 +0000', 'Message-ID: <1@bank.example>', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '', '<p>Statement</p><img src="https://bank.example/pixel.png">', ''];

describe('a whole message', () => {
  it('verifies mail the receiving server vouched for, its field folded over lines as servers write it', async () => {
    const raw = crlf([
      'Delivered-To: reader@example.net',
      'Received: by 2002:a05:6a10:1234 with SMTP id x1; Thu, 1 Jan 2026 10:00:02 -0800 (PST)',
      'Received: from mail.bank.example (mail.bank.example. [192.0.2.20])',
      '        by mx.google.com with ESMTPS id y2; Thu, 01 Jan 2026 10:00:01 -0800 (PST)',
      'Received-SPF: pass (google.com: domain of bounce@bank.example designates 192.0.2.20 as permitted sender) client-ip=192.0.2.20;',
      'Authentication-Results: mx.google.com;',
      '       dkim=pass header.i=@bank.example header.s=s1 header.b=AbCd;',
      '       spf=pass (google.com: domain of bounce@bank.example designates 192.0.2.20 as permitted sender) smtp.mailfrom=bounce@bank.example;',
      '       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=bank.example',
      'Received: by mail.bank.example (Postfix) id 4711; Thu, 01 Jan 2026 10:00:00 +0000',
      'DKIM-Signature: v=1; a=rsa-sha256; d=bank.example; s=s1; h=from:to:subject; b=AbCd',
      ...AUTHOR_PART,
    ]);
    const body = toMessageBody(await parseMessage(raw), { accountId: 'a', folder: 'INBOX', serverId: '1' });
    expect(body.senderVerification).toEqual({ verified: true, address: 'alerts@bank.example', by: 'dmarc', domain: 'bank.example' });
  });

  it("does not verify a forged field placed below the receiving server's, even one claiming the receiver's name", async () => {
    const raw = crlf([
      'Received: from mail.evil.test (mail.evil.test [198.51.100.7])',
      '        by mx.google.com with ESMTPS id z3; Thu, 01 Jan 2026 10:00:01 -0800 (PST)',
      'Authentication-Results: mx.google.com; dkim=pass header.i=@evil.test; spf=pass smtp.mailfrom=evil.test; dmarc=fail (p=REJECT) header.from=bank.example',
      // What the forger wrote: it came with the message, so it is below everything the receiving server added.
      'Authentication-Results: mx.google.com; dkim=pass header.d=bank.example; dmarc=pass header.from=bank.example',
      ...AUTHOR_PART,
    ]);
    const parsed = await parseMessage(raw);
    expect(receivingServerResults(parsed.headers)?.results.find((result) => result.method === 'dkim')?.properties).toEqual([['header.i', '@evil.test']]);
    expect(toMessageBody(parsed, { accountId: 'a', folder: 'INBOX', serverId: '1' }).senderVerification).toEqual({ verified: false });
  });

  it('does not verify a forged field when the receiving server wrote none of its own, if it is among the author’s fields', async () => {
    const [from, ...rest] = AUTHOR_PART;
    const raw = crlf(['Received: from mail.evil.test by mx.example.net; Thu, 01 Jan 2026 10:00:01 +0000', from ?? '', 'Authentication-Results: mx.example.net; dkim=pass header.d=bank.example', ...rest]);
    expect(toMessageBody(await parseMessage(raw), { accountId: 'a', folder: 'INBOX', serverId: '1' }).senderVerification).toEqual({ verified: false });
  });

  it('does not verify a message with two From fields', async () => {
    const raw = crlf(['Authentication-Results: mx.example.net; dkim=pass header.d=bank.example', ...AUTHOR_PART.slice(0, 1), 'From: Someone <someone@evil.test>', ...AUTHOR_PART.slice(1)]);
    expect(toMessageBody(await parseMessage(raw), { accountId: 'a', folder: 'INBOX', serverId: '1' }).senderVerification).toEqual({ verified: false });
  });
});
