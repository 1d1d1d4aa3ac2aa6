/**
 * Push that outlives pages and connections. Each watched (account, folder)
 * has one watch connection of its own, opened from the account's current
 * settings on an adapter nobody else uses: the pool closes its adapters when
 * idle, broken or invalidated, and a watch on one of those stopped with it.
 * Pages (callers) subscribe to a watch; every page hears every change anyway
 * (events go to all of them), so one connection per folder serves them all
 * and reports each change once. A watch lives while some page subscribes and
 * ends with the last one, so a reloaded page leaves nothing behind.
 *
 * Keeping it alive: the watch reopens its own lost connection (see
 * protocols/imap/watch.ts) and reports what changed meanwhile; this registry
 * opens it again, with growing pauses, when the first connect fails or the
 * watch ends by itself, and restarts it when the account's settings change.
 * A refusal only the user can fix (wrong password, untrusted certificate) is
 * not retried until the settings are saved again.
 */
import { randomUUID } from 'node:crypto';
import { TwinboxError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import type { FolderChange } from '../../shared/model';
import { NEEDS_THE_USER, toTwinboxError } from '../protocols/errors';

/** Stops a watch and logs out of its connection. Never throws. */
export type StopWatch = () => Promise<void>;

/**
 * Opens one watch from the account's settings as they are now. Rejects with
 * a TwinboxError; `onEnd` is for a watch that gives up by itself later.
 */
export type OpenWatch = (
  where: { accountId: string; folder: string },
  onChange: (change: FolderChange) => void,
  onEnd: (error: TwinboxError) => void,
) => Promise<StopWatch>;

export interface WatchRegistryOptions {
  /** First and largest pause before a watch that failed or ended is opened again. */
  backoffMs: { initial: number; max: number };
}

export const DEFAULT_WATCH_REGISTRY_OPTIONS: WatchRegistryOptions = { backoffMs: { initial: 1_000, max: 60_000 } };

/** Failures that opening again with the same settings cannot mend. */
const FINAL: ReadonlySet<ErrorCode> = new Set([...NEEDS_THE_USER, 'NOT_SUPPORTED', 'INVALID_REQUEST', 'MAILBOX_NOT_FOUND']);

type WatchState = 'opening' | 'watching' | 'waiting' | 'blocked';

interface SharedWatch {
  accountId: string;
  folder: string;
  /** Subscriptions (watch ids) of the pages that asked for it. */
  subscribers: Set<string>;
  state: WatchState;
  stop: StopWatch | undefined;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed opens since the last success, for the backoff. */
  failures: number;
  /** Bumped whenever an open in flight must no longer count (restart, end). */
  generation: number;
  /**
   * Set when this watch may have missed changes it cannot count (it was not
   * connected when the page last synced): the next successful open says
   * "new mail" so the page syncs, rather than waiting for its poll.
   */
  reportWhenOpen: boolean;
  blockedBy: TwinboxError | undefined;
  /** The first open's outcome, which the first pages wait for: a final refusal, or undefined. */
  firstOpen: Promise<TwinboxError | undefined>;
  /** Whether the waiting pages have had their answer. */
  answered: boolean;
  answer: (refusal: TwinboxError | undefined) => void;
}

interface Subscription {
  caller: string;
  key: string;
}

export class WatchRegistry {
  private readonly watches = new Map<string, SharedWatch>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly options: WatchRegistryOptions;
  private closed = false;

  constructor(
    private readonly open: OpenWatch,
    private readonly onChange: (accountId: string, change: FolderChange) => void,
    options: Partial<WatchRegistryOptions> = {},
  ) {
    this.options = { ...DEFAULT_WATCH_REGISTRY_OPTIONS, ...options };
  }

  /**
   * Subscribes `caller` to the folder's watch and returns the subscription's
   * id; the same caller asking again gets the same id. Resolves once the
   * watch's first open has been tried: connected, or failing for a reason
   * that may pass (server down), in which case it keeps trying by itself.
   * Rejects, subscribing nothing, when it was refused for good (wrong
   * password, no such folder, no push over POP3).
   */
  async watch(caller: string, accountId: string, folder: string): Promise<string> {
    if (this.closed) throw new TwinboxError('HOST_UNAVAILABLE', 'Twinbox is shutting down');
    const key = keyOf(accountId, folder);
    let watchId = this.subscriptionOf(caller, key);
    let shared = this.watches.get(key);
    if (watchId === undefined || shared === undefined) {
      if (shared?.state === 'blocked' && shared.blockedBy) throw shared.blockedBy;
      if (!shared) {
        shared = this.create(accountId, folder);
        this.watches.set(key, shared);
        this.attempt(shared);
      }
      watchId = randomUUID();
      this.subscriptions.set(watchId, { caller, key });
      shared.subscribers.add(watchId);
    }
    const refusal = await shared.firstOpen;
    if (refusal) throw refusal;
    return watchId;
  }

  /** Ends a subscription of this caller's; another page's subscriptions are not its to end. */
  async unwatch(caller: string, watchId: string): Promise<void> {
    if (this.subscriptions.get(watchId)?.caller !== caller) return;
    await this.unsubscribe(watchId);
  }

  /** The page is gone (closed, reloaded, crashed): its subscriptions end, and watches nobody else wants stop. */
  async release(caller: string): Promise<void> {
    const owned = [...this.subscriptions].filter(([, subscription]) => subscription.caller === caller).map(([watchId]) => watchId);
    await Promise.all(owned.map((watchId) => this.unsubscribe(watchId)));
  }

  /**
   * The account's settings or password changed: its watches are opened again
   * with the new ones (a refused one gets its chance again too). Resolves once
   * the old connections are closed; the new ones open in the background.
   */
  async restartAccount(accountId: string): Promise<void> {
    const restarting = [...this.watches.values()].filter((shared) => shared.accountId === accountId);
    await Promise.all(
      restarting.map(async (shared) => {
        const old = this.halt(shared);
        shared.failures = 0;
        shared.blockedBy = undefined;
        // Between the old connection and the new one, changes go unseen.
        shared.reportWhenOpen = true;
        await old?.().catch(() => undefined);
        if (this.watches.get(keyOf(shared.accountId, shared.folder)) === shared) this.attempt(shared);
      }),
    );
  }

  /** The account is gone: its watches stop and its subscriptions end. */
  async stopAccount(accountId: string): Promise<void> {
    const stopping = [...this.watches.values()].filter((shared) => shared.accountId === accountId);
    await Promise.all(stopping.map((shared) => this.remove(shared)));
  }

  /** Stops every watch (on quit); later calls to watch() fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.watches.values()].map((shared) => this.remove(shared)));
  }

  /** What is being watched, for whom and how it stands (tests and diagnostics). */
  list(): { accountId: string; folder: string; state: WatchState; callers: string[] }[] {
    return [...this.watches.values()].map((shared) => ({
      accountId: shared.accountId,
      folder: shared.folder,
      state: shared.state,
      callers: [...shared.subscribers].map((watchId) => this.subscriptions.get(watchId)?.caller ?? ''),
    }));
  }

  private subscriptionOf(caller: string, key: string): string | undefined {
    for (const [watchId, subscription] of this.subscriptions) if (subscription.caller === caller && subscription.key === key) return watchId;
    return undefined;
  }

  private create(accountId: string, folder: string): SharedWatch {
    let settle!: (refusal: TwinboxError | undefined) => void;
    const firstOpen = new Promise<TwinboxError | undefined>((resolve) => (settle = resolve));
    const shared: SharedWatch = {
      accountId,
      folder,
      subscribers: new Set(),
      state: 'opening',
      stop: undefined,
      retryTimer: undefined,
      failures: 0,
      generation: 0,
      reportWhenOpen: false,
      blockedBy: undefined,
      firstOpen,
      answered: false,
      answer: (refusal) => {
        if (shared.answered) return;
        shared.answered = true;
        settle(refusal);
      },
    };
    return shared;
  }

  private attempt(shared: SharedWatch): void {
    const generation = ++shared.generation;
    const current = (): boolean => shared.generation === generation;
    shared.state = 'opening';
    const where = { accountId: shared.accountId, folder: shared.folder };
    let opening: Promise<StopWatch>;
    try {
      opening = this.open(
        where,
        (change) => {
          if (current()) this.onChange(shared.accountId, change);
        },
        (error) => {
          if (current()) this.ended(shared, error);
        },
      );
    } catch (error) {
      opening = Promise.reject(toTwinboxError(error, 'INTERNAL'));
    }
    opening.then(
      (stop) => {
        if (!current()) {
          void stop().catch(() => undefined);
          return;
        }
        shared.stop = stop;
        shared.state = 'watching';
        shared.failures = 0;
        shared.answer(undefined);
        if (shared.reportWhenOpen) {
          shared.reportWhenOpen = false;
          this.onChange(shared.accountId, { folder: shared.folder, reason: 'new-mail' });
        }
      },
      (error: unknown) => {
        if (!current()) return;
        this.failed(shared, toTwinboxError(error, 'INTERNAL'));
      },
    );
  }

  private failed(shared: SharedWatch, failure: TwinboxError): void {
    shared.stop = undefined;
    if (FINAL.has(failure.code)) {
      if (!shared.answered) {
        // No page has been told this watch exists yet: those waiting for it hear the refusal instead.
        shared.answer(failure);
        void this.remove(shared);
        return;
      }
      shared.state = 'blocked';
      shared.blockedBy = failure;
      return;
    }
    shared.answer(undefined);
    shared.reportWhenOpen = true;
    this.retryLater(shared);
  }

  /** The watch gave up by itself (its own reconnects were refused): reopen it, or wait for new settings. */
  private ended(shared: SharedWatch, error: TwinboxError): void {
    const stop = this.halt(shared);
    void stop?.().catch(() => undefined);
    this.failed(shared, error);
  }

  private retryLater(shared: SharedWatch): void {
    shared.failures++;
    shared.state = 'waiting';
    const { initial, max } = this.options.backoffMs;
    const wait = Math.min(initial * 2 ** (shared.failures - 1), max);
    shared.retryTimer = setTimeout(() => {
      shared.retryTimer = undefined;
      this.attempt(shared);
    }, wait);
    // Waiting to reconnect must never keep the process alive.
    shared.retryTimer.unref();
  }

  /** Makes whatever is in flight for this watch stale and hands back the stop of its open connection. */
  private halt(shared: SharedWatch): StopWatch | undefined {
    shared.generation++;
    clearTimeout(shared.retryTimer);
    shared.retryTimer = undefined;
    const stop = shared.stop;
    shared.stop = undefined;
    return stop;
  }

  private async unsubscribe(watchId: string): Promise<void> {
    const subscription = this.subscriptions.get(watchId);
    if (!subscription) return;
    this.subscriptions.delete(watchId);
    const shared = this.watches.get(subscription.key);
    if (!shared) return;
    shared.subscribers.delete(watchId);
    if (shared.subscribers.size === 0) await this.remove(shared);
  }

  private async remove(shared: SharedWatch): Promise<void> {
    const key = keyOf(shared.accountId, shared.folder);
    if (this.watches.get(key) === shared) this.watches.delete(key);
    for (const watchId of shared.subscribers) this.subscriptions.delete(watchId);
    shared.subscribers.clear();
    const stop = this.halt(shared);
    // A page still waiting for the first open is answered: there is nothing left to wait for.
    shared.answer(undefined);
    await stop?.().catch(() => undefined);
  }
}

function keyOf(accountId: string, folder: string): string {
  return `${accountId}\u0000${folder}`;
}
