/**
 * The folder list (LIST, with subscriptions and special uses) and per-folder
 * counts (STATUS).
 */
import type { ListResponse } from 'imapflow';
import type { Folder, FolderCounts, SpecialUse } from '../../../shared/model';
import type { ImapSession } from './session';

const SPECIAL_USE_ATTRIBUTES: Record<string, SpecialUse> = {
  '\\sent': 'sent',
  '\\drafts': 'drafts',
  '\\trash': 'trash',
  '\\junk': 'junk',
  '\\archive': 'archive',
  '\\all': 'all',
  '\\flagged': 'flagged',
};

/**
 * The special use of a folder. The server's attributes (RFC 6154) decide,
 * compared case-insensitively (some servers send `\sent`). Only a server
 * without SPECIAL-USE gets a guess from the folder's name (imapflow's table of
 * localised names), so a server that marks its folders is never second-guessed.
 */
export function specialUseOf(
  entry: Pick<ListResponse, 'path' | 'flags' | 'specialUse' | 'specialUseSource'>,
  serverMarksSpecialUse: boolean,
): SpecialUse | undefined {
  if (entry.path.toUpperCase() === 'INBOX') return 'inbox';
  for (const flag of entry.flags) {
    const use = SPECIAL_USE_ATTRIBUTES[flag.toLowerCase()];
    if (use) return use;
  }
  if (serverMarksSpecialUse || entry.specialUseSource !== 'name' || entry.specialUse === undefined) return undefined;
  return SPECIAL_USE_ATTRIBUTES[entry.specialUse.toLowerCase()];
}

/** Containers that cannot hold messages (RFC 9051 \Noselect, RFC 5258 \NonExistent). */
export function isSelectable(flags: ReadonlySet<string>): boolean {
  for (const flag of flags) {
    const lower = flag.toLowerCase();
    if (lower === '\\noselect' || lower === '\\nonexistent') return false;
  }
  return true;
}

/**
 * Every folder, with its decoded name (imapflow decodes modified UTF-7),
 * special use and subscription. Also remembers the special-use folders for
 * delete-to-Trash.
 */
export async function listFolders(session: ImapSession, specialFolders: SpecialFolders): Promise<Folder[]> {
  const entries = await session.run(() => session.client.list());
  const serverMarksSpecialUse = session.server.has('SPECIAL-USE');
  const folders = entries.map((entry): Folder => {
    const specialUse = specialUseOf(entry, serverMarksSpecialUse);
    // imapflow leaves it undefined, not false, for a folder that is not subscribed.
    const { subscribed } = entry as { subscribed?: boolean };
    return {
      path: entry.path,
      name: entry.name,
      delimiter: entry.delimiter,
      ...(specialUse === undefined ? {} : { specialUse }),
      subscribed: subscribed === true,
      selectable: isSelectable(entry.flags),
    };
  });
  specialFolders.remember(folders);
  return folders;
}

/**
 * Where the special-use folders are, learned from the last folder list of
 * this connection (listed on first need).
 */
export class SpecialFolders {
  private paths: Map<SpecialUse, string> | undefined;

  /** Takes the special-use folders from a fresh folder list (the first of each use wins). */
  remember(folders: Folder[]): void {
    this.paths = new Map();
    for (const folder of folders) {
      if (folder.specialUse && folder.selectable && !this.paths.has(folder.specialUse)) this.paths.set(folder.specialUse, folder.path);
    }
  }

  /** The folder with this special use, if the server has one. */
  async pathOf(use: SpecialUse, session: ImapSession): Promise<string | undefined> {
    if (!this.paths) await listFolders(session, this);
    return this.paths?.get(use);
  }
}

/**
 * Counts for each folder, by STATUS: messages, unread, UIDVALIDITY, UIDNEXT,
 * and HIGHESTMODSEQ when the server has CONDSTORE. STATUS runs without
 * selecting, so it does not disturb a sync in progress on the connection.
 */
export async function folderCounts(session: ImapSession, paths: string[]): Promise<FolderCounts[]> {
  const withModseq = session.server.has('CONDSTORE') || session.server.has('QRESYNC');
  const counts: FolderCounts[] = [];
  for (const path of paths) {
    const status = await session.expect(`STATUS ${path}`, () =>
      session.client.status(path, { messages: true, unseen: true, uidValidity: true, uidNext: true, highestModseq: withModseq }),
    );
    counts.push({
      path,
      total: status.messages ?? 0,
      unread: status.unseen ?? 0,
      ...(status.uidValidity === undefined ? {} : { uidValidity: status.uidValidity.toString() }),
      ...(status.uidNext === undefined ? {} : { uidNext: status.uidNext }),
      ...(status.highestModseq === undefined ? {} : { highestModseq: status.highestModseq.toString() }),
    });
  }
  return counts;
}
