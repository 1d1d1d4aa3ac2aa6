/**
 * The IndexedDB cache, in Dexie: the index of the mail, not the mail. The
 * messages' bytes live in main's message store (main/store/, Maildir files);
 * here are the rows the views read (summaries, flags, threads, sort keys),
 * search postings, sync state, the POP3 ledger and changes waiting for the
 * server. Every schema version stays here in order, each with its upgrade,
 * so a cache written by any earlier Twinbox opens in this one (a test per
 * upgrade proves it). Only ./writer.ts (and the modules behind it) writes;
 * views read through useLiveQuery.
 *
 * Keys: a message is [accountId+folder+serverId] (IMAP UID as a string, or
 * the POP3 UIDL, or `local-…` for a message made here).
 */
import { Dexie } from 'dexie';
import type { DexieOptions, EntityTable, Table } from 'dexie';
import type { Account } from '../../shared/model';
import { folderCountsMiddleware } from './folder-counts';
import type { ReadonlyTable } from './read-only';
import { upgradeToVersion2 } from './migrations/v2-search-words';
import { upgradeToVersion4 } from './migrations/v4-conversations';
import { upgradeToVersion5 } from './migrations/v5-postings';
import { upgradeToVersion6 } from './migrations/v6-message-store';
import { upgradeToVersion7, upgradeToVersion8, upgradeToVersion9 } from './migrations/v7-v9-folder-counts';
import type { AppSetting, CacheCounter, CachedFolder, CachedMessage, Contact, FolderCount, FolderSyncState, KnownCapabilities, LedgerEntry, LegacyBody, PendingOperation, SearchPosting, SenderPreference, TextQueueEntry } from './rows';


export const DATABASE_NAME = 'twinbox';

export class TwinboxDatabase extends Dexie {
  accounts!: EntityTable<Account, 'id'>;
  folders!: Table<CachedFolder, [string, string]>;
  messages!: Table<CachedMessage, [string, string, string]>;
  /** Only what an older Twinbox left, until moved into the message store. */
  bodies!: Table<LegacyBody, [string, string, string]>;
  syncState!: Table<FolderSyncState, [string, string]>;
  ledger!: Table<LedgerEntry, [string, string]>;
  pending!: EntityTable<PendingOperation, 'id'>;
  capabilities!: EntityTable<KnownCapabilities, 'accountId'>;
  senders!: EntityTable<SenderPreference, 'address'>;
  postings!: Table<SearchPosting, [string, number]>;
  counters!: Table<CacheCounter, string>;
  textQueue!: EntityTable<TextQueueEntry, 'id'>;
  /** Unread messages per folder, kept by folder-counts.ts with every write to `messages`. */
  folderCounts!: Table<FolderCount, [string, string]>;
  /** The address book (schema v10, see contacts.ts). */
  contacts!: EntityTable<Contact, 'address'>;
  /** This computer's settings of the page's own (schema v10). */
  settings!: Table<AppSetting, string>;

  constructor(
    name = DATABASE_NAME,
    private readonly options?: DexieOptions,
  ) {
    super(name, options);
    declareVersions(this);
    this.use(folderCountsMiddleware);
  }

  /**
   * A second connection to the same database whose every commit is flushed
   * to disk before it completes (Chromium's default is "relaxed": no flush).
   * For the few writes that must survive a power cut before the server acts
   * on them: a POP3 ledger entry before its DELE.
   */
  strictTwin(): TwinboxDatabase {
    return new TwinboxDatabase(this.name, { ...this.options, chromeTransactionDurability: 'strict' });
  }
}

/**
 * Every version, oldest first. Never edit a released version: add one, with
 * its upgrade in migrations/ (frozen: it uses nothing of today's modules).
 * Exported so the upgrade tests can open a database at any past version.
 */
export function declareVersions(db: Dexie, upTo = LATEST_VERSION): void {
  if (upTo >= 1) {
    db.version(1).stores({
      accounts: 'id',
      folders: '[accountId+path], accountId',
      messages:
        '[accountId+folder+serverId], [accountId+folder+sortDate], [accountId+folder+seen], [accountId+seen], accountId, threadId, messageId',
      bodies: '[accountId+folder+serverId], [accountId+lastAccess], accountId',
      syncState: '[accountId+folder], accountId',
      ledger: '[accountId+uidl], accountId',
      pending: '++id, [accountId+status], accountId',
    });
  }
  if (upTo >= 2) {
    // Local search: a multi-entry index of words, filled for the messages already cached.
    db.version(2)
      .stores({
        messages:
          '[accountId+folder+serverId], [accountId+folder+sortDate], [accountId+folder+seen], [accountId+seen], accountId, threadId, messageId, *words',
      })
      .upgrade(upgradeToVersion2);
  }
  if (upTo >= 3) {
    // Capabilities remembered, so that a change made offline is queued for the server or kept local correctly.
    db.version(3).stores({ capabilities: 'accountId' });
  }
  if (upTo >= 4) {
    // Conversations and sorting by sender or subject, from indexes; remote content allowed per sender.
    db.version(4)
      .stores({
        messages:
          '[accountId+folder+serverId], [accountId+folder+sortDate], [accountId+folder+seen], [accountId+seen], accountId, threadId, messageId, *words, [accountId+folder+threadId], [accountId+folder+threadHead+threadDate], [accountId+folder+senderKey], [accountId+folder+subjectKey]',
        senders: 'address',
      })
      .upgrade(upgradeToVersion4);
  }
  if (upTo >= 5) {
    // Local search from postings instead of a multi-entry index on the messages (see SearchPosting).
    db.version(5)
      .stores({
        messages:
          '[accountId+folder+serverId], [accountId+folder+sortDate], [accountId+folder+seen], [accountId+seen], accountId, threadId, messageId, [accountId+folder+threadId], [accountId+folder+threadHead+threadDate], [accountId+folder+senderKey], [accountId+folder+subjectKey], docId',
        postings: '[bucket+chunk], accountId',
        counters: 'name',
      })
      .upgrade(upgradeToVersion5);
  }
  if (upTo >= 6) {
    // Message bytes move to main's message store (the page cannot move them here: an upgrade may only
    // touch IndexedDB, so renderer/sync/store-migration.ts does it after opening). Rows lose `hasBody`
    // (the store knows what it holds); bodies' words are indexed in the background, counted by
    // `textIndexed`. Every index is written with every row, about 30 µs each on top of about 140 µs
    // for the row itself (bench/idb-costs.ts): those that only a rare action read go (`accountId`,
    // `[accountId+seen]`, `threadId` and `messageId`: a conversation is found folder by folder on
    // `[accountId+folder+threadId]`, the Lab scans its small mailboxes).
    db.version(6)
      .stores({
        messages:
          '[accountId+folder+serverId], [accountId+folder+sortDate], [accountId+folder+seen], [accountId+folder+threadId], [accountId+folder+threadHead+threadDate], [accountId+folder+senderKey], [accountId+folder+subjectKey], docId, [accountId+textIndexed]',
        textQueue: '++id, accountId',
      })
      .upgrade(upgradeToVersion6);
  }
  if (upTo >= 7) {
    // Unread per folder kept with the rows rather than counted by the folder pane (see folder-counts.ts).
    db.version(7)
      .stores({ folderCounts: '[accountId+folder]' })
      .upgrade(upgradeToVersion7);
  }
  if (upTo >= 8) {
    // Totals and conversations kept too, for the message list's length (see folder-counts.ts).
    db.version(8).stores({}).upgrade(upgradeToVersion8);
  }
  if (upTo >= 9) {
    // Flagged messages kept too, for the unified Flagged view (see folder-counts.ts): no index, no cost per row.
    db.version(9).stores({}).upgrade(upgradeToVersion9);
  }
  if (upTo >= 10) {
    // The address book, found by any word's prefix for completion; settings of the page's own. Filled after opening
    // (from Sent folders in the background, see contacts-writer.ts), so this upgrade touches no existing row.
    db.version(10).stores({ contacts: 'address, *tokens', settings: 'name' });
  }
}

export const LATEST_VERSION = 10;

type TableName = 'accounts' | 'folders' | 'messages' | 'syncState' | 'ledger' | 'pending' | 'capabilities' | 'senders' | 'postings' | 'counters' | 'textQueue' | 'folderCounts' | 'contacts' | 'settings';

/**
 * The cache as the views see it: every table, read only. Only the writer
 * (./writer.ts, through the sync engine's actions) changes the cache, so
 * that what the views show and what goes to the server never disagree.
 */
export type CacheReader = {
  readonly [Name in TableName]: TwinboxDatabase[Name] extends Table<infer T, infer K, infer _Insert> ? ReadonlyTable<T, K> : never;
} & Pick<TwinboxDatabase, 'transaction'>;
