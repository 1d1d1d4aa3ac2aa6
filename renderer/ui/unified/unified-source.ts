/**
 * The unified views' rows: every account's Inbox, unread mail and flagged
 * mail, merged newest first across accounts. Each query reads the cache
 * afresh (nothing is remembered between calls), so the list's live queries
 * see every account's commits and the list follows mail as it arrives.
 */
import { Dexie } from 'dexie';
import type { SpecialUse } from '../../../shared/model';
import type { CachedFolder, CachedMessage, FolderCount, MessageKey } from '../../db/rows';
import type { CacheReader } from '../../db/schema';
import { folderMessages } from '../../db/queries';
import { POP3_FOLDER } from '../../db/rows';
import type { ListSource } from '../list-source';

export type UnifiedView = 'inboxes' | 'unread' | 'flagged';

/** The views in the order the sidebar lists them; each is named by mail:unified.<view>. */
export const UNIFIED_VIEWS: readonly UnifiedView[] = ['inboxes', 'unread', 'flagged'];

/**
 * Folders whose mail the Unread view leaves out, as Thunderbird's "Unread"
 * smart folder does: unread mail there is not waiting to be read (deleted,
 * junk, one's own sent mail and drafts).
 */
const NOT_UNREAD_VIEW: ReadonlySet<SpecialUse> = new Set<SpecialUse>(['trash', 'junk', 'sent', 'drafts']);
/** The Flagged view leaves out only mail thrown away; a flagged sent message or draft is one to follow up. */
const NOT_FLAGGED_VIEW: ReadonlySet<SpecialUse> = new Set<SpecialUse>(['trash', 'junk']);

/** One row's place in the merged order: newest first; on equal dates by account order, then as its account lists it. */
interface Entry {
  sortDate: number;
  account: number;
  key: MessageKey;
}

/**
 * Lists each already newest first merged into one: a stable sort on (date,
 * account) keeps each account's own order for equal dates, so the first N
 * entries depend only on the first N of each list and a page reads the same
 * rows whatever the limit it was asked with.
 */
export function mergeNewestFirst(lists: readonly Entry[][]): Entry[] {
  return lists.flat().sort((a, b) => b.sortDate - a.sortDate || a.account - b.account);
}

function outside(excluded: ReadonlySet<SpecialUse>): (folder: Pick<CachedFolder, 'selectable' | 'specialUse'>) => boolean {
  return (folder) => folder.selectable && !(folder.specialUse !== undefined && excluded.has(folder.specialUse));
}

/** Folders the Unread view reads: every selectable folder except Trash, Junk, Sent and Drafts. */
export const countsTowardUnread = outside(NOT_UNREAD_VIEW);
/** Folders the Flagged view reads: every selectable folder except Trash and Junk. */
export const countsTowardFlagged = outside(NOT_FLAGGED_VIEW);

async function accountIds(db: CacheReader): Promise<string[]> {
  return (await db.accounts.toArray()).map((account) => account.id);
}

/** The folders a view reads that hold some of what it lists, by the counts kept per folder, each with its account's place. */
async function foldersHolding(
  db: CacheReader,
  reads: (folder: CachedFolder) => boolean,
  holds: (count: FolderCount) => number,
): Promise<{ folders: { accountId: string; path: string; account: number }[]; total: number; accounts: number }> {
  const [ids, folders, counts] = await Promise.all([accountIds(db), db.folders.toArray(), db.folderCounts.toArray()]);
  const place = new Map(ids.map((id, index) => [id, index]));
  const counted = new Map(counts.map((count) => [`${count.accountId}\u0000${count.folder}`, holds(count)]));
  const holding = folders
    .filter((folder) => reads(folder) && place.has(folder.accountId) && (counted.get(`${folder.accountId}\u0000${folder.path}`) ?? 0) > 0)
    .map((folder) => ({ accountId: folder.accountId, path: folder.path, account: place.get(folder.accountId) ?? 0 }));
  const total = holding.reduce((sum, folder) => sum + (counted.get(`${folder.accountId}\u0000${folder.path}`) ?? 0), 0);
  return { folders: holding, total, accounts: ids.length };
}

/**
 * The newest `limit` Inbox entries of each account (an IMAP Inbox is named
 * INBOX whatever its case on the server, RFC 3501 5.1, and a POP3 account's
 * is too), from the folder's date index: keys only, no row is read. A page
 * reads every entry above it, about 40 µs each in Chromium: the top of the
 * list at once, a block 10,000 rows down in about 0.4 s (a folder's own list
 * skips them at about 10 µs each).
 */
async function newestInboxEntries(db: CacheReader, limit: number): Promise<Entry[][]> {
  const ids = await accountIds(db);
  return Promise.all(
    ids.map(async (accountId, account) => {
      const entries: Entry[] = [];
      await db.messages
        .where('[accountId+folder+sortDate]')
        .between([accountId, POP3_FOLDER, Dexie.minKey], [accountId, POP3_FOLDER, Dexie.maxKey])
        .reverse()
        .limit(limit)
        .eachKey((key, cursor) => {
          entries.push({ sortDate: (key as [string, string, number])[2], account, key: cursor.primaryKey });
        });
      return entries;
    }),
  );
}

/**
 * Every unread row of the folders the view reads, from their unread index.
 * Its order is the primary key's, not the date's, so the rows are read to
 * sort them: the cost grows with unread mail, not with all mail.
 */
async function unreadRows(db: CacheReader, opened: OpenedHere): Promise<CachedMessage[][]> {
  const { folders, accounts } = await foldersHolding(db, countsTowardUnread, (count) => count.unread);
  const lists = byAccount(
    accounts,
    folders,
    await Promise.all(folders.map((folder) => db.messages.where('[accountId+folder+seen]').equals([folder.accountId, folder.path, 0]).toArray())),
  );
  const ids = await accountIds(db);
  for (const row of await openedAndRead(db, opened)) lists[ids.indexOf(row.accountId)]?.push(row);
  return lists;
}

/**
 * Messages opened in this visit to the Unread view, keyed by keyId. Opening
 * marks a message read, and a row that vanished as it was opened would move
 * every row below it under the reader's cursor: as in Thunderbird, what was
 * read in the view stays listed until the view is left.
 */
export type OpenedHere = ReadonlyMap<string, MessageKey>;

/** The opened messages that are read now and still in a folder the Unread view reads (not the unread ones: those it lists anyway). */
async function openedAndRead(db: CacheReader, opened: OpenedHere): Promise<CachedMessage[]> {
  if (opened.size === 0) return [];
  const [rows, folders] = await Promise.all([db.messages.bulkGet([...opened.values()]), db.folders.toArray()]);
  const readable = new Set(folders.filter(countsTowardUnread).map((folder) => `${folder.accountId}\u0000${folder.path}`));
  return rows.filter((row): row is CachedMessage => row !== undefined && row.seen === 1 && readable.has(`${row.accountId}\u0000${row.folder}`));
}

/**
 * Every flagged row of the folders the view reads that have any (their
 * counts say which), by a scan of those folders. There is no index on
 * `flagged`: one more index costs every write of every row (about 30 µs,
 * see schema.ts at version 6) for a view read now and then. The scan costs
 * about 30 ms per 1,000 rows in Chromium (measured with 10,000), paid only
 * while the Flagged view is shown, and only in folders holding flagged mail.
 */
async function flaggedRows(db: CacheReader): Promise<CachedMessage[][]> {
  const { folders, accounts } = await foldersHolding(db, countsTowardFlagged, (count) => count.flagged);
  return byAccount(accounts, folders, await Promise.all(folders.map((folder) => folderMessages(db, folder.accountId, folder.path).filter((row) => row.flagged === 1).toArray())));
}

/** Rows read folder by folder, gathered by account (in the accounts' order). */
function byAccount(accounts: number, folders: readonly { account: number }[], rows: CachedMessage[][]): CachedMessage[][] {
  const lists = Array.from({ length: accounts }, (): CachedMessage[] => []);
  folders.forEach((folder, index) => lists[folder.account]?.push(...(rows[index] ?? [])));
  return lists;
}

function rowEntries(lists: CachedMessage[][]): { entries: Entry[]; rows: Map<string, CachedMessage> } {
  const rows = new Map<string, CachedMessage>();
  const entries = mergeNewestFirst(
    lists.map((list, account) =>
      list
        .map((row): Entry => {
          const key: MessageKey = [row.accountId, row.folder, row.serverId];
          rows.set(key.join('\u0000'), row);
          return { sortDate: row.sortDate, account, key };
        })
        // Within an account, newest first and then by key, as its folder's date index would list them.
        .sort((a, b) => b.sortDate - a.sortDate || (a.key.join('\u0000') < b.key.join('\u0000') ? 1 : -1)),
    ),
  );
  return { entries, rows };
}

/** The Inbox unread of every account, kept per folder (db/folder-counts.ts). */
export async function inboxesUnread(db: CacheReader): Promise<number> {
  const counts = await db.folderCounts.toArray();
  return counts.filter((count) => count.folder === POP3_FOLDER).reduce((sum, count) => sum + count.unread, 0);
}

/** Unread mail in the folders the Unread view reads, from the kept counts. */
export async function unreadTotal(db: CacheReader): Promise<number> {
  return (await foldersHolding(db, countsTowardUnread, (count) => count.unread)).total;
}

/** Flagged mail in the folders the Flagged view reads, from the kept counts. */
export async function flaggedTotal(db: CacheReader): Promise<number> {
  return (await foldersHolding(db, countsTowardFlagged, (count) => count.flagged)).total;
}

/** `visit` tells one showing of the view from the next (what `opened` holds is this visit's). */
export function unifiedSource(db: CacheReader, view: UnifiedView, opened: OpenedHere = new Map(), visit = 0): ListSource {
  const id = `unified\u0000${view}\u0000${visit}`;
  if (view === 'inboxes') {
    return {
      id,
      count: async () => {
        const [ids, counts] = await Promise.all([accountIds(db), db.folderCounts.toArray()]);
        const accounts = new Set(ids);
        return counts.filter((count) => accounts.has(count.accountId) && count.folder === POP3_FOLDER).reduce((sum, count) => sum + count.total, 0);
      },
      page: async (offset, limit) => {
        const merged = mergeNewestFirst(await newestInboxEntries(db, offset + limit)).slice(offset, offset + limit);
        const rows = await db.messages.bulkGet(merged.map((entry) => entry.key));
        return rows.filter((row): row is CachedMessage => row !== undefined);
      },
    };
  }
  const read = view === 'unread' ? () => unreadRows(db, opened) : () => flaggedRows(db);
  return {
    id,
    count: async () => (view === 'unread' ? (await unreadTotal(db)) + (await openedAndRead(db, opened)).length : flaggedTotal(db)),
    page: async (offset, limit) => {
      const { entries, rows } = rowEntries(await read());
      return entries
        .slice(offset, offset + limit)
        .map((entry) => rows.get(entry.key.join('\u0000')))
        .filter((row): row is CachedMessage => row !== undefined);
    },
  };
}
