/**
 * The providers Twinbox can sign in with, and its client id at each. As in
 * Thunderbird, a provider's endpoints come only from Twinbox's own table (the
 * providers/ documents with an oAuth2 section), never from a document a
 * domain serves: otherwise any autoconfig answer could send the user to a
 * sign-in page of its choosing. A server found for an address signs in with
 * a provider when its host is one of that provider's mail hosts.
 *
 * Client ids are Twinbox's own registrations, configuration rather than code
 * (README, "Signing in with Google or Microsoft"): without one for a provider,
 * its sign-in is not offered.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Discovery } from '../../../shared/discovery';
import { TwinboxError } from '../../../shared/errors';
import type { OAuth2Settings } from '../../../shared/model';
import { parseConfigXml } from '../autoconfig/config-xml';
import { builtinProviders } from '../autoconfig/providers';

export interface OAuthProvider {
  issuer: string;
  /** As the user knows it ("Gmail"). */
  name: string;
  /** The mail servers whose sign-in this provider gives. */
  hosts: string[];
  authorizationUrl: string;
  tokenUrl: string;
  scopes: string[];
  extraParameters?: Record<string, string>;
}

/** Twinbox's registration at a provider, by issuer. */
export const OAuthClientsSchema = z.record(
  z.string().min(1),
  z.object({ clientId: z.string().min(1).max(500), clientSecret: z.string().min(1).max(500).optional() }).strict(),
);
export type OAuthClients = z.infer<typeof OAuthClientsSchema>;

/**
 * What a provider needs beyond the standard request: Google gives a refresh
 * token only for access_type=offline, and again only with prompt=consent.
 */
const EXTRA_PARAMETERS: Record<string, Record<string, string>> = {
  'accounts.google.com': { access_type: 'offline', prompt: 'consent' },
};

/** The providers of the built-in table that sign in with OAuth2, one per issuer (Outlook.com and Microsoft 365 share one). */
export function builtinOAuthProviders(): OAuthProvider[] {
  const byIssuer = new Map<string, OAuthProvider>();
  for (const entry of builtinProviders) {
    const config = parseConfigXml(entry.xml, 'user@example.invalid');
    if (!config.oauth2) continue;
    const hosts = [config.imap, config.pop3, config.smtp].filter((server) => server?.signIn.includes('oauth2')).map((server) => server?.host ?? '');
    const known = byIssuer.get(config.oauth2.issuer);
    if (known) {
      known.hosts = [...new Set([...known.hosts, ...hosts])];
      continue;
    }
    const extra = EXTRA_PARAMETERS[config.oauth2.issuer];
    byIssuer.set(config.oauth2.issuer, {
      issuer: config.oauth2.issuer,
      name: config.providerName ?? entry.id,
      hosts,
      authorizationUrl: config.oauth2.authorizationUrl,
      tokenUrl: config.oauth2.tokenUrl,
      scopes: config.oauth2.scopes,
      ...(extra ? { extraParameters: extra } : {}),
    });
  }
  return [...byIssuer.values()];
}

export class OAuthDirectory {
  constructor(
    private readonly providers: readonly OAuthProvider[],
    private readonly clients: OAuthClients,
  ) {}

  /** The provider whose sign-in the found incoming server takes, and whether Twinbox may offer it here. */
  signInFor(discovery: Discovery): Discovery['signInWith'] {
    const incoming = discovery.imap ?? discovery.pop3;
    if (!incoming?.signIn.includes('oauth2')) return undefined;
    const host = incoming.host.toLowerCase();
    const provider = this.providers.find((candidate) => candidate.hosts.includes(host));
    if (!provider) return undefined;
    const registered = this.clients[provider.issuer] !== undefined;
    return { issuer: provider.issuer, name: provider.name, available: registered, ...(registered ? {} : { missing: 'client-id' as const }) };
  }

  /**
   * Whether a token from `issuer` may be sent to `host`: only to that
   * provider's own mail servers, so that no page can have main hand an
   * account's token to a server of its choosing.
   */
  servesHost(issuer: string, host: string): boolean {
    return this.providers.some((provider) => provider.issuer === issuer && provider.hosts.includes(host.trim().toLowerCase().replace(/\.$/, '')));
  }

  /** What an account signs in to `issuer` with; NOT_SUPPORTED without a client id there. */
  settingsFor(issuer: string): OAuth2Settings {
    const provider = this.providers.find((candidate) => candidate.issuer === issuer);
    const client = this.clients[issuer];
    if (!provider) throw new TwinboxError('NOT_SUPPORTED', `Twinbox does not know how to sign in with ${issuer}`);
    if (!client) throw new TwinboxError('NOT_SUPPORTED', `this copy of Twinbox has no client id for ${provider.name} (see the README)`);
    return {
      issuer,
      authorizationUrl: provider.authorizationUrl,
      tokenUrl: provider.tokenUrl,
      scopes: provider.scopes,
      clientId: client.clientId,
      ...(client.clientSecret === undefined ? {} : { clientSecret: client.clientSecret }),
      ...(provider.extraParameters ? { extraParameters: provider.extraParameters } : {}),
    };
  }
}

/**
 * Twinbox's client ids, from `oauth-clients.json` in the profile folder
 * (`{ "accounts.google.com": { "clientId": "…", "clientSecret": "…" } }`).
 * No file: no provider sign-in. A file that is not valid says why, once, and
 * counts as none, rather than keeping Twinbox from starting.
 */
export function readOAuthClients(file: string, warn: (message: string) => void = console.warn): OAuthClients {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    return OAuthClientsSchema.parse(JSON.parse(text));
  } catch (error) {
    warn(`${file} was ignored: ${error instanceof Error ? error.message : String(error)}`);
    return {};
  }
}
