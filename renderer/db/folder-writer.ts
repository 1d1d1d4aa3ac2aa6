/**
 * Folders kept on this computer alone (POP3): created, renamed or moved with
 * their messages' rows, and deleted for good with them. IMAP folders are the
 * server's, and come back through the folder list (writer.replaceFolders).
 * The files follow in main's message store (the caller tells it).
 */
import { isWithin, leafName } from '../../shared/folder-names';
import type { FolderMove } from '../../shared/folder-names';
import type { CachedFolder, MessageKey } from './rows';
import { deleteLocal, moveLocal } from './local-writer';
import { dropFolderMessages } from './row-writer';
import { folderMessages } from './queries';
import type { WriterContext } from './row-writer';

/** The delimiter of this computer's folders. */
export const LOCAL_DELIMITER = '/';

export async function addLocalFolder(ctx: WriterContext, accountId: string, path: string): Promise<void> {
  const db = ctx.db;
  await db.folders.put({ accountId, path, name: leafName(path, LOCAL_DELIMITER), delimiter: LOCAL_DELIMITER, subscribed: true, selectable: true });
}

/**
 * Gives folders (a folder and those below it) their new paths, their rows
 * with them: each message keeps its number in the search index and its
 * ledger entry, the folder its sync state, and changes queued for the
 * server follow. For this computer's folders (POP3), and for a server's
 * folders whose UIDs still name the same messages after RENAME. Returns the
 * keys the messages had, per move, for the store.
 */
export async function moveFolders(ctx: WriterContext, accountId: string, moves: readonly FolderMove[]): Promise<{ move: FolderMove; keys: MessageKey[] }[]> {
  const db = ctx.db;
  return db.transaction('rw', [db.folders, db.messages, db.syncState, db.pending, db.textQueue], async () => {
    const done: { move: FolderMove; keys: MessageKey[] }[] = [];
    for (const move of moves) {
      const folder = await db.folders.get([accountId, move.from]);
      if (folder) {
        await db.folders.delete([accountId, move.from]);
        await db.folders.put({ ...folder, path: move.to, name: leafName(move.to, folder.delimiter || LOCAL_DELIMITER) });
      }
      const state = await db.syncState.get([accountId, move.from]);
      if (state) {
        await db.syncState.delete([accountId, move.from]);
        await db.syncState.put({ ...state, folder: move.to });
      }
      const keys = await folderMessages(db, accountId, move.from).primaryKeys();
      await moveLocal(ctx, keys, move.to);
      await db.pending
        .where('accountId')
        .equals(accountId)
        .filter((op) => op.folder === move.from || op.target === move.from || op.undo.some((row) => row.folder === move.from))
        .modify((op) => {
          if (op.folder === move.from) op.folder = move.to;
          if (op.target === move.from) op.target = move.to;
          op.undo = op.undo.map((row) => (row.folder === move.from ? { ...row, folder: move.to } : row));
        });
      await db.textQueue
        .where('accountId')
        .equals(accountId)
        .filter((entry) => entry.folder === move.from)
        .modify((entry) => {
          entry.folder = move.to;
        });
      done.push({ move, keys });
    }
    return done;
  });
}

/**
 * Deletes folders for good (they were in the Trash, or the user said so):
 * their messages as a deletion from the Trash is (the ledger remembers them,
 * so no check downloads them again), then the folders. Returns the keys of
 * the messages removed, for the store.
 */
export async function deleteLocalFolders(ctx: WriterContext, accountId: string, paths: readonly string[]): Promise<MessageKey[]> {
  const db = ctx.db;
  return db.transaction('rw', [db.folders, db.messages, db.ledger, db.syncState, db.textQueue], async () => {
    const removed: MessageKey[] = [];
    for (const path of paths) {
      const keys = await folderMessages(db, accountId, path).primaryKeys();
      // Deleting "from the Trash" of this very folder: every row goes for good.
      removed.push(...(await deleteLocal(ctx, keys, path)).removed);
      await db.syncState.delete([accountId, path]);
      await db.textQueue
        .where('accountId')
        .equals(accountId)
        .filter((entry) => entry.folder === path)
        .delete();
      await db.folders.delete([accountId, path]);
    }
    return removed;
  });
}

/**
 * Rows left under paths that are no longer folders: a sync of the folder
 * that was already running when it was renamed or deleted may still write
 * under its old path after the folder list dropped it.
 */
export async function dropStaleFolders(ctx: WriterContext, accountId: string, paths: readonly string[]): Promise<void> {
  const db = ctx.db;
  await db.transaction('rw', [db.folders, db.messages, db.syncState, db.pending, db.textQueue], async () => {
    for (const path of paths) {
      if (await db.folders.get([accountId, path])) continue;
      await dropFolderMessages(ctx, accountId, path);
      await db.syncState.delete([accountId, path]);
      await db.pending.where('accountId').equals(accountId).filter((op) => op.folder === path).delete();
      await db.textQueue.where('accountId').equals(accountId).filter((entry) => entry.folder === path).delete();
    }
  });
}

/** A folder and those below it, deepest first. */
export async function localSubtree(ctx: WriterContext, accountId: string, path: string): Promise<CachedFolder[]> {
  const folders = await ctx.db.folders.where('accountId').equals(accountId).toArray();
  return folders.filter((f) => isWithin(f.path, path, f.delimiter || LOCAL_DELIMITER)).sort((a, b) => b.path.length - a.path.length);
}
