/**
 * Schemas 7, 8 and 9: counts per folder kept with the rows (unread in 7,
 * totals and conversations from 8, flagged from 9), counted afresh from the
 * rows by each upgrade: its transaction writes rows without the middleware
 * that keeps them since. Frozen (see README.md); each version counts what
 * its counts held then.
 */
import type { Transaction } from 'dexie';

interface CountedRow {
  accountId: string;
  folder: string;
  seen: 0 | 1;
  flagged: 0 | 1;
  threadHead: 0 | 1;
}

type Counted = 'unread' | 'total' | 'threads' | 'flagged';

async function recount(transaction: Transaction, counted: readonly Counted[]): Promise<void> {
  const counts = new Map<string, { accountId: string; folder: string } & Partial<Record<Counted, number>>>();
  await transaction.table<CountedRow, [string, string, string]>('messages').each((row) => {
    const key = `${row.accountId}\u0000${row.folder}`;
    const count = counts.get(key) ?? { accountId: row.accountId, folder: row.folder, ...Object.fromEntries(counted.map((name) => [name, 0])) };
    const add = (name: Counted, yes: boolean): void => {
      if (yes && counted.includes(name)) count[name] = (count[name] ?? 0) + 1;
    };
    add('unread', row.seen === 0);
    add('total', true);
    add('threads', row.threadHead === 1);
    add('flagged', row.flagged === 1);
    counts.set(key, count);
  });
  const table = transaction.table<object, [string, string]>('folderCounts');
  await table.clear();
  await table.bulkPut([...counts.values()]);
}

export function upgradeToVersion7(transaction: Transaction): Promise<void> {
  return recount(transaction, ['unread']);
}

export function upgradeToVersion8(transaction: Transaction): Promise<void> {
  return recount(transaction, ['unread', 'total', 'threads']);
}

export function upgradeToVersion9(transaction: Transaction): Promise<void> {
  return recount(transaction, ['unread', 'total', 'threads', 'flagged']);
}
