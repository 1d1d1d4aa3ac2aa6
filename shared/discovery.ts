/**
 * What main found out about an address's mail servers ("accounts.discover"),
 * for the account dialog to propose. Nothing here is used without the user
 * seeing it: the dialog shows it in plain words, and every value stays editable.
 */
import type { Security } from './model';

export type ServerProtocol = 'imap' | 'pop3' | 'smtp';

/** How a server lets the user sign in. */
export type SignIn = 'password' | 'oauth2';

/** One server, ready for the account form. */
export interface DiscoveredServer {
  protocol: ServerProtocol;
  host: string;
  port: number;
  security: Security;
  /** The user name to sign in with, the provider's placeholders filled in. */
  username: string;
  /** How it signs in, in the provider's order of preference (known ones only). */
  signIn: SignIn[];
}

/** Where a provider signs users in with OAuth2 (the client id is Twinbox's own configuration, never here). */
export interface OAuth2Endpoints {
  issuer: string;
  scopes: string[];
  authorizationUrl: string;
  tokenUrl: string;
}

/**
 * Each way of finding the servers, in the order they are tried (Thunderbird's):
 * the domain's own autoconfig over HTTPS, Twinbox's table of well-known
 * providers, the domain's own autoconfig over plain HTTP (used only after the
 * user confirms), DNS SRV records (RFC 6186), the provider named by the MX
 * record, and probing common host names.
 */
export type DiscoveryStepKind = 'provider' | 'builtin' | 'provider-http' | 'srv' | 'mx' | 'probe';

export interface DiscoveryStep {
  kind: DiscoveryStepKind;
  /** What was asked: a URL, a DNS name, a host and port. */
  target: string;
  outcome: 'found' | 'nothing' | 'timeout' | 'error';
  /** Why nothing came of it, in a few words ("HTTP 404", "malformed XML", "connection refused"). */
  detail?: string;
}

export interface Discovery {
  /** The step that found them. */
  source: DiscoveryStepKind;
  /** The provider's name as it gives it ("Gmail"), if it does. */
  providerName?: string;
  /** Where the settings came from: a URL, a DNS name or "imap.example.com:993". */
  origin: string;
  /** The best server of each kind that was found. */
  imap?: DiscoveredServer;
  pop3?: DiscoveredServer;
  smtp?: DiscoveredServer;
  /**
   * The provider whose own sign-in page the incoming server takes (OAuth2),
   * from Twinbox's table only; `available` is false when this copy of Twinbox
   * has no client id there, so the sign-in cannot be offered.
   */
  signInWith?: {
    issuer: string;
    name: string;
    available: boolean;
    /** Why not, when not: no client id in this copy of Twinbox, or a window that cannot open the user's browser. */
    missing?: 'client-id' | 'browser';
  };
  /**
   * Read over plain HTTP, which anyone on the way could have changed: the
   * dialog uses it only after the user confirms.
   */
  insecureSource: boolean;
  /** The autoconfig answer came from another domain than the address's (a redirect): shown to the user. */
  redirectedTo?: string;
  /** No server offered TLS: what is proposed sends the password in clear text. */
  plainTextOnly: boolean;
}

export type DiscoveryResult = { found: true; discovery: Discovery; steps: DiscoveryStep[] } | { found: false; steps: DiscoveryStep[] };
