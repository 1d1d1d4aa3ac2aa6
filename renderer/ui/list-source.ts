/**
 * Where the message list's rows come from: a folder in the chosen order
 * (straight from an index, a block at a time, so 100,000 rows cost no more
 * than 100), or a fixed set of search results.
 */
import type { CachedMessage, MessageKey } from '../db/rows';
import type { CacheReader } from '../db/schema';
import type { FolderRef } from './selection';

export type SortField = 'date' | 'sender' | 'subject';

export interface ViewOptions {
  sort: SortField;
  /** Newest (or Z) first. */
  descending: boolean;
  /** One row per conversation (with date order only). */
  conversations: boolean;
}

export const DEFAULT_VIEW: ViewOptions = { sort: 'date', descending: true, conversations: false };

export interface ListSource {
  /** Changes whenever the rows would: the list's live queries depend on it. */
  readonly id: string;
  count(): Promise<number>;
  page(offset: number, limit: number): Promise<CachedMessage[]>;
}

const INDEX: Record<SortField, string> = {
  date: '[accountId+folder+sortDate]',
  sender: '[accountId+folder+senderKey]',
  subject: '[accountId+folder+subjectKey]',
};

export function folderSource(db: CacheReader, folder: FolderRef, view: ViewOptions): ListSource {
  const { accountId, path } = folder;
  const threaded = view.conversations && view.sort === 'date';
  const range = () =>
    threaded
      ? db.messages.where('[accountId+folder+threadHead+threadDate]').between([accountId, path, 1, -Infinity], [accountId, path, 1, Infinity])
      : db.messages.where(INDEX[view.sort]).between([accountId, path, view.sort === 'date' ? -Infinity : ''], [accountId, path, view.sort === 'date' ? Infinity : '\uffff']);
  const ordered = () => (view.descending ? range().reverse() : range());
  return {
    id: `folder\u0000${accountId}\u0000${path}\u0000${view.sort}\u0000${view.descending}\u0000${threaded}`,
    // Kept with the rows (folder-counts.ts): counting the index would walk every entry after every commit.
    count: async () => {
      const counts = await db.folderCounts.get([accountId, path]);
      return (threaded ? counts?.threads : counts?.total) ?? 0;
    },
    page: (offset, limit) => ordered().offset(offset).limit(limit).toArray(),
  };
}

export function keysSource(db: CacheReader, id: string, keys: readonly MessageKey[]): ListSource {
  return {
    id: `keys\u0000${id}`,
    count: () => Promise.resolve(keys.length),
    page: async (offset, limit) => (await db.messages.bulkGet(keys.slice(offset, offset + limit))).filter((row): row is CachedMessage => row !== undefined),
  };
}
