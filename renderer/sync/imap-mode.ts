/**
 * IMAP mode: the server keeps the mail and this computer mirrors it. A folder
 * sync brings summaries first, newest first, so the first screen shows before
 * the folder is done; bodies come into main's message store when a message
 * is opened and in the background up to the account's cache size, where main
 * evicts the least recently used beyond it. Flags, moves and deletions go to
 * the server (./pending-runner.ts); a UIDVALIDITY change drops the folder
 * (rows here, files in the store) and fetches it again; a wiped cache resyncs
 * to exactly what the server has.
 */
import { MAX_UID, UidSet } from '../../shared/sequence-set';
import type { Account, MessageBody } from '../../shared/model';
import { folderMessages } from '../db/queries';
import type { CacheWriter } from '../db/writer';
import type { MessageKey } from '../db/rows';
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
      UidSet.of(
        (await folderMessages(db, account.id, folder).primaryKeys())
          .map((key) => Number(key[2]))
          .filter((uid) => Number.isSafeInteger(uid) && uid > 0 && uid <= MAX_UID),
      ).toString();
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

  /**
   * The body of a message, parsed by main from its store, or fetched from the
   * server and kept there; its words go into the search index now, if they
   * were not there yet.
   */
  async openMessage(key: MessageKey): Promise<MessageBody> {
    const [accountId, folder, serverId] = key;
    const body = await this.client.call('mail.open', { accountId, folder, serverId });
    const row = await this.writer.db.messages.get(key);
    if (row && row.textIndexed !== 1) {
      const hasAttachments = body.attachments.some((a) => !a.inline && a.role !== 'signature');
      await this.writer.indexTexts(accountId, [{ folder, serverId, text: body.text ?? '', hasAttachments }]);
    }
    return body;
  }

  /**
   * Reads a whole folder for offline use: every message not yet in the store,
   * newest first, in batches fetched with one command each, written by main
   * without parsing; each batch is queued for search indexing, which reads
   * them later in the background. Main fetches the next batch while this one
   * is queued.
   */
  async downloadAll(account: Account, folder: string, onProgress?: (progress: SyncProgress) => void): Promise<number> {
    const missing = await this.missingBodies(account.id, folder, Infinity);
    const batches: string[][] = [];
    for (let start = 0; start < missing.length; start += DOWNLOAD_BATCH) batches.push(missing.slice(start, start + DOWNLOAD_BATCH));
    const fetchBatch = (serverIds: string[] | undefined): Promise<{ stored: string[] }> | undefined => {
      if (serverIds === undefined) return undefined;
      const stored = this.client.call('mail.download', { accountId: account.id, folder, serverIds });
      // Awaited below, or never if queueing the previous batch failed: no unhandled rejection either way.
      stored.catch(() => undefined);
      return stored;
    };
    let done = 0;
    let next = fetchBatch(batches[0]);
    for (let index = 0; next !== undefined; index++) {
      const { stored } = await next;
      next = fetchBatch(batches[index + 1]);
      await this.writer.enqueueTexts(account.id, folder, stored);
      done += batches[index]?.length ?? 0;
      onProgress?.({ accountId: account.id, folder, done, total: missing.length });
    }
    return done;
  }

  /**
   * Fetches the newest messages not yet stored, while the account's cache
   * has room, so that mail reads offline. Stops at the first failure: this is
   * background work and will run again.
   */
  async prefetchBodies(account: Account, folder: string): Promise<number> {
    const usage = await this.client.call('store.usage', { accountId: account.id });
    if (usage.limitBytes === null || usage.limitBytes === 0 || usage.bytes >= usage.limitBytes) return 0;
    const missing = await this.missingBodies(account.id, folder, PREFETCH_PER_PASS);
    if (missing.length === 0) return 0;
    const { stored } = await this.client.call('mail.download', { accountId: account.id, folder, serverIds: missing });
    await this.writer.enqueueTexts(account.id, folder, stored);
    return stored.length;
  }

  /** Server ids of the folder's messages whose bytes main's store lacks, newest first. */
  private async missingBodies(accountId: string, folder: string, limit: number): Promise<string[]> {
    const { messages } = await this.client.call('store.list', { accountId, folder });
    const stored = new Set(messages.filter((m) => !m.partial).map((m) => m.serverId));
    const keys = await this.writer.db.messages
      .where('[accountId+folder+sortDate]')
      .between([accountId, folder, -Infinity], [accountId, folder, Infinity])
      .reverse()
      .primaryKeys();
    const missing: string[] = [];
    for (const key of keys) {
      if (missing.length >= limit) break;
      if (!stored.has(key[2])) missing.push(key[2]);
    }
    return missing;
  }
}
