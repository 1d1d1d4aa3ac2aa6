/**
 * Creating, renaming, moving and deleting folders on the server (CREATE,
 * RENAME, DELETE, SUBSCRIBE, UNSUBSCRIBE), as Thunderbird does: names are
 * joined with the delimiter the server lists, the special-use folders are
 * refused before anything is sent, and a deleted folder goes into the Trash
 * with its mail unless it is there already.
 *
 * Each operation lists the folders first: the page's list may be stale, and
 * the server's is what decides delimiters, siblings and special uses.
 */
import { TwinboxError } from '../../../shared/errors';
import { childPath, freeName, isProtectedFolder, isWithin, leafName, nameProblem, parentPath, rebase } from '../../../shared/folder-names';
import type { FolderDeleted, FolderMove, FolderRenamed } from '../../../shared/folder-names';
import type { Folder } from '../../../shared/model';
import { folderCounts, listFolders } from './folders';
import type { SpecialFolders } from './folders';
import type { ImapSession } from './session';

/** What the caller asks for a new or renamed folder: the parent (undefined: the top level) and the name. */
export interface FolderPlace {
  parent: string | undefined;
  name: string;
}

/** Creates a folder and subscribes to it. Returns its path as the server spells it. */
export async function createFolder(session: ImapSession, specialFolders: SpecialFolders, place: FolderPlace): Promise<string> {
  const folders = await listFolders(session, specialFolders);
  const parent = effectiveParent(session, folders, place.parent);
  const separator = separatorUnder(session, folders, parent);
  const name = checkedName(place.name, separator, folders, parent, place.parent === undefined);
  const path = childPath(parent, name, separator);
  const created = await session.expect(`CREATE ${path}`, () => session.client.mailboxCreate(path));
  // imapflow answers NO [ALREADYEXISTS] (RFC 5530) with created: false; for the user it is a refusal.
  if (!created.created) throw new TwinboxError('FOLDER_EXISTS', `the server already has a folder “${path}”`);
  await listFolders(session, specialFolders);
  return created.path;
}

/** Renames a folder, or moves it under another parent (or to the top level); its subfolders and mail go with it. */
export async function renameFolder(session: ImapSession, specialFolders: SpecialFolders, path: string, place: FolderPlace): Promise<FolderRenamed> {
  const folders = await listFolders(session, specialFolders);
  const source = modifiable(folders, path);
  const parent = effectiveParent(session, folders, place.parent);
  const separator = source.delimiter;
  if (parent !== undefined && isWithin(parent, path, separator)) {
    throw new TwinboxError('FOLDER_NAME_INVALID', `“${path}” cannot be moved into itself or one of its subfolders`);
  }
  const name = checkedName(place.name, separator, folders.filter((f) => f.path !== path), parent, place.parent === undefined);
  const target = childPath(parent, name, separator);
  if (target === path) return { path, moved: [] };
  return renameSubtree(session, specialFolders, folders, path, target);
}

/**
 * Deletes a folder: into the Trash with its mail and subfolders (`trash`),
 * or for good (`forever`, and always for a folder already in the Trash).
 * A server without a Trash folder gets one, as a move to it would.
 */
export async function deleteFolder(session: ImapSession, specialFolders: SpecialFolders, path: string, mode: 'trash' | 'forever'): Promise<FolderDeleted> {
  let folders = await listFolders(session, specialFolders);
  const source = modifiable(folders, path);
  const separator = source.delimiter;
  let trash = await specialFolders.pathOf('trash', session);
  if (mode === 'trash' && trash === undefined && separator !== '') {
    const created = await session.expect('CREATE Trash', () => session.client.mailboxCreate(childPath(effectiveParent(session, folders, undefined), 'Trash', separator)));
    folders = await listFolders(session, specialFolders);
    trash = (await specialFolders.pathOf('trash', session)) ?? created.path;
  }
  if (mode === 'trash' && trash !== undefined && !isWithin(path, trash, separator) && separator !== '') {
    const taken = folders.filter((f) => parentPath(f.path, separator) === trash).map((f) => leafName(f.path, separator));
    const target = childPath(trash, freeName(leafName(path, separator), taken), separator);
    return { kind: 'trashed', ...(await renameSubtree(session, specialFolders, folders, path, target)) };
  }
  // Deepest first: a server may refuse to delete a folder that still has subfolders (RFC 9051 section 6.3.5).
  const doomed = folders.filter((f) => isWithin(f.path, path, separator)).sort((a, b) => b.path.length - a.path.length);
  for (const folder of doomed) {
    await leaveIfSelected(session, folder.path);
    await session.expect(`DELETE ${folder.path}`, () => session.client.mailboxDelete(folder.path));
    // The server need not drop the subscription with the folder (RFC 9051 section 6.3.9).
    if (folder.subscribed) await unsubscribe(session, folder.path);
  }
  await listFolders(session, specialFolders);
  return { kind: 'deleted', removed: doomed.map((f) => f.path) };
}

/** Subscribes to a folder (or ends the subscription), so other clients that show only subscribed folders see it. */
export async function setSubscription(session: ImapSession, path: string, subscribed: boolean): Promise<void> {
  const done = await session.run(() => (subscribed ? session.client.mailboxSubscribe(path) : session.client.mailboxUnsubscribe(path)));
  if (!done) throw new TwinboxError('PROTOCOL_ERROR', `${subscribed ? 'SUBSCRIBE' : 'UNSUBSCRIBE'} ${path} was refused`);
}

async function renameSubtree(session: ImapSession, specialFolders: SpecialFolders, folders: Folder[], path: string, target: string): Promise<FolderRenamed> {
  const separator = folders.find((f) => f.path === path)?.delimiter ?? '';
  const subtree = folders.filter((f) => isWithin(f.path, path, separator));
  for (const folder of subtree) await leaveIfSelected(session, folder.path);
  const selectable = subtree.filter((f) => f.selectable).map((f) => f.path);
  const before = await uidValidities(session, selectable);
  await session.expect(`RENAME ${path} ${target}`, () => session.client.mailboxRename(path, target));
  const after = await uidValidities(session, selectable.map((p) => rebase(p, path, target)));
  const moved: FolderMove[] = subtree.map((f) => {
    const to = rebase(f.path, path, target);
    const was = before.get(f.path);
    const now = after.get(to);
    return { from: f.path, to, ...(was === undefined || now === undefined ? {} : { uidValidityKept: was === now }) };
  });
  // RENAME leaves subscriptions as they were on some servers and moves them on others: both end the same way here.
  for (const folder of subtree) {
    if (!folder.subscribed) continue;
    await unsubscribe(session, folder.path);
    await session.run(() => session.client.mailboxSubscribe(rebase(folder.path, path, target)));
  }
  await listFolders(session, specialFolders);
  return { path: target, moved };
}

/** The folder, if it exists and may be changed: not special-use, and holding no special-use folder. */
function modifiable(folders: readonly Folder[], path: string): Folder {
  const folder = folders.find((f) => f.path === path);
  if (!folder) throw new TwinboxError('MAILBOX_NOT_FOUND', `the server has no folder “${path}”`);
  if (isProtectedFolder(folders, path, folder.delimiter)) throw new TwinboxError('FOLDER_PROTECTED', `“${path}” is or holds a special folder`);
  return folder;
}

/**
 * The parent a new folder really goes under: the one asked for (which must
 * exist), or at the top level the personal namespace's prefix ("INBOX." on
 * some servers), where the user's own folders live.
 */
function effectiveParent(session: ImapSession, folders: readonly Folder[], parent: string | undefined): string | undefined {
  if (parent !== undefined) {
    if (!folders.some((f) => f.path === parent)) throw new TwinboxError('MAILBOX_NOT_FOUND', `the server has no folder “${parent}”`);
    return parent;
  }
  const namespace = session.client.namespace;
  const prefix = namespace?.prefix ?? '';
  const delimiter = namespace?.delimiter ?? '';
  if (prefix === '') return undefined;
  return delimiter !== '' && prefix.endsWith(delimiter) ? prefix.slice(0, -delimiter.length) : prefix;
}

/** The delimiter of folders below `parent`: the parent's own, else the personal namespace's, else any listed folder's. */
function separatorUnder(session: ImapSession, folders: readonly Folder[], parent: string | undefined): string {
  const listed = parent === undefined ? undefined : folders.find((f) => f.path === parent)?.delimiter;
  return listed ?? session.client.namespace?.delimiter ?? folders.find((f) => f.delimiter !== '')?.delimiter ?? '';
}

function checkedName(name: string, separator: string, folders: readonly Folder[], parent: string | undefined, atTopLevel: boolean): string {
  const siblings = folders.filter((f) => parentPath(f.path, separator) === parent).map((f) => leafName(f.path, separator));
  const problem = nameProblem(name, separator, siblings, atTopLevel);
  if (problem === 'exists') throw new TwinboxError('FOLDER_EXISTS', `a folder “${name.trim()}” is already there`);
  if (problem !== undefined) throw new TwinboxError('FOLDER_NAME_INVALID', `“${name}” is not a usable folder name (${problem})`);
  return name.trim();
}

/** RENAME and DELETE of the selected folder would leave the session in it: leave first. */
async function leaveIfSelected(session: ImapSession, path: string): Promise<void> {
  const selected = session.client.mailbox;
  if (selected !== false && selected.path === path) await session.leave(path);
}

/** Each folder's UIDVALIDITY by STATUS; a folder that cannot say is left out. */
async function uidValidities(session: ImapSession, paths: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const path of paths) {
    const counts = await folderCounts(session, [path]).catch(() => []);
    const uidValidity = counts[0]?.uidValidity;
    if (uidValidity !== undefined) found.set(path, uidValidity);
  }
  return found;
}

async function unsubscribe(session: ImapSession, path: string): Promise<void> {
  // Best effort: a server that never had the subscription may say NO, and the folder is gone or moved either way.
  await session.run(() => session.client.mailboxUnsubscribe(path)).catch(() => undefined);
}
