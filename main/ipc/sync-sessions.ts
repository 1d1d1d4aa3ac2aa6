/**
 * A folder sync carried over IPC as a pull iterator: the renderer asks for
 * the next delta only after it committed the previous one, so main never
 * fetches further ahead than the page can store, and a page that reloads or
 * goes away simply stops asking (the sync is then cancelled and its
 * connection returned). One delta is fetched ahead while the page commits.
 */
import { randomUUID } from 'node:crypto';
import type { SyncEnd } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';
import type { SyncDelta } from '../../shared/model';

interface Session {
  /** Account and folder: a new sync of the same folder supersedes this one. */
  scope: string;
  /** The page (host connection) that started it: when it goes away, so does the sync. */
  owner: string;
  iterator: AsyncIterator<SyncDelta>;
  /** The delta being fetched ahead, if any. */
  ahead: Promise<IteratorResult<SyncDelta>> | undefined;
  lastTouched: number;
  finish: () => void;
}

export class SyncSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    /** A sync nobody asked for in this long is abandoned (its page went away without saying so). */
    private readonly abandonAfterMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(abandonAfterMs, 10_000));
    this.sweeper.unref();
  }

  /**
   * Registers a sync. `run` receives the deltas' source only once the caller
   * holds whatever the sync needs (a pooled connection) and keeps holding it
   * until the returned promise settles, which is when the session ends.
   */
  start(
    where: { scope: string; owner: string },
    run: (consume: (deltas: AsyncIterable<SyncDelta>) => Promise<void>) => Promise<void>,
  ): string {
    // A page that reloaded mid-sync starts over: the old sync must not keep its connection.
    for (const [otherId, other] of this.sessions) {
      if (other.scope === where.scope) void this.cancel(otherId);
    }
    const syncId = randomUUID();
    let resolveIterator!: (iterator: AsyncIterator<SyncDelta>) => void;
    let rejectIterator!: (error: unknown) => void;
    const iteratorReady = new Promise<AsyncIterator<SyncDelta>>((resolve, reject) => {
      resolveIterator = resolve;
      rejectIterator = reject;
    });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // A sync that fails before the page asks for its first delta (the server refused the connection) must not be
    // an unhandled rejection in main: the page hears of the failure from its next call, which awaits this too.
    iteratorReady.catch(() => undefined);
    const running = run(async (deltas) => {
      resolveIterator(deltas[Symbol.asyncIterator]());
      // Hold the connection until the page is done with this sync.
      await finished;
    });
    running.catch((error: unknown) => rejectIterator(error));
    const lazy: AsyncIterator<SyncDelta> = {
      next: async () => (await iteratorReady).next(),
      return: async () => {
        finish();
        const iterator = await iteratorReady.catch(() => undefined);
        return (await iterator?.return?.()) ?? { done: true, value: undefined };
      },
    };
    this.sessions.set(syncId, { scope: where.scope, owner: where.owner, iterator: lazy, ahead: undefined, lastTouched: this.now(), finish });
    return syncId;
  }

  /** The next delta, or `end`. A failure ends the session and is thrown as a TwinboxError. */
  async next(syncId: string): Promise<SyncDelta | SyncEnd> {
    const session = this.sessions.get(syncId);
    if (!session) throw new TwinboxError('INVALID_REQUEST', 'this sync has ended or was never started');
    session.lastTouched = this.now();
    let result: IteratorResult<SyncDelta>;
    try {
      result = await (session.ahead ?? session.iterator.next());
    } catch (error) {
      this.end(syncId);
      throw error;
    }
    session.ahead = undefined;
    if (result.done === true) {
      this.end(syncId);
      return { kind: 'end' };
    }
    // Fetch the following delta while the page stores this one.
    if (result.value.kind !== 'done') {
      session.ahead = session.iterator.next();
      session.ahead.catch(() => undefined);
    }
    return result.value;
  }

  /** Stops a sync early; its connection goes back to the pool. */
  async cancel(syncId: string): Promise<void> {
    const session = this.sessions.get(syncId);
    if (!session) return;
    this.sessions.delete(syncId);
    await session.iterator.return?.().catch(() => undefined);
  }

  /** The page that owned these syncs is gone (closed, reloaded): stop them all. */
  async cancelOwner(owner: string): Promise<void> {
    const owned = [...this.sessions].filter(([, session]) => session.owner === owner).map(([syncId]) => syncId);
    await Promise.all(owned.map((syncId) => this.cancel(syncId)));
  }

  async cancelAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.keys()].map((syncId) => this.cancel(syncId)));
  }

  get size(): number {
    return this.sessions.size;
  }

  private end(syncId: string): void {
    const session = this.sessions.get(syncId);
    this.sessions.delete(syncId);
    session?.finish();
  }

  private async sweep(): Promise<void> {
    const cutoff = this.now() - this.abandonAfterMs;
    const stale = [...this.sessions].filter(([, session]) => session.lastTouched < cutoff).map(([syncId]) => syncId);
    await Promise.all(stale.map((syncId) => this.cancel(syncId)));
  }
}
