/**
 * Conversation view support: per folder, each thread's newest message is its
 * head, and every message carries the thread's newest date and size, so the
 * list can show one row per conversation, newest conversation first, straight
 * from an index. Recomputed, inside the writer's transaction, for exactly the
 * threads a change touched.
 */
import type { Dexie, Table } from 'dexie';
import type { CachedMessage, TwinboxDatabase } from './schema';

export type ThreadRef = [accountId: string, folder: string, threadId: string];

/** Re-derives head, date and size of these threads from what the folder holds now. */
export async function refreshThreads(db: TwinboxDatabase | Dexie, touched: Iterable<ThreadRef>): Promise<void> {
  const unique = new Map<string, ThreadRef>();
  for (const ref of touched) unique.set(ref.join('\u0000'), ref);
  if (unique.size === 0) return;
  const messages = db.table<CachedMessage, [string, string, string]>('messages');
  const rows = await membersOf(messages, unique.values());
  const byThread = new Map<string, CachedMessage[]>();
  for (const row of rows) {
    const key = [row.accountId, row.folder, row.threadId].join('\u0000');
    byThread.set(key, [...(byThread.get(key) ?? []), row]);
  }
  const changed: CachedMessage[] = [];
  for (const members of byThread.values()) {
    const newest = members.reduce((best, row) => (row.sortDate > best.sortDate || (row.sortDate === best.sortDate && row.serverId > best.serverId) ? row : best));
    for (const row of members) {
      const head = row === newest ? 1 : 0;
      if (row.threadHead !== head || row.threadDate !== newest.sortDate || row.threadSize !== members.length) {
        changed.push({ ...row, threadHead: head, threadDate: newest.sortDate, threadSize: members.length });
      }
    }
  }
  await messages.bulkPut(changed);
}

/**
 * Writes rows with the thread fields they will have once written, and
 * re-writes other members of their threads only where those fields change:
 * the same cache as `bulkPut(rows)` then `refreshThreads`, but each row is
 * put once. That matters: every put rewrites all of a row's index entries,
 * its search words included, and those writes are most of what a first sync
 * spends. `previous` are the rows' versions before this write (if any), so
 * that a thread a row leaves is corrected too.
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
  const refs = new Map<string, ThreadRef>();
  for (const row of [...rows, ...previous]) if (row) refs.set(threadKey(row), threadRefOf(row));
  const stored = await membersOf(messages, refs.values());
  const byThread = new Map<string, CachedMessage[]>();
  const add = (row: CachedMessage): void => {
    const key = threadKey(row);
    const members = byThread.get(key);
    if (members) members.push(row);
    else byThread.set(key, [row]);
  };
  // A stored row that is being replaced counts only in its new version (which may be in another thread).
  for (const row of stored) if (!incoming.has(rowKey(row))) add(row);
  for (const row of incoming.values()) add(row);
  const writes: CachedMessage[] = [];
  for (const members of byThread.values()) {
    const newest = members.reduce((best, row) => (row.sortDate > best.sortDate || (row.sortDate === best.sortDate && row.serverId > best.serverId) ? row : best));
    for (const row of members) {
      const head = row === newest ? 1 : 0;
      const fresh = incoming.get(rowKey(row)) === row;
      if (fresh || row.threadHead !== head || row.threadDate !== newest.sortDate || row.threadSize !== members.length) {
        writes.push({ ...row, threadHead: head, threadDate: newest.sortDate, threadSize: members.length });
      }
    }
  }
  await messages.bulkPut(writes);
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
