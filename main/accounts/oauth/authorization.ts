/**
 * Signing in with a provider (OAuth 2.0 for native apps, RFC 8252): the
 * provider's page opens in the user's own browser, never in Twinbox, so
 * Twinbox never sees the provider password; the answer comes back to a
 * one-time HTTP listener on 127.0.0.1 at a random port; PKCE (RFC 7636, S256)
 * binds the code to this sign-in, and a random `state` to this request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TwinboxError } from '../../../shared/errors';
import { exchangeCode } from './tokens';
import type { OAuth2Client, TokenSet } from './tokens';

export interface SignInOptions {
  /** The address being signed in, so the provider can preselect the account. */
  loginHint?: string;
  /** Opens the provider's page in the system browser (Electron's shell.openExternal). */
  openBrowser: (url: string) => Promise<void>;
  /** How long the user has to finish on the provider's page. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export async function signIn(client: OAuth2Client, options: SignInOptions): Promise<TokenSet> {
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const listener = await listenOnLoopback();
  // RFC 8252 7.3: the loopback IP literal, not "localhost", which a firewall or hosts file may send elsewhere.
  const redirectUri = `http://127.0.0.1:${listener.port}/callback`;
  try {
    const url = new URL(client.authorizationUrl);
    const parameters: Record<string, string> = {
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: redirectUri,
      scope: client.scopes.join(' '),
      state,
      code_challenge: base64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
      ...(options.loginHint === undefined ? {} : { login_hint: options.loginHint }),
      ...client.extraParameters,
    };
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    const answer = listener.answer(state, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.signal);
    await options.openBrowser(url.href);
    const code = await answer;
    return await exchangeCode(client, { code, verifier, redirectUri });
  } finally {
    listener.close();
  }
}

interface LoopbackListener {
  port: number;
  /** The authorization code, once the browser comes back with this state. */
  answer(state: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<string>;
  close(): void;
}

async function listenOnLoopback(): Promise<LoopbackListener> {
  let onRequest: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.writeHead(404).end();
  const server = createServer((request, response) => onRequest(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
    answer: (state, timeoutMs, signal) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TwinboxError('SIGN_IN_CANCELLED', 'the sign-in was not finished in time')), timeoutMs);
        const stop = (): void => reject(new TwinboxError('SIGN_IN_CANCELLED', 'the sign-in was cancelled'));
        signal?.addEventListener('abort', stop, { once: true });
        const settle = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', stop);
        };
        onRequest = (request, response) => {
          const query = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
          // Anything else a browser asks for (a favicon), or a request not from this sign-in: not an answer.
          if (!request.url?.startsWith('/callback') || query.get('state') !== state) {
            response.writeHead(404).end();
            return;
          }
          const code = query.get('code');
          const error = query.get('error');
          settle();
          if (code) {
            respond(response, 'You are signed in. You can close this page and go back to Twinbox.');
            resolve(code);
          } else {
            respond(response, 'The sign-in did not finish. You can close this page and try again in Twinbox.');
            const detail = [error, query.get('error_description')].filter(Boolean).join(': ');
            reject(new TwinboxError(error === 'access_denied' ? 'SIGN_IN_CANCELLED' : 'AUTH_FAILED', detail || 'the provider sent no code'));
          }
        };
      }),
  };
}

function respond(response: ServerResponse, sentence: string): void {
  // A page of our own in the user's browser: no scripts, nothing loaded from anywhere.
  response
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'", 'cache-control': 'no-store' })
    .end(`<!doctype html><meta charset="utf-8"><title>Twinbox</title><p>${sentence}</p>`);
}

export function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}
