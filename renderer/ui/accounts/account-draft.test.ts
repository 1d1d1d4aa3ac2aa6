import { describe, expect, it } from 'vitest';
import type { Discovery } from '../../../shared/discovery';
import type { Account } from '../../../shared/model';
import {
  applyChange,
  connectionKey,
  draftFromAccount,
  draftFromDiscovery,
  draftFromIdentity,
  draftSignedIn,
  needsNewPassword,
  needsNewSignIn,
  newDraft,
  saveInput,
  testInput,
  validate,
} from './account-draft';
import type { AccountDraft, DraftChange } from './account-draft';

function edit(draft: AccountDraft, ...changes: DraftChange[]): AccountDraft {
  return changes.reduce(applyChange, draft);
}

const CERT = { fingerprint256: Array.from({ length: 32 }, () => 'AB').join(':'), pem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' };

const saved: Account = {
  id: 'a1',
  name: 'Work',
  email: 'ann@example.com',
  displayName: 'Ann',
  protocol: 'pop3',
  incoming: { host: 'pop.example.com', port: 995, security: 'tls', username: 'ann@example.com', trustedCertificate: CERT },
  outgoing: { host: 'smtp.example.com', port: 2525, security: 'starttls', username: 'ann@example.com' },
  pop3: { retention: { kind: 'days', days: 30 }, pollMinutes: 15, headersOnly: true, maxMessageBytes: 2048 * 1024 },
};

describe('the account draft', () => {
  it('moves ports with the security choice and the protocol until a port is typed', () => {
    let draft = newDraft();
    expect([draft.incoming.port, draft.outgoing.port]).toEqual(['993', '465']);
    draft = edit(draft, { field: 'security', server: 'incoming', value: 'starttls' }, { field: 'security', server: 'outgoing', value: 'starttls' });
    expect([draft.incoming.port, draft.outgoing.port]).toEqual(['143', '587']);
    draft = edit(draft, { field: 'protocol', value: 'pop3' }, { field: 'security', server: 'outgoing', value: 'plain' });
    expect([draft.incoming.port, draft.outgoing.port]).toEqual(['110', '25']);
    draft = edit(draft, { field: 'port', server: 'incoming', value: '1110' }, { field: 'security', server: 'incoming', value: 'tls' }, { field: 'protocol', value: 'imap' });
    expect(draft.incoming.port).toBe('1110');
  });

  it('fills the account name and user names from the address until they are typed', () => {
    let draft = edit(newDraft(), { field: 'email', value: 'ann@example.com' });
    expect([draft.name, draft.incoming.username, draft.outgoing.username]).toEqual(['ann@example.com', 'ann@example.com', 'ann@example.com']);
    draft = edit(draft, { field: 'username', server: 'incoming', value: 'ann' }, { field: 'email', value: 'ann@example.org' });
    expect([draft.name, draft.incoming.username, draft.outgoing.username]).toEqual(['ann@example.org', 'ann', 'ann']);
    draft = edit(draft, { field: 'username', server: 'outgoing', value: 'smtp-ann' }, { field: 'username', server: 'incoming', value: 'annie' });
    expect(draft.outgoing.username).toBe('smtp-ann');
  });

  it('turns a saved account into a draft and back without losing a setting', () => {
    const draft = draftFromAccount(saved);
    expect(draft.outgoing.portTyped).toBe(true);
    expect(draft.incoming.portTyped).toBe(false);
    const { account, incomingPassword, outgoingPassword } = saveInput(draft);
    expect(account).toEqual(saved);
    // Empty password fields of an existing account keep the stored passwords.
    expect([incomingPassword, outgoingPassword]).toEqual([undefined, undefined]);
    expect(testInput(draft)).toMatchObject({ accountId: 'a1' });
    expect(testInput(draft)).not.toHaveProperty('incomingPassword');
  });

  it('sends a new account’s incoming password even when empty, and no outgoing one unless typed', () => {
    const draft = edit(newDraft(), { field: 'password', server: 'incoming', value: 'secret' });
    expect(saveInput(draft)).toMatchObject({ incomingPassword: 'secret' });
    expect(saveInput(draft)).not.toHaveProperty('outgoingPassword');
  });

  it('forgets a trusted certificate when the host changes, and a test result no longer applies', () => {
    const draft = draftFromAccount(saved);
    const moved = edit(draft, { field: 'host', server: 'incoming', value: 'pop.example.org' });
    expect(moved.incoming.trustedCertificate).toBeUndefined();
    expect(connectionKey(moved)).not.toBe(connectionKey(draft));
    expect(edit(draft, { field: 'host', server: 'incoming', value: ' pop.example.com ' }).incoming.trustedCertificate).toEqual(CERT);
  });

  it('asks for the password again once a saved server’s host, port, security or user name changes', () => {
    // An outgoing user name of its own, so that changing the incoming one leaves the outgoing server as it was.
    const draft = draftFromAccount({ ...saved, outgoing: { ...saved.outgoing, username: 'ann-smtp' } });
    expect([needsNewPassword(draft, 'incoming'), needsNewPassword(draft, 'outgoing')]).toEqual([false, false]);
    const changes: DraftChange[] = [
      { field: 'host', server: 'incoming', value: 'pop.example.org' },
      { field: 'port', server: 'incoming', value: '1995' },
      { field: 'security', server: 'incoming', value: 'plain' },
      { field: 'username', server: 'incoming', value: 'ann' },
    ];
    for (const change of changes) {
      const changed = edit(draft, change);
      expect(needsNewPassword(changed, 'incoming')).toBe(true);
      for (const purpose of ['test', 'save'] as const) expect(Object.keys(validate(changed, purpose))).toEqual(['incoming.password']);
      const typed = edit(changed, { field: 'password', server: 'incoming', value: 'new-secret' });
      expect(validate(typed, 'save')).toEqual({});
      expect(saveInput(typed)).toMatchObject({ incomingPassword: 'new-secret' });
      expect(testInput(typed)).toMatchObject({ incomingPassword: 'new-secret' });
    }
    // The outgoing server has its own stored password and the same rule; the incoming one is left alone.
    const smtpMoved = edit(draft, { field: 'host', server: 'outgoing', value: 'smtp.example.org' });
    expect(Object.keys(validate(smtpMoved, 'test'))).toEqual(['outgoing.password']);
  });

  it('needs no password for a server that is unchanged, spelt differently, or changed back', () => {
    const draft = draftFromAccount(saved);
    expect(validate(draft, 'save')).toEqual({});
    const respelt = edit(draft, { field: 'host', server: 'incoming', value: ' POP.Example.com. ' });
    expect(needsNewPassword(respelt, 'incoming')).toBe(false);
    const changedBack = edit(draft, { field: 'port', server: 'outgoing', value: '25' }, { field: 'port', server: 'outgoing', value: '2525' });
    expect(validate(changedBack, 'save')).toEqual({});
    // A new account has no stored password to protect: an empty one is the user's to try.
    expect(needsNewPassword(edit(newDraft(), { field: 'host', server: 'incoming', value: 'imap.example.com' }), 'incoming')).toBe(false);
  });

  it('asks for the passwords of servers whose user names followed a changed address', () => {
    const changed = edit(draftFromAccount(saved), { field: 'email', value: 'ann@example.org' });
    expect([changed.incoming.username, changed.outgoing.username]).toEqual(['ann@example.org', 'ann@example.org']);
    expect(Object.keys(validate(changed, 'save'))).toEqual(['incoming.password', 'outgoing.password']);
  });

  it('names each field that would be refused', () => {
    const draft = edit(newDraft(), { field: 'protocol', value: 'pop3' }, { field: 'options', value: { retention: 'days', retentionDays: '0' } }, { field: 'port', server: 'outgoing', value: '' });
    expect(Object.keys(validate(draft, 'test')).sort()).toEqual(['incoming.host', 'incoming.username', 'outgoing.host', 'outgoing.port', 'outgoing.username']);
    expect(Object.keys(validate(draft, 'save'))).toEqual(expect.arrayContaining(['name', 'email', 'retentionDays']));
    expect(validate(draftFromAccount(saved), 'save')).toEqual({});
  });
});

describe('a draft from the setup', () => {
  const identity = { displayName: 'Ann', email: ' ann@example.com ', password: 'secret' };
  const discovery: Discovery = {
    source: 'provider',
    origin: 'https://autoconfig.example.com/mail/config-v1.1.xml',
    imap: { protocol: 'imap', host: 'imap.example.com', port: 993, security: 'tls', username: 'ann@example.com', signIn: ['password'] },
    pop3: { protocol: 'pop3', host: 'pop.example.com', port: 1995, security: 'tls', username: 'ann', signIn: ['password'] },
    smtp: { protocol: 'smtp', host: 'smtp.example.com', port: 587, security: 'starttls', username: 'ann@example.com', signIn: ['password'] },
    insecureSource: false,
    plainTextOnly: false,
  };

  it('carries over name, address and password, the rest following the address as in a new form', () => {
    const draft = draftFromIdentity(identity);
    expect(draft).toMatchObject({ displayName: 'Ann', email: 'ann@example.com', name: 'ann@example.com', nameTyped: false });
    expect([draft.incoming.username, draft.outgoing.username, draft.incoming.password, draft.outgoing.password]).toEqual([
      'ann@example.com',
      'ann@example.com',
      'secret',
      '',
    ]);
    expect(draft.incoming.host).toBe('');
  });

  it('fills the servers of the chosen mode, ready to test and save as they are', () => {
    const draft = draftFromDiscovery(discovery, 'imap', identity);
    expect(validate(draft, 'save')).toEqual({});
    const { account, incomingPassword, outgoingPassword } = saveInput(draft);
    expect(account).toMatchObject({
      name: 'ann@example.com',
      email: 'ann@example.com',
      displayName: 'Ann',
      protocol: 'imap',
      incoming: { host: 'imap.example.com', port: 993, security: 'tls', username: 'ann@example.com' },
      outgoing: { host: 'smtp.example.com', port: 587, security: 'starttls', username: 'ann@example.com' },
      imap: { deleteMode: 'trash', cacheLimitMegabytes: 500 },
    });
    expect([incomingPassword, outgoingPassword]).toEqual(['secret', undefined]);
    // Usual ports and the address as user name keep following, as if the user had chosen them in the form.
    expect([draft.incoming.portTyped, draft.outgoing.portTyped, draft.incoming.usernameTyped, draft.outgoing.usernameTyped]).toEqual([false, false, false, false]);
  });

  it('keeps a provider’s own port and user name when they are edited around, and the outgoing user name follows the incoming one', () => {
    const draft = draftFromDiscovery({ ...discovery, smtp: { ...discovery.smtp!, username: 'ann' } }, 'pop3', identity);
    expect(draft.protocol).toBe('pop3');
    expect(draft.incoming).toMatchObject({ host: 'pop.example.com', port: '1995', portTyped: true, username: 'ann', usernameTyped: true });
    expect(draft.outgoing).toMatchObject({ username: 'ann', usernameTyped: false });
    const edited = edit(draft, { field: 'security', server: 'incoming', value: 'starttls' }, { field: 'email', value: 'ann@example.org' });
    expect([edited.incoming.port, edited.incoming.username, edited.outgoing.username]).toEqual(['1995', 'ann', 'ann']);
    const outgoingMoved = edit(draft, { field: 'security', server: 'outgoing', value: 'tls' });
    expect(outgoingMoved.outgoing.port).toBe('465');
  });

  it('leaves a server that was not found empty, for the form to ask for, and an empty user name to follow', () => {
    const { smtp: _none, ...withoutSmtp } = discovery;
    const draft = draftFromDiscovery({ ...withoutSmtp, imap: { ...discovery.imap!, username: '' } }, 'imap', identity);
    expect(draft.incoming).toMatchObject({ username: 'ann@example.com', usernameTyped: false });
    expect(draft.outgoing.host).toBe('');
    expect(Object.keys(validate(draft, 'save'))).toEqual(['outgoing.host']);
  });
});

describe('a draft that signs in with the provider', () => {
  const identity = { displayName: 'Ann', email: 'ann@outlook.example', password: 'typed-anyway' };
  const provider = { issuer: 'https://login.example.com', name: 'Example' };
  const discovery: Discovery = {
    source: 'builtin',
    origin: 'outlook.example',
    imap: { protocol: 'imap', host: 'imap.outlook.example', port: 993, security: 'tls', username: 'ann@outlook.example', signIn: ['oauth2'] },
    pop3: { protocol: 'pop3', host: 'pop.outlook.example', port: 995, security: 'tls', username: 'ann@outlook.example', signIn: ['password'] },
    smtp: { protocol: 'smtp', host: 'smtp.outlook.example', port: 587, security: 'starttls', username: 'ann@outlook.example', signIn: ['oauth2', 'password'] },
    signInWith: { ...provider, available: true },
    insecureSource: false,
    plainTextOnly: false,
  };

  it('signs in to the servers that take the provider’s sign-in, sends the sign-in and no password, not even one typed', () => {
    const draft = draftSignedIn(discovery, 'imap', identity, provider, 'sign-in-1');
    expect(validate(draft, 'save')).toEqual({});
    const saving = saveInput(draft);
    expect(saving).toEqual({ account: expect.objectContaining({ email: 'ann@outlook.example' }) as unknown, signInId: 'sign-in-1' });
    expect(saving.account.incoming).toMatchObject({ host: 'imap.outlook.example', signIn: 'oauth2' });
    expect(saving.account.outgoing).toMatchObject({ host: 'smtp.outlook.example', signIn: 'oauth2' });
    expect(testInput(draft)).toEqual(expect.objectContaining({ signInId: 'sign-in-1' }));
    expect(testInput(draft)).not.toHaveProperty('incomingPassword');
    expect(testInput(draft)).not.toHaveProperty('outgoingPassword');
    // Only a server that takes it: POP3 here wants a password (which the user would have to type in the form).
    expect(draftSignedIn(discovery, 'pop3', identity, provider, 'sign-in-1').incoming.signIn).toBeUndefined();
  });

  it('keeps a test result only with the sign-in it was made with', () => {
    const draft = draftSignedIn(discovery, 'imap', identity, provider, 'sign-in-1');
    expect(connectionKey({ ...draft, signInId: 'sign-in-2' })).not.toBe(connectionKey(draft));
    // A password typed somewhere goes to no server that signs in with the provider, and changes nothing.
    expect(connectionKey(edit(draft, { field: 'password', server: 'incoming', value: 'x' }))).toBe(connectionKey(draft));
  });

  const savedWithToken: Account = {
    id: 'o1',
    name: 'Mail',
    email: 'ann@outlook.example',
    displayName: 'Ann',
    protocol: 'imap',
    incoming: { host: 'imap.outlook.example', port: 993, security: 'tls', username: 'ann@outlook.example', signIn: 'oauth2' },
    outgoing: { host: 'smtp.outlook.example', port: 587, security: 'starttls', username: 'ann@outlook.example', signIn: 'oauth2' },
    imap: { deleteMode: 'trash', cacheLimitMegabytes: 500 },
    oauth2: { issuer: 'https://login.example.com', authorizationUrl: 'https://login.example.com/authorize', tokenUrl: 'https://login.example.com/token', scopes: ['mail'], clientId: 'twinbox' },
  };

  it('renames a saved account that signs in with its provider without a password, a sign-in or a new test', () => {
    const draft = draftFromAccount(savedWithToken);
    const renamed = edit(draft, { field: 'name', value: 'Work' });
    expect(validate(renamed, 'save')).toEqual({});
    expect(connectionKey(renamed)).toBe(connectionKey(draft));
    // The servers keep their sign-in; the provider's settings stay main's, which keeps them when nothing else changed.
    const { oauth2: _kept, ...withoutProvider } = savedWithToken;
    expect(saveInput(renamed)).toEqual({ account: { ...withoutProvider, name: 'Work' } });
    // Its provider, to sign in again with when the provider ends the sign-in.
    expect(draft.signInWith).toEqual({ issuer: 'https://login.example.com' });
    expect(testInput(draft)).toEqual({ protocol: 'imap', incoming: savedWithToken.incoming, outgoing: savedWithToken.outgoing, accountId: 'o1' });
  });

  it('asks for a new sign-in, not a password, once a saved server that signs in with the provider changes', () => {
    const moved = edit(draftFromAccount(savedWithToken), { field: 'port', server: 'incoming', value: '1993' });
    expect([needsNewSignIn(moved, 'incoming'), needsNewPassword(moved, 'incoming'), needsNewSignIn(moved, 'outgoing')]).toEqual([true, false, false]);
    expect(Object.keys(validate(moved, 'test'))).toEqual(['incoming.signIn']);
    const signedInAgain = { ...moved, signInId: 'sign-in-3' };
    expect(validate(signedInAgain, 'save')).toEqual({});
    expect(saveInput(signedInAgain)).toMatchObject({ signInId: 'sign-in-3' });
    expect(testInput(signedInAgain)).toMatchObject({ signInId: 'sign-in-3', accountId: 'o1' });
    expect(validate(edit(moved, { field: 'port', server: 'incoming', value: '993' }), 'save')).toEqual({});
  });
});
