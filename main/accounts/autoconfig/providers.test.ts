/**
 * Twinbox's table of well-known providers: every document in it is usable and
 * encrypted, every domain leads back to its provider, and an MX host name
 * finds its provider only by whole labels.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigXml } from './config-xml';
import { builtinProviderForDomain, builtinProviderForMx, builtinProviders } from './providers';

const EMAIL = 'jane.doe@example.org';
const providersDir = join(import.meta.dirname, 'providers');

/** The provider a domain or MX host leads to, by the name it shows. */
const nameOf = (provider: { xml: string } | undefined): string | undefined => (provider ? parseConfigXml(provider.xml, EMAIL).providerName : undefined);

describe('the built-in providers', () => {
  it('include every document in providers/, each once', () => {
    const files = readdirSync(providersDir).filter((name) => name.endsWith('.ts'));
    const contents = files.map((name) => readFileSync(join(providersDir, name), 'utf8'));
    expect(files).toHaveLength(builtinProviders.length);
    for (const provider of builtinProviders) expect(contents.filter((text) => text.includes(provider.xml)), provider.id).toHaveLength(1);
    expect(new Set(builtinProviders.map((provider) => provider.id)).size).toBe(builtinProviders.length);
  });

  it('name where each document comes from', () => {
    for (const provider of builtinProviders) expect(provider.xml, provider.id).toMatch(/<!-- Source: /);
  });

  describe.each(builtinProviders.map((provider) => [provider.id, provider] as const))('%s', (_id, provider) => {
    const config = parseConfigXml(provider.xml, EMAIL);

    it('has a name, domains and MX domains', () => {
      expect(config.providerName).toBeTruthy();
      expect(provider.domains.length).toBeGreaterThan(0);
      expect(provider.domains).toEqual(config.domains);
      expect(provider.mxDomains.length).toBeGreaterThan(0);
    });

    it('offers IMAP and SMTP, and POP3 if any, only over TLS or STARTTLS', () => {
      expect(config.imap).toBeDefined();
      expect(config.smtp).toBeDefined();
      for (const server of [config.imap, config.pop3, config.smtp]) {
        if (server) expect(['tls', 'starttls']).toContain(server.security);
      }
      // No document may hide a clear-text server behind an encrypted one.
      expect(provider.xml).not.toMatch(/<socketType>\s*plain\s*<\/socketType>/);
    });

    it('signs in with a method it has the endpoints for', () => {
      for (const server of [config.imap, config.pop3, config.smtp]) {
        if (server?.signIn.includes('oauth2')) expect(config.oauth2).toBeDefined();
      }
    });

    it('is found from each of its domains, in any case', () => {
      for (const domain of provider.domains) {
        expect(builtinProviderForDomain(domain)).toBe(provider);
        expect(builtinProviderForDomain(domain.toUpperCase())).toBe(provider);
      }
    });

    it('is found from a host in each of its MX domains', () => {
      for (const mxDomain of provider.mxDomains) expect(builtinProviderForMx(`mx1.${mxDomain}`)).toBe(provider);
    });
  });

  it('give each domain to one provider only', () => {
    const domains = builtinProviders.flatMap((provider) => provider.domains);
    expect(new Set(domains).size).toBe(domains.length);
  });
});

describe('the providers Twinbox promises', () => {
  it.each([
    ['gmail.com', 'imap.gmail.com', 'pop.gmail.com', 'smtp.gmail.com'],
    ['googlemail.com', 'imap.gmail.com', 'pop.gmail.com', 'smtp.gmail.com'],
    ['outlook.com', 'outlook.office365.com', 'outlook.office365.com', 'smtp-mail.outlook.com'],
    ['hotmail.com', 'outlook.office365.com', 'outlook.office365.com', 'smtp-mail.outlook.com'],
    ['live.com', 'outlook.office365.com', 'outlook.office365.com', 'smtp-mail.outlook.com'],
    ['msn.com', 'outlook.office365.com', 'outlook.office365.com', 'smtp-mail.outlook.com'],
    ['hotmail.co.uk', 'outlook.office365.com', 'outlook.office365.com', 'smtp-mail.outlook.com'],
    ['yahoo.com', 'imap.mail.yahoo.com', 'pop.mail.yahoo.com', 'smtp.mail.yahoo.com'],
    ['icloud.com', 'imap.mail.me.com', undefined, 'smtp.mail.me.com'],
    ['me.com', 'imap.mail.me.com', undefined, 'smtp.mail.me.com'],
    ['mac.com', 'imap.mail.me.com', undefined, 'smtp.mail.me.com'],
    ['fastmail.com', 'imap.fastmail.com', 'pop.fastmail.com', 'smtp.fastmail.com'],
    ['gmx.net', 'imap.gmx.net', 'pop.gmx.net', 'mail.gmx.net'],
    ['gmx.de', 'imap.gmx.net', 'pop.gmx.net', 'mail.gmx.net'],
    ['gmx.com', 'imap.gmx.com', 'pop.gmx.com', 'mail.gmx.com'],
    ['mailbox.org', 'imap.mailbox.org', 'pop3.mailbox.org', 'smtp.mailbox.org'],
    ['proton.me', '127.0.0.1', undefined, '127.0.0.1'],
    ['protonmail.com', '127.0.0.1', undefined, '127.0.0.1'],
    ['pm.me', '127.0.0.1', undefined, '127.0.0.1'],
  ])('%s: IMAP %s, POP3 %s, SMTP %s', (domain, imapHost, pop3Host, smtpHost) => {
    const provider = builtinProviderForDomain(domain);
    expect(provider).toBeDefined();
    const config = parseConfigXml(provider!.xml, `someone@${domain}`);
    expect(config.imap?.host).toBe(imapHost);
    expect(config.pop3?.host).toBe(pop3Host);
    expect(config.smtp?.host).toBe(smtpHost);
  });

  it('signs in to Gmail with Google’s OAuth2 for mail, or a password', () => {
    const config = parseConfigXml(builtinProviderForDomain('gmail.com')!.xml, 'someone@gmail.com');
    expect(config.imap).toMatchObject({ port: 993, security: 'tls', username: 'someone@gmail.com', signIn: ['oauth2', 'password'] });
    expect(config.oauth2).toMatchObject({ issuer: 'accounts.google.com', scopes: ['https://mail.google.com/'] });
    expect(new URL(config.oauth2!.authorizationUrl).hostname).toBe('accounts.google.com');
  });

  it.each(['outlook.com', 'onmicrosoft.com'])('signs in to Microsoft (%s) with OAuth2 only, for IMAP, POP and SMTP', (domain) => {
    const config = parseConfigXml(builtinProviderForDomain(domain)!.xml, `someone@${domain}`);
    for (const server of [config.imap, config.pop3, config.smtp]) expect(server?.signIn).toEqual(['oauth2']);
    expect(config.oauth2).toEqual({
      issuer: 'login.microsoftonline.com',
      scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/POP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'],
      authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    });
  });

  it('signs in to iCloud’s IMAP with the part before the @', () => {
    const config = parseConfigXml(builtinProviderForDomain('icloud.com')!.xml, 'someone@icloud.com');
    expect(config.imap?.username).toBe('someone');
    expect(config.smtp?.username).toBe('someone@icloud.com');
  });

  it('reaches Proton Mail through the Bridge on this computer', () => {
    const config = parseConfigXml(builtinProviderForDomain('proton.me')!.xml, 'someone@proton.me');
    expect(config.imap).toMatchObject({ host: '127.0.0.1', port: 1143, security: 'starttls' });
    expect(config.smtp).toMatchObject({ host: '127.0.0.1', port: 1025, security: 'starttls' });
  });

  it('prefers implicit TLS where a provider offers both (GMX)', () => {
    const config = parseConfigXml(builtinProviderForDomain('gmx.de')!.xml, 'someone@gmx.de');
    expect(config.imap).toMatchObject({ port: 993, security: 'tls' });
    expect(config.pop3).toMatchObject({ port: 995, security: 'tls' });
    expect(config.smtp).toMatchObject({ port: 465, security: 'tls' });
  });
});

describe('builtinProviderForDomain', () => {
  it.each(['Gmail.COM', ' gmail.com ', 'gmail.com.'])('tolerates %j', (domain) => {
    expect(nameOf(builtinProviderForDomain(domain))).toBe('Gmail');
  });

  it.each(['example.org', 'mail.gmail.com', 'gmail.co', 'notgmail.com', ''])('knows nothing of %j', (domain) => {
    expect(builtinProviderForDomain(domain)).toBeUndefined();
  });
});

describe('builtinProviderForMx', () => {
  it.each([
    ['aspmx.l.google.com', 'Gmail'],
    ['alt1.aspmx.l.google.com', 'Gmail'],
    ['gmail-smtp-in.l.google.com', 'Gmail'],
    ['aspmx2.googlemail.com', 'Gmail'],
    ['ASPMX.L.GOOGLE.COM.', 'Gmail'],
    ['google.com', 'Gmail'],
    ['example-com.mail.protection.outlook.com', 'Microsoft 365'],
    ['Example-Com.Mail.Protection.Outlook.Com.', 'Microsoft 365'],
    ['outlook-com.olc.protection.outlook.com', 'Outlook.com (Microsoft)'],
    ['mta5.am0.yahoodns.net', 'Yahoo! Mail'],
    ['mx01.mail.icloud.com', 'Apple iCloud'],
    ['in1-smtp.messagingengine.com', 'Fastmail'],
    ['mx00.emig.gmx.net', 'GMX Freemail'],
    ['mxext1.mailbox.org', 'mailbox.org'],
    ['mail.protonmail.ch', 'Proton Mail (through Proton Mail Bridge)'],
  ])('finds the provider of %s', (mxHost, name) => {
    expect(nameOf(builtinProviderForMx(mxHost))).toBe(name);
  });

  it('tells Microsoft 365 from Outlook.com', () => {
    expect(builtinProviderForMx('example-com.mail.protection.outlook.com')).toBe(builtinProviderForDomain('onmicrosoft.com'));
    expect(builtinProviderForMx('hotmail-com.olc.protection.outlook.com')).toBe(builtinProviderForDomain('hotmail.com'));
  });

  it.each([
    'mx.example.org',
    'notgoogle.com',
    'aspmx.l.notgoogle.com',
    'google.com.evil.example',
    'mail.protection.outlook.com.example.net',
    'protection.outlook.com',
    'mx-aol.mail.gm0.yahoodns.net',
    '',
    '.',
  ])('knows nothing of %j', (mxHost) => {
    expect(builtinProviderForMx(mxHost)).toBeUndefined();
  });
});
