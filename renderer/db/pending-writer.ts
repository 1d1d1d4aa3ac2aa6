/**
 * Changes the user makes, and the queue that carries them to the server.
 * Each action writes its optimistic change and the pending operation that
 * will carry it to the server in one transaction, so a reload can neither
 * lose the change nor forget to send it; the server's answer clears the
 * operation or rolls the change back.
 */
import type { CachedMessage, MessageKey, PendingOperation } from './rows';
import { forgetKnownIds, forgetKnownIdsOf } from './row-writer';
import { flagBit, keyOf } from './rows';
import type { WriterContext } from './row-writer';
import { refreshThreads, threadRefOf } from './threads';

/**
 * Changes flags here at once. With `serverBacked`, a pending operation
 * records the change (and how to undo it) for the server, in the same
 * transaction; without it (POP3), the change is this computer's alone.
 * Returns the operation's id, and the rows as they now are.
 */
export async function changeFlags(
  ctx: WriterContext,
  keys: MessageKey[],
  change: { add?: string[]; remove?: string[] },
  serverBacked: boolean,
): Promise<{ id: number | undefined; rows: CachedMessage[] }> {
  const db = ctx.db;
  return db.transaction('rw', [db.messages, db.pending], async () => {
    const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
    const lower = (list: string[] | undefined): Set<string> => new Set((list ?? []).map((f) => f.toLowerCase()));
    const adding = lower(change.add);
    const removing = lower(change.remove);
    const updated = rows.map((row) => {
      const flags = row.flags.filter((f) => !removing.has(f.toLowerCase()) && !adding.has(f.toLowerCase()));
      flags.push(...(change.add ?? []));
      return { ...row, flags, seen: flagBit(flags, '\\Seen'), flagged: flagBit(flags, '\\Flagged') };
    });
    await db.messages.bulkPut(updated);
    return { id: serverBacked ? await queue(ctx, rows, { kind: 'setFlags', ...change }) : undefined, rows: updated };
  });
}

/**
 * Deletes on the server (IMAP): the rows leave this view at once and the
 * deletion is queued, to be sent after `delayMs` (the undo window).
 */
export async function deleteOnServer(ctx: WriterContext, keys: MessageKey[], options: { expunge?: boolean; delayMs?: number } = {}): Promise<number | undefined> {
  const db = ctx.db;
  return db.transaction('rw', [db.messages, db.pending, db.syncState], async () => {
    const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
    await db.messages.bulkDelete(rows.map(keyOf));
    await refreshThreads(db, rows.map(threadRefOf));
    await forgetKnownIdsOf(ctx, rows);
    return queue(ctx, rows, { kind: 'delete', ...(options.expunge === undefined ? {} : { expunge: options.expunge }) }, options.delayMs);
  });
}

/** Moves on the server (IMAP): out of this folder here at once; the target shows them after its next sync. */
export async function moveOnServer(ctx: WriterContext, keys: MessageKey[], target: string, options: { delayMs?: number } = {}): Promise<number | undefined> {
  const db = ctx.db;
  return db.transaction('rw', [db.messages, db.pending, db.syncState], async () => {
    const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
    await db.messages.bulkDelete(rows.map(keyOf));
    await refreshThreads(db, rows.map(threadRefOf));
    await forgetKnownIdsOf(ctx, rows);
    return queue(ctx, rows, { kind: 'move', target }, options.delayMs);
  });
}

export async function markPendingRunning(ctx: WriterContext, id: number): Promise<void> {
  await ctx.db.pending.update(id, { status: 'running' });
}

/** The server did it: the optimistic change is now simply true. */
export async function completePending(ctx: WriterContext, id: number): Promise<void> {
  await ctx.db.pending.delete(id);
}

/** The connection failed, not the operation: try again later. */
export async function requeuePending(ctx: WriterContext, id: number): Promise<void> {
  await ctx.db.transaction('rw', ctx.db.pending, async () => {
    const op = await ctx.db.pending.get(id);
    if (op) await ctx.db.pending.put({ ...op, status: 'queued', attempts: op.attempts + 1 });
  });
}

/**
 * The server refused: put back what the user saw before (unless a sync has
 * since replaced those rows), and keep the operation as failed with the
 * reason, for the UI to show.
 */
export async function failPending(ctx: WriterContext, id: number, error: { code: string; text: string }): Promise<void> {
  const db = ctx.db;
  await db.transaction('rw', [db.messages, db.pending, db.syncState], async () => {
    const op = await db.pending.get(id);
    if (!op) return;
    await forgetKnownIds(ctx, op.accountId, [op.folder]);
    await putBack(ctx, op);
    await db.pending.put({ ...op, status: 'failed', error, attempts: op.attempts + 1 });
  });
}

export async function dismissFailed(ctx: WriterContext, id: number): Promise<void> {
  await ctx.db.pending.delete(id);
}

/**
 * Takes back a change the server has not been sent yet: the rows return as
 * they were and the operation is dropped. False when it is too late.
 */
export async function undoPending(ctx: WriterContext, id: number): Promise<boolean> {
  const db = ctx.db;
  return db.transaction('rw', [db.messages, db.pending, db.syncState], async () => {
    const op = await db.pending.get(id);
    if (op?.status !== 'queued') return false;
    await forgetKnownIds(ctx, op.accountId, [op.folder]);
    await putBack(ctx, op);
    await db.pending.delete(id);
    return true;
  });
}

async function putBack(ctx: WriterContext, op: PendingOperation): Promise<void> {
  const db = ctx.db;
  if (op.kind === 'setFlags') {
    const current = await db.messages.bulkGet(op.undo.map(keyOf));
    await db.messages.bulkPut(
      op.undo.flatMap((before, i) => {
        const now = current[i];
        return now ? [{ ...now, flags: before.flags, seen: before.seen, flagged: before.flagged }] : [];
      }),
    );
  } else {
    await db.messages.bulkPut(op.undo);
    await refreshThreads(db, op.undo.map(threadRefOf));
  }
}

async function queue(
  ctx: WriterContext,
  rows: CachedMessage[],
  what: Pick<PendingOperation, 'kind' | 'add' | 'remove' | 'target' | 'expunge'>,
  delayMs = 0,
): Promise<number | undefined> {
  const first = rows[0];
  if (!first) return undefined;
  const now = ctx.now();
  return ctx.db.pending.add({
    accountId: first.accountId,
    folder: first.folder,
    serverIds: rows.map((r) => r.serverId),
    ...what,
    undo: rows,
    status: 'queued',
    createdAt: now,
    ...(delayMs > 0 ? { notBefore: now + delayMs } : {}),
    attempts: 0,
  });
}
