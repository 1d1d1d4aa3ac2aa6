import { describe, expect, it } from 'vitest';
import { externalServerRequested, externalStackFromEnv, parseHostPort, parseUsers } from '../mailstack/external-stack';

describe('pointing the tests at another server', () => {
  it('is off unless a TWINBOX_TEST_* server variable is set', () => {
    expect(externalServerRequested({})).toBe(false);
    expect(externalServerRequested({ TWINBOX_TEST_IMAPS: 'mail.example.org:993' })).toBe(true);
  });

  it('reads endpoints, users and the reasons for what is missing', () => {
    const info = externalStackFromEnv({
      TWINBOX_TEST_IMAPS: 'mail.example.org:993',
      TWINBOX_TEST_POP3S: 'mail.example.org:995',
      TWINBOX_TEST_USERS: 'ann@example.org:pw1,ben@example.org:p:w2',
    });
    expect(info.imaps).toEqual({ host: 'mail.example.org', port: 993 });
    expect(info.imap).toBeUndefined();
    expect(info.missing.smtp).toBe('TWINBOX_TEST_SMTP is not set');
    expect(info.users).toEqual([
      { user: 'ann@example.org', password: 'pw1', address: 'ann@example.org' },
      { user: 'ben@example.org', password: 'p:w2', address: 'ben@example.org' },
    ]);
    expect(info.tlsServername).toBe('mail.example.org');
  });

  it('refuses fewer than two users, and users without a domain', () => {
    expect(() => externalStackFromEnv({ TWINBOX_TEST_IMAP: 'h:143', TWINBOX_TEST_USERS: 'a@x:1' })).toThrow(/at least two/);
    expect(() => parseUsers('ann:pw', '')).toThrow(/no domain/);
    expect(parseUsers('ann:pw', 'example.org')[0]?.address).toBe('ann@example.org');
  });

  it('parses host:port, including IPv6 in brackets, and refuses the rest', () => {
    expect(parseHostPort('V', '127.0.0.1:143')).toEqual({ host: '127.0.0.1', port: 143 });
    expect(parseHostPort('V', '[::1]:993')).toEqual({ host: '::1', port: 993 });
    expect(() => parseHostPort('V', 'mail.example.org')).toThrow(/host:port/);
    expect(() => parseHostPort('V', 'h:70000')).toThrow(/host:port/);
  });
});
