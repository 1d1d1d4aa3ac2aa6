/**
 * Sign-ins finished in the browser but not yet part of a saved account: the
 * account dialog tests the connection with them, then saves. Each is bound
 * to the provider it was made with and kept for a few minutes only; saving
 * takes it, so a sign-in serves one account.
 */
import { randomUUID } from 'node:crypto';
import type { OAuth2Settings } from '../../../shared/model';
import type { TokenSet } from './tokens';

const KEEP_MS = 15 * 60_000;

interface PendingSignIn {
  /** The provider signed in with (its issuer's mail servers alone may receive the tokens). */
  settings: OAuth2Settings;
  tokens: TokenSet;
  until: number;
}

export class PendingSignIns {
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(private readonly now: () => number = Date.now) {}

  add(settings: OAuth2Settings, tokens: TokenSet): string {
    this.dropExpired();
    const signInId = randomUUID();
    this.pending.set(signInId, { settings, tokens, until: this.now() + KEEP_MS });
    return signInId;
  }

  /** The sign-in, if it is still kept. */
  get(signInId: string): Pick<PendingSignIn, 'settings' | 'tokens'> | undefined {
    this.dropExpired();
    return this.pending.get(signInId);
  }

  take(signInId: string): Pick<PendingSignIn, 'settings' | 'tokens'> | undefined {
    const found = this.get(signInId);
    this.pending.delete(signInId);
    return found;
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [signInId, entry] of this.pending) if (entry.until <= now) this.pending.delete(signInId);
  }
}
