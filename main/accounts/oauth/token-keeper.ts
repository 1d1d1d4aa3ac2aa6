/**
 * Access tokens for the accounts that sign in with a provider: handed out
 * while they have a minute left, renewed before, and renewed when a server
 * refuses one. Renewal happens once at a time per account: providers rotate
 * refresh tokens, and two renewals with the same one end the sign-in
 * (the second is refused, and the provider withdraws the whole grant).
 */
import { TwinboxError } from '../../../shared/errors';
import { refreshTokens } from './tokens';
import type { OAuth2Client, TokenSet } from './tokens';

/** Where the refresh token is kept: encrypted at rest, like passwords (the credential vault). */
export interface RefreshTokenStore {
  get(accountId: string): string | undefined;
  set(accountId: string, refreshToken: string): void;
}

const RENEW_BEFORE_MS = 60_000;

export class TokenKeeper {
  private readonly current = new Map<string, { accessToken: string; expiresAt: number }>();
  private readonly renewing = new Map<string, Promise<string>>();

  constructor(
    private readonly refreshTokenStore: RefreshTokenStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps what a sign-in gave. */
  signedIn(accountId: string, tokens: TokenSet): void {
    if (tokens.refreshToken !== undefined) this.refreshTokenStore.set(accountId, tokens.refreshToken);
    this.current.set(accountId, { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt });
  }

  /** A token to connect with, renewed first when it has less than a minute left. */
  async accessToken(accountId: string, client: OAuth2Client): Promise<string> {
    const held = this.current.get(accountId);
    if (held && held.expiresAt - RENEW_BEFORE_MS > this.now()) return held.accessToken;
    let renewal = this.renewing.get(accountId);
    if (!renewal) {
      renewal = this.refresh(accountId, client).finally(() => this.renewing.delete(accountId));
      this.renewing.set(accountId, renewal);
    }
    return renewal;
  }

  /**
   * A server refused `refused`: a new token, unless another refusal already
   * brought one (several connections refused at once need one renewal).
   */
  async renew(accountId: string, client: OAuth2Client, refused: string): Promise<string> {
    const held = this.current.get(accountId);
    if (held && held.accessToken !== refused) return held.accessToken;
    this.current.delete(accountId);
    return this.accessToken(accountId, client);
  }

  forget(accountId: string): void {
    this.current.delete(accountId);
  }

  private async refresh(accountId: string, client: OAuth2Client): Promise<string> {
    const refreshToken = this.refreshTokenStore.get(accountId);
    if (refreshToken === undefined) throw new TwinboxError('SIGN_IN_REQUIRED', 'no refresh token is kept for this account');
    try {
      const tokens = await refreshTokens(client, refreshToken, this.now);
      this.signedIn(accountId, tokens);
      return tokens.accessToken;
    } catch (error) {
      // A token that no longer works must not be handed out again.
      if (error instanceof TwinboxError && error.code === 'SIGN_IN_REQUIRED') this.current.delete(accountId);
      throw error;
    }
  }
}
