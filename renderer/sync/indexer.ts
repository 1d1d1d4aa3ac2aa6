/**
 * Background search indexing: works through the queue of messages whose
 * bodies are in main's store and whose words are not yet searchable, a
 * slice at a time, asking main for their text and writing the words. It runs
 * only when no sync is running (the list never waits for it), resumes after
 * a restart (the queue is in IndexedDB), and says how far it has come.
 */
import { TwinboxError } from '../../shared/errors';
import type { CacheWriter } from '../db/writer';
import type { TwinboxClient } from '../ipc/twinbox-client';

/** Messages per request to main: each is parsed there, so a slice costs main tens of milliseconds at most. */
const SLICE = 50;

export interface IndexingProgress {
  accountId: string;
  /** Messages indexed since the queue was last empty. */
  done: number;
  /** Messages still waiting. */
  left: number;
}

export class TextIndexer {
  private running: Promise<void> | undefined;
  private again = false;
  private paused = 0;
  private stopped = false;
  private readonly done = new Map<string, number>();

  constructor(
    private readonly client: TwinboxClient,
    private readonly writer: CacheWriter,
    private readonly onProgress: (progress: IndexingProgress) => void = () => undefined,
  ) {}

  /** Starts working through the queue, unless it is already, or paused (a sync is running). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.work().finally(() => {
      this.running = undefined;
      if (this.again && this.paused === 0 && !this.stopped) {
        this.again = false;
        void this.kick();
      }
    });
    return this.running;
  }

  /** Holds indexing while a sync runs; the returned function lets it go on. */
  pause(): () => void {
    this.paused++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.paused--;
      if (this.paused === 0) void this.kick();
    };
  }

  /** Indexes what is queued now, without waiting for a pause to end (tests, the benchmark). */
  async drain(): Promise<void> {
    const paused = this.paused;
    this.paused = 0;
    try {
      await this.kick();
      while (this.running) await this.running;
    } finally {
      this.paused += paused;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async work(): Promise<void> {
    while (!this.stopped && this.paused === 0) {
      const entry = await this.writer.nextTextBatch();
      if (!entry) return;
      const slice = entry.serverIds.slice(0, SLICE);
      let texts;
      try {
        texts = await this.client.call('mail.texts', { accountId: entry.accountId, items: slice.map((serverId) => ({ folder: entry.folder, serverId })) });
      } catch (error) {
        // An account main no longer knows: nothing of it will ever be indexed. Anything else: try again later.
        if (error instanceof TwinboxError && error.code === 'INVALID_REQUEST') {
          await this.writer.indexTexts(entry.accountId, [], { entry, done: entry.serverIds });
          continue;
        }
        return;
      }
      await this.writer.indexTexts(entry.accountId, texts, { entry, done: slice });
      const done = (this.done.get(entry.accountId) ?? 0) + slice.length;
      const left = await this.left(entry.accountId);
      this.done.set(entry.accountId, left === 0 ? 0 : done);
      this.onProgress({ accountId: entry.accountId, done, left });
    }
  }

  private async left(accountId: string): Promise<number> {
    const queued = await this.writer.db.textQueue.where('accountId').equals(accountId).toArray();
    return queued.reduce((sum, entry) => sum + entry.serverIds.length, 0);
  }
}
