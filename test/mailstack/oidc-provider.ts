/**
 * A real OpenID provider (npm `oidc-provider`) on loopback, for sign-in with
 * OAuth2 to the test stack's IMAP, POP3 and SMTP servers, plus what tests
 * need to get tokens from it without a browser.
 *
 * Dovecot checks every token by introspection against this provider, so a
 * token that expired or was revoked here is refused by the mail servers at
 * once (Dovecot caches nothing: force_introspection).
 *
 * The sign-in page (oidc-provider's devInteractions), for tests that drive it
 * in a browser; it comes in two steps, each a page at /interaction/<uid>:
 *   1. Sign-in: one form with `input[name=login]` (the user's login name,
 *      TestUser.user, prefilled from `login_hint`), `input[name=password]`, a
 *      hidden `prompt=login` and the button "Sign-in" (`button.login-submit`).
 *      A wrong login or password answers 401 with the same form again and
 *      `p.login-error` saying so.
 *   2. Consent: one form with a hidden `prompt=consent` and the button
 *      "Continue" (`button.login-submit`). It is shown whenever the request has
 *      `prompt=consent`, which a client must send to get a refresh token.
 * Then the browser is redirected to the client's redirect URI with `code`
 * and `state`. (/interaction/<uid>/abort denies the request: `error=access_denied`.)
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OAuthInfo, TestUser } from './types';

/** The native client Twinbox's tests sign in with. */
export const NATIVE_CLIENT_ID = 'twinbox-tests';
/** Where the native client is sent back to; any port on 127.0.0.1 matches it (RFC 8252 section 7.3). */
export const NATIVE_REDIRECT_URI = 'http://127.0.0.1/callback';
/** `mail` stands for what real providers ask for IMAP/SMTP (Google's https://mail.google.com/); Dovecot does not check scopes. */
export const OAUTH_SCOPES = ['openid', 'email', 'offline_access', 'mail'];

/**
 * Seconds an access token lives unless a test sets a user's own lifetime
 * (see `setAccessTokenTtl`): an hour, as at Google and Microsoft. The
 * variable shortens it for a whole run.
 */
export const ACCESS_TOKEN_TTL_VARIABLE = 'TWINBOX_TEST_OAUTH_ACCESS_TOKEN_TTL';
const DEFAULT_ACCESS_TOKEN_TTL = 3600;

/** Test-only endpoints beside the provider's own; nothing in them is OAuth. */
const ADMIN_PREFIX = '/_test';

export interface RunningOidcProvider {
  info: OAuthInfo;
  /** What Dovecot's oauth2 passdb introspects with (a confidential client; HTTP Basic). */
  introspection: { url: string; clientId: string; clientSecret: string };
  /**
   * Settles once the provider answers. The port listens from the start and
   * holds requests until then, so the mail servers can be started meanwhile
   * (loading oidc-provider takes about 0.3 s).
   */
  ready: Promise<void>;
  /** What the provider said: its own warnings, errors and token events. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts the provider on a free port of 127.0.0.1 (see `ready`). Accounts are `users`,
 * signing in with their login name and password; the `email` claim (and what
 * introspection says) is the user's address.
 */
export async function startOidcProvider(options: {
  users: readonly TestUser[];
  /** Default seconds an access token lives; else ACCESS_TOKEN_TTL_VARIABLE, else an hour. */
  accessTokenTtl?: number;
  /** Where the provider's log is also written, beside the daemons' logs. */
  logFile?: string;
}): Promise<RunningOidcProvider> {
  const users = new Map(options.users.map((user) => [user.user, user]));
  const defaultTtl = options.accessTokenTtl ?? wholeSeconds(process.env[ACCESS_TOKEN_TTL_VARIABLE]) ?? DEFAULT_ACCESS_TOKEN_TTL;
  const ttlByAccount = new Map<string, number>();
  const lines: string[] = [];
  const log = (line: string): void => {
    const stamped = `${new Date().toISOString()} ${line}`;
    lines.push(stamped);
    if (lines.length > 500) lines.shift();
    if (options.logFile !== undefined) {
      try {
        appendFileSync(options.logFile, `${stamped}\n`);
      } catch {
        // The stack's directory is being removed.
      }
    }
  };
  const releaseConsole = divertProviderConsole(log);

  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let loaded: Promise<void> = Promise.resolve();
  const server = createServer((req, res) => {
    // A request that comes while the module loads waits for it.
    loaded
      .then(() => {
        if (handle === undefined) throw new Error('the provider did not start');
        return route(req, res, handle);
      })
      .catch((error: unknown) => {
        log(`test harness error: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    releaseConsole();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const introspectionClient = { clientId: 'dovecot', clientSecret: randomBytes(24).toString('hex') };

  loaded = (async () => {
    const Provider = await loadProvider();
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: NATIVE_CLIENT_ID,
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [NATIVE_REDIRECT_URI],
        },
        {
          client_id: introspectionClient.clientId,
          client_secret: introspectionClient.clientSecret,
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: [],
          response_types: [],
          redirect_uris: [],
        },
      ],
      // An EC key is made in microseconds; the RSA key ID tokens use by default takes far longer.
      jwks: { keys: [signingKey()] },
      clientDefaults: { id_token_signed_response_alg: 'ES256' },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      scopes: OAUTH_SCOPES,
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      pkce: { required: () => true },
      features: {
        devInteractions: { enabled: true },
        introspection: {
          enabled: true,
          // Only the mail server's own client may ask what a token is worth.
          allowedPolicy: (_ctx: unknown, client: { clientId: string }) => client.clientId === introspectionClient.clientId,
        },
        revocation: {
          enabled: true,
          allowedPolicy: (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId,
        },
      },
      findAccount: (_ctx: unknown, sub: string) => {
        const user = users.get(sub);
        if (user === undefined) return undefined;
        return {
          accountId: sub,
          claims: () => ({ sub, email: user.address, email_verified: true }),
        };
      },
      // Dovecot matches the user a client names against this (username_attribute = email).
      extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) => {
        const user = token.accountId === undefined ? undefined : users.get(token.accountId);
        return user === undefined ? undefined : { email: user.address };
      },
      ttl: {
        AccessToken: (_ctx: unknown, token: { accountId?: string }) =>
          (token.accountId === undefined ? undefined : ttlByAccount.get(token.accountId)) ?? defaultTtl,
      },
    });
    for (const event of ['server_error', 'authorization.error', 'grant.error', 'introspection.error', 'revocation.error', 'end_session.error']) {
      provider.on(event, (...args: unknown[]) => log(`${event}: ${describeError(args.at(-1))}`));
    }
    for (const event of ['grant.success', 'access_token.saved', 'access_token.destroyed', 'refresh_token.destroyed', 'grant.revoked']) {
      provider.on(event, () => log(event));
    }
    // Koa prints errors it is not told to keep quiet about.
    provider.on('error', (error: unknown) => log(`error: ${describeError(error)}`));
    handle = provider.callback();
  })();
  // A failed load is reported by `ready` (and to each request); this keeps it from counting as unhandled.
  loaded.catch(() => undefined);

  return {
    info: {
      issuer,
      authorizationUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
      revocationUrl: `${issuer}/token/revocation`,
      clientId: NATIVE_CLIENT_ID,
      scopes: [...OAUTH_SCOPES],
    },
    introspection: { url: `${issuer}/token/introspection`, ...introspectionClient },
    ready: loaded,
    log: () => lines.join('\n'),
    stop: async () => {
      await loaded.catch(() => undefined);
      await closeServer(server);
      releaseConsole();
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse, provider: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      await admin(req, res, url);
      return;
    }
    if (req.method === 'POST' && /^\/interaction\/[^/]+$/.test(url.pathname)) {
      // devInteractions signs in any login with any password: the password is checked here first.
      const form = new URLSearchParams(await readBody(req));
      if (form.get('prompt') === 'login') {
        const user = users.get(form.get('login') ?? '');
        if (user?.password !== form.get('password')) {
          log(`sign-in refused for ${JSON.stringify(form.get('login'))}`);
          res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
          res.end(loginAgainPage(url.pathname, form.get('login') ?? ''));
          return;
        }
      }
      // The body is read; oidc-provider takes an already parsed one from here.
      (req as IncomingMessage & { body?: Record<string, string> }).body = Object.fromEntries(form);
    }
    provider(req, res);
  }

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice(ADMIN_PREFIX.length);
    if (req.method === 'POST' && path === '/access-token-ttl') {
      const form = new URLSearchParams(await readBody(req));
      const account = form.get('account') ?? '';
      const seconds = form.get('seconds') ?? '';
      if (!users.has(account)) {
        res.writeHead(404).end(`no account ${account}`);
        return;
      }
      if (seconds === '') ttlByAccount.delete(account);
      else {
        const ttl = wholeSeconds(seconds);
        if (ttl === undefined) {
          res.writeHead(400).end('seconds: a whole number above 0');
          return;
        }
        ttlByAccount.set(account, ttl);
      }
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && path === '/log') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(lines.join('\n'));
      return;
    }
    res.writeHead(404).end();
  }
}

// ---------------------------------------------------------------- for tests

export interface IssuedTokens {
  accessToken: string;
  /** Present when `offline_access` was granted (always, for issueTokens). */
  refreshToken?: string;
  /** Seconds the access token lives, as the token endpoint says. */
  expiresIn: number;
  idToken?: string;
}

interface HelperOptions {
  /** The provider to use; by default the one of the run's mail stack (vitest's inject). */
  oauth?: OAuthInfo;
}

/**
 * Signs `user` in as a native app does, over HTTP alone: the authorization
 * request with PKCE S256 and prompt=consent, the sign-in and consent forms
 * (with the provider's cookies), and the code exchange at the token endpoint.
 * `accessTokenTtl` first sets the user's access-token lifetime, which holds
 * for the user's later tokens and refreshes too (see `setAccessTokenTtl`).
 */
export async function issueTokens(user: TestUser, options: HelperOptions & { accessTokenTtl?: number; scopes?: string[] } = {}): Promise<IssuedTokens> {
  const oauth = await oauthOf(options);
  if (options.accessTokenTtl !== undefined) await setAccessTokenTtl(user, options.accessTokenTtl, { oauth });
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  let url = new URL(oauth.authorizationUrl);
  for (const [name, value] of Object.entries({
    client_id: oauth.clientId,
    response_type: 'code',
    redirect_uri: NATIVE_REDIRECT_URI,
    scope: (options.scopes ?? oauth.scopes).join(' '),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    prompt: 'consent',
    state,
    login_hint: user.user,
  })) {
    url.searchParams.set(name, value);
  }

  const cookies = new Map<string, string>();
  let form: URLSearchParams | undefined;
  let code: string | undefined;
  for (let step = 0; step < 12 && code === undefined; step++) {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: form.toString() } : {}),
    });
    takeCookies(response, cookies);
    form = undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      const target = new URL(location, url);
      if (`${target.origin}${target.pathname}` === NATIVE_REDIRECT_URI) {
        const error = target.searchParams.get('error');
        if (error !== null) throw new Error(`the provider refused the sign-in: ${error} ${target.searchParams.get('error_description') ?? ''}`);
        if (target.searchParams.get('state') !== state) throw new Error('the provider returned another state');
        code = target.searchParams.get('code') ?? undefined;
        if (code === undefined) throw new Error(`no code in ${target.href}`);
        break;
      }
      url = target;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (response.status !== 200 || action === undefined || prompt === undefined) {
      throw new Error(`the provider answered ${response.status} at ${url.pathname}: ${html.slice(0, 500)}`);
    }
    url = new URL(action.replaceAll('&amp;', '&'), url);
    form = new URLSearchParams(prompt === 'login' ? { prompt, login: user.user, password: user.password } : { prompt });
  }
  if (code === undefined) throw new Error('the sign-in did not come back to the redirect URI');

  return tokenRequest(oauth, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: NATIVE_REDIRECT_URI,
    client_id: oauth.clientId,
    code_verifier: verifier,
  });
}

/** The refresh-token grant. Refresh tokens rotate: the one passed is spent, use the new one. */
export async function refreshTokens(refreshToken: string, options: HelperOptions = {}): Promise<IssuedTokens> {
  const oauth = await oauthOf(options);
  return tokenRequest(oauth, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: oauth.clientId });
}

/** Revokes a token at the revocation endpoint; revoking an access token also ends its refresh token. */
export async function revoke(token: string, options: HelperOptions = {}): Promise<void> {
  const oauth = await oauthOf(options);
  const response = await fetch(oauth.revocationUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: oauth.clientId }).toString(),
  });
  if (!response.ok) throw new Error(`revocation answered ${response.status}: ${await response.text()}`);
}

/**
 * How long access tokens issued to `user` from now on live, in seconds
 * (`undefined`: the provider's default again); it also holds for those a
 * refresh brings. Per user, so tests that lease their own users do not meet
 * each other's. The way to an expired access token: set 1 s, get tokens,
 * wait a little over a second; the refresh token still works.
 */
export async function setAccessTokenTtl(user: TestUser, seconds: number | undefined, options: HelperOptions = {}): Promise<void> {
  const oauth = await oauthOf(options);
  const response = await fetch(`${oauth.issuer}${ADMIN_PREFIX}/access-token-ttl`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ account: user.user, seconds: seconds === undefined ? '' : String(seconds) }).toString(),
  });
  if (!response.ok) throw new Error(`setting the token lifetime failed: ${response.status} ${await response.text()}`);
}

/** What the provider logged (for a failed test to print; it is kept out of passing runs). */
export async function providerLog(options: HelperOptions = {}): Promise<string> {
  const oauth = await oauthOf(options);
  const response = await fetch(`${oauth.issuer}${ADMIN_PREFIX}/log`);
  return response.text();
}

/** XOAUTH2's initial client response (Google's format), base64. */
export function xoauth2Response(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`).toString('base64');
}

/** OAUTHBEARER's initial client response (RFC 7628), base64. */
export function oauthBearerResponse(user: string, accessToken: string, server?: { host: string; port: number }): string {
  const gs2User = user.replaceAll('=', '=3D').replaceAll(',', '=2C');
  const hostPort = server ? `host=${server.host}\x01port=${server.port}\x01` : '';
  return Buffer.from(`n,a=${gs2User},\x01${hostPort}auth=Bearer ${accessToken}\x01\x01`).toString('base64');
}

// ---------------------------------------------------------------- inside

async function oauthOf(options: HelperOptions): Promise<OAuthInfo> {
  if (options.oauth) return options.oauth;
  // Loaded here, not at the top: the harness that starts the provider runs outside any test.
  const { inject } = await import('vitest');
  const { oauth } = inject('mailStack');
  if (!oauth) throw new Error('the mail stack has no OpenID provider');
  return oauth;
}

async function tokenRequest(oauth: OAuthInfo, parameters: Record<string, string>): Promise<IssuedTokens> {
  const response = await fetch(oauth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(parameters).toString(),
  });
  const body = (await response.json()) as Partial<Record<'access_token' | 'refresh_token' | 'id_token' | 'error' | 'error_description', string>> & {
    expires_in?: number;
  };
  if (!response.ok || body.access_token === undefined || body.expires_in === undefined) {
    throw new Error(`the token endpoint answered ${response.status}: ${body.error ?? ''} ${body.error_description ?? ''}`);
  }
  return {
    accessToken: body.access_token,
    expiresIn: body.expires_in,
    ...(body.refresh_token === undefined ? {} : { refreshToken: body.refresh_token }),
    ...(body.id_token === undefined ? {} : { idToken: body.id_token }),
  };
}

function takeCookies(response: Response, cookies: Map<string, string>): void {
  for (const header of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = header.split(';');
    const split = pair.indexOf('=');
    if (split < 0) continue;
    const name = pair.slice(0, split).trim();
    const expired = attributes.some((attribute) => /^\s*expires=.*1970/i.test(attribute)) || pair.slice(split + 1) === '';
    if (expired) cookies.delete(name);
    else cookies.set(name, pair.slice(split + 1));
  }
}

function wholeSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) return undefined;
  return Number(value);
}

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: randomBytes(6).toString('hex') };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const detail = (error as Error & { error_description?: unknown }).error_description;
    return `${error.name}: ${error.message}${typeof detail === 'string' ? ` (${detail})` : ''}`;
  }
  return String(error);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginAgainPage(action: string, login: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign-in</title></head>
<body><div class="login-card"><h1>Sign-in</h1>
<p class="login-error">Wrong login name or password.</p>
<form autocomplete="off" action="${escapeHtml(action)}" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" value="${escapeHtml(login)}">
  <input required type="password" name="password" placeholder="and password" autofocus="on">
  <button type="submit" class="login login-submit">Sign-in</button>
</form></div></body></html>`;
}

interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

async function loadProvider(): Promise<ProviderConstructor> {
  // oidc-provider ships no types; the few members used here are declared above.
  const specifier: string = 'oidc-provider';
  const loaded = (await import(specifier)) as { default: ProviderConstructor };
  return loaded.default;
}

/**
 * oidc-provider talks through console.warn and console.info (a runtime
 * notice, "development-only" warnings). That goes into the provider's log
 * instead of the test run's output; counted, as several stacks may run in one process.
 */
const CONSOLE_KEY = Symbol.for('twinbox.oidcProviderConsole');
interface ConsoleDiversion {
  sinks: Set<(line: string) => void>;
  warn: typeof console.warn;
  info: typeof console.info;
}
type WithDiversion = typeof globalThis & { [CONSOLE_KEY]?: ConsoleDiversion };

function divertProviderConsole(sink: (line: string) => void): () => void {
  const scope = globalThis as WithDiversion;
  let diversion = scope[CONSOLE_KEY];
  if (diversion === undefined) {
    const original = { warn: console.warn, info: console.info };
    const current = { sinks: new Set<(line: string) => void>(), ...original };
    const divert =
      (through: (...args: unknown[]) => void) =>
      (...args: unknown[]): void => {
        const first = args[0];
        // eslint-disable-next-line no-control-regex -- the notices are coloured on a terminal
        const plain = typeof first === 'string' ? first.replace(/\x1b\[[\d;]*m/g, '') : '';
        if (plain.startsWith('oidc-provider ')) {
          for (const sinkOf of current.sinks) sinkOf(plain);
          return;
        }
        Reflect.apply(through, console, args);
      };
    console.warn = divert(original.warn);
    console.info = divert(original.info);
    diversion = current;
    scope[CONSOLE_KEY] = diversion;
  }
  const active = diversion;
  active.sinks.add(sink);
  return () => {
    if (!active.sinks.delete(sink) || active.sinks.size > 0) return;
    console.warn = active.warn;
    console.info = active.info;
    scope[CONSOLE_KEY] = undefined;
  };
}
