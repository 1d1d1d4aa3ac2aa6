/**
 * Background search indexing: works through the queue of messages whose
 * words are not yet searchable (their summaries, and their bodies once main
 * has stored them), asking main for the bodies' text and writing the words a
 * thousand messages at a time. It runs only when no sync is running (the list
 * never waits for it), resumes after a restart (the queue is in IndexedDB),
 * and says how far it has come.
 */
import type { TwinboxError } from '../../shared/errors';
import { asTwinboxError } from '../../shared/errors';
import type { MessageText } from '../../shared/model';
import type { TextQueueEntry } from '../db/rows';
import type { CacheWriter } from '../db/writer';
import type { TwinboxClient } from '../ipc/twinbox-client';

/** Messages per request to main, which reads each from its store: a request costs main tens of milliseconds. */
const SLICE = 100;
/** Requests in flight at once, so that main reads while the answers travel. */
const IN_FLIGHT = 3;
/**
 * Messages whose words are written in one transaction. The postings of a
 * write are a row per two-letter bucket of its words, so small writes cost
 * several rows per message: measured on 10,000 messages, writes of 50 took
 * 129 s where writes of 1,000 take a fifth of that.
 */
const WRITE = 1000;

/** The part of a queued batch one write takes. */
interface QueuedPart {
  entry: TextQueueEntry;
  done: string[];
}

/** Queued batches cut into writes of up to `size` messages. */
function chunksOf(entries: readonly TextQueueEntry[], size: number): QueuedPart[][] {
  const chunks: QueuedPart[][] = [];
  let current: QueuedPart[] = [];
  let count = 0;
  for (const entry of entries) {
    for (let start = 0; start < entry.serverIds.length; ) {
      const take = entry.serverIds.slice(start, start + (size - count));
      current.push({ entry, done: take });
      count += take.length;
      start += take.length;
      if (count >= size) {
        chunks.push(current);
        current = [];
        count = 0;
      }
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

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
  /** Why indexing last stopped before the queue was empty (it is tried again after the next sync). */
  lastError: TwinboxError | undefined;

  constructor(
    private readonly client: TwinboxClient,
    private readonly writer: CacheWriter,
    private readonly onProgress: (progress: IndexingProgress) => void = () => undefined,
    private readonly messagesPerWrite = WRITE,
  ) {}

  /** Starts working through the queue, unless it is already, or paused (a sync is running). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.work()
      .catch((error: unknown) => {
        // Background work: a failure (the page closing its database, a quota) is kept, shown, and tried again later.
        this.lastError = asTwinboxError(error);
      })
      .finally(() => {
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
      const [first] = await this.writer.nextTextBatches(1);
      if (!first) return;
      const accountId = first.accountId;
      // What is queued for that account now, in writes of up to messagesPerWrite; the next write's texts
      // are read while this one is written.
      const queued = await this.writer.nextTextBatches(undefined, accountId);
      // A message whose body is queued too is indexed with it, summary included: its summary alone would be written twice.
      const withBody = new Set(queued.filter((entry) => entry.body).flatMap((entry) => entry.serverIds.map((id) => `${entry.folder}\u0000${id}`)));
      const chunks = chunksOf(queued, this.messagesPerWrite);
      let reading = this.read(accountId, chunks[0] ?? []);
      for (let index = 0; index < chunks.length; index++) {
        const chunk = chunks[index] ?? [];
        const texts = await reading;
        const next = chunks[index + 1];
        reading = next && !this.halted ? this.read(accountId, next) : Promise.resolve([]);
        // Awaited next time round, or never if this write fails: no unhandled rejection either way.
        reading.catch(() => undefined);
        if (texts === 'failed' || texts === 'paused') return;
        // Summaries alone need nothing from main: their rows have the words.
        const summaries = chunk
          .filter(({ entry }) => !entry.body)
          .flatMap(({ entry, done }) => done.filter((serverId) => !withBody.has(`${entry.folder}\u0000${serverId}`)).map((serverId) => ({ folder: entry.folder, serverId })));
        await this.writer.indexTexts(accountId, texts === 'gone' ? [] : texts, chunk, summaries);
        const done = (this.done.get(accountId) ?? 0) + chunk.reduce((sum, part) => sum + part.done.length, 0);
        const left = await this.left(accountId);
        this.done.set(accountId, left === 0 ? 0 : done);
        this.onProgress({ accountId, done, left });
        if (this.halted) return;
      }
    }
  }

  /**
   * The texts of a chunk's messages, asked of main a slice at a time, a few
   * slices in flight; `gone` when main no longer knows the account (nothing
   * of it will ever be indexed), `paused` when a sync began meanwhile, and
   * `failed` for anything else (tried again later).
   */
  private async read(accountId: string, chunk: readonly QueuedPart[]): Promise<MessageText[] | 'gone' | 'failed' | 'paused'> {
    const items = chunk.filter(({ entry }) => entry.body).flatMap(({ entry, done }) => done.map((serverId) => ({ folder: entry.folder, serverId })));
    const slices: (typeof items)[] = [];
    for (let start = 0; start < items.length; start += SLICE) slices.push(items.slice(start, start + SLICE));
    try {
      const results: MessageText[][] = [];
      for (let start = 0; start < slices.length; start += IN_FLIGHT) {
        // A sync began: it goes first; this chunk is read again afterwards.
        if (this.halted) return 'paused';
        results.push(...(await Promise.all(slices.slice(start, start + IN_FLIGHT).map((slice) => this.client.call('mail.texts', { accountId, items: slice })))));
      }
      return results.flat();
    } catch (error) {
      this.lastError = asTwinboxError(error);
      return this.lastError.code === 'INVALID_REQUEST' ? 'gone' : 'failed';
    }
  }

  /** Stopped, or paused for a sync: read through a getter, since both change while work awaits. */
  private get halted(): boolean {
    return this.stopped || this.paused > 0;
  }

  private async left(accountId: string): Promise<number> {
    const queued = await this.writer.db.textQueue.where('accountId').equals(accountId).toArray();
    return queued.reduce((sum, entry) => sum + entry.serverIds.length, 0);
  }
}
