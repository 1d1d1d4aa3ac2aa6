/**
 * POP3 mode: this computer keeps the mail. The server is a drop box that is
 * checked for new messages (a UIDL diff against what main's message store
 * holds); each batch of new mail is written to the store and flushed, then
 * committed here (rows and ledger entries), before the server is asked
 * anything else; only then does the retention policy name, among the
 * committed messages, the server copies that may go, and those ledger
 * entries are written again, flushed, before the DELE. Read, flagged,
 * folders and deletions stay on this computer.
 */
import type { Account, MessageBody, RetentionPolicy, StoredMessageInfo } from '../../shared/model';
import type { LedgerEntry, MessageKey } from '../db/rows';
import { POP3_FOLDER } from '../db/rows';
import type { CacheWriter, Pop3Applied } from '../db/writer';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { deltasOf } from './delta-stream';
import { serverDeletionsDue } from './retention';
import type { SyncProgress } from './progress';

/**
 * Messages per delta after the first (which main keeps to a screenful), each
 * delta one transaction. Every commit makes the views' live queries (the
 * list and its length) run again, and they queue with the writes in IndexedDB: measured
 * on 10,000 messages, batches of 1,000 took 15 s where batches of 100 took
 * 27 s. Main fetches and stores the next batch while this one is committed.
 */
export const POP3_BATCH = 1000;
/** Summaries asked of the store at once when the index is rebuilt. */
const ADOPT_BATCH = 500;

export interface Pop3CheckResult {
  /** New messages committed here by this check. */
  downloaded: number;
  /** Offered again by the server but already in the ledger: skipped. */
  skipped: number;
  /** Server copies deleted under the retention policy by this check. */
  deletedOnServer: string[];
  /** The server's UIDLs at the end of the check. */
  onServer: string[];
  /** When the next server deletion falls due (N-days policy). */
  nextDeletionAt?: number;
  /** Messages the index took back from the store before the check (after a crash, or a lost index). */
  adopted: number;
}

export class Pop3Mode {
  /** Accounts whose store and index were compared since this page started. */
  private readonly reconciled = new Set<string>();

  constructor(
    private readonly client: TwinboxClient,
    private readonly writer: CacheWriter,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Checks for new mail and applies the retention policy. `allowServerDeletes`
   * false skips the policy (the Lab asks the user first).
   */
  async check(account: Account, options: { onProgress?: (progress: SyncProgress) => void; allowServerDeletes?: boolean } = {}): Promise<Pop3CheckResult> {
    const result: Pop3CheckResult = { downloaded: 0, skipped: 0, deletedOnServer: [], onServer: [], adopted: 0 };
    if (!this.reconciled.has(account.id)) {
      result.adopted = await this.reconcile(account.id);
      this.reconciled.add(account.id);
    }
    const pop3 = account.pop3;
    await this.writer.beginSync(account.id, POP3_FOLDER);
    try {
      await this.download(account, result, options.onProgress);
    } finally {
      this.writer.endSync(account.id, POP3_FOLDER);
    }
    if (options.allowServerDeletes !== false && pop3) {
      const retention = await this.applyRetention(account.id, pop3.retention, new Set(result.onServer));
      result.deletedOnServer = retention.deleted;
      if (retention.nextDueAt !== undefined) result.nextDeletionAt = retention.nextDueAt;
    }
    return result;
  }

  /** New mail into the store (main) and the index (here), batch by batch. */
  private async download(account: Account, result: Pop3CheckResult, onProgress: ((progress: SyncProgress) => void) | undefined): Promise<void> {
    const pop3 = account.pop3;
    const { syncId } = await this.client.call('mail.syncStart', {
      accountId: account.id,
      folder: POP3_FOLDER,
      state: { protocol: 'pop3' },
      options: { batchSize: POP3_BATCH, headersOnly: pop3?.headersOnly ?? false, maxMessageBytes: pop3?.maxMessageBytes ?? 0 },
    });
    // Read at the first new message, not for a check that finds none.
    let ledgered: Set<string> | undefined;
    try {
      for await (const delta of deltasOf(this.client, syncId)) {
        if (delta.kind === 'messages') ledgered ??= await this.writer.ledgerUidls(account.id);
        const applied = await this.writer.applyPop3Delta(account.id, delta, ledgered);
        result.downloaded += applied.committed.length;
        result.skipped += applied.skipped.length;
        if (delta.kind === 'messages') {
          await this.settle(account.id, applied);
          onProgress?.({ accountId: account.id, folder: POP3_FOLDER, done: delta.progress.done, total: delta.progress.total });
        }
        if (delta.kind === 'done') result.onServer = delta.onServer ?? [];
      }
    } catch (error) {
      // Whatever was stored but not committed is adopted before the next check.
      this.reconciled.delete(account.id);
      await this.client.call('mail.syncCancel', { syncId }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Deletes on the server exactly the committed UIDLs the policy allows now.
   * Their ledger entries are written again with strict durability first (so
   * they are on disk, not only in a cache, when the server acts), main
   * refuses any UIDL its store does not hold, and the adapter DELEs only the
   * UIDLs named here, committed by QUIT; the ledger records them as gone only
   * once the server confirmed.
   */
  async applyRetention(accountId: string, policy: RetentionPolicy, onServer: ReadonlySet<string>): Promise<{ deleted: string[]; nextDueAt?: number }> {
    // Keeping everything deletes nothing, ever: no need to read the whole ledger to find that out.
    if (policy.kind === 'keep') return { deleted: [] };
    const ledger: LedgerEntry[] = await this.writer.db.ledger.where('accountId').equals(accountId).toArray();
    const decision = serverDeletionsDue(policy, ledger, onServer, this.now());
    const later = decision.nextDueAt === undefined ? {} : { nextDueAt: decision.nextDueAt };
    if (decision.deleteNow.length === 0) return { deleted: [], ...later };
    const safe = await this.writer.markDeleting(accountId, decision.deleteNow);
    if (safe.length === 0) return { deleted: [], ...later };
    const outcome = await this.client.call('mail.delete', { accountId, folder: POP3_FOLDER, serverIds: safe });
    await this.writer.recordServerDeletions(accountId, [...outcome.deleted, ...outcome.missing]);
    return { deleted: outcome.deleted, ...later };
  }

  /**
   * A message from this computer's store. One downloaded as headers only is
   * fetched whole now, and then kept: it is the only copy once the server
   * deletes it.
   */
  async openMessage(key: MessageKey): Promise<MessageBody> {
    const [accountId, folder, serverId] = key;
    const row = await this.writer.db.messages.get(key);
    const body = await this.client.call('mail.open', { accountId, folder, serverId });
    if (row?.partial === 1) await this.writer.completePartial(key);
    return body;
  }

  /**
   * Brings the index level with the store before anything is downloaded:
   * files a crash left between the store and the index are adopted (or
   * dropped, if the user had deleted them here), and an index that lost rows
   * (or was deleted) is rebuilt from the files, so that nothing is
   * downloaded twice and nothing the store keeps is out of sight.
   */
  async reconcile(accountId: string): Promise<number> {
    const usage = await this.client.call('store.usage', { accountId });
    const rows = await this.writer.countRows(accountId);
    const missingRows = usage.messages > rows;
    if (usage.unindexed === 0 && !missingRows) return 0;
    const listed = await this.client.call('store.list', { accountId, ...(missingRows ? {} : { unindexedOnly: true }) });
    const indexed = new Set((await this.writer.rowKeys(accountId)).map((key) => `${key[1]}\u0000${key[2]}`));
    const inIndex = (message: StoredMessageInfo): boolean => indexed.has(`${message.folder}\u0000${message.serverId}`);
    const confirm = listed.messages.filter((message) => inIndex(message) && !message.indexed);
    for (const [folder, ids] of groupByFolder(confirm)) await this.client.call('store.settle', { accountId, folder, indexed: ids, discard: [] });
    // Not in the index where the store has it: a row elsewhere (a move the store missed) or none at all.
    const adopt = listed.messages.filter((message) => !inIndex(message));
    let adopted = 0;
    for (let start = 0; start < adopt.length; start += ADOPT_BATCH) {
      const batch = adopt.slice(start, start + ADOPT_BATCH);
      const summaries = await this.client.call('store.summaries', { accountId, items: batch.map(({ folder, serverId }) => ({ folder, serverId })) });
      const result = await this.writer.adoptStored(accountId, summaries);
      adopted += result.created.length;
      await this.settleStored(accountId, [...result.created, ...result.present], result.discard, batch);
    }
    // Deleted here for good: the ledger must know, or a rebuilt index would not stop them coming back.
    if (missingRows && listed.deletedHere.length > 0) await this.writer.adoptStored(accountId, [], listed.deletedHere);
    return adopted;
  }

  /** The account's index and store were emptied: compare them again before the next check. */
  forget(accountId: string): void {
    this.reconciled.delete(accountId);
  }

  /** Tells the store what this delta's commit did with the files it had written. */
  private async settle(accountId: string, applied: Pop3Applied): Promise<void> {
    const here = applied.present.filter((p) => p.folder === POP3_FOLDER).map((p) => p.serverId);
    await this.client.call('store.settle', { accountId, folder: POP3_FOLDER, indexed: [...applied.committed, ...here], discard: applied.discard });
    for (const [folder, ids] of groupByFolder(applied.present.filter((p) => p.folder !== POP3_FOLDER))) {
      await this.client.call('store.move', { accountId, folder: POP3_FOLDER, serverIds: ids, target: folder });
      await this.client.call('store.settle', { accountId, folder, indexed: ids, discard: [] });
    }
  }

  /** Files now indexed (moved to their row's folder where it differs), and files to drop. */
  private async settleStored(
    accountId: string,
    kept: readonly { folder: string; serverId: string }[],
    discard: readonly { folder: string; serverId: string }[],
    stored: readonly StoredMessageInfo[],
  ): Promise<void> {
    const where = new Map(stored.map((m) => [m.serverId, m.folder]));
    for (const item of kept) {
      const from = where.get(item.serverId);
      if (from !== undefined && from !== item.folder) await this.client.call('store.move', { accountId, folder: from, serverIds: [item.serverId], target: item.folder });
    }
    for (const [folder, ids] of groupByFolder(kept)) await this.client.call('store.settle', { accountId, folder, indexed: ids, discard: [] });
    for (const [folder, ids] of groupByFolder(discard)) await this.client.call('store.settle', { accountId, folder, indexed: [], discard: ids });
  }
}

function groupByFolder(items: readonly { folder: string; serverId: string }[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const item of items) groups.set(item.folder, [...(groups.get(item.folder) ?? []), item.serverId]);
  return groups;
}
