/**
 * Creating, renaming, moving and deleting folders, decided by what the
 * account's server can do (`serverFolders`), never by protocol name: on a
 * server that keeps folders main does it there and the folder list is read
 * again (a renamed folder syncs afresh under its new path, whatever its
 * UIDVALIDITY became); otherwise the folders are this computer's, and the
 * rows and main's store files move here.
 *
 * Deleting is Thunderbird's: the folder goes into the Trash with its mail
 * and subfolders; one already in the Trash is deleted for good.
 */
import { TwinboxError } from '../../shared/errors';
import { childPath, freeName, isProtectedFolder, isWithin, leafName, nameProblem, parentPath, rebase } from '../../shared/folder-names';
import type { FolderDeleted, FolderMove } from '../../shared/folder-names';
import type { AdapterCapabilities } from '../../shared/model';
import { LOCAL_DELIMITER } from '../db/folder-writer';
import type { CachedFolder } from '../db/rows';
import { t } from '../i18n';
import type { CacheWriter } from '../db/writer';
import type { TwinboxClient } from '../ipc/twinbox-client';
import type { ImapMode } from './imap-mode';
import { StoreMirror } from './store-mirror';

export interface FolderAdminDeps {
  client: TwinboxClient;
  writer: CacheWriter;
  imap: ImapMode;
  capabilities(accountId: string): Promise<AdapterCapabilities>;
  /** Syncs folders in the background (the engine's syncNow). */
  syncNow(accountId: string, folders?: string[]): Promise<void>;
}

/** What deleting a folder will do, for the confirmation. */
export interface DeletePlan {
  /** Messages in the folder and its subfolders, as this computer knows them. */
  messages: number;
  subfolders: number;
  /** Into the Trash, or for good (the folder is in the Trash, or there is none here to go to). */
  into: 'trash' | 'forever';
  /** The Trash's name as the sidebar shows it. */
  /** Absent when the account has no Trash yet (the server makes one): the dialog names it in the user's language. */
  trashName?: string;
}

export class FolderAdmin {
  private readonly store: StoreMirror;

  constructor(private readonly deps: FolderAdminDeps) {
    this.store = new StoreMirror(deps.client);
  }

  /** The delimiter between a folder and its subfolders on this account. */
  async delimiter(accountId: string, parent?: string): Promise<string> {
    const folders = await this.folders(accountId);
    const listed = parent === undefined ? undefined : folders.find((f) => f.path === parent)?.delimiter;
    if (listed !== undefined && listed !== '') return listed;
    const inbox = folders.find((f) => f.path.toUpperCase() === 'INBOX')?.delimiter;
    return inbox || folders.find((f) => f.delimiter !== '')?.delimiter || '';
  }

  /** Why `name` cannot be used under `parent` (undefined: the top level), in a sentence; undefined when it can. */
  async nameProblem(accountId: string, parent: string | undefined, name: string, renaming?: string): Promise<string | undefined> {
    const folders = await this.folders(accountId);
    const separator = await this.delimiter(accountId, parent);
    const siblings = folders.filter((f) => f.path !== renaming && parentPath(f.path, separator) === parent).map((f) => leafName(f.path, separator));
    const problem = nameProblem(name, separator, siblings, parent === undefined);
    return problem === undefined ? undefined : t(`folders:nameProblem.${problem}`, { separator });
  }

  /** Whether a folder may be renamed, moved or deleted: not a special folder, and holding none. */
  async isProtected(accountId: string, path: string): Promise<boolean> {
    const folders = await this.folders(accountId);
    const separator = folders.find((f) => f.path === path)?.delimiter ?? '';
    return isProtectedFolder(folders, path, separator);
  }

  async planDelete(accountId: string, path: string): Promise<DeletePlan> {
    const folders = await this.folders(accountId);
    const separator = folders.find((f) => f.path === path)?.delimiter ?? '';
    const subtree = folders.filter((f) => isWithin(f.path, path, separator));
    const trash = folders.find((f) => f.specialUse === 'trash');
    const serverFolders = (await this.deps.capabilities(accountId)).serverFolders;
    const messages = (serverFolders ? await this.serverCount(accountId, subtree) : undefined) ?? (await this.cachedCount(accountId, subtree));
    // A server without a Trash gets one (main creates it); this computer's folders always have one.
    const inTrash = trash !== undefined && isWithin(path, trash.path, separator);
    const noTrashHere = trash === undefined && !serverFolders;
    return {
      messages,
      subfolders: subtree.length - 1,
      into: inTrash || noTrashHere || separator === '' ? 'forever' : 'trash',
      ...(trash ? { trashName: trash.name } : {}),
    };
  }

  /** Creates a folder; returns its path. */
  async create(accountId: string, parent: string | undefined, name: string): Promise<string> {
    if ((await this.deps.capabilities(accountId)).serverFolders) {
      const { path } = await this.deps.client.call('folders.create', { accountId, ...(parent === undefined ? {} : { parent }), name: name.trim() });
      await this.refreshList(accountId, [path]);
      return path;
    }
    await this.checkName(accountId, parent, name);
    const path = childPath(parent, name.trim(), LOCAL_DELIMITER);
    await this.deps.writer.addLocalFolder(accountId, path);
    return path;
  }

  /** Renames a folder, or moves it under another parent (undefined: the top level); returns its new path. */
  async rename(accountId: string, path: string, place: { parent: string | undefined; name: string }): Promise<string> {
    if ((await this.deps.capabilities(accountId)).serverFolders) {
      const renamed = await this.deps.client.call('folders.rename', {
        accountId,
        folder: path,
        ...(place.parent === undefined ? {} : { parent: place.parent }),
        name: place.name.trim(),
      });
      await this.followServerMoves(accountId, renamed.moved);
      return renamed.path;
    }
    if (await this.isProtected(accountId, path)) throw new TwinboxError('FOLDER_PROTECTED', `“${path}” is a special folder`);
    if (place.parent !== undefined && isWithin(place.parent, path, LOCAL_DELIMITER)) {
      throw new TwinboxError('FOLDER_NAME_INVALID', `“${path}” cannot be moved into itself or one of its subfolders`);
    }
    await this.checkName(accountId, place.parent, place.name, path);
    const target = childPath(place.parent, place.name.trim(), LOCAL_DELIMITER);
    if (target !== path) await this.moveLocal(accountId, path, target);
    return target;
  }

  /** Into the Trash with its mail and subfolders, or for good when it is in the Trash already. */
  async delete(accountId: string, path: string): Promise<FolderDeleted> {
    if ((await this.deps.capabilities(accountId)).serverFolders) {
      const deleted = await this.deps.client.call('folders.delete', { accountId, folder: path, mode: 'trash' });
      if (deleted.kind === 'trashed') await this.followServerMoves(accountId, deleted.moved);
      else await this.refreshList(accountId, [], deleted.removed);
      return deleted;
    }
    if (await this.isProtected(accountId, path)) throw new TwinboxError('FOLDER_PROTECTED', `“${path}” is a special folder`);
    const folders = await this.folders(accountId);
    const trash = folders.find((f) => f.specialUse === 'trash')?.path;
    if (trash !== undefined && !isWithin(path, trash, LOCAL_DELIMITER)) {
      const taken = folders.filter((f) => parentPath(f.path, LOCAL_DELIMITER) === trash).map((f) => leafName(f.path, LOCAL_DELIMITER));
      const target = childPath(trash, freeName(leafName(path, LOCAL_DELIMITER), taken), LOCAL_DELIMITER);
      return { kind: 'trashed', path: target, moved: await this.moveLocal(accountId, path, target) };
    }
    const doomed = (await this.deps.writer.localSubtree(accountId, path)).map((f) => f.path);
    const removed = await this.deps.writer.deleteLocalFolders(accountId, doomed);
    await this.store.removed(removed);
    return { kind: 'deleted', removed: doomed };
  }

  private async moveLocal(accountId: string, path: string, target: string): Promise<FolderMove[]> {
    const subtree = await this.deps.writer.localSubtree(accountId, path);
    const moves = subtree.map((f): FolderMove => ({ from: f.path, to: rebase(f.path, path, target) }));
    await this.deps.writer.moveFolders(accountId, moves);
    // Every file the store keeps there, whether or not a row knows it, so that nothing stays behind under the old name.
    for (const move of moves) {
      const { messages } = await this.deps.client.call('store.list', { accountId, folder: move.from });
      if (messages.length === 0) continue;
      await this.store.moved(
        messages.map((m) => [accountId, move.from, m.serverId]),
        move.to,
      );
    }
    return moves;
  }

  private async checkName(accountId: string, parent: string | undefined, name: string, renaming?: string): Promise<void> {
    if (parent !== undefined && !(await this.folders(accountId)).some((f) => f.path === parent)) {
      throw new TwinboxError('MAILBOX_NOT_FOUND', `there is no folder “${parent}” here`);
    }
    const problem = await this.nameProblem(accountId, parent, name, renaming);
    if (problem === undefined) return;
    const siblings = await this.folders(accountId);
    const exists = siblings.some((f) => f.path !== renaming && f.path === childPath(parent, name.trim(), LOCAL_DELIMITER));
    throw new TwinboxError(exists ? 'FOLDER_EXISTS' : 'FOLDER_NAME_INVALID', problem);
  }

  /** What the server holds in these folders now (a folder not yet synced here counts too); undefined when it cannot say. */
  private async serverCount(accountId: string, folders: readonly CachedFolder[]): Promise<number | undefined> {
    const paths = folders.filter((f) => f.selectable).map((f) => f.path);
    if (paths.length === 0) return 0;
    try {
      const counts = await this.deps.client.call('mail.folderCounts', { accountId, paths });
      return counts.reduce((sum, count) => sum + count.total, 0);
    } catch {
      return undefined;
    }
  }

  private async cachedCount(accountId: string, folders: readonly CachedFolder[]): Promise<number> {
    const counts = await this.deps.writer.db.folderCounts.bulkGet(folders.map((f): [string, string] => [accountId, f.path]));
    return counts.reduce((sum, count) => sum + (count?.total ?? 0), 0);
  }

  /**
   * The cache follows a RENAME on the server: where the UIDs still name the
   * same messages, the rows move along and the next sync is the usual small
   * one; where the server gave the folder a new UIDVALIDITY (or could not
   * say), the folder list drops the old rows and the folder syncs afresh.
   */
  private async followServerMoves(accountId: string, moves: readonly FolderMove[]): Promise<void> {
    await this.deps.writer.moveFolders(
      accountId,
      moves.filter((move) => move.uidValidityKept === true),
    );
    await this.refreshList(
      accountId,
      moves.map((move) => move.to),
      moves.map((move) => move.from),
    );
  }

  /**
   * The server's folder list again (which drops the old paths' rows); the
   * new paths sync in the background, and then whatever a sync already
   * running wrote under the old paths goes too.
   */
  private async refreshList(accountId: string, paths: string[], gone: string[] = []): Promise<void> {
    const account = await this.deps.writer.db.accounts.get(accountId);
    if (!account) return;
    await this.deps.imap.syncFolderList(account);
    void this.deps
      .syncNow(accountId, paths.length > 0 ? paths : ['INBOX'])
      .then(() => this.deps.writer.dropStaleFolders(accountId, gone))
      .catch(() => undefined);
  }

  private folders(accountId: string): Promise<CachedFolder[]> {
    return this.deps.writer.db.folders.where('accountId').equals(accountId).toArray();
  }
}
