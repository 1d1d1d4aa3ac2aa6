/**
 * Tokens from a provider's token endpoint: the first ones for an
 * authorization code, and new access tokens for a refresh token. Access
 * tokens live in memory only; the refresh token, the lasting credential, is
 * kept encrypted like a password (the caller stores it).
 */
import { TwinboxError } from '../../../shared/errors';
import type { OAuth2Settings } from '../../../shared/model';
import { toTwinboxError } from '../../protocols/errors';

/** A provider as Twinbox signs in to it: its endpoints and scopes, and Twinbox's own client id there. */
export type OAuth2Client = OAuth2Settings;

export interface TokenSet {
  accessToken: string;
  /** Absent when the provider keeps the one it gave before. */
  refreshToken?: string;
  /** When the access token stops working, in ms since the epoch. */
  expiresAt: number;
}

const TOKEN_TIMEOUT_MS = 20_000;

export function exchangeCode(client: OAuth2Client, grant: { code: string; verifier: string; redirectUri: string }, now = Date.now): Promise<TokenSet> {
  return requestTokens(
    client,
    { grant_type: 'authorization_code', code: grant.code, redirect_uri: grant.redirectUri, code_verifier: grant.verifier },
    now,
  );
}

export function refreshTokens(client: OAuth2Client, refreshToken: string, now = Date.now): Promise<TokenSet> {
  return requestTokens(client, { grant_type: 'refresh_token', refresh_token: refreshToken }, now);
}

async function requestTokens(client: OAuth2Client, grant: Record<string, string>, now: () => number): Promise<TokenSet> {
  const sentAt = now();
  let response: Response;
  try {
    response = await fetch(client.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...grant, client_id: client.clientId, ...(client.clientSecret === undefined ? {} : { client_secret: client.clientSecret }) }),
      redirect: 'error',
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (error) {
    // fetch wraps the socket's error (ECONNREFUSED, ENOTFOUND) as its cause.
    throw toTwinboxError((error as { cause?: unknown }).cause ?? error, 'CONNECTION_LOST');
  }
  const body: unknown = await response.json().catch(() => undefined);
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (!response.ok) {
    const detail = [fields.error, fields.error_description].filter((part) => typeof part === 'string').join(': ') || `HTTP ${response.status}`;
    // RFC 6749 5.2: the grant (code or refresh token) is expired, revoked or was used already: only a new sign-in helps.
    if (fields.error === 'invalid_grant') throw new TwinboxError('SIGN_IN_REQUIRED', detail);
    throw new TwinboxError(response.status >= 500 ? 'CONNECTION_LOST' : 'AUTH_FAILED', detail);
  }
  const { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn } = fields;
  if (typeof accessToken !== 'string' || accessToken === '') throw new TwinboxError('PROTOCOL_ERROR', 'the provider sent no access token');
  // Without a lifetime, assume an hour (the common one) and rely on refreshing when the server refuses it.
  const seconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : Number(expiresIn) > 0 ? Number(expiresIn) : 3600;
  return { accessToken, ...(typeof refreshToken === 'string' && refreshToken !== '' ? { refreshToken } : {}), expiresAt: sentAt + seconds * 1000 };
}
