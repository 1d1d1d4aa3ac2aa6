/**
 * Per-account sync status for the status bar and the progress bar: a small
 * store React reads with useSyncExternalStore. It lives in memory; what
 * matters after a reload (the mail and its sync state) lives in IndexedDB.
 */
import type { SyncProgress } from './progress';

export interface AccountStatus {
  state: 'idle' | 'syncing' | 'error' | 'offline';
  progress?: SyncProgress;
  lastSyncAt?: number;
  error?: { code: string; text: string };
  /** When the engine tries again after an error. */
  retryAt?: number;
  /** What the account is doing besides syncing (moving old mail into the store). */
  note?: string;
  /** Search indexing in the background: messages indexed so far, and still waiting. */
  indexing?: { done: number; left: number };
}

export class StatusStore {
  private statuses: ReadonlyMap<string, AccountStatus> = new Map();
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): ReadonlyMap<string, AccountStatus> => this.statuses;

  get(accountId: string): AccountStatus {
    return this.statuses.get(accountId) ?? { state: 'idle' };
  }

  update(accountId: string, change: Partial<AccountStatus> | ((current: AccountStatus) => AccountStatus)): void {
    const current = this.get(accountId);
    const next = typeof change === 'function' ? change(current) : { ...current, ...change };
    this.statuses = new Map(this.statuses).set(accountId, next);
    for (const listener of this.listeners) listener();
  }

  forget(accountId: string): void {
    const next = new Map(this.statuses);
    next.delete(accountId);
    this.statuses = next;
    for (const listener of this.listeners) listener();
  }
}
