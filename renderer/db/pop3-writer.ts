/**
 * POP3: the cache is the index of mail this computer keeps. Main's message
 * store has each message's bytes (flushed) before the page hears of it; a
 * delta's rows and ledger entries are committed here together, and then the
 * store is told (`store.settle`). The ledger decides what the server may
 * delete: only what is committed here, and the entries a deletion names are
 * written again, flushed (strict durability), before the DELE is sent.
 */
import { Dexie } from 'dexie';
import type { StoredSummary, SyncDelta } from '../../shared/model';
import type { CachedMessage, LedgerEntry, TextQueueEntry } from './rows';
import type { TwinboxDatabase } from './schema';
import { LOCAL_FOLDERS, forgetKnownIdsOf, numberNew, toCachedMessage } from './row-writer';
import { POP3_FOLDER } from './rows';
import type { WriterContext } from './row-writer';
import { putWithThreads } from './threads';

export interface Pop3Applied {
  /** UIDLs committed by this delta (row and ledger entry together). */
  committed: string[];
  /** UIDLs offered again that the ledger already had: not shown twice. */
  skipped: string[];
  /** Of those, the ones whose row is here, and in which folder: their files belong there. */
  present: { serverId: string; folder: string }[];
  /** Of those, the ones deleted here for good: their downloaded files go. */
  discard: string[];
}

const TRASH = LOCAL_FOLDERS.find((folder) => folder.specialUse === 'trash')?.path ?? 'Trash';

/**
 * Applies one POP3 sync delta. Messages the server no longer has stay here:
 * on POP3 this computer holds the only copy. `ledgered`, when given, holds
 * every UIDL the ledger has an entry for (see ledgerUidls): only those are
 * read from the ledger before a message is committed, and the ones this
 * delta commits are added to it.
 */
export async function applyPop3Delta(ctx: WriterContext, accountId: string, delta: SyncDelta, ledgered?: Set<string>): Promise<Pop3Applied> {
  const db = ctx.db;
  const now = ctx.now();
  const applied: Pop3Applied = { committed: [], skipped: [], present: [], discard: [] };
  await db.transaction('rw', [db.messages, db.folders, db.syncState, db.ledger, db.counters, db.textQueue], async () => {
    switch (delta.kind) {
      case 'vanished': {
        const state = await db.syncState.get([accountId, POP3_FOLDER]);
        const recorded = new Set(state?.goneUidls ?? []);
        const fresh = delta.serverIds.filter((uidl) => !recorded.has(uidl));
        if (fresh.length === 0) return;
        const entries = await db.ledger.bulkGet(fresh.map((uidl): [string, string] => [accountId, uidl]));
        await db.ledger.bulkPut(entries.filter((e) => e !== undefined).map((e) => ({ ...e, deletedOnServerAt: e.deletedOnServerAt ?? now })));
        await db.syncState.put({
          ...(state ?? { accountId, folder: POP3_FOLDER, protocol: 'pop3', serverTotal: 0 }),
          goneUidls: [...recorded, ...fresh],
        });
        return;
      }
      case 'messages': {
        const partial = new Set(delta.partial);
        // Main offers only what its store does not hold, so normally none of these has an entry: read just those that do.
        const lookups = delta.summaries.filter((s) => ledgered === undefined || ledgered.has(s.serverId));
        const found = new Map(
          (await db.ledger.bulkGet(lookups.map((s): [string, string] => [accountId, s.serverId]))).flatMap((e) => (e ? [[e.uidl, e] as const] : [])),
        );
        const entries = delta.summaries.map((s) => found.get(s.serverId));
        const rows: CachedMessage[] = [];
        const ledgerRows: LedgerEntry[] = [];
        const again: string[] = [];
        delta.summaries.forEach((summary, i) => {
          const entry = entries[i];
          // The ledger, not the server, decides: committed or deleted here means never again.
          if (entry?.committedAt !== undefined || entry?.deletedHereAt !== undefined) {
            applied.skipped.push(summary.serverId);
            again.push(summary.serverId);
            return;
          }
          const row = toCachedMessage(accountId, POP3_FOLDER, summary);
          row.partial = partial.has(summary.serverId) ? 1 : 0;
          rows.push(row);
          ledgerRows.push({
            accountId,
            uidl: summary.serverId,
            size: summary.size,
            firstSeenAt: entry?.firstSeenAt ?? now,
            ...(row.partial === 0 ? { downloadedAt: now } : {}),
            committedAt: now,
          });
          applied.committed.push(summary.serverId);
        });
        await numberNew(ctx, rows);
        await putWithThreads(db, rows);
        await db.ledger.bulkPut(ledgerRows);
        for (const entry of ledgerRows) ledgered?.add(entry.uidl);
        // Searchable once background indexing has read them: whole messages with their text, header blocks by their summary.
        await enqueue(db, accountId, rows);
        if (again.length > 0) {
          // Offered again because the store had lost its file (the index had not): the row, if any, says where it belongs.
          const found = await rowsAnywhere(db, accountId, again);
          for (const uidl of again) {
            const row = found.get(uidl);
            if (row) applied.present.push({ serverId: uidl, folder: row.folder });
            else applied.discard.push(uidl);
          }
        }
        return;
      }
      case 'done': {
        const state = await db.syncState.get([accountId, POP3_FOLDER]);
        await db.syncState.put({
          accountId,
          folder: POP3_FOLDER,
          protocol: 'pop3',
          serverTotal: delta.total,
          completedAt: now,
          ...(state?.goneUidls === undefined ? {} : { goneUidls: state.goneUidls }),
        });
        return;
      }
      case 'reset':
      case 'flags':
        // POP3 has neither UIDVALIDITY nor server flags.
        return;
    }
  });
  return applied;
}

/**
 * Records, flushed to disk before it returns, that the server is about to
 * be asked to delete these; returns the ones it may be asked for: committed
 * here, or deleted here by the user.
 */
export async function markDeleting(strict: TwinboxDatabase, accountId: string, uidls: readonly string[], now: number): Promise<string[]> {
  return strict.transaction('rw', strict.ledger, async () => {
    const entries = await strict.ledger.bulkGet(uidls.map((uidl): [string, string] => [accountId, uidl]));
    const safe = entries.filter((e): e is LedgerEntry => e !== undefined && (e.committedAt !== undefined || e.deletedHereAt !== undefined));
    await strict.ledger.bulkPut(safe.map((e) => ({ ...e, deleteRequestedAt: now })));
    return safe.map((e) => e.uidl);
  });
}

/** The server confirmed these deletions (QUIT after DELE), or no longer had them. */
export async function recordServerDeletions(ctx: WriterContext, accountId: string, uidls: readonly string[]): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction('rw', ctx.db.ledger, async () => {
    const entries = await ctx.db.ledger.bulkGet(uidls.map((uidl): [string, string] => [accountId, uidl]));
    await ctx.db.ledger.bulkPut(entries.filter((e) => e !== undefined).map((e) => ({ ...e, deletedOnServerAt: e.deletedOnServerAt ?? now })));
  });
}

export interface Adopted {
  /** Rows made from the store's files. */
  created: { folder: string; serverId: string }[];
  /** Files whose rows the index has (in the folder given). */
  present: { folder: string; serverId: string }[];
  /** Files of messages the user deleted here for good: the store drops them. */
  discard: { folder: string; serverId: string }[];
}

/**
 * Rows and ledger entries for messages the store has and the index does
 * not: files a crash left before their commit, or a whole index lost.
 * `deletedHere` are UIDLs the store records as deleted here for good.
 */
export async function adoptStored(ctx: WriterContext, accountId: string, items: readonly StoredSummary[], deletedHere: readonly string[] = []): Promise<Adopted> {
  const db = ctx.db;
  const now = ctx.now();
  const adopted: Adopted = { created: [], present: [], discard: [] };
  await db.transaction('rw', [db.messages, db.folders, db.syncState, db.ledger, db.counters, db.textQueue], async () => {
    const serverIds = items.map((item) => item.serverId);
    const existing = await rowsAnywhere(db, accountId, serverIds, new Set(items.map((item) => item.folder)));
    const entries = new Map(
      (await db.ledger.bulkGet([...serverIds, ...deletedHere].map((uidl): [string, string] => [accountId, uidl]))).flatMap((e) => (e ? [[e.uidl, e] as const] : [])),
    );
    const rows: CachedMessage[] = [];
    const ledgerRows: LedgerEntry[] = [];
    for (const item of items) {
      const row = existing.get(item.serverId);
      if (row) {
        adopted.present.push({ folder: row.folder, serverId: item.serverId });
        continue;
      }
      const entry = entries.get(item.serverId);
      if (item.kind === 'server' && entry?.deletedHereAt !== undefined && item.folder !== TRASH) {
        adopted.discard.push({ folder: item.folder, serverId: item.serverId });
        continue;
      }
      const fresh = toCachedMessage(accountId, item.folder, item.summary);
      fresh.partial = item.partial ? 1 : 0;
      rows.push(fresh);
      adopted.created.push({ folder: item.folder, serverId: item.serverId });
      if (item.kind === 'server' && entry?.committedAt === undefined) {
        ledgerRows.push({
          ...(entry ?? {}),
          accountId,
          uidl: item.serverId,
          size: item.size,
          firstSeenAt: entry?.firstSeenAt ?? now,
          ...(item.partial ? {} : { downloadedAt: now }),
          committedAt: now,
          // In the Trash means deleted here: the "until deleted here" policy goes on counting it.
          ...(item.folder === TRASH ? { deletedHereAt: entry?.deletedHereAt ?? now } : {}),
        });
      }
    }
    for (const uidl of deletedHere) {
      const entry = entries.get(uidl);
      if (entry?.deletedHereAt === undefined) ledgerRows.push({ ...(entry ?? {}), accountId, uidl, size: entry?.size ?? 0, firstSeenAt: entry?.firstSeenAt ?? now, deletedHereAt: now });
    }
    await numberNew(ctx, rows);
    await putWithThreads(db, rows);
    await db.ledger.bulkPut(ledgerRows);
    await enqueue(db, accountId, rows);
    await forgetKnownIdsOf(ctx, rows);
  });
  return adopted;
}

/** Queues new rows for background indexing, per folder: whole messages with their bodies, header blocks by their summaries. */
async function enqueue(db: TwinboxDatabase, accountId: string, rows: readonly CachedMessage[]): Promise<void> {
  const groups = new Map<string, TextQueueEntry>();
  for (const row of rows) {
    const body = row.partial === 0;
    const name = `${row.folder}\u0000${body}`;
    const entry = groups.get(name) ?? { accountId, folder: row.folder, serverIds: [], body };
    entry.serverIds.push(row.serverId);
    groups.set(name, entry);
  }
  if (groups.size > 0) await db.textQueue.bulkAdd([...groups.values()]);
}

/** Rows with these server ids in any of the account's folders (a POP3 message may have moved to a local one). */
async function rowsAnywhere(db: TwinboxDatabase, accountId: string, serverIds: readonly string[], alsoIn: ReadonlySet<string> = new Set()): Promise<Map<string, CachedMessage>> {
  const folders = new Set([...LOCAL_FOLDERS.map((f) => f.path), ...alsoIn, ...(await db.folders.where('accountId').equals(accountId).primaryKeys()).map((key) => key[1])]);
  const found = new Map<string, CachedMessage>();
  for (const folder of folders) {
    const rows = await db.messages.bulkGet(serverIds.map((id): [string, string, string] => [accountId, folder, id]));
    for (const row of rows) if (row) found.set(row.serverId, row);
  }
  return found;
}

/** Every UIDL the ledger has an entry for: keys only, read once per check that brings new mail. */
export async function ledgerUidls(db: TwinboxDatabase, accountId: string): Promise<Set<string>> {
  const keys = await db.ledger.where('[accountId+uidl]').between([accountId, Dexie.minKey], [accountId, Dexie.maxKey], true, true).primaryKeys();
  return new Set(keys.map((key) => key[1]));
}

/** How many rows an account has: compared with the store's count to find an index that lost some. From the kept counts: counting the rows walks every one. */
export async function countRows(db: TwinboxDatabase, accountId: string): Promise<number> {
  const folders = await db.folderCounts.where('[accountId+folder]').between([accountId, Dexie.minKey], [accountId, Dexie.maxKey], true, true).toArray();
  return folders.reduce((sum, folder) => sum + folder.total, 0);
}
