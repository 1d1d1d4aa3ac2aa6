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
import type { DexieOptions, EntityTable, Table, Transaction } from 'dexie';
import type { Account, AdapterCapabilities, AttachmentInfo, Folder, MessageSummary, Protocol } from '../../shared/model';
import type { AppSetting, Contact } from './contacts';
import { countsByFolder, folderCountsMiddleware } from './folder-counts';
import type { FolderCount } from './folder-counts';
import { writePostings } from './search-index';
import type { IndexedWords } from './search-index';
import { refreshThreads, subjectKey, threadRefOf } from './threads';

export const DATABASE_NAME = 'twinbox';

/** A folder as the sidebar shows it: the server's (IMAP) or the local one (POP3). Counts come from the messages table. */
export interface CachedFolder extends Folder {
  accountId: string;
}

/** 0 or 1: IndexedDB cannot index booleans. */
export type Bit = 0 | 1;

/** One row of the message list. */
export interface CachedMessage extends MessageSummary {
  accountId: string;
  folder: string;
  /** Date header, or when received, as milliseconds: the list's sort key. */
  sortDate: number;
  seen: Bit;
  flagged: Bit;
  /** The thread this message belongs to: the Message-ID at the root of its References, or its own. */
  threadId: string;
  /** Only the headers were downloaded (POP3 headers-only or size limit). */
  partial: Bit;
  /**
   * This message's number in the search index (schema v5): what its postings
   * name. It stays with the message when it moves between folders here, and
   * is never given to another, so postings of a message that is gone match nothing.
   */
  docId: number;
  /** 1 for the newest message of its thread in this folder: the conversation's row (schema v4). */
  threadHead: Bit;
  /** The newest date in the thread (in this folder), which orders conversations. */
  threadDate: number;
  /** Messages of the thread in this folder. */
  threadSize: number;
  /** What sorting by sender and by subject compare. */
  senderKey: string;
  subjectKey: string;
  /**
   * 1 once the body's words are in the search index (schema v6); absent
   * before, so that only indexed rows are in the index that counts them.
   */
  textIndexed?: 1;
}

/**
 * Local search (schema v5): the words of the messages written together in
 * one transaction that start with the same two characters, and who has each
 * word (by `docId`). Postings instead of a multi-entry index of each
 * message's words, which made every first sync spend most of its time
 * updating that index (measured: about 10 ms a message with body text in
 * Chromium, against under 1 ms without).
 */
export interface SearchPosting {
  /** The words' first two characters. */
  bucket: string;
  /** Unique per write, so that a bucket gets a new row each time instead of a rewrite of a growing one. */
  chunk: number;
  accountId: string;
  terms: string[];
  /** For each word of `terms`, the messages that have it. */
  docs: number[][];
  /** Each of those messages' sortDate, by number: search ranks by it before reading any message. */
  dates: Record<number, number>;
}

/** Counters the cache keeps for itself (schema v5). */
export interface CacheCounter {
  name: 'nextId';
  value: number;
}

/** Remote content the user allowed for every message from one sender (schema v4). */
export interface SenderPreference {
  /** Lower-case address. */
  address: string;
  allowRemoteContent: boolean;
}

/**
 * A body as schema versions 1 to 5 kept it in IndexedDB. Since version 6
 * bodies live in main's message store; this table is only read to move what
 * an older Twinbox left there (renderer/sync/store-migration.ts), and emptied.
 */
export interface LegacyBody {
  accountId: string;
  folder: string;
  serverId: string;
  text?: string;
  html?: string;
  attachments: AttachmentInfo[];
  headers: [string, string][];
  /** The exact message. Kept for POP3 (it is the only copy); for IMAP only when asked for. */
  raw?: Uint8Array;
  warnings: string[];
  size: number;
  lastAccess: number;
}

/**
 * Messages whose words are not yet in the search index (schema v6), a batch
 * per row: one write per synced batch, not one per message. With `body`,
 * their bodies are in main's store and their text is indexed too; without,
 * the words of their summaries only (subject, names, addresses). Background
 * indexing works through them, oldest first, and finds them again after a
 * restart, so that a sync never waits for words to be written.
 */
export interface TextQueueEntry {
  id?: number;
  accountId: string;
  folder: string;
  serverIds: string[];
  body: boolean;
}

/**
 * What the last sync left, written in the same transaction as the messages it
 * produced, so the cache and its sync state never disagree.
 */
export interface FolderSyncState {
  accountId: string;
  folder: string;
  protocol: Protocol;
  uidValidity?: string;
  highestModseq?: string;
  uidNext?: number;
  /** Messages the server reported at the end of the last complete sync. */
  serverTotal: number;
  /** When the last sync completed; absent while the first is still running. */
  completedAt?: number;
  /**
   * IMAP: the UIDs the cache holds, as a sequence set, as of the last
   * complete sync. Absent once rows were added or removed since (the next
   * sync then reads them from the messages table), so it is never stale.
   * Reading every key of a large folder is what a resync would spend most of
   * its time on without it.
   */
  knownUids?: string;
  /**
   * POP3: the UIDLs already recorded as gone from the server (schema v6), so
   * that a check reads only the ledger entries of messages that went since.
   */
  goneUidls?: string[];
}

/**
 * The POP3 UIDL ledger: what this computer knows about each message the
 * server ever offered. It is what makes POP3 safe: a message may be deleted
 * on the server only once committed here, and one deleted here never comes
 * back at the next check.
 */
export interface LedgerEntry {
  accountId: string;
  uidl: string;
  size: number;
  firstSeenAt: number;
  downloadedAt?: number;
  /** Summary, body and this entry were written in one transaction at this time. */
  committedAt?: number;
  /**
   * The server was asked to delete it (schema v6). Written with strict
   * durability, in the same transaction as the rest of this entry, before
   * the DELE is sent: whatever happens next, this computer has the message.
   */
  deleteRequestedAt?: number;
  /** The server confirmed the deletion (QUIT after DELE), or no longer had it. */
  deletedOnServerAt?: number;
  /** The user deleted it here; it is not downloaded again even if the server still has it. */
  deletedHereAt?: number;
}

/** What an account's server can do, as last reported: actions decide by it, offline too. */
export interface KnownCapabilities {
  accountId: string;
  capabilities: AdapterCapabilities;
  updatedAt: number;
}

export type PendingKind = 'setFlags' | 'move' | 'delete';

export type PendingStatus = 'queued' | 'running' | 'failed';

/**
 * A change made here that the server has not confirmed yet (IMAP). It
 * survives reloads and is replayed when the connection is back; if the server
 * refuses it, the change is rolled back and `error` says why.
 */
export interface PendingOperation {
  id?: number;
  accountId: string;
  folder: string;
  kind: PendingKind;
  serverIds: string[];
  add?: string[];
  remove?: string[];
  target?: string;
  expunge?: boolean;
  /** What to put back if the server refuses: the rows as they were before. */
  undo: CachedMessage[];
  status: PendingStatus;
  createdAt: number;
  /** Not sent before this time: the window in which the user can still undo it. */
  notBefore?: number;
  attempts: number;
  error?: { code: string; text: string };
}

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
 * Every version, oldest first. Never edit a released version: add one.
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
      .upgrade(async (transaction) => {
        const keyOf = (row: { accountId: string; folder: string; serverId: string }): string => `${row.accountId}\u0000${row.folder}\u0000${row.serverId}`;
        const texts = new Map<string, string>();
        await transaction.table<LegacyBody, [string, string, string]>('bodies').each((body) => {
          if (body.text !== undefined) texts.set(keyOf(body), body.text);
        });
        await transaction
          .table<WordedMessage, [string, string, string]>('messages')
          .toCollection()
          .modify((message) => {
            message.words = searchWords(message, texts.get(keyOf(message)));
          });
      });
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
      .upgrade(async (transaction) => {
        const messages = transaction.table<CachedMessage, [string, string, string]>('messages');
        await messages.toCollection().modify((message) => {
          message.senderKey = senderKeyOf(message);
          message.subjectKey = subjectKey(message.subject);
          message.threadHead = 1;
          message.threadDate = message.sortDate;
          message.threadSize = 1;
        });
        const refs = await messages.toArray().then((rows) => rows.map(threadRefOf));
        await refreshThreads(transaction.db, refs);
      });
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
      .upgrade(async (transaction) => {
        // Each message (and each row a queued operation would put back) gets a number, and its words become postings.
        let next = 1;
        const indexed: IndexedWords[] = [];
        const number = (row: WordedMessage): void => {
          row.docId = next++;
          indexed.push({ accountId: row.accountId, docId: row.docId, sortDate: row.sortDate, words: row.words ?? [] });
          delete row.words;
        };
        await transaction.table<WordedMessage, [string, string, string]>('messages').toCollection().modify(number);
        await transaction
          .table<PendingOperation & { undo: WordedMessage[] }, number>('pending')
          .toCollection()
          .modify((op) => op.undo.forEach(number));
        const chunks = await writePostings(transaction.table<SearchPosting, [string, number]>('postings'), indexed, next);
        await transaction.table<CacheCounter, string>('counters').put({ name: 'nextId', value: next + chunks });
      });
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
      .upgrade(async (transaction) => {
        const legacy = transaction.table<LegacyBody, [string, string, string]>('bodies');
        const withText = new Set<string>();
        await legacy.each((body) => {
          if (body.text !== undefined) withText.add(`${body.accountId}\u0000${body.folder}\u0000${body.serverId}`);
        });
        // A body's words were indexed when it was stored (versions 2 to 5): those rows count as indexed.
        await transaction
          .table<CachedMessage & { hasBody?: Bit }, [string, string, string]>('messages')
          .toCollection()
          .modify((row) => {
            delete row.hasBody;
            if (withText.has(`${row.accountId}\u0000${row.folder}\u0000${row.serverId}`)) row.textIndexed = 1;
          });
        await transaction
          .table<FolderSyncState & { knownUidls?: string[] }, [string, string]>('syncState')
          .toCollection()
          .modify((state) => {
            delete state.knownUidls;
          });
      });
  }
  if (upTo >= 7) {
    // Unread per folder kept with the rows rather than counted by the folder pane (see folder-counts.ts).
    db.version(7)
      .stores({ folderCounts: '[accountId+folder]' })
      .upgrade(async (transaction) => {
        await recountFolders(transaction);
      });
  }
  if (upTo >= 8) {
    // Totals and conversations kept too, for the message list's length (see folder-counts.ts).
    db.version(8)
      .stores({})
      .upgrade(recountFolders);
  }
  if (upTo >= 9) {
    // Flagged messages kept too, for the unified Flagged view (see folder-counts.ts): no index, no cost per row.
    db.version(9)
      .stores({})
      .upgrade(recountFolders);
  }
  if (upTo >= 10) {
    // The address book, found by any word's prefix for completion; settings of the page's own. Filled after opening
    // (from Sent folders in the background, see contacts-writer.ts), so this upgrade touches no existing row.
    db.version(10).stores({ contacts: 'address, *tokens', settings: 'name' });
  }
}

/** Every folder's counts, counted afresh from the rows (an upgrade's transaction writes rows without the middleware). */
async function recountFolders(transaction: Transaction): Promise<void> {
  const counts = new Map<string, FolderCount>();
  await transaction.table<CachedMessage, [string, string, string]>('messages').each((row) => {
    countsByFolder([row], 1, counts);
  });
  const table = transaction.table<FolderCount, [string, string]>('folderCounts');
  await table.clear();
  await table.bulkPut([...counts.values()]);
}

/** A message row as versions 2 to 4 stored it, with its words on the row. */
type WordedMessage = Omit<CachedMessage, 'docId'> & { docId?: number; words?: string[] };

/** Lower-case display name, or address when there is no name: what sorting by sender compares. */
export function senderKeyOf(message: Pick<MessageSummary, 'from'>): string {
  const first = message.from[0];
  return first ? (first.name.trim() || first.address).toLowerCase() : '';
}

export const LATEST_VERSION = 10;

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'_.-]*/gu;
/** Enough of a body to find a message by what it is about, without indexing whole newsletters. */
const BODY_WORDS_LIMIT = 400;

/** The words a message is found by: subject, names and addresses, snippet, and (when cached) body text. */
export function searchWords(message: Pick<MessageSummary, 'subject' | 'from' | 'to' | 'cc' | 'snippet'>, bodyText?: string): string[] {
  const words = new Set<string>();
  addWords(words, message.subject);
  for (const address of [...message.from, ...message.to, ...message.cc]) {
    addWords(words, address.name);
    addWords(words, address.address);
    words.add(address.address.toLowerCase());
  }
  addWords(words, message.snippet);
  addWords(words, bodyText, BODY_WORDS_LIMIT);
  return [...words];
}

function addWords(words: Set<string>, text: string | undefined, limit = Infinity): void {
  let count = 0;
  for (const match of (text ?? '').toLowerCase().matchAll(WORD)) {
    const word = match[0].replace(/[.'_-]+$/, '');
    if (word.length < 2 || word.length > 40) continue;
    words.add(word);
    if (++count >= limit) break;
  }
}
