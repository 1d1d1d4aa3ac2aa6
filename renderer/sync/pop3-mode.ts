/**
 * POP3 mode: this computer keeps the mail. The server is a drop box that is
 * checked for new messages (a UIDL diff against the ledger); each batch of
 * new mail is committed here (summary, whole message, ledger entry) before
 * the server is asked anything else; only then does the retention policy
 * name, among the committed messages, the server copies that may go.
 * Read, flagged, folders and deletions stay on this computer.
 */
import type { Account, RetentionPolicy } from '../../shared/model';
import type { LedgerEntry } from '../db/schema';
import { POP3_FOLDER } from '../db/writer';
import type { CacheWriter, MessageKey } from '../db/writer';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { deltasOf } from './delta-stream';
import { serverDeletionsDue } from './retention';
import type { SyncProgress } from './progress';

/**
 * Messages per delta, each delta one transaction. Every commit makes the
 * views' live queries (counts, the list) run again, and they queue with the
 * writes in IndexedDB: fewer, larger commits leave more of the time to the
 * download. Main fetches the next batch while this one is committed.
 */
export const POP3_BATCH = 100;

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
}

export class Pop3Mode {
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
    // Committed or deleted here: the server must not give us these again.
    const knownUidls = await this.writer.knownUidls(account.id);
    const pop3 = account.pop3;
    const { syncId } = await this.client.call('mail.syncStart', {
      accountId: account.id,
      folder: POP3_FOLDER,
      state: { protocol: 'pop3', knownUidls },
      options: { batchSize: POP3_BATCH, headersOnly: pop3?.headersOnly ?? false, maxMessageBytes: pop3?.maxMessageBytes ?? 0 },
    });
    const result: Pop3CheckResult = { downloaded: 0, skipped: 0, deletedOnServer: [], onServer: [] };
    try {
      for await (const delta of deltasOf(this.client, syncId)) {
        const applied = await this.writer.applyPop3Delta(account.id, delta);
        result.downloaded += applied.committed.length;
        result.skipped += applied.skipped.length;
        if (delta.kind === 'messages') {
          options.onProgress?.({ accountId: account.id, folder: POP3_FOLDER, done: delta.progress.done, total: delta.progress.total });
        }
        if (delta.kind === 'done' && delta.state.protocol === 'pop3') result.onServer = delta.state.knownUidls;
      }
    } catch (error) {
      await this.client.call('mail.syncCancel', { syncId }).catch(() => undefined);
      throw error;
    }
    if (options.allowServerDeletes !== false && pop3) {
      const retention = await this.applyRetention(account.id, pop3.retention, new Set(result.onServer));
      result.deletedOnServer = retention.deleted;
      if (retention.nextDueAt !== undefined) result.nextDeletionAt = retention.nextDueAt;
    }
    return result;
  }

  /**
   * Deletes on the server exactly the committed UIDLs the policy allows now.
   * The adapter DELEs only the UIDLs named here and commits with QUIT; the
   * ledger records them as gone only once the server confirmed.
   */
  async applyRetention(accountId: string, policy: RetentionPolicy, onServer: ReadonlySet<string>): Promise<{ deleted: string[]; nextDueAt?: number }> {
    // Keeping everything deletes nothing, ever: no need to read the whole ledger to find that out.
    if (policy.kind === 'keep') return { deleted: [] };
    const ledger: LedgerEntry[] = await this.writer.db.ledger.where('accountId').equals(accountId).toArray();
    const decision = serverDeletionsDue(policy, ledger, onServer, this.now());
    if (decision.deleteNow.length === 0) return decision.nextDueAt === undefined ? { deleted: [] } : { deleted: [], nextDueAt: decision.nextDueAt };
    const outcome = await this.client.call('mail.delete', { accountId, folder: POP3_FOLDER, serverIds: decision.deleteNow });
    await this.writer.recordServerDeletions(accountId, [...outcome.deleted, ...outcome.missing]);
    return { deleted: outcome.deleted, ...(decision.nextDueAt === undefined ? {} : { nextDueAt: decision.nextDueAt }) };
  }

  /**
   * The body of a message, from this computer. Only a message downloaded as
   * headers only is fetched now, and then kept: it is the only copy once the
   * server deletes it.
   */
  async openMessage(key: MessageKey): Promise<void> {
    const db = this.writer.db;
    const row = await db.messages.get(key);
    if (!row || row.hasBody === 1) return;
    const [accountId, folder, serverId] = key;
    const body = await this.client.call('mail.fetchBody', { accountId, folder, serverId, raw: true });
    await this.writer.storeBody(accountId, folder, body, { keepRaw: true });
  }
}
