/**
 * Counts per folder, kept with the rows instead of counted: unread messages,
 * all messages and conversations (thread heads). An IndexedDB count walks
 * every entry of its range (about 10 µs each here, a second for a folder of
 * 100,000), and the folder pane's unread count and the message list's length
 * are live queries that run again after every commit touching the folder:
 * during a download of 100,000 messages that was most of the browser's work.
 * Every write to `messages`, whichever writer makes it, passes through this
 * middleware, which adjusts `folderCounts` in the same transaction, so the
 * counts cannot drift from the rows.
 */
import { Dexie } from 'dexie';
import type { DBCore, DBCoreMutateRequest, DBCoreMutateResponse, DBCoreTable, DBCoreTransaction, Middleware } from 'dexie';
import type { CachedMessage, FolderCount } from './rows';

const MESSAGES = 'messages';
export const FOLDER_COUNTS = 'folderCounts';

type CountedRow = Pick<CachedMessage, 'accountId' | 'folder' | 'seen' | 'threadHead' | 'flagged'>;

/** What these rows add to (or, with sign -1, take from) their folders' counts, keyed by account and folder. */
export function countsByFolder(rows: Iterable<CountedRow>, sign = 1, into = new Map<string, FolderCount>()): Map<string, FolderCount> {
  for (const row of rows) {
    const key = `${row.accountId}\u0000${row.folder}`;
    const count = into.get(key) ?? { accountId: row.accountId, folder: row.folder, unread: 0, total: 0, threads: 0, flagged: 0 };
    count.total += sign;
    if (row.seen === 0) count.unread += sign;
    if (row.threadHead === 1) count.threads += sign;
    if (row.flagged === 1) count.flagged += sign;
    into.set(key, count);
  }
  return into;
}

/** The upgrade's versionchange transaction, in which the schema may not yet have the counts (they are counted afresh then). */
function upgrading(trans: DBCoreTransaction): boolean {
  // At run time a DBCore transaction is the IndexedDB transaction itself.
  return (trans as { mode?: string }).mode === 'versionchange';
}

export const folderCountsMiddleware: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'FolderCounts',
  create(down) {
    return {
      ...down,
      // A write to the rows always takes the counts with it.
      transaction(stores, mode, options) {
        const scope = mode === 'readwrite' && stores.includes(MESSAGES) && !stores.includes(FOLDER_COUNTS) ? [...stores, FOLDER_COUNTS] : stores;
        return down.transaction(scope, mode, options);
      },
      table(name) {
        const table = down.table(name);
        if (name !== MESSAGES) return table;
        return { ...table, mutate: (req) => (upgrading(req.trans) ? table.mutate(req) : countedMutate(down, table, req)) };
      },
    };
  },
};

/**
 * Written with then() on Dexie's own promises, not async/await: the layers
 * below find their transaction through Dexie's zone, which a native await
 * would lose.
 */
function countedMutate(down: DBCore, table: DBCoreTable, req: DBCoreMutateRequest): Promise<DBCoreMutateResponse> {
  return rowsBefore(table, req).then((previous) =>
    table.mutate(req).then((response) => {
      const failed = (index: number): boolean => response.failures[index] !== undefined;
      const change = countsByFolder(
        previous.filter((row, index): row is CachedMessage => row !== undefined && !(req.type !== 'deleteRange' && failed(index))),
        -1,
      );
      if (req.type === 'add' || req.type === 'put') countsByFolder(req.values.filter((_value, index) => !failed(index)) as CachedMessage[], 1, change);
      const touched = [...change.values()].filter((count) => count.unread !== 0 || count.total !== 0 || count.threads !== 0 || count.flagged !== 0);
      if (touched.length === 0) return response;
      const counts = down.table(FOLDER_COUNTS);
      const plus = (current: number | undefined, delta: number): number => Math.max(0, (current ?? 0) + delta);
      return counts.getMany({ trans: req.trans, keys: touched.map((count) => [count.accountId, count.folder]) }).then((current: (FolderCount | undefined)[]) =>
        counts
          .mutate({
            type: 'put',
            trans: req.trans,
            values: touched.map((count, index): FolderCount => ({
              accountId: count.accountId,
              folder: count.folder,
              unread: plus(current[index]?.unread, count.unread),
              total: plus(current[index]?.total, count.total),
              threads: plus(current[index]?.threads, count.threads),
              flagged: plus(current[index]?.flagged, count.flagged),
            })),
          })
          .then(() => response),
      );
    }),
  );
}

/** The rows a write replaces or removes, as they were (undefined where there was none). */
function rowsBefore(table: DBCoreTable, req: DBCoreMutateRequest): Promise<(CachedMessage | undefined)[]> {
  switch (req.type) {
    case 'add':
      return Dexie.Promise.resolve([]);
    case 'put': {
      const extract = table.schema.primaryKey.extractKey;
      const keys: unknown[] = req.keys ?? (extract ? req.values.map((value): unknown => extract(value)) : []);
      return table.getMany({ trans: req.trans, keys }) as Promise<(CachedMessage | undefined)[]>;
    }
    case 'delete':
      return table.getMany({ trans: req.trans, keys: req.keys }) as Promise<(CachedMessage | undefined)[]>;
    case 'deleteRange':
      return table.query({ trans: req.trans, values: true, query: { index: table.schema.primaryKey, range: req.range } }).then((found) => found.result as CachedMessage[]);
  }
}
