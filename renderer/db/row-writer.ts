/**
 * What every part of the cache writer shares: the row a summary becomes,
 * numbering for search, and the remembered ids a sync must forget when rows
 * change outside it. Only the writer's modules import this.
 */
import type { MessageSummary, SpecialUse } from '../../shared/model';
import { folderMessages } from './queries';
import { POP3_FOLDER, flagBit } from './rows';
import type { CachedMessage, FolderSyncState } from './rows';
import type { TwinboxDatabase } from './schema';
import { takeNumbers, writePostings } from './search-index';
import { closeThreadBook, subjectKey } from './threads';

/** A POP3 account's folders, on this computer only. */
export const LOCAL_FOLDERS: readonly { path: string; name: string; specialUse: SpecialUse }[] = [
  { path: POP3_FOLDER, name: 'Inbox', specialUse: 'inbox' },
  { path: 'Drafts', name: 'Drafts', specialUse: 'drafts' },
  { path: 'Sent', name: 'Sent', specialUse: 'sent' },
  { path: 'Archive', name: 'Archive', specialUse: 'archive' },
  { path: 'Trash', name: 'Trash', specialUse: 'trash' },
];

/** How the writer's modules reach the database and the clock. */
export interface WriterContext {
  db: TwinboxDatabase;
  now: () => number;
}

/** Lower-case display name, or address when there is no name: what sorting by sender compares. */
export function senderKeyOf(message: Pick<MessageSummary, 'from'>): string {
  const first = message.from[0];
  return first ? (first.name.trim() || first.address).toLowerCase() : '';
}

/** The row the list shows for a summary. */
export function toCachedMessage(accountId: string, folder: string, summary: MessageSummary, previous?: CachedMessage): CachedMessage {
  const dated = summary.date ?? summary.receivedAt;
  const sortDate = dated === undefined ? 0 : Date.parse(dated);
  return {
    ...summary,
    accountId,
    folder,
    sortDate: Number.isNaN(sortDate) ? 0 : sortDate,
    seen: flagBit(summary.flags, '\\Seen'),
    flagged: flagBit(summary.flags, '\\Flagged'),
    threadId: summary.references[0] ?? summary.inReplyTo ?? summary.messageId ?? `${accountId}/${folder}/${summary.serverId}`,
    partial: previous?.partial ?? 0,
    // 0 until the writer numbers it (a new message); a message the cache has keeps its number.
    docId: previous?.docId ?? 0,
    // Corrected for the whole thread when the row is written (putWithThreads, refreshThreads).
    threadHead: previous?.threadHead ?? 1,
    threadDate: previous?.threadDate ?? (Number.isNaN(sortDate) ? 0 : sortDate),
    threadSize: previous?.threadSize ?? 1,
    senderKey: senderKeyOf(summary),
    subjectKey: subjectKey(summary.subject),
    ...(previous?.textIndexed === undefined ? {} : { textIndexed: previous.textIndexed }),
    // A preview found in the body outlives a summary that has none (IMAP's, a header block's).
    ...(summary.snippet === undefined && previous?.snippet !== undefined ? { snippet: previous.snippet } : {}),
  };
}

/**
 * Gives the new rows among these (docId 0) their numbers in the search
 * index. Runs inside the caller's transaction, which must name the counters
 * table. Their words are written later, by background indexing (text-writer).
 */
export async function numberNew(ctx: WriterContext, rows: readonly CachedMessage[]): Promise<void> {
  const fresh = rows.filter((row) => row.docId === 0);
  if (fresh.length === 0) return;
  const first = await takeNumbers(ctx.db.counters, fresh.length);
  fresh.forEach((row, i) => (row.docId = first + i));
}

/**
 * Numbers the new rows among these (docId 0) and makes the given words
 * find them. Runs inside the caller's transaction, which must name the
 * counters and postings tables.
 */
export async function addToSearch(ctx: WriterContext, entries: readonly { row: CachedMessage; words: readonly string[] }[]): Promise<void> {
  if (entries.length === 0) return;
  const fresh = entries.filter((entry) => entry.row.docId === 0);
  const accounts = new Set(entries.map((entry) => entry.row.accountId)).size;
  // One number per new row, then one per account for this write's postings.
  const first = await takeNumbers(ctx.db.counters, fresh.length + accounts);
  fresh.forEach((entry, i) => (entry.row.docId = first + i));
  const indexed = entries
    .filter((entry) => entry.words.length > 0)
    .map(({ row, words }) => ({ accountId: row.accountId, docId: row.docId, sortDate: row.sortDate, words }));
  await writePostings(ctx.db.postings, indexed, first + fresh.length);
}

/**
 * Rows of these folders were added or removed outside a sync (or a sync is
 * under way): the UIDs remembered at the last sync no longer say what the
 * cache holds, so the next sync reads them from the cache itself.
 */
export async function forgetKnownIds(ctx: WriterContext, accountId: string, folders: Iterable<string>): Promise<void> {
  const keys = [...new Set(folders)].map((folder): [string, string] => [accountId, folder]);
  const states = await ctx.db.syncState.bulkGet(keys);
  const stale = states.filter((s): s is FolderSyncState => s?.knownUids !== undefined);
  if (stale.length > 0) await ctx.db.syncState.bulkPut(stale.map(({ knownUids: _uids, ...state }) => state));
}

export async function forgetKnownIdsOf(ctx: WriterContext, rows: readonly Pick<CachedMessage, 'accountId' | 'folder'>[]): Promise<void> {
  const byAccount = new Map<string, Set<string>>();
  for (const row of rows) byAccount.set(row.accountId, (byAccount.get(row.accountId) ?? new Set()).add(row.folder));
  for (const [accountId, folders] of byAccount) await forgetKnownIds(ctx, accountId, folders);
}

/** Drops a folder's rows (a UIDVALIDITY change, a folder gone from the server). */
export async function dropFolderMessages(ctx: WriterContext, accountId: string, folder: string): Promise<void> {
  closeThreadBook(ctx.db, accountId, folder);
  await folderMessages(ctx.db, accountId, folder).delete();
}
