import { describe, expect, it } from 'vitest';
import type { CacheReader, TwinboxDatabase } from './schema';

/**
 * The views get the cache as a CacheReader: every read Dexie offers, and no
 * write, not even through a query. Checked by the compiler (`npm test` runs
 * tsc first): each `@ts-expect-error` fails the build if the write it guards
 * against becomes possible.
 */
describe('the cache as the views see it', () => {
  it('is what the real database is, minus its writes', () => {
    const asReader = (db: TwinboxDatabase): CacheReader => db;
    const reads = (db: CacheReader): unknown[] => [
      db.messages.where('[accountId+folder+sortDate]').between(['a', 'INBOX', 0], ['a', 'INBOX', Infinity]).reverse().limit(50).toArray(),
      db.folders.where('accountId').equals('a').primaryKeys(),
      db.folderCounts.get(['a', 'INBOX']),
      db.contacts.where('tokens').startsWith('an').toArray(),
      db.transaction('r', 'messages', () => db.messages.count()),
    ];
    const writes = (db: CacheReader): unknown[] => [
      // @ts-expect-error a view cannot put a row
      db.messages.put,
      // @ts-expect-error nor clear a table
      db.contacts.clear,
      // @ts-expect-error nor modify rows through a query
      db.messages.where('accountId').equals('a').modify,
      // @ts-expect-error nor delete them through one
      db.folders.toCollection().limit(1).delete,
      // @ts-expect-error nor reach a write through an or()
      db.messages.where('a').equals('b').or('c').equals('d').delete,
    ];
    expect([asReader, reads, writes].every((check) => typeof check === 'function')).toBe(true);
  });
});
