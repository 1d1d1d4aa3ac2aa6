/**
 * The rows of the cache's tables, and how a message is named: what the
 * writer writes and the views read. Types and key helpers only, nothing that
 * reads or writes, so every module of the cache (and every view) can import
 * it without importing the schema, search or threading.
 */
import type { AdapterCapabilities, AttachmentInfo, Folder, MessageSummary, Protocol } from '../../shared/model';
import { INBOX } from '../../shared/model';

/** A message's primary key in the cache: its account, folder and server id (IMAP UID as a string, POP3 UIDL, or `local-…`). */
export type MessageKey = [accountId: string, folder: string, serverId: string];

export const POP3_FOLDER = INBOX;

export function keyOf(message: Pick<CachedMessage, 'accountId' | 'folder' | 'serverId'>): MessageKey {
  return [message.accountId, message.folder, message.serverId];
}

/** Whether a message's flags include `flag`: IMAP flags compare case-insensitively (RFC 9051 section 2.3.2). */
export function hasFlag(flags: readonly string[], flag: string): boolean {
  const wanted = flag.toLowerCase();
  return flags.some((f) => f.toLowerCase() === wanted);
}

/** The same as an index can hold it. */
export function flagBit(flags: readonly string[], flag: string): Bit {
  return hasFlag(flags, flag) ? 1 : 0;
}

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
 * Spelt out rather than built from MessageBody on purpose: it is what those
 * versions wrote, and must not follow MessageBody when that changes.
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

export interface Contact {
  /** Lower-case address: the key, so that Ann@X and ann@x are one person. */
  address: string;
  /** The address as last written, case kept. */
  display: string;
  /** Empty when no name is known. */
  name: string;
  /** Messages sent to this address from here (To, Cc and Bcc). */
  sentCount: number;
  lastSentAt?: number;
  /** Messages from this address opened here, counted only while the user has that on. */
  seenCount: number;
  lastSeenAt?: number;
  /** 1 once the user set the name: a name from mail no longer replaces it. */
  edited?: 1;
  createdAt: number;
  /** Lower-case words of the name and the address, for prefix lookup (a multi-entry index). */
  tokens: string[];
}

/** Settings of this computer's own kept in the cache (schema v10). */
export type AppSetting =
  /** Senders of mail opened here join the address book (off unless the user turns it on). */
  | { name: 'learnFromRead'; value: boolean }
  /** Sent folders already read into the address book, as `accountId\0path`: each is read once. */
  | { name: 'contactsBackfilled'; value: string[] };

export type SettingName = AppSetting['name'];

export interface FolderCount {
  accountId: string;
  folder: string;
  unread: number;
  /** Every message (schema 8; absent in the counts schema 7 wrote, which its upgrade recounts). */
  total: number;
  /** Conversations: messages that head their thread, the rows of the conversation view. */
  threads: number;
  /**
   * Flagged messages (schema 9), for the unified Flagged view's count: with no
   * index on `flagged`, counting them meant reading every row of every account
   * (about 300 ms for 10,000 rows in Chromium) after each commit.
   */
  flagged: number;
}

