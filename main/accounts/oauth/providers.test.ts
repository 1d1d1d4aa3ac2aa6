import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Discovery, DiscoveredServer } from '../../../shared/discovery';
import { builtinOAuthProviders, OAuthDirectory, readOAuthClients } from './providers';

const server = (host: string, signIn: DiscoveredServer['signIn']): DiscoveredServer => ({ protocol: 'imap', host, port: 993, security: 'tls', username: 'ann@example.com', signIn });
const found = (imap: DiscoveredServer): Discovery => ({ source: 'provider', origin: 'test', imap, insecureSource: false, plainTextOnly: false });

describe('the providers Twinbox signs in with', () => {
  it('come from the built-in table: Google and Microsoft, with their endpoints over HTTPS', () => {
    const providers = builtinOAuthProviders();
    const google = providers.find((p) => p.issuer === 'accounts.google.com');
    const microsoft = providers.find((p) => p.issuer === 'login.microsoftonline.com');
    expect(google).toMatchObject({ hosts: expect.arrayContaining(['imap.gmail.com', 'smtp.gmail.com']) as unknown, extraParameters: { access_type: 'offline' } });
    // Outlook.com and Microsoft 365 share one sign-in.
    expect(microsoft?.hosts).toEqual(expect.arrayContaining(['outlook.office365.com']));
    for (const provider of providers) {
      expect(provider.authorizationUrl).toMatch(/^https:\/\//);
      expect(provider.tokenUrl).toMatch(/^https:\/\//);
    }
  });

  it('are offered only with a client id, and only for their own mail hosts, whatever a domain’s document says', () => {
    const none = new OAuthDirectory(builtinOAuthProviders(), {});
    expect(none.signInFor(found(server('imap.gmail.com', ['oauth2', 'password'])))).toEqual({ issuer: 'accounts.google.com', name: 'Gmail', available: false, missing: 'client-id' });
    expect(() => none.settingsFor('accounts.google.com')).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }) as Error);

    const configured = new OAuthDirectory(builtinOAuthProviders(), { 'accounts.google.com': { clientId: 'ours.apps.googleusercontent.com', clientSecret: 'not-secret' } });
    expect(configured.signInFor(found(server('IMAP.gmail.com', ['oauth2'])))).toMatchObject({ available: true });
    expect(configured.settingsFor('accounts.google.com')).toMatchObject({ clientId: 'ours.apps.googleusercontent.com', clientSecret: 'not-secret', scopes: ['https://mail.google.com/'] });
    // A domain's own document naming OAuth2 for its own server gets no provider: the endpoints would be its to choose.
    expect(configured.signInFor(found(server('imap.example.com', ['oauth2'])))).toBeUndefined();
    expect(configured.signInFor(found(server('imap.gmail.com', ['password'])))).toBeUndefined();
  });
});

describe('the client ids file', () => {
  it('is read when present, and ignored with a warning when it is not valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinbox-oauth-clients-'));
    try {
      const file = join(dir, 'oauth-clients.json');
      const warnings: string[] = [];
      expect(readOAuthClients(file, (w) => warnings.push(w))).toEqual({});
      writeFileSync(file, JSON.stringify({ 'login.microsoftonline.com': { clientId: 'our-app-id' } }));
      expect(readOAuthClients(file, (w) => warnings.push(w))).toEqual({ 'login.microsoftonline.com': { clientId: 'our-app-id' } });
      expect(warnings).toEqual([]);
      writeFileSync(file, '{ "accounts.google.com": { "clientId": "" } }');
      expect(readOAuthClients(file, (w) => warnings.push(w))).toEqual({});
      expect(warnings).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
