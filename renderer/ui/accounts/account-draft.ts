/**
 * The account form's state, apart from React so its rules can be tested on
 * their own: which fields follow which (ports follow the security choice, user
 * names follow the address) until the user types a value of their own, what
 * is checked before anything is sent, and how a draft becomes the contract's
 * input.
 */
import type { ConnectionTestResult, MethodInput } from '../../../shared/contract';
import type { DiscoveredServer, Discovery } from '../../../shared/discovery';
import type { Account, Protocol, RetentionPolicy, Security, ServerSettings, Signature, TrustedCertificate } from '../../../shared/model';
import { sameServer } from '../../../shared/server-identity';
import type { ServerIdentity } from '../../../shared/server-identity';
import { t } from '../../i18n';

export type ServerRole = 'incoming' | 'outgoing';

/** Which protocol a port belongs to: the incoming one, or SMTP. */
export type PortKind = Protocol | 'smtp';

const PORTS: Record<PortKind, Record<Security, number>> = {
  imap: { tls: 993, starttls: 143, plain: 143 },
  pop3: { tls: 995, starttls: 110, plain: 110 },
  smtp: { tls: 465, starttls: 587, plain: 25 },
};

export function defaultPort(kind: PortKind, security: Security): number {
  return PORTS[kind][security];
}

export interface ServerDraft {
  host: string;
  /** As typed, so a half-typed or empty field is shown as it is and reported, not silently replaced. */
  port: string;
  /** The user typed a port: it no longer follows the security choice. */
  portTyped: boolean;
  security: Security;
  username: string;
  /** The user typed a user name: it no longer follows the address (or, outgoing, the incoming one). */
  usernameTyped: boolean;
  /** Empty means: new account, none (outgoing: the incoming one); existing account, keep the stored one. */
  password: string;
  trustedCertificate?: TrustedCertificate;
  /** 'oauth2': signs in with the provider's token (which main alone holds), never with a password. */
  signIn?: ServerSettings['signIn'];
  /** Editing: the server as saved. Main sends the stored password only while the settings still name this server. */
  storedServer?: ServerIdentity;
}

export interface AccountDraft {
  /** Set when editing a saved account. */
  id?: string;
  name: string;
  nameTyped: boolean;
  displayName: string;
  email: string;
  protocol: Protocol;
  incoming: ServerDraft;
  outgoing: ServerDraft;
  retention: RetentionPolicy['kind'];
  retentionDays: string;
  pollMinutes: string;
  headersOnly: boolean;
  /** Kilobytes; 0 means no limit. */
  sizeLimitKb: string;
  deleteMode: 'trash' | 'expunge';
  cacheLimitMegabytes: string;
  /** The provider to sign in with again: from discovery, or a saved account's settings (which keep no name). */
  signInWith?: ProviderSignIn;
  /** A sign-in made in this dialog (`accounts.signIn`), which main holds the tokens of for a while. */
  signInId?: string;
  /** The own address's signature, as text and (when written as rich text) as HTML. */
  signature: SignatureDraft;
  signaturePlacement: 'above' | 'below';
  /** Other addresses the account writes as. */
  identities: IdentityDraft[];
}

export interface SignatureDraft {
  text: string;
  /** Set when it is written as rich text; its text is then kept from it. */
  html?: string;
}

export interface IdentityDraft {
  /** Kept across edits, so that drafts and choices that name it still find it. */
  id: string;
  name: string;
  address: string;
  replyTo: string;
  signature: SignatureDraft;
}

export interface ProviderSignIn {
  issuer: string;
  /** As the user knows it; a saved account does not keep it. */
  name?: string;
}

export function newDraft(): AccountDraft {
  const server = (kind: PortKind): ServerDraft => ({
    host: '',
    port: String(defaultPort(kind, 'tls')),
    portTyped: false,
    security: 'tls',
    username: '',
    usernameTyped: false,
    password: '',
  });
  return {
    name: '',
    nameTyped: false,
    displayName: '',
    email: '',
    protocol: 'imap',
    incoming: server('imap'),
    outgoing: server('smtp'),
    retention: 'keep',
    retentionDays: '14',
    pollMinutes: '10',
    headersOnly: false,
    sizeLimitKb: '0',
    deleteMode: 'trash',
    cacheLimitMegabytes: '500',
    signature: { text: '' },
    signaturePlacement: 'below',
    identities: [],
  };
}

/**
 * A saved account as a draft. A port that is the default for its security,
 * or a user name equal to the one it would follow, keeps following: it was
 * most likely never chosen.
 */
export function draftFromAccount(account: Account): AccountDraft {
  const defaults = newDraft();
  const server = (role: ServerRole, follows: string): ServerDraft => {
    const saved = account[role];
    const kind: PortKind = role === 'incoming' ? account.protocol : 'smtp';
    return {
      host: saved.host,
      port: String(saved.port),
      portTyped: saved.port !== defaultPort(kind, saved.security),
      security: saved.security,
      username: saved.username,
      usernameTyped: saved.username !== follows,
      password: '',
      ...(saved.trustedCertificate ? { trustedCertificate: saved.trustedCertificate } : {}),
      ...(saved.signIn ? { signIn: saved.signIn } : {}),
      storedServer: { host: saved.host, port: saved.port, security: saved.security, username: saved.username },
    };
  };
  const retention = account.pop3?.retention;
  return {
    id: account.id,
    name: account.name,
    nameTyped: account.name !== account.email,
    displayName: account.displayName,
    email: account.email,
    protocol: account.protocol,
    incoming: server('incoming', account.email),
    outgoing: server('outgoing', account.incoming.username),
    retention: retention?.kind ?? defaults.retention,
    retentionDays: retention?.kind === 'days' ? String(retention.days) : defaults.retentionDays,
    pollMinutes: account.pop3 ? String(account.pop3.pollMinutes) : defaults.pollMinutes,
    headersOnly: account.pop3?.headersOnly ?? defaults.headersOnly,
    sizeLimitKb: account.pop3 ? String(Math.ceil(account.pop3.maxMessageBytes / 1024)) : defaults.sizeLimitKb,
    deleteMode: account.imap?.deleteMode ?? defaults.deleteMode,
    cacheLimitMegabytes: account.imap ? String(account.imap.cacheLimitMegabytes) : defaults.cacheLimitMegabytes,
    ...(account.oauth2?.issuer ? { signInWith: { issuer: account.oauth2.issuer } } : {}),
    signature: account.signature ? { ...account.signature } : { text: '' },
    signaturePlacement: account.signaturePlacement ?? 'below',
    identities: (account.identities ?? []).map((identity) => ({
      id: identity.id,
      name: identity.name,
      address: identity.address,
      replyTo: identity.replyTo ?? '',
      signature: identity.signature ? { ...identity.signature } : { text: '' },
    })),
  };
}

/** What the user typed on the setup's first screen. */
export interface SetupIdentity {
  displayName: string;
  email: string;
  password: string;
}

/**
 * A new account's draft with what the setup's first screen asked for, the
 * fields that follow the address (account name, user names) following it.
 */
export function draftFromIdentity(identity: SetupIdentity): AccountDraft {
  const changes: DraftChange[] = [
    { field: 'displayName', value: identity.displayName },
    { field: 'email', value: identity.email.trim() },
    { field: 'password', server: 'incoming', value: identity.password },
  ];
  return changes.reduce(applyChange, newDraft());
}

/**
 * A new account's draft from the servers main found, in `protocol` (the
 * user's choice when both were found). Values that match what the form would
 * fill in by itself keep following (a default port, a user name equal to the
 * address), so that editing the proposal behaves as editing any new account.
 * A server that was not found stays empty, for the form to ask for.
 */
export function draftFromDiscovery(discovery: Discovery, protocol: Protocol, identity: SetupIdentity): AccountDraft {
  const draft = applyChange(draftFromIdentity(identity), { field: 'protocol', value: protocol });
  const incoming = protocol === 'imap' ? discovery.imap : discovery.pop3;
  const withIncoming = incoming ? withServer(draft, 'incoming', incoming, draft.email) : draft;
  return discovery.smtp ? withServer(withIncoming, 'outgoing', discovery.smtp, withIncoming.incoming.username) : withIncoming;
}

/**
 * A new account that signed in with its provider (`signInId`): the servers
 * found, those that take the provider's sign-in set to it, and no password,
 * not even one typed on the first screen: it would go to no server.
 */
export function draftSignedIn(discovery: Discovery, protocol: Protocol, identity: SetupIdentity, provider: ProviderSignIn, signInId: string): AccountDraft {
  const draft = draftFromDiscovery(discovery, protocol, { ...identity, password: '' });
  const found = { incoming: protocol === 'imap' ? discovery.imap : discovery.pop3, outgoing: discovery.smtp };
  const server = (role: ServerRole): ServerDraft => (found[role]?.signIn.includes('oauth2') ? { ...draft[role], signIn: 'oauth2' } : draft[role]);
  return { ...draft, incoming: server('incoming'), outgoing: server('outgoing'), signInWith: provider, signInId };
}

function withServer(draft: AccountDraft, role: ServerRole, found: DiscoveredServer, follows: string): AccountDraft {
  const username = found.username.trim() === '' ? follows : found.username;
  const server: ServerDraft = {
    ...draft[role],
    host: found.host,
    port: String(found.port),
    portTyped: found.port !== defaultPort(portKind(draft, role), found.security),
    security: found.security,
    username,
    usernameTyped: username !== follows,
  };
  const next = { ...draft, [role]: server };
  // The outgoing user name follows the incoming one until it is typed.
  return role === 'incoming' && !draft.outgoing.usernameTyped ? { ...next, outgoing: { ...draft.outgoing, username } } : next;
}

export type DraftChange =
  | { field: 'name' | 'displayName' | 'email'; value: string }
  | { field: 'protocol'; value: Protocol }
  | { field: 'host' | 'port' | 'username' | 'password'; server: ServerRole; value: string }
  | { field: 'security'; server: ServerRole; value: Security }
  | { field: 'trust'; server: ServerRole; value: TrustedCertificate | undefined }
  | { field: 'identities'; value: Partial<Pick<AccountDraft, 'identities' | 'signature' | 'signaturePlacement'>> }
  | {
      field: 'options';
      value: Partial<Pick<AccountDraft, 'retention' | 'retentionDays' | 'pollMinutes' | 'headersOnly' | 'sizeLimitKb' | 'deleteMode' | 'cacheLimitMegabytes'>>;
    };

/** The draft after one edit, with the fields that follow it brought along. */
export function applyChange(draft: AccountDraft, change: DraftChange): AccountDraft {
  switch (change.field) {
    case 'name':
      return { ...draft, name: change.value, nameTyped: true };
    case 'identities':
      return { ...draft, ...change.value };
    case 'displayName':
      return { ...draft, displayName: change.value };
    case 'email': {
      const next = { ...draft, email: change.value, name: draft.nameTyped ? draft.name : change.value };
      return draft.incoming.usernameTyped ? next : withIncomingUsername(next, change.value, false);
    }
    case 'protocol': {
      const incoming = draft.incoming.portTyped ? draft.incoming : { ...draft.incoming, port: String(defaultPort(change.value, draft.incoming.security)) };
      return { ...draft, protocol: change.value, incoming };
    }
    case 'username':
      return change.server === 'incoming'
        ? withIncomingUsername(draft, change.value, true)
        : { ...draft, outgoing: { ...draft.outgoing, username: change.value, usernameTyped: true } };
    case 'security': {
      const server = draft[change.server];
      const kind = portKind(draft, change.server);
      const port = server.portTyped ? server.port : String(defaultPort(kind, change.value));
      return { ...draft, [change.server]: { ...server, security: change.value, port } };
    }
    case 'port':
      return { ...draft, [change.server]: { ...draft[change.server], port: change.value, portTyped: true } };
    case 'host': {
      // A trusted certificate was seen on one server; another host must show its own.
      const { trustedCertificate: _dropped, ...server } = draft[change.server];
      const keep = change.value.trim() === draft[change.server].host.trim() ? draft[change.server] : server;
      return { ...draft, [change.server]: { ...keep, host: change.value } };
    }
    case 'password':
      return { ...draft, [change.server]: { ...draft[change.server], password: change.value } };
    case 'trust': {
      const { trustedCertificate: _old, ...server } = draft[change.server];
      return { ...draft, [change.server]: change.value ? { ...server, trustedCertificate: change.value } : server };
    }
    case 'options':
      return { ...draft, ...change.value };
  }
}

function withIncomingUsername(draft: AccountDraft, username: string, typed: boolean): AccountDraft {
  const incoming = { ...draft.incoming, username, usernameTyped: typed };
  const outgoing = draft.outgoing.usernameTyped ? draft.outgoing : { ...draft.outgoing, username };
  return { ...draft, incoming, outgoing };
}

export function portKind(draft: Pick<AccountDraft, 'protocol'>, role: ServerRole): PortKind {
  return role === 'incoming' ? draft.protocol : 'smtp';
}

// ---- checks ---------------------------------------------------------------------

export type FieldId =
  | 'name'
  | 'email'
  | `${ServerRole}.${'host' | 'port' | 'username' | 'password' | 'signIn'}`
  | 'retentionDays'
  | 'pollMinutes'
  | 'sizeLimitKb'
  | 'cacheLimitMegabytes'
  | `identity.${number}.${'address' | 'replyTo'}`;

export type FieldErrors = Partial<Record<FieldId, string>>;

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\s*\d+\s*$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/**
 * What is wrong before anything is sent, in the words shown next to each
 * field (in the interface's language of the moment: call it as you render). A connection test needs only the server fields; saving needs all.
 */
export function validate(draft: AccountDraft, purpose: 'test' | 'save'): FieldErrors {
  const errors: FieldErrors = {};
  for (const role of ['incoming', 'outgoing'] as const) {
    const server = draft[role];
    if (server.host.trim() === '') errors[`${role}.host`] = t('accounts:validation.host');
    else if (!/^[^\s/\\@]+$/.test(server.host.trim())) errors[`${role}.host`] = t('accounts:validation.hostShape');
    if (wholeNumber(server.port, 1, 65535) === undefined) errors[`${role}.port`] = t('accounts:validation.port');
    if (server.username.trim() === '') errors[`${role}.username`] = t('accounts:validation.username');
    if (server.signIn === 'oauth2') {
      if (needsNewSignIn(draft, role)) errors[`${role}.signIn`] = t('accounts:validation.signInAgain');
    } else if (server.password === '' && needsNewPassword(draft, role)) {
      errors[`${role}.password`] = t('accounts:validation.password');
    }
  }
  if (purpose === 'test') return errors;
  if (draft.name.trim() === '') errors.name = t('accounts:validation.name');
  if (!/^[^\s@]+@[^\s@]+$/.test(draft.email.trim())) errors.email = t('accounts:validation.email');
  if (draft.protocol === 'pop3') {
    if (draft.retention === 'days' && wholeNumber(draft.retentionDays, 1, 3650) === undefined) errors.retentionDays = t('accounts:validation.days');
    if (wholeNumber(draft.pollMinutes, 1, 24 * 60) === undefined) errors.pollMinutes = t('accounts:validation.minutes');
    if (wholeNumber(draft.sizeLimitKb, 0, 10_000_000) === undefined) errors.sizeLimitKb = t('accounts:validation.sizeKb');
  } else if (wholeNumber(draft.cacheLimitMegabytes, 0, 1_000_000) === undefined) {
    errors.cacheLimitMegabytes = t('accounts:validation.cacheMb');
  }
  const address = /^[^\s@]+@[^\s@]+$/;
  draft.identities.forEach((identity, index) => {
    if (!address.test(identity.address.trim())) errors[`identity.${index}.address`] = t('accounts:validation.identityAddress');
    if (identity.replyTo.trim() !== '' && !address.test(identity.replyTo.trim())) errors[`identity.${index}.replyTo`] = t('accounts:validation.replyTo');
  });
  return errors;
}

/**
 * Whether a saved account's server was changed (host, port, security or user
 * name), so that its stored password will not be sent and one must be typed.
 * Changing it back needs none again.
 */
export function needsNewPassword(draft: AccountDraft, role: ServerRole): boolean {
  const stored = draft[role].storedServer;
  return draft[role].signIn !== 'oauth2' && stored !== undefined && !sameServer(serverSettings(draft[role]), stored);
}

/**
 * Whether a saved account's server that signs in with the provider was
 * changed with no new sign-in made here: main keeps a token only with the
 * servers it was given for.
 */
export function needsNewSignIn(draft: AccountDraft, role: ServerRole): boolean {
  const stored = draft[role].storedServer;
  return draft[role].signIn === 'oauth2' && draft.signInId === undefined && stored !== undefined && !sameServer(serverSettings(draft[role]), stored);
}

/** Whether any server signs in with the provider rather than a password. */
export function signsInWithProvider(draft: AccountDraft): boolean {
  return draft.incoming.signIn === 'oauth2' || draft.outgoing.signIn === 'oauth2';
}

// ---- to the contract --------------------------------------------------------------

function serverSettings(server: ServerDraft): Account['incoming'] {
  return {
    host: server.host.trim(),
    port: Number(server.port),
    security: server.security,
    username: server.username.trim(),
    ...(server.trustedCertificate ? { trustedCertificate: server.trustedCertificate } : {}),
    ...(server.signIn ? { signIn: server.signIn } : {}),
  };
}

/**
 * Passwords to send: a new account sends the incoming one even when empty
 * (it has no other), an edited one only what was typed (empty keeps the
 * stored one). An empty outgoing password is left out, so main uses the
 * incoming one.
 */
function passwords(draft: AccountDraft): { incomingPassword?: string; outgoingPassword?: string } {
  const incoming = draft.incoming.signIn !== 'oauth2' && (draft.id === undefined || draft.incoming.password !== '');
  const outgoing = draft.outgoing.signIn !== 'oauth2' && draft.outgoing.password !== '';
  return {
    ...(incoming ? { incomingPassword: draft.incoming.password } : {}),
    ...(outgoing ? { outgoingPassword: draft.outgoing.password } : {}),
  };
}

function signIn(draft: AccountDraft): { signInId?: string } {
  return draft.signInId !== undefined && signsInWithProvider(draft) ? { signInId: draft.signInId } : {};
}

export function testInput(draft: AccountDraft): MethodInput<'accounts.test'> {
  return {
    protocol: draft.protocol,
    incoming: serverSettings(draft.incoming),
    outgoing: serverSettings(draft.outgoing),
    ...passwords(draft),
    ...signIn(draft),
    ...(draft.id === undefined ? {} : { accountId: draft.id }),
  };
}

/** A signature worth keeping: one with something in it. */
function signatureOf(signature: SignatureDraft): { signature?: Signature } {
  if (signature.text.trim() === '' && (signature.html ?? '').trim() === '') return {};
  return { signature: signature.html === undefined ? { text: signature.text } : { text: signature.text, html: signature.html } };
}

function retentionOf(draft: AccountDraft): RetentionPolicy {
  return draft.retention === 'days' ? { kind: 'days', days: Number(draft.retentionDays) } : { kind: draft.retention };
}

export function saveInput(draft: AccountDraft): MethodInput<'accounts.save'> {
  const options =
    draft.protocol === 'pop3'
      ? {
          pop3: {
            retention: retentionOf(draft),
            pollMinutes: Number(draft.pollMinutes),
            headersOnly: draft.headersOnly,
            maxMessageBytes: Number(draft.sizeLimitKb) * 1024,
          },
        }
      : { imap: { deleteMode: draft.deleteMode, cacheLimitMegabytes: Number(draft.cacheLimitMegabytes) } };
  return {
    account: {
      ...(draft.id === undefined ? {} : { id: draft.id }),
      name: draft.name.trim(),
      email: draft.email.trim(),
      displayName: draft.displayName.trim(),
      protocol: draft.protocol,
      incoming: serverSettings(draft.incoming),
      outgoing: serverSettings(draft.outgoing),
      ...options,
      ...signatureOf(draft.signature),
      // Left out when they say nothing: below the quote is where signatures go unless chosen otherwise.
      ...(draft.signaturePlacement === 'above' ? { signaturePlacement: 'above' as const } : {}),
      ...(draft.identities.length === 0
        ? {}
        : {
            identities: draft.identities.map((identity) => ({
              id: identity.id,
              name: identity.name.trim(),
              address: identity.address.trim(),
              ...(identity.replyTo.trim() === '' ? {} : { replyTo: identity.replyTo.trim() }),
              ...signatureOf(identity.signature),
            })),
          }),
    },
    ...passwords(draft),
    ...signIn(draft),
  };
}

/**
 * What a connection test depends on. A test result belongs to one key: once
 * any of it changes, the result no longer says anything about the settings.
 */
export function connectionKey(draft: AccountDraft): string {
  const server = (s: ServerDraft): unknown[] => [
    s.host.trim(),
    s.port,
    s.security,
    s.username.trim(),
    s.signIn === 'oauth2' ? '' : s.password,
    s.trustedCertificate?.fingerprint256 ?? '',
    s.signIn ?? '',
  ];
  // A new sign-in is a new secret: the old result said nothing about it.
  return JSON.stringify([draft.protocol, server(draft.incoming), server(draft.outgoing), signsInWithProvider(draft) ? (draft.signInId ?? '') : '']);
}

export function testPassed(result: ConnectionTestResult): boolean {
  return result.incoming.ok && (result.outgoing === null || result.outgoing.ok);
}
