/**
 * Conversation view support: per folder, each thread's newest message is its
 * head, and the head carries the thread's date and size, so the list can show
 * one row per conversation, newest conversation first, straight from an
 * index. Only the head carries them: a message arriving in a thread rewrites
 * at most the head, never every member (a first sync, newest first, would
 * otherwise rewrite a thread's rows once for each older message that comes).
 * Recomputed, inside the writer's transaction, for exactly the threads a
 * change touched.
 */
import { Dexie } from 'dexie';
import type { Table } from 'dexie';
import type { CachedMessage } from './rows';
import type { TwinboxDatabase } from './schema';

export type ThreadRef = [accountId: string, folder: string, threadId: string];

/** Re-derives head, date and size of these threads from what the folder holds now. */
export async function refreshThreads(db: TwinboxDatabase | Dexie, touched: Iterable<ThreadRef>): Promise<void> {
  const unique = new Map<string, ThreadRef>();
  for (const ref of touched) unique.set(ref.join('\u0000'), ref);
  if (unique.size === 0) return;
  // Changed outside what a book follows: its folders' threads must be asked for again.
  for (const [accountId, folder] of unique.values()) closeThreadBook(db, accountId, folder);
  const messages = db.table<CachedMessage, [string, string, string]>('messages');
  const rows = await membersOf(messages, unique.values());
  const byThread = new Map<string, CachedMessage[]>();
  for (const row of rows) {
    const key = [row.accountId, row.folder, row.threadId].join('\u0000');
    byThread.set(key, [...(byThread.get(key) ?? []), row]);
  }
  const changed: CachedMessage[] = [];
  for (const members of byThread.values()) {
    const newest = newestOf(members);
    for (const row of members) {
      const next = threadFields(row, newest, members.length);
      if (next) changed.push(next);
    }
  }
  await messages.bulkPut(changed);
}

/**
 * Writes rows with the thread fields they will have once written, and
 * re-writes other members of their threads only where those fields change
 * (a head that is one no longer, or whose thread grew): the same cache as
 * `bulkPut(rows)` then `refreshThreads`, but each row is put once. That
 * matters: every put rewrites all of a row's index entries, and those writes
 * are most of what a first sync spends. `previous` are the rows' versions
 * before this write (if any), so that a thread a row leaves is corrected too.
 */
export async function putWithThreads(
  db: TwinboxDatabase | Dexie,
  rows: readonly CachedMessage[],
  previous: readonly (CachedMessage | undefined)[] = [],
): Promise<void> {
  if (rows.length === 0) return;
  const messages = db.table<CachedMessage, [string, string, string]>('messages');
  const incoming = new Map<string, CachedMessage>();
  for (const row of rows) incoming.set(rowKey(row), row);
  const replaced = new Set(previous.flatMap((row) => (row ? [rowKey(row)] : [])));
  const byThread = new Map<string, CachedMessage[]>();
  const add = (row: CachedMessage): void => {
    const key = threadKey(row);
    const members = byThread.get(key);
    if (members) members.push(row);
    else byThread.set(key, [row]);
  };
  for (const row of incoming.values()) add(row);

  // Threads a book knows: new ones need no lookup at all, known ones only their head.
  const known: { key: string; ref: ThreadRef; entry: BookEntry }[] = [];
  const lookup = new Map<string, ThreadRef>();
  for (const [key, members] of byThread) {
    const [first] = members;
    if (!first) continue;
    const book = bookOf(db, first.accountId, first.folder);
    const entry = book?.get(first.threadId);
    if (!book || members.some((row) => replaced.has(rowKey(row)))) lookup.set(key, threadRefOf(first));
    else if (entry) known.push({ key, ref: threadRefOf(first), entry });
  }
  for (const row of previous) if (row) lookup.set(threadKey(row), threadRefOf(row));
  const heads = await messages.bulkGet(known.map(({ ref, entry }): [string, string, string] => [ref[0], ref[1], entry.head]));
  const sizes = new Map<string, number>();
  known.forEach(({ key, ref, entry }, i) => {
    const head = heads[i];
    // A head that went (deleted meanwhile) or is one no longer: ask IndexedDB after all.
    if (!head || head.threadHead !== 1 || head.threadId !== ref[2]) lookup.set(key, ref);
    else {
      add(head);
      sizes.set(key, entry.size + (byThread.get(key)?.length ?? 1) - 1);
    }
  });
  for (const key of lookup.keys()) {
    byThread.set(
      key,
      (byThread.get(key) ?? []).filter((row) => incoming.get(rowKey(row)) === row),
    );
    sizes.delete(key);
  }
  // A stored row that is being replaced counts only in its new version (which may be in another thread).
  for (const row of await membersOf(messages, lookup.values())) if (!incoming.has(rowKey(row))) add(row);

  // Rows not known to replace one are added rather than put: a put makes the unread counts read the row it might
  // replace first (folder-counts.ts), and most rows of a sync are new.
  const adds: CachedMessage[] = [];
  const puts: CachedMessage[] = [];
  for (const [key, members] of byThread) {
    const newest = newestOf(members);
    const size = sizes.get(key) ?? members.length;
    for (const row of members) {
      const fresh = incoming.get(rowKey(row)) === row;
      const write = threadFields(row, newest, size) ?? (fresh ? row : undefined);
      if (!write) continue;
      if (fresh && !replaced.has(rowKey(row))) adds.push(write);
      else puts.push(write);
    }
    bookOf(db, newest.accountId, newest.folder)?.set(newest.threadId, { head: newest.serverId, size });
  }
  await addOrPut(messages, adds);
  await messages.bulkPut(puts);
}

/** Adds rows, and puts those whose key turns out to be taken after all (a caller that could not say). */
async function addOrPut(messages: Table<CachedMessage, [string, string, string]>, rows: CachedMessage[]): Promise<void> {
  try {
    await messages.bulkAdd(rows);
  } catch (error) {
    // Caught, the failed adds leave the transaction alive and the others written.
    if (!(error instanceof Dexie.BulkError)) throw error;
    await messages.bulkPut(Object.keys(error.failuresByPos).flatMap((position) => rows[Number(position)] ?? []));
  }
}

interface BookEntry {
  /** The head's server id. */
  head: string;
  size: number;
}

/**
 * Threads of folders whose every message the writer has seen come since the
 * folder was empty (a first sync): each thread's head and size. With one, a
 * message that starts a thread is written without asking IndexedDB for its
 * members (most messages of a first sync), and one that joins a thread
 * reads only the head. A change made any other way (refreshThreads) drops
 * the book, and writes go back to asking.
 */
const books = new WeakMap<object, Map<string, Map<string, BookEntry>>>();

function bookOf(db: object, accountId: string, folder: string): Map<string, BookEntry> | undefined {
  return books.get(db)?.get(`${accountId}\u0000${folder}`);
}

/** Whether the writer follows this folder's threads: it has seen every row the folder holds being written. */
export function hasThreadBook(db: object, accountId: string, folder: string): boolean {
  return bookOf(db, accountId, folder) !== undefined;
}

/** The folder has no messages now: from here on its threads are all known as they are written. */
export function openThreadBook(db: object, accountId: string, folder: string): void {
  const folders = books.get(db) ?? new Map<string, Map<string, BookEntry>>();
  folders.set(`${accountId}\u0000${folder}`, new Map());
  books.set(db, folders);
}

export function closeThreadBook(db: object, accountId: string, folder?: string): void {
  const folders = books.get(db);
  if (!folders) return;
  if (folder !== undefined) folders.delete(`${accountId}\u0000${folder}`);
  else for (const key of [...folders.keys()]) if (key.startsWith(`${accountId}\u0000`)) folders.delete(key);
}

function newestOf(members: readonly CachedMessage[]): CachedMessage {
  return members.reduce((best, row) => (row.sortDate > best.sortDate || (row.sortDate === best.sortDate && row.serverId > best.serverId) ? row : best));
}

/** The row with its thread fields right, or undefined when they are already: the head carries date and size, the others only that they are not the head. */
function threadFields(row: CachedMessage, newest: CachedMessage, size: number): CachedMessage | undefined {
  if (row === newest) {
    return row.threadHead === 1 && row.threadDate === row.sortDate && row.threadSize === size ? undefined : { ...row, threadHead: 1, threadDate: row.sortDate, threadSize: size };
  }
  return row.threadHead === 0 ? undefined : { ...row, threadHead: 0 };
}

/**
 * Every message of these threads: one query per thread, all asked at once.
 * anyOf() would walk the index with a round trip to IndexedDB per thread,
 * which a sync of a hundred messages in a hundred threads waits for each time.
 */
async function membersOf(messages: Table<CachedMessage, [string, string, string]>, refs: Iterable<ThreadRef>): Promise<CachedMessage[]> {
  const found = await Promise.all([...refs].map((ref) => messages.where('[accountId+folder+threadId]').equals(ref).toArray()));
  return found.flat();
}

function rowKey(row: Pick<CachedMessage, 'accountId' | 'folder' | 'serverId'>): string {
  return `${row.accountId}\u0000${row.folder}\u0000${row.serverId}`;
}

function threadKey(row: Pick<CachedMessage, 'accountId' | 'folder' | 'threadId'>): string {
  return `${row.accountId}\u0000${row.folder}\u0000${row.threadId}`;
}

export function threadRefOf(row: Pick<CachedMessage, 'accountId' | 'folder' | 'threadId'>): ThreadRef {
  return [row.accountId, row.folder, row.threadId];
}

/** Lower-case subject without reply and forward prefixes or a list tag: what sorting by subject compares. */
export function subjectKey(subject: string): string {
  let key = subject.trim();
  for (;;) {
    const stripped = key.replace(/^(re|fwd?|aw|wg|sv|vs|antw|tr|r|rif|ynt)(\[\d+\])?\s*:\s*/i, '').replace(/^\[[^\]]{1,40}\]\s*/, '');
    if (stripped === key) break;
    key = stripped;
  }
  return key.toLowerCase();
}
