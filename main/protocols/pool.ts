/**
 * A small pool of connections per account. Calls borrow a connected adapter
 * and give it back; idle ones are logged out after a while; a connection that
 * broke is thrown away (and an idempotent call retried once on a fresh one);
 * failing connects back off instead of hammering the server; and a rejected
 * password stops all attempts until the settings change, because retrying a
 * wrong password gets accounts locked.
 */
import { asTwinboxError, TwinboxError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import type { ConnectionState } from '../../shared/model';
import type { MailAdapter } from './adapter';
import { NEEDS_THE_USER } from './errors';

export interface PoolOptions {
  /** Connections per account at most: one can sync while another opens the message the user clicked. */
  size: number;
  /** An unused connection is logged out after this long. */
  idleMs: number;
  /** First and largest wait after a failed connect. */
  backoffMs: { initial: number; max: number };
  now: () => number;
  onState: (accountId: string, state: ConnectionState, error?: TwinboxError) => void;
  /**
   * A server refused the sign-in of `refused`: says whether a renewed
   * credential (a new access token from the account's provider) is worth one
   * more try.
   */
  renewSignIn: (accountId: string, refused: MailAdapter) => Promise<boolean>;
}

export const DEFAULT_POOL_OPTIONS: PoolOptions = {
  size: 2,
  idleMs: 5 * 60_000,
  backoffMs: { initial: 1_000, max: 5 * 60_000 },
  now: () => Date.now(),
  onState: () => undefined,
  renewSignIn: () => Promise.resolve(false),
};

/** Failures that a new connection may not have. */
const CONNECTION_BROKEN: ReadonlySet<ErrorCode> = new Set(['CONNECTION_LOST', 'TIMEOUT', 'PROTOCOL_ERROR']);
/** Connect failures worth trying again later. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['CONNECTION_LOST', 'TIMEOUT', 'CONNECTION_REFUSED', 'HOST_NOT_FOUND', 'PROTOCOL_ERROR']);

interface Slot {
  adapter: MailAdapter;
  busy: boolean;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

interface AccountConnections {
  slots: Slot[];
  waiters: (() => void)[];
  failures: number;
  retryAt: number;
  lastError: TwinboxError | undefined;
  blockedBy: TwinboxError | undefined;
}

export class ConnectionPool {
  private readonly accounts = new Map<string, AccountConnections>();
  private readonly options: PoolOptions;
  private closing = false;

  constructor(
    private readonly createAdapter: (accountId: string) => Promise<MailAdapter>,
    options: Partial<PoolOptions> = {},
  ) {
    this.options = { ...DEFAULT_POOL_OPTIONS, ...options };
  }

  /**
   * Runs `work` on a connected adapter of the account. With `idempotent`, a
   * call whose connection broke underneath it is run once more on a new one.
   */
  async use<T>(accountId: string, work: (adapter: MailAdapter) => Promise<T>, options: { idempotent?: boolean } = {}): Promise<T> {
    const attempts = options.idempotent === true ? 2 : 1;
    for (let attempt = 1; ; attempt++) {
      const slot = await this.acquire(accountId);
      try {
        const result = await work(slot.adapter);
        this.release(accountId, slot);
        return result;
      } catch (error) {
        const failure = asTwinboxError(error);
        if (CONNECTION_BROKEN.has(failure.code) || !slot.adapter.connected) {
          await this.discard(accountId, slot);
          if (attempt < attempts) continue;
        } else {
          this.release(accountId, slot);
        }
        throw failure;
      }
    }
  }

  /** The account's settings or password changed: drop its connections and forget past failures. */
  async invalidate(accountId: string): Promise<void> {
    const account = this.accounts.get(accountId);
    this.accounts.delete(accountId);
    if (!account) return;
    for (const waiter of account.waiters) waiter();
    await Promise.all(account.slots.map((slot) => this.closeSlot(slot)));
    this.options.onState(accountId, 'disconnected');
  }

  /** Logs every connection out (on quit). Later calls fail. */
  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.accounts.keys()].map((accountId) => this.invalidate(accountId)));
  }

  /** When the next connect may be tried, for the status bar ("retrying in 30 s"). */
  retryAt(accountId: string): number | undefined {
    const account = this.accounts.get(accountId);
    return account && account.failures > 0 ? account.retryAt : undefined;
  }

  private account(accountId: string): AccountConnections {
    let account = this.accounts.get(accountId);
    if (!account) {
      account = { slots: [], waiters: [], failures: 0, retryAt: 0, lastError: undefined, blockedBy: undefined };
      this.accounts.set(accountId, account);
    }
    return account;
  }

  private async acquire(accountId: string): Promise<Slot> {
    for (;;) {
      if (this.closing) throw new TwinboxError('HOST_UNAVAILABLE', 'Twinbox is shutting down');
      const account = this.account(accountId);
      // A connection that died while idle (or after work that did not report it) makes room for a new one.
      for (const dead of account.slots.filter((slot) => !slot.busy && !slot.adapter.connected)) await this.discard(accountId, dead);
      const idle = account.slots.find((slot) => !slot.busy);
      if (idle) {
        this.markBusy(idle);
        return idle;
      }
      if (account.slots.length < this.options.size) return this.open(accountId, account);
      await new Promise<void>((resolve) => account.waiters.push(resolve));
    }
  }

  private async open(accountId: string, account: AccountConnections): Promise<Slot> {
    if (account.blockedBy) throw account.blockedBy;
    if (account.lastError && this.options.now() < account.retryAt) throw account.lastError;
    const slot: Slot = { adapter: await this.createAdapter(accountId), busy: true, idleTimer: undefined };
    account.slots.push(slot);
    this.options.onState(accountId, 'connecting');
    try {
      try {
        await slot.adapter.connect();
      } catch (refused) {
        if (!(refused instanceof TwinboxError && refused.code === 'AUTH_FAILED' && (await this.options.renewSignIn(accountId, slot.adapter)))) throw refused;
        slot.adapter = await this.createAdapter(accountId);
        await slot.adapter.connect();
      }
    } catch (error) {
      account.slots.splice(account.slots.indexOf(slot), 1);
      this.wakeOne(account);
      const failure = asTwinboxError(error);
      if (NEEDS_THE_USER.has(failure.code)) account.blockedBy = failure;
      if (TRANSIENT.has(failure.code)) {
        account.failures++;
        const wait = Math.min(this.options.backoffMs.initial * 2 ** (account.failures - 1), this.options.backoffMs.max);
        account.retryAt = this.options.now() + wait;
        account.lastError = failure;
      }
      this.options.onState(accountId, 'error', failure);
      throw failure;
    }
    account.failures = 0;
    account.lastError = undefined;
    this.options.onState(accountId, 'connected');
    return slot;
  }

  private markBusy(slot: Slot): void {
    slot.busy = true;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
  }

  private release(accountId: string, slot: Slot): void {
    const account = this.accounts.get(accountId);
    if (!account?.slots.includes(slot)) {
      void this.closeSlot(slot);
      return;
    }
    slot.busy = false;
    slot.idleTimer = setTimeout(() => void this.discard(accountId, slot), this.options.idleMs);
    // A pool must never keep the process alive on its own.
    slot.idleTimer.unref();
    this.wakeOne(account);
  }

  private async discard(accountId: string, slot: Slot): Promise<void> {
    const account = this.accounts.get(accountId);
    if (account) {
      const index = account.slots.indexOf(slot);
      if (index >= 0) account.slots.splice(index, 1);
      this.wakeOne(account);
      if (account.slots.length === 0) this.options.onState(accountId, 'disconnected');
    }
    await this.closeSlot(slot);
  }

  private async closeSlot(slot: Slot): Promise<void> {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    await slot.adapter.close();
  }

  private wakeOne(account: AccountConnections): void {
    account.waiters.shift()?.();
  }
}
