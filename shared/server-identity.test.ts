import { describe, expect, it } from 'vitest';
import { sameServer } from './server-identity';
import type { ServerIdentity } from './server-identity';

const saved: ServerIdentity = { host: 'imap.example.com', port: 993, security: 'tls', username: 'ann@example.com' };

describe('whether settings name the same server for a stored password', () => {
  it('ignores the case of the host name and a trailing dot, which name the same host', () => {
    expect(sameServer(saved, { ...saved })).toBe(true);
    expect(sameServer(saved, { ...saved, host: 'IMAP.Example.COM' })).toBe(true);
    expect(sameServer(saved, { ...saved, host: 'imap.example.com.' })).toBe(true);
    expect(sameServer({ ...saved, host: 'Imap.Example.com.' }, { ...saved, host: 'imap.EXAMPLE.com' })).toBe(true);
  });

  it.each<[string, Partial<ServerIdentity>]>([
    ['another host', { host: 'attacker.example' }],
    ['a host that only shares a prefix', { host: 'imap.example.com.attacker.example' }],
    ['the same host with two trailing dots', { host: 'imap.example.com..' }],
    ['the address instead of the name', { host: '127.0.0.1' }],
    ['another port', { port: 143 }],
    ['another security', { security: 'starttls' }],
    ['no encryption', { security: 'plain' }],
    ['another user name', { username: 'bob@example.com' }],
    ['a user name in other case', { username: 'Ann@example.com' }],
    ['a user name with a space', { username: 'ann@example.com ' }],
  ])('tells apart %s', (_what, change) => {
    expect(sameServer(saved, { ...saved, ...change })).toBe(false);
    expect(sameServer({ ...saved, ...change }, saved)).toBe(false);
  });
});
