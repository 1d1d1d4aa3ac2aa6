/**
 * Mail kept on this computer alone (POP3): its own folders, moves and
 * deletions between them, and messages made here (drafts, sent copies).
 * The ledger remembers what the user deleted, so that the next check does
 * not download it again and the retention policy may delete the server's
 * copy. The files follow in main's message store (the caller tells it).
 */
import type { MessageSummary } from '../../shared/model';
import type { CachedMessage, LedgerEntry, MessageKey } from './rows';
import { forgetKnownIds, forgetKnownIdsOf, numberNew, toCachedMessage } from './row-writer';
import { POP3_FOLDER, keyOf } from './rows';
import type { WriterContext } from './row-writer';
import { refreshThreads, threadRefOf } from './threads';

/**
 * The row of a message made here, whose bytes main's store already keeps
 * (`store.putLocal`); its words are indexed in the background.
 */
export async function storeLocalMessage(ctx: WriterContext, accountId: string, folder: string, summary: MessageSummary): Promise<MessageKey> {
  const db = ctx.db;
  await db.transaction('rw', [db.messages, db.syncState, db.counters, db.textQueue], async () => {
    const row = toCachedMessage(accountId, folder, summary);
    await numberNew(ctx, [row]);
    await db.messages.put(row);
    await db.textQueue.add({ accountId, folder, serverIds: [summary.serverId], body: true });
    await refreshThreads(db, [threadRefOf(row)]);
    await forgetKnownIds(ctx, accountId, [folder]);
  });
  return [accountId, folder, summary.serverId];
}

/** Removes the row of a message made here (a draft that was sent or discarded). */
export async function removeLocalMessage(ctx: WriterContext, key: MessageKey): Promise<void> {
  const db = ctx.db;
  await db.transaction('rw', [db.messages, db.syncState], async () => {
    const row = await db.messages.get(key);
    await db.messages.delete(key);
    if (row) await refreshThreads(db, [threadRefOf(row)]);
    await forgetKnownIds(ctx, key[0], [key[1]]);
  });
}

/**
 * Moves between this computer's folders: the row goes, with its number in
 * the search index, and the ledger entry stays as it is. Returns the keys in
 * the target folder.
 */
export async function moveLocal(ctx: WriterContext, keys: MessageKey[], target: string): Promise<MessageKey[]> {
  const db = ctx.db;
  return db.transaction('rw', [db.messages, db.syncState], async () => {
    const rows = (await db.messages.bulkGet(keys)).filter((r): r is CachedMessage => r !== undefined && r.folder !== target);
    await db.messages.bulkDelete(rows.map(keyOf));
    const moved = rows.map((row) => ({ ...row, folder: target }));
    await db.messages.bulkPut(moved);
    await refreshThreads(db, [...rows, ...moved].map(threadRefOf));
    await forgetKnownIdsOf(ctx, [...rows, ...moved]);
    return rows.map((row): MessageKey => [row.accountId, target, row.serverId]);
  });
}

export interface LocalDeletion {
  /** Now in the Trash. */
  trashed: MessageKey[];
  /** Deleted for good (they were in the Trash): their files go too. */
  removed: MessageKey[];
}

/**
 * Deletes here: to this computer's Trash, or for good from the Trash.
 * Either way the ledger remembers that the user deleted it.
 */
export async function deleteLocal(ctx: WriterContext, keys: MessageKey[], trash: string): Promise<LocalDeletion> {
  const db = ctx.db;
  const now = ctx.now();
  return db.transaction('rw', [db.messages, db.ledger, db.syncState], async () => {
    const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
    const entries = await db.ledger.bulkGet(rows.map((r): [string, string] => [r.accountId, r.serverId]));
    await forgetKnownIdsOf(ctx, rows.map((row) => ({ accountId: row.accountId, folder: POP3_FOLDER })));
    await db.ledger.bulkPut(
      rows.map((row, i): LedgerEntry => {
        const entry = entries[i];
        return entry
          ? { ...entry, deletedHereAt: entry.deletedHereAt ?? now }
          : { accountId: row.accountId, uidl: row.serverId, size: row.size, firstSeenAt: now, deletedHereAt: now };
      }),
    );
    const forGood = rows.filter((row) => row.folder === trash);
    await db.messages.bulkDelete(forGood.map(keyOf));
    await refreshThreads(db, forGood.map(threadRefOf));
    const trashed = await moveLocal(ctx, rows.filter((row) => row.folder !== trash).map(keyOf), trash);
    return { trashed, removed: forGood.map(keyOf) };
  });
}

/** Undoes a local deletion: back from the Trash, and no longer marked as deleted here. */
export async function restoreLocal(ctx: WriterContext, keys: MessageKey[], target: string): Promise<void> {
  const db = ctx.db;
  await db.transaction('rw', [db.messages, db.ledger, db.syncState], async () => {
    const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
    const entries = await db.ledger.bulkGet(rows.map((r): [string, string] => [r.accountId, r.serverId]));
    await forgetKnownIdsOf(ctx, rows.map((row) => ({ accountId: row.accountId, folder: POP3_FOLDER })));
    await db.ledger.bulkPut(
      entries
        .filter((e): e is LedgerEntry => e !== undefined && e.deletedOnServerAt === undefined)
        .map(({ deletedHereAt: _gone, ...entry }) => entry),
    );
    await moveLocal(ctx, keys, target);
  });
}
