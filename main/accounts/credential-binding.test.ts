import { describe, expect, it } from 'vitest';
import type { ServerSettings } from '../../shared/model';
import { passwordsToStore, testPasswords } from './credential-binding';
import type { SavedCredentials } from './credential-binding';

const incoming: ServerSettings = { host: 'imap.example.com', port: 993, security: 'tls', username: 'ann' };
const outgoing: ServerSettings = { host: 'smtp.example.com', port: 587, security: 'starttls', username: 'ann' };
const elsewhere = { host: 'attacker.example' };

/** A saved account whose SMTP server uses the incoming password, unless `outgoingPassword` is given. */
function saved(outgoingPassword?: string): SavedCredentials {
  return { servers: { incoming, outgoing }, incomingPassword: 'in-secret', outgoingPassword };
}

describe('the passwords a connection test sends', () => {
  it('uses the stored passwords for unchanged servers, whatever the spelling of the host', () => {
    expect(testPasswords(saved(), { incoming, outgoing })).toEqual({ incoming: 'in-secret', outgoing: 'in-secret' });
    expect(testPasswords(saved('out-secret'), { incoming: { ...incoming, host: 'IMAP.example.com.' }, outgoing })).toEqual({
      incoming: 'in-secret',
      outgoing: 'out-secret',
    });
  });

  it('sends no stored password to a changed server, and nothing at all unless one is typed', () => {
    for (const change of [elsewhere, { port: 1993 }, { security: 'plain' as const }, { username: 'bob' }]) {
      expect(testPasswords(saved('out-secret'), { incoming: { ...incoming, ...change }, outgoing })).toEqual({ incoming: undefined, outgoing: 'out-secret' });
      expect(testPasswords(saved('out-secret'), { incoming, outgoing: { ...outgoing, ...change } })).toEqual({ incoming: 'in-secret', outgoing: undefined });
    }
    expect(testPasswords(saved(), { incoming: { ...incoming, ...elsewhere }, incomingPassword: 'typed', outgoing })).toMatchObject({ incoming: 'typed' });
    expect(testPasswords(saved(), { incoming, outgoing: { ...outgoing, ...elsewhere }, outgoingPassword: 'typed' })).toMatchObject({ outgoing: 'typed' });
  });

  it('sends the incoming password to the SMTP server only while that server is unchanged', () => {
    // Neither the stored nor a typed incoming password goes to a changed SMTP server of a saved account.
    expect(testPasswords(saved(), { incoming, incomingPassword: 'typed', outgoing: { ...outgoing, ...elsewhere } }).outgoing).toBeUndefined();
    // A new incoming password typed for the same server follows to the SMTP server, as it will once saved…
    expect(testPasswords(saved(), { incoming, incomingPassword: 'typed', outgoing }).outgoing).toBe('typed');
    // …but one typed for a new incoming server does not: the unchanged SMTP server keeps the old one.
    expect(testPasswords(saved(), { incoming: { ...incoming, port: 1993 }, incomingPassword: 'typed', outgoing }).outgoing).toBe('in-secret');
  });

  it('tests a new account with what was typed, the SMTP server following the incoming password', () => {
    expect(testPasswords(undefined, { incoming, incomingPassword: 'typed', outgoing })).toEqual({ incoming: 'typed', outgoing: 'typed' });
    expect(testPasswords(undefined, { incoming, outgoing, outgoingPassword: 'smtp' })).toEqual({ incoming: '', outgoing: 'smtp' });
    expect(testPasswords(undefined, { incoming })).toEqual({ incoming: '', outgoing: undefined });
  });
});

describe('the passwords a save stores', () => {
  it('keeps the stored passwords for unchanged servers and stores what was typed', () => {
    expect(passwordsToStore(saved(), { incoming, outgoing })).toEqual({ kind: 'store', passwords: {} });
    expect(passwordsToStore(saved(), { incoming, outgoing, incomingPassword: 'new' })).toEqual({ kind: 'store', passwords: { incoming: 'new' } });
    expect(passwordsToStore(undefined, { incoming, outgoing, incomingPassword: '' })).toEqual({ kind: 'store', passwords: { incoming: '' } });
  });

  it('refuses a changed server without a new password for it, naming each such server', () => {
    expect(passwordsToStore(saved(), { incoming: { ...incoming, username: 'bob' }, outgoing })).toEqual({ kind: 'password-required', servers: ['incoming'] });
    expect(passwordsToStore(saved('out-secret'), { incoming, outgoing: { ...outgoing, ...elsewhere }, incomingPassword: 'typed' })).toEqual({
      kind: 'password-required',
      servers: ['outgoing'],
    });
    expect(passwordsToStore(saved(), { incoming: { ...incoming, ...elsewhere }, outgoing: { ...outgoing, ...elsewhere } })).toEqual({
      kind: 'password-required',
      servers: ['incoming', 'outgoing'],
    });
  });

  it('stores the new password of a changed server', () => {
    expect(passwordsToStore(saved('out-secret'), { incoming, outgoing: { ...outgoing, port: 465, security: 'tls' }, outgoingPassword: 'new' })).toEqual({
      kind: 'store',
      passwords: { outgoing: 'new' },
    });
  });

  it('keeps the old incoming password for an unchanged SMTP server that used it when the incoming server moves', () => {
    const moved = { incoming: { ...incoming, ...elsewhere }, outgoing, incomingPassword: 'new' };
    expect(passwordsToStore(saved(), moved)).toEqual({ kind: 'store', passwords: { incoming: 'new', outgoing: 'in-secret' } });
    // An SMTP server with its own password keeps it untouched.
    expect(passwordsToStore(saved('out-secret'), moved)).toEqual({ kind: 'store', passwords: { incoming: 'new' } });
  });
});

describe('servers that sign in with a provider', () => {
  it('need no password when they change: their token is bound by a new sign-in instead', () => {
    const moved = { ...incoming, host: 'imap.elsewhere.example', signIn: 'oauth2' as const };
    // The unchanged SMTP server keeps the password it always used, as its own.
    expect(passwordsToStore(saved(), { incoming: moved, outgoing })).toEqual({ kind: 'store', passwords: { outgoing: 'in-secret' } });
    // A password server beside it still needs its password.
    expect(passwordsToStore(saved(), { incoming: moved, outgoing: { ...outgoing, host: 'smtp.elsewhere.example' } })).toEqual({
      kind: 'password-required',
      servers: ['outgoing'],
    });
  });
});
