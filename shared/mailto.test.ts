import { describe, expect, it } from 'vitest';
import { MAILTO_MAX_LENGTH, parseMailto } from './mailto';

describe('mailto: links (RFC 6068)', () => {
  it('reads the RFC’s own examples', () => {
    expect(parseMailto('mailto:chris@example.com')).toEqual({ to: ['chris@example.com'], cc: [], bcc: [], subject: '', body: '' });
    expect(parseMailto('mailto:infobot@example.com?subject=current-issue')).toMatchObject({ to: ['infobot@example.com'], subject: 'current-issue' });
    expect(parseMailto('mailto:infobot@example.com?body=send%20current-issue')).toMatchObject({ body: 'send current-issue' });
    expect(parseMailto('mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index')).toMatchObject({ body: 'send current-issue\nsend index' });
    expect(parseMailto('mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E')).toMatchObject({ inReplyTo: '3469A91.D10AF4C@example.com' });
    expect(parseMailto('mailto:majordomo@example.com?body=subscribe%20bamboo-l')).toMatchObject({ body: 'subscribe bamboo-l' });
    expect(parseMailto('mailto:joe@example.com?cc=bob@example.com&body=hello')).toEqual({ to: ['joe@example.com'], cc: ['bob@example.com'], bcc: [], subject: '', body: 'hello' });
    expect(parseMailto('mailto:gorby%25kremvax@example.com')).toMatchObject({ to: ['gorby%kremvax@example.com'] });
    expect(parseMailto('mailto:?to=joe@example.com&cc=bob@example.com&body=hello')).toMatchObject({ to: ['joe@example.com'], cc: ['bob@example.com'] });
  });

  it('takes several addresses, in the path and in to/cc/bcc fields, and non-ASCII text as UTF-8', () => {
    expect(parseMailto('mailto:a@example.org,%20b@example.org?to=c@example.org&bcc=d@example.org,e@example.org')).toMatchObject({
      to: ['a@example.org', 'b@example.org', 'c@example.org'],
      bcc: ['d@example.org', 'e@example.org'],
    });
    expect(parseMailto('mailto:user@example.org?subject=%E3%81%AF%E3%81%98%E3%82%81%E3%81%BE%E3%81%97%E3%81%A6&body=Gr%C3%BC%C3%9Fe')).toMatchObject({
      subject: 'はじめまして',
      body: 'Grüße',
    });
    expect(parseMailto('MAILTO:A@Example.org?SUBJECT=Hi')).toMatchObject({ to: ['A@Example.org'], subject: 'Hi' });
  });

  it('keeps a plus a plus, and takes nothing a link may not set', () => {
    expect(parseMailto('mailto:a+tag@example.org?subject=1+1')).toMatchObject({ to: ['a+tag@example.org'], subject: '1+1' });
    const hostile = parseMailto('mailto:a@example.org?from=boss@example.org&reply-to=x@evil.example&attach=/etc/passwd&subject=Hi%0D%0ABcc:%20x@evil.example');
    expect(hostile).toEqual({ to: ['a@example.org'], cc: [], bcc: [], subject: 'Hi Bcc: x@evil.example', body: '' });
  });

  it('refuses what is not a readable mailto: link', () => {
    expect(parseMailto('http://example.org')).toBeUndefined();
    expect(parseMailto('mailto:a@example.org?subject=%E0%A4%A')).toBeUndefined();
    expect(parseMailto(`mailto:a@example.org?body=${'x'.repeat(MAILTO_MAX_LENGTH)}`)).toBeUndefined();
  });
});
