/**
 * Folder names and paths as the user types and the server keeps them: one
 * set of rules for both sides, so the dialog refuses what main would refuse,
 * and main never trusts the page to have checked.
 */
import type { SpecialUse } from './model';

/** The special uses whose folders may not be renamed, moved or deleted (as in Thunderbird). */
export const PROTECTED_USES: ReadonlySet<SpecialUse> = new Set<SpecialUse>(['inbox', 'sent', 'drafts', 'trash', 'junk', 'archive']);

/**
 * Whether a folder must keep its name and place: the Inbox, a special-use
 * folder, or one that holds either (renaming it would move them too).
 */
export function isProtectedFolder(folders: readonly { path: string; specialUse?: SpecialUse | undefined }[], path: string, separator: string): boolean {
  if (path.toUpperCase() === 'INBOX') return true;
  return folders.some((f) => f.specialUse !== undefined && PROTECTED_USES.has(f.specialUse) && isWithin(f.path, path, separator));
}

export type NameProblem = 'empty' | 'separator' | 'exists' | 'reserved';

/**
 * Checks one name component. `separator` is the server's hierarchy
 * delimiter ('' for a flat server); `siblings` the names already under
 * the same parent. Names compare as the server compares them: exactly, except
 * that INBOX is one name in any case (RFC 9051 section 5.1).
 */
export function nameProblem(name: string, separator: string, siblings: readonly string[], atTopLevel: boolean): NameProblem | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'empty';
  if (separator !== '' && trimmed.includes(separator)) return 'separator';
  // Characters no server accepts in a name: IMAP's list wildcards, and controls.
  if (/[*%]/.test(trimmed) || hasControl(trimmed)) return 'separator';
  if (atTopLevel && trimmed.toUpperCase() === 'INBOX') return 'reserved';
  if (siblings.includes(trimmed)) return 'exists';
  return undefined;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The path of a child named `name` under `parent` (undefined: the top level). */
export function childPath(parent: string | undefined, name: string, separator: string): string {
  if (parent === undefined || parent === '') return name;
  return `${parent}${separator}${name}`;
}

/** Whether `path` is `ancestor` itself or lies below it. */
export function isWithin(path: string, ancestor: string, separator: string): boolean {
  if (path === ancestor) return true;
  return separator !== '' && path.startsWith(ancestor + separator);
}

/** The last component of a path: the name a folder shows. */
export function leafName(path: string, separator: string): string {
  if (separator === '') return path;
  const at = path.lastIndexOf(separator);
  return at < 0 ? path : path.slice(at + separator.length);
}

/** The parent's path, or undefined at the top level. */
export function parentPath(path: string, separator: string): string | undefined {
  if (separator === '') return undefined;
  const at = path.lastIndexOf(separator);
  return at < 0 ? undefined : path.slice(0, at);
}

/** `path` with its `from` prefix replaced by `to` (a folder below a renamed one). */
export function rebase(path: string, from: string, to: string): string {
  return path === from ? to : to + path.slice(from.length);
}

/**
 * A name not yet taken among `taken`: the name itself, else "name 2",
 * "name 3"… (a folder moved into the Trash beside one of the same name).
 */
export function freeName(name: string, taken: readonly string[]): string {
  if (!taken.includes(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name} ${n}`;
    if (!taken.includes(candidate)) return candidate;
  }
}

/** A folder (or one below it) that now has another path. */
export interface FolderMove {
  from: string;
  to: string;
  /**
   * IMAP: the folder's UIDVALIDITY is what it was (RENAME may keep it or
   * not, RFC 9051 section 6.3.6), so the UIDs a cache holds still name the
   * same messages. Absent when the server could not say (a folder that cannot hold messages).
   */
  uidValidityKept?: boolean;
}

/** What renaming or moving a folder did: its new path, and every path that changed with it. */
export interface FolderRenamed {
  path: string;
  moved: FolderMove[];
}

/** What deleting a folder did: moved into the Trash with its mail, or deleted for good with its subfolders. */
export type FolderDeleted = ({ kind: 'trashed' } & FolderRenamed) | { kind: 'deleted'; removed: string[] };
