/**
 * IMAP mode: the server keeps the mail and this computer mirrors it. A folder
 * sync brings summaries first, newest first, so the first screen shows before
 * the folder is done; bodies come when a message is opened and in the
 * background up to the account's cache size, evicted least recently used
 * beyond it. Flags, moves and deletions go to the server (./pending-runner.ts);
 * a UIDVALIDITY change drops the folder and fetches it again; a wiped cache
 * resyncs to exactly what the server has.
 */
import { toSequenceSet } from '../../shared/sequence-set';
import type { Account, MessageBody } from '../../shared/model';
import type { CacheWriter, MessageKey } from '../db/writer';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { deltasOf } from './delta-stream';
import type { SyncProgress } from './progress';

/**
 * Summaries per delta after the first (the adapter keeps the first one to a
 * screenful). Each delta is one commit, and each commit makes the views'
 * live queries (the list, its count, unread counts) run again over the
 * growing folder, queued with the writes: at 100,000 messages, 500 per delta
 * spent more time on those than on the summaries.
 */
const BATCH = 2000;
/** Bodies fetched ahead in the background per pass, newest first. */
const PREFETCH_PER_PASS = 50;
/** Bodies per command when reading a whole folder: few round trips, modest memory per batch. */
const DOWNLOAD_BATCH = 200;

export interface ImapFolderResult {
  added: number;
  vanished: number;
  flagChanges: number;
  reset: boolean;
}

export class ImapMode {
  constructor(
    private readonly client: TwinboxClient,
    private readonly writer: CacheWriter,
  ) {}

  /** Refreshes the folder list; folders gone from the server take their cache with them. */
  async syncFolderList(account: Account): Promise<void> {
    const folders = await this.client.call('mail.listFolders', { accountId: account.id });
    await this.writer.replaceFolders(account.id, folders);
  }

  /** Brings one folder of the cache to what the server has, one committed delta at a time. */
  async syncFolder(account: Account, folder: string, onProgress?: (progress: SyncProgress) => void): Promise<ImapFolderResult> {
    const db = this.writer.db;
    const saved = await db.syncState.get([account.id, folder]);
    // As the last complete sync left them, unless rows came or went since; then from the cache itself.
    const knownUids =
      saved?.knownUids ??
      toSequenceSet(
        (await db.messages.where('[accountId+folder+serverId]').between([account.id, folder, ''], [account.id, folder, '\uffff']).primaryKeys())
          .map((key) => Number(key[2]))
          .filter((uid) => Number.isSafeInteger(uid) && uid > 0),
      );
    const { syncId } = await this.client.call('mail.syncStart', {
      accountId: account.id,
      folder,
      state: {
        protocol: 'imap',
        knownUids,
        ...(saved?.uidValidity === undefined ? {} : { uidValidity: saved.uidValidity }),
        ...(saved?.highestModseq === undefined ? {} : { highestModseq: saved.highestModseq }),
      },
      options: { batchSize: BATCH },
    });
    const result: ImapFolderResult = { added: 0, vanished: 0, flagChanges: 0, reset: false };
    try {
      for await (const delta of deltasOf(this.client, syncId)) {
        await this.writer.applyImapDelta(account.id, folder, delta);
        if (delta.kind === 'reset') result.reset = true;
        if (delta.kind === 'vanished') result.vanished += delta.serverIds.length;
        if (delta.kind === 'flags') result.flagChanges += delta.changes.length;
        if (delta.kind === 'messages') {
          result.added += delta.summaries.length;
          onProgress?.({ accountId: account.id, folder, done: delta.progress.done, total: delta.progress.total });
        }
      }
    } catch (error) {
      await this.client.call('mail.syncCancel', { syncId }).catch(() => undefined);
      throw error;
    }
    return result;
  }

  /** The body of a message: from the cache when there, else fetched and kept (within the cache size). */
  async openMessage(account: Account, key: MessageKey): Promise<void> {
    const db = this.writer.db;
    const [accountId, folder, serverId] = key;
    if (await db.bodies.get(key)) {
      await this.writer.touchBody(key);
      return;
    }
    const body = await this.client.call('mail.fetchBody', { accountId, folder, serverId });
    await this.writer.storeBody(accountId, folder, body, { keepRaw: false });
    await this.writer.evictBodies(accountId, cacheLimitBytes(account));
  }

  /**
   * Reads a whole folder for offline use: every body not yet here, newest
   * first, in batches fetched with one command each and committed one
   * transaction per batch. Main fetches and parses the next batch while this
   * one is committed, so the two processes work at the same time. The
   * account's cache size still applies afterwards.
   */
  async downloadAll(account: Account, folder: string, onProgress?: (progress: SyncProgress) => void): Promise<number> {
    const db = this.writer.db;
    const missing = await db.messages
      .where('[accountId+folder+sortDate]')
      .between([account.id, folder, -Infinity], [account.id, folder, Infinity])
      .reverse()
      .filter((m) => m.hasBody === 0)
      .primaryKeys();
    const batches: string[][] = [];
    for (let start = 0; start < missing.length; start += DOWNLOAD_BATCH) batches.push(missing.slice(start, start + DOWNLOAD_BATCH).map((key) => key[2]));
    const fetchBatch = (serverIds: string[] | undefined): Promise<MessageBody[]> | undefined => {
      if (serverIds === undefined) return undefined;
      const bodies = this.client.call('mail.fetchBodies', { accountId: account.id, folder, serverIds });
      // Awaited below, or never if committing the previous batch failed: no unhandled rejection either way.
      bodies.catch(() => undefined);
      return bodies;
    };
    let done = 0;
    let next = fetchBatch(batches[0]);
    for (let index = 0; next !== undefined; index++) {
      const bodies = await next;
      next = fetchBatch(batches[index + 1]);
      await this.writer.storeBodies(account.id, folder, bodies, { keepRaw: false });
      done += batches[index]?.length ?? 0;
      onProgress?.({ accountId: account.id, folder, done, total: missing.length });
    }
    return done;
  }

  /**
   * Fetches bodies of the newest messages without one, while the cache has
   * room, so that mail reads offline. Stops at the first failure: this is
   * background work and will run again.
   */
  async prefetchBodies(account: Account, folder: string): Promise<number> {
    const db = this.writer.db;
    const limit = cacheLimitBytes(account);
    if (limit === 0) return 0;
    const used = await db.bodies.where('accountId').equals(account.id).toArray().then((bodies) => bodies.reduce((sum, b) => sum + b.size, 0));
    if (used >= limit) return 0;
    const missing = await db.messages
      .where('[accountId+folder+sortDate]')
      .between([account.id, folder, -Infinity], [account.id, folder, Infinity])
      .reverse()
      .filter((m) => m.hasBody === 0)
      .limit(PREFETCH_PER_PASS)
      .toArray();
    let fetched = 0;
    if (missing.length > 0) {
      const bodies = await this.client.call('mail.fetchBodies', { accountId: account.id, folder, serverIds: missing.map((m) => m.serverId) });
      await this.writer.storeBodies(account.id, folder, bodies, { keepRaw: false });
      fetched = bodies.length;
    }
    // Opened messages were touched more recently than prefetched ones: eviction keeps those.
    await this.writer.evictBodies(account.id, limit);
    return fetched;
  }
}

function cacheLimitBytes(account: Account): number {
  return (account.imap?.cacheLimitMegabytes ?? 500) * 1024 * 1024;
}
