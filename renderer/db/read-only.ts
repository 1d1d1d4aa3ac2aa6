/**
 * Dexie's tables and queries without their writes: what the views get of
 * the cache (schema.ts's CacheReader). Types only.
 */
import type { Collection, IndexableType, Table, WhereClause } from 'dexie';

type CollectionChain = 'and' | 'filter' | 'limit' | 'offset' | 'reverse' | 'until' | 'distinct' | 'clone' | 'raw' | 'or';

/** A query over the cache that cannot write through it: no modify, no delete, and every step keeps it so. */
export interface ReadonlyCollection<T, K> extends Omit<Collection<T, K>, 'modify' | 'delete' | CollectionChain> {
  and(filter: (row: T) => boolean): ReadonlyCollection<T, K>;
  filter(filter: (row: T) => boolean): ReadonlyCollection<T, K>;
  limit(count: number): ReadonlyCollection<T, K>;
  offset(count: number): ReadonlyCollection<T, K>;
  reverse(): ReadonlyCollection<T, K>;
  until(filter: (row: T) => boolean, includeStopEntry?: boolean): ReadonlyCollection<T, K>;
  distinct(): ReadonlyCollection<T, K>;
  or(index: string): ReadonlyWhereClause<T, K>;
}

export type ReadonlyWhereClause<T, K> = {
  [Method in keyof WhereClause<T, K>]: (...args: Parameters<WhereClause<T, K>[Method]>) => ReadonlyCollection<T, K>;
};

type TableWrite = 'add' | 'bulkAdd' | 'put' | 'bulkPut' | 'update' | 'bulkUpdate' | 'upsert' | 'delete' | 'bulkDelete' | 'clear' | 'hook' | 'mapToClass';
type TableQuery = 'where' | 'filter' | 'offset' | 'limit' | 'toCollection' | 'orderBy' | 'reverse';

/** A table the views read: every read of Dexie's, none of its writes. */
export interface ReadonlyTable<T, K> extends Omit<Table<T, K>, TableWrite | TableQuery> {
  where(index: string | string[]): ReadonlyWhereClause<T, K>;
  where(equalityCriteria: Record<string, IndexableType>): ReadonlyCollection<T, K>;
  filter(filter: (row: T) => boolean): ReadonlyCollection<T, K>;
  offset(count: number): ReadonlyCollection<T, K>;
  limit(count: number): ReadonlyCollection<T, K>;
  toCollection(): ReadonlyCollection<T, K>;
  orderBy(index: string | string[]): ReadonlyCollection<T, K>;
  reverse(): ReadonlyCollection<T, K>;
}
