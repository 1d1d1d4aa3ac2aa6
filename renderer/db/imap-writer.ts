/**
 * IMAP: the cache mirrors the server. Each sync delta is applied with the
 * sync state it leads to in one transaction, so the two cannot disagree.
 * A change the user made here that the server has not confirmed yet (a
 * pending operation) wins over what a sync says, until it is confirmed.
 */
import type { SyncDelta } from '../../shared/model';
import type { CachedMessage, MessageKey } from './rows';
import { dropFolderMessages, forgetKnownIds, numberNew, toCachedMessage } from './row-writer';
import { flagBit } from './rows';
import type { WriterContext } from './row-writer';
import { closeThreadBook, hasThreadBook, openThreadBook, putWithThreads, refreshThreads, threadRefOf } from './threads';

export async function applyImapDelta(ctx: WriterContext, accountId: string, folder: string, delta: SyncDelta): Promise<void> {
  const db = ctx.db;
  // Only the tables each kind touches: a write waits for every reader of the tables it names (the
  // views' live queries re-run after each commit), so the last delta of a resync, which writes only
  // the sync state, does not queue behind a count of the whole folder.
  const tables = {
    reset: [db.messages, db.syncState, db.pending, db.textQueue],
    vanished: [db.messages, db.syncState],
    flags: [db.messages, db.pending],
    messages: [db.messages, db.syncState, db.pending, db.counters, db.textQueue],
    done: [db.syncState],
  }[delta.kind];
  await db.transaction('rw', tables, async () => {
    switch (delta.kind) {
      case 'reset': {
        await dropFolderMessages(ctx, accountId, folder);
        // UIDs of the old UIDVALIDITY mean nothing now, and neither do operations on them or texts to index.
        await db.pending.where('accountId').equals(accountId).filter((op) => op.folder === folder).delete();
        await db.textQueue.where('accountId').equals(accountId).filter((entry) => entry.folder === folder).delete();
        await db.syncState.put({ accountId, folder, protocol: 'imap', uidValidity: delta.uidValidity, serverTotal: 0 });
        // Empty now, and filled by this sync: its threads can be followed without asking for their members.
        openThreadBook(db, accountId, folder);
        return;
      }
      case 'vanished': {
        const keys = delta.serverIds.map((id): MessageKey => [accountId, folder, id]);
        const gone = (await db.messages.bulkGet(keys)).filter((row): row is CachedMessage => row !== undefined);
        await db.messages.bulkDelete(keys);
        await refreshThreads(db, gone.map(threadRefOf));
        await forgetKnownIds(ctx, accountId, [folder]);
        return;
      }
      case 'flags': {
        const held = await heldByPending(ctx, accountId, folder, ['setFlags', 'delete', 'move']);
        const rows = await db.messages.bulkGet(delta.changes.map((c): MessageKey => [accountId, folder, c.serverId]));
        const updated: CachedMessage[] = [];
        delta.changes.forEach((change, i) => {
          const row = rows[i];
          // A change the user made here and the server has not confirmed yet wins until it is.
          if (!row || held.has(change.serverId)) return;
          updated.push({
            ...row,
            flags: change.flags,
            seen: flagBit(change.flags, '\\Seen'),
            flagged: flagBit(change.flags, '\\Flagged'),
            ...(change.modseq === undefined ? {} : { modseq: change.modseq }),
          });
        });
        await db.messages.bulkPut(updated);
        return;
      }
      case 'messages': {
        const held = await heldByPending(ctx, accountId, folder, ['delete', 'move']);
        const fresh = delta.summaries.filter((s) => !held.has(s.serverId));
        // A folder filled from empty by this sync has no earlier version of a row this sync has not sent.
        const previous = hasThreadBook(db, accountId, folder)
          ? fresh.map(() => undefined)
          : await db.messages.bulkGet(fresh.map((s): MessageKey => [accountId, folder, s.serverId]));
        const rows = fresh.map((summary, i) => toCachedMessage(accountId, folder, summary, previous[i]));
        // A message the cache had is indexed already; a new one's words come in the background (its body's when it is read).
        const added = rows.filter((row) => row.docId === 0);
        await numberNew(ctx, added);
        if (added.length > 0) await db.textQueue.add({ accountId, folder, serverIds: added.map((row) => row.serverId), body: false });
        await putWithThreads(db, rows, previous);
        await forgetKnownIds(ctx, accountId, [folder]);
        return;
      }
      case 'done': {
        closeThreadBook(db, accountId, folder);
        if (delta.state.protocol !== 'imap') return;
        await db.syncState.put({
          accountId,
          folder,
          protocol: 'imap',
          ...(delta.state.uidValidity === undefined ? {} : { uidValidity: delta.state.uidValidity }),
          ...(delta.state.highestModseq === undefined ? {} : { highestModseq: delta.state.highestModseq }),
          ...(delta.uidNext === undefined ? {} : { uidNext: delta.uidNext }),
          serverTotal: delta.total,
          completedAt: ctx.now(),
          // What main now counts as known: the rows here, plus any a pending deletion or move holds back
          // (those come back through failPending or undoPending, which forget this).
          knownUids: delta.state.knownUids,
        });
        return;
      }
    }
  });
}

/** Server ids with an operation of these kinds still waiting for the server. */
export async function heldByPending(ctx: WriterContext, accountId: string, folder: string, kinds: readonly string[]): Promise<Set<string>> {
  const ops = await ctx.db.pending
    .where('accountId')
    .equals(accountId)
    .filter((op) => op.folder === folder && op.status !== 'failed' && kinds.includes(op.kind))
    .toArray();
  return new Set(ops.flatMap((op) => op.serverIds));
}
