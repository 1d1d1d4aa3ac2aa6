/**
 * Reads the views, the Lab and the writer share: an account's rows, a
 * folder's, a conversation's across folders.
 */
import { Dexie } from 'dexie';
import type { Collection } from 'dexie';
import type { ReadonlyCollection } from './read-only';
import type { CachedMessage, MessageKey } from './rows';
import type { CacheReader, TwinboxDatabase } from './schema';

/** Every row of an account, by primary key range (no index of its own: each index costs every write). The writer's query can write; a view's cannot. */
export function accountMessages(db: TwinboxDatabase, accountId: string): Collection<CachedMessage, MessageKey>;
export function accountMessages(db: CacheReader, accountId: string): ReadonlyCollection<CachedMessage, MessageKey>;
export function accountMessages(db: CacheReader, accountId: string): ReadonlyCollection<CachedMessage, MessageKey> {
  return db.messages.where('[accountId+folder+serverId]').between([accountId, Dexie.minKey, Dexie.minKey], [accountId, Dexie.maxKey, Dexie.maxKey], true, true);
}

export function folderMessages(db: TwinboxDatabase, accountId: string, folder: string): Collection<CachedMessage, MessageKey>;
export function folderMessages(db: CacheReader, accountId: string, folder: string): ReadonlyCollection<CachedMessage, MessageKey>;
export function folderMessages(db: CacheReader, accountId: string, folder: string): ReadonlyCollection<CachedMessage, MessageKey> {
  return db.messages.where('[accountId+folder+serverId]').between([accountId, folder, Dexie.minKey], [accountId, folder, Dexie.maxKey], true, true);
}

/**
 * Every message of a conversation in an account, whatever its folder (a
 * reply in Sent belongs with the message it answers): one query per folder
 * on the folder's thread index.
 */
export async function threadMembers(db: CacheReader, accountId: string, threadId: string): Promise<CachedMessage[]> {
  const folders = await db.folders.where('accountId').equals(accountId).primaryKeys();
  const found = await Promise.all(folders.map(([, folder]) => db.messages.where('[accountId+folder+threadId]').equals([accountId, folder, threadId]).toArray()));
  return found.flat();
}
