/**
 * What a test needs to know about the mail servers it runs against. The same
 * shape describes the stack the harness starts itself and a server named by
 * TWINBOX_TEST_* variables, so tests never ask which one they got: they ask
 * whether the endpoint they need is there (see `requireEndpoint`).
 */
export interface Endpoint {
  host: string;
  port: number;
}

export interface TestUser {
  /** The login name. */
  user: string;
  password: string;
  /** Where SMTP delivers to reach this user's INBOX. */
  address: string;
}

export type EndpointName = 'imap' | 'imaps' | 'pop3' | 'pop3s' | 'smtp' | 'smtps';

/**
 * An OpenID provider whose access tokens the IMAP, POP3 and SMTP servers
 * accept with XOAUTH2 and OAUTHBEARER. Plain data: it travels to the tests
 * through vitest's provide/inject.
 */
export interface OAuthInfo {
  /** Plain HTTP on loopback; discovery is at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string;
  /**
   * A public native client (no secret, PKCE S256 required). Its redirect URI
   * is http://127.0.0.1/callback, on any port (RFC 8252 section 7.3).
   */
  clientId: string;
  /** What to ask for: `offline_access` brings a refresh token only with `prompt=consent`. */
  scopes: string[];
}

/**
 * `pop3KeepsFlags`: POP3 downloads change no flags on the server (Dovecot's
 * pop3_no_flag_updates). `smallQuota`: a storage quota of SMALL_QUOTA_KB.
 */
export type SpecialMailbox = 'pop3KeepsFlags' | 'smallQuota';
export const SMALL_QUOTA_KB = 100;

export interface MailStackInfo {
  /** `local`: started by the harness for this run. `external`: named by TWINBOX_TEST_*. */
  origin: 'local' | 'external';
  /** Plain-port IMAP; STARTTLS-capable when the server offers it. */
  imap?: Endpoint;
  imaps?: Endpoint;
  /** Plain-port POP3; STLS-capable when the server offers it. */
  pop3?: Endpoint;
  pop3s?: Endpoint;
  /** SMTP that accepts mail for the test users (STARTTLS and AUTH when offered). */
  smtp?: Endpoint;
  smtps?: Endpoint;
  /** PEM certificate(s) the clients must trust; absent means the system store. */
  caPem?: string;
  /** Host name the certificate is valid for. */
  tlsServername: string;
  /**
   * External servers: the fixed pool of users from TWINBOX_TEST_USERS.
   * Local stack: the seed users (more are made on demand, see `leaseMailbox`).
   */
  users: TestUser[];
  /**
   * Local stack only: users made at start for tests to claim, one test each
   * (Dovecot re-reads its passwd-file at most once a second, so users cannot
   * be added on demand). A user is claimed by creating `claimDir/<user>`.
   */
  pool?: {
    claimDir: string;
    users: TestUser[];
    /** Users set up unlike the rest (see SpecialMailbox), claimed the same way. */
    special: Record<SpecialMailbox, TestUser[]>;
  };
  /** Local stack only: mail domain handled by the SMTP server. */
  domain: string;
  /** Local stack only (unless it was started without it): sign-in with OAuth2 bearer tokens. */
  oauth?: OAuthInfo;
  /** Why an endpoint (or OAuth) is absent, printed by tests that skip because of it. */
  missing: Partial<Record<EndpointName | 'oauth', string>>;
}
