import { afterEach, describe, expect, it } from 'vitest';
import type { DiscoveredServer, Discovery, DiscoveryStepKind } from '../../../shared/discovery';
import { i18n } from '../../i18n';
import {
  domainOf,
  lookingText,
  looksLikeAddress,
  notFoundText,
  offersPassword,
  offersSignIn,
  providerLabel,
  serverLine,
  serverText,
  signInKind,
  signInText,
  signInWithText,
  sourceText,
  stepText,
  usernameText,
  waitingText,
  warningTexts,
} from './discovery-text';

const imap: DiscoveredServer = { protocol: 'imap', host: 'imap.example.com', port: 993, security: 'tls', username: 'ann@example.com', signIn: ['password'] };
const smtp: DiscoveredServer = { protocol: 'smtp', host: 'smtp.example.com', port: 587, security: 'starttls', username: 'ann@example.com', signIn: ['password'] };

function found(source: DiscoveryStepKind, origin: string, more: Partial<Discovery> = {}): Discovery {
  return { source, origin, imap, smtp, insecureSource: false, plainTextOnly: false, ...more };
}

describe('the words for what was found', () => {
  it('names the domain being searched, whatever the case or spaces of the address', () => {
    expect(domainOf(' Ann@Example.COM ')).toBe('example.com');
    expect(domainOf('no-at-sign')).toBe('');
    expect(lookingText('ann@example.com')).toBe('Looking for the mail servers of example.com…');
    expect(notFoundText('ann@example.com')).toBe('Twinbox could not find the servers for example.com.');
  });

  it('accepts only what main’s contract accepts as an address', () => {
    expect(looksLikeAddress(' ann@example.com ')).toBe(true);
    for (const text of ['', 'ann', 'ann@', '@example.com', 'a b@example.com', 'ann@ex@ample.com']) expect(looksLikeAddress(text)).toBe(false);
  });

  it('says where the settings came from, one phrase per way of finding them', () => {
    const email = 'ann@example.com';
    const url = 'https://autoconfig.example.com/mail/config-v1.1.xml';
    // The address main appended to the query is the user's own: it is left out.
    expect(sourceText(found('provider', `${url}?emailaddress=ann%40example.com`), email)).toBe(`Found in example.com’s own settings (${url})`);
    expect(sourceText(found('provider', 'not a URL'), email)).toBe('Found in example.com’s own settings (not a URL)');
    expect(sourceText(found('builtin', 'Twinbox’s list of providers (gmail)', { providerName: 'Gmail' }), email)).toBe('Found in Twinbox’s list of providers: Gmail');
    expect(sourceText(found('provider-http', 'http://autoconfig.example.com/x'), email)).toBe(
      'Found in example.com’s own settings, read without encryption (http://autoconfig.example.com/x)',
    );
    expect(sourceText(found('srv', 'DNS SRV records of example.com'), email)).toBe('Found in example.com’s DNS records');
    expect(sourceText(found('probe', 'imap.example.com:993'), email)).toBe('Found by trying the usual server names');
  });

  it('names the mail exchanger whichever way main wrote the origin', () => {
    const email = 'ann@example.com';
    expect(sourceText(found('mx', 'the mail exchanger mx.example.net (gmail)', { providerName: 'Gmail' }), email)).toBe(
      'Found through the mail exchanger mx.example.net: Gmail',
    );
    expect(sourceText(found('mx', 'the mail exchanger mx.example.net: https://autoconfig.example.net/mail/config-v1.1.xml'), email)).toBe(
      'Found through the mail exchanger mx.example.net',
    );
    expect(sourceText(found('mx', 'mx.example.net'), email)).toBe('Found through the mail exchanger mx.example.net');
  });

  it('describes each server with its host, port and encryption', () => {
    expect(serverText(imap)).toBe('Incoming (IMAP): imap.example.com, port 993, encrypted (SSL/TLS)');
    expect(serverText(smtp)).toBe('Outgoing (SMTP): smtp.example.com, port 587, encrypted after connecting (STARTTLS)');
    expect(serverText({ ...imap, protocol: 'pop3', host: 'pop.example.com', port: 110, security: 'plain' })).toBe(
      'Incoming (POP3): pop.example.com, port 110, not encrypted',
    );
  });

  it('mentions the user name only when it is not the address', () => {
    expect(usernameText(imap, 'Ann@Example.com')).toBeUndefined();
    expect(usernameText({ ...imap, username: '' }, 'ann@example.com')).toBeUndefined();
    expect(usernameText({ ...imap, username: 'ann' }, 'ann@example.com')).toBe('signing in as ann');
    expect(serverLine(imap, 'ann@example.com')).toBe('Incoming (IMAP): imap.example.com, port 993, encrypted (SSL/TLS)');
    expect(serverLine({ ...smtp, username: 'ann' }, 'ann@example.com')).toBe(
      'Outgoing (SMTP): smtp.example.com, port 587, encrypted after connecting (STARTTLS), signing in as ann',
    );
  });

  it('tells a password provider from one with app passwords and one with only its own sign-in page', () => {
    expect(signInKind(imap)).toBe('password');
    expect(signInKind({ ...imap, signIn: [] })).toBe('password');
    expect(signInKind({ ...imap, signIn: ['oauth2', 'password'] })).toBe('app-password');
    expect(signInKind({ ...imap, signIn: ['oauth2'] })).toBe('web-only');
    expect(signInText('password', 'Gmail')).toBeUndefined();
    expect(signInText('app-password', 'Gmail')).toMatch(/^Gmail accepts an app password here/);
    expect(signInText('web-only', 'Outlook.com')).toMatch(/^Outlook.com accepts only its own sign-in page, and Twinbox does not know how to sign in with it\./);
    expect(providerLabel(found('builtin', 'x', { providerName: 'Gmail' }), 'ann@gmail.com')).toBe('Gmail');
    expect(providerLabel(found('srv', 'x'), 'ann@Example.com')).toBe('example.com');
  });

  it('offers the provider’s sign-in only where this copy of Twinbox can make it, and a password only where the server takes one', () => {
    const available = { issuer: 'https://login.example.com', name: 'Example', available: true };
    const unavailable = { ...available, available: false };
    const cases: [DiscoveredServer['signIn'], Discovery['signInWith'], string, boolean, boolean][] = [
      [['oauth2'], available, 'provider', true, false],
      [['oauth2', 'password'], available, 'provider-or-password', true, true],
      [['password', 'oauth2'], unavailable, 'app-password', false, true],
      [['oauth2'], unavailable, 'unregistered', false, false],
      [['oauth2'], undefined, 'web-only', false, false],
      // A provider's sign-in the server does not take is no way in.
      [['password'], available, 'password', false, true],
    ];
    for (const [signIn, signInWith, kind, signInOffered, passwordOffered] of cases) {
      const found = signInKind({ ...imap, signIn }, signInWith);
      expect([found, offersSignIn(found), offersPassword(found)]).toEqual([kind, signInOffered, passwordOffered]);
    }
  });

  it('says how each way of signing in goes, and plainly why the provider’s cannot be offered', () => {
    expect(signInText('provider', 'Outlook.com', 'Microsoft')).toBe('Microsoft signs you in on its own page, in your browser: Twinbox never sees your password.');
    expect(signInText('provider', 'Outlook.com', 'Microsoft', true)).toMatch(/ The password you typed is not needed, and is not used\.$/);
    // The password way keeps its advice beside the sign-in.
    expect(signInText('provider-or-password', 'Gmail', 'Google')).toMatch(/^Gmail accepts an app password here/);
    expect(signInText('unregistered', 'Outlook.com', 'Microsoft')).toMatch(
      /^Outlook\.com accepts only its own sign-in page, and this copy of Twinbox has no sign-in registration for Microsoft: the README says how to add one\. .*set up the account manually/,
    );
    expect(signInWithText('Google')).toBe('“Sign in with Google” opens Google’s sign-in page in your browser: you sign in there, and Twinbox never sees your password.');
    expect(waitingText('Google')).toBe('Waiting for you to sign in with Google in your browser…');
  });

  it('says what was tried and what came of it, without repeating itself', () => {
    expect(stepText({ kind: 'provider', target: 'https://autoconfig.example.com/mail/config-v1.1.xml', outcome: 'nothing', detail: 'HTTP 404' })).toBe(
      'The domain’s own settings, https://autoconfig.example.com/mail/config-v1.1.xml: nothing there (HTTP 404)',
    );
    expect(stepText({ kind: 'srv', target: '_imaps._tcp.example.com', outcome: 'timeout', detail: 'no answer in time' })).toBe(
      'The domain’s DNS records for mail, _imaps._tcp.example.com: no answer in time',
    );
    expect(stepText({ kind: 'builtin', target: 'example.com', outcome: 'nothing' })).toBe('Twinbox’s list of providers, example.com: nothing there');
    expect(stepText({ kind: 'probe', target: 'imap.example.com:993', outcome: 'found' })).toBe('The usual server names, imap.example.com:993: found');
    expect(stepText({ kind: 'mx', target: 'example.com', outcome: 'error', detail: 'ESERVFAIL' })).toBe('The domain’s mail exchanger, example.com: failed (ESERVFAIL)');
  });

  it('warns of an unencrypted source, a redirect elsewhere and servers without encryption, in that order', () => {
    expect(warningTexts(found('provider', 'x'), 'ann@example.com')).toEqual([]);
    const all = warningTexts(found('provider-http', 'x', { insecureSource: true, redirectedTo: 'hoster.example.net', plainTextOnly: true }), 'ann@example.com');
    expect(all.map((warning) => warning.kind)).toEqual(['insecure', 'redirected', 'plain']);
    expect(all[0]!.text).toMatch(/^These settings came over an unencrypted connection: anyone on the way could have changed them/);
    expect(all[1]!.text).toMatch(/^These settings came from hoster\.example\.net, not from example\.com\./);
    expect(all[2]!.text).toMatch(/your password and your mail would travel readable/);
  });
});

describe('a provider whose sign-in cannot be offered here', () => {
  it('says why: no registration in this copy, or a window that cannot open the browser', () => {
    expect(signInText('unregistered', 'Outlook.com', 'Microsoft', false, 'client-id')).toMatch(/no sign-in registration for Microsoft: the README says how/);
    expect(signInText('unregistered', 'Outlook.com', 'Microsoft', false, 'browser')).toMatch(/cannot open it: add this account in the Twinbox app/);
  });
});

describe('the words in the interface’s language', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('makes each sentence when asked, so a change of language shows at once', async () => {
    expect(lookingText('ann@example.com')).toBe('Looking for the mail servers of example.com…');
    await i18n.changeLanguage('de');
    expect(lookingText('ann@example.com')).toBe('Die Mailserver von example.com werden gesucht…');
    expect(serverText(imap)).toBe('Eingehend (IMAP): imap.example.com, Port 993, verschlüsselt (SSL/TLS)');
    // A port is no quantity: never grouped as a German number would be.
    expect(serverText({ ...imap, port: 10993 })).toContain('Port 10993,');
  });

  it('drops main’s English timeout detail in any language, and keeps a technical one', async () => {
    await i18n.changeLanguage('de');
    expect(stepText({ kind: 'srv', target: '_imaps._tcp.example.com', outcome: 'timeout', detail: 'no answer in time' })).toBe(
      'DNS-Einträge der Domain für E-Mail, _imaps._tcp.example.com: keine rechtzeitige Antwort',
    );
    expect(stepText({ kind: 'mx', target: 'example.com', outcome: 'error', detail: 'ESERVFAIL' })).toBe('Mail-Exchanger der Domain, example.com: fehlgeschlagen (ESERVFAIL)');
  });
});
