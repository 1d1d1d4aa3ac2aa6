/**
 * How a folder is named on screen. The Inbox is always named in the
 * interface's language. Another special folder (Sent, Drafts, Trash, Junk,
 * Archive) is too when it carries the name servers and Twinbox give it by
 * default; a name someone chose ("Sent Items", "Gesendete Objekte") is
 * theirs and shown as it is, as Thunderbird does.
 */
import type { Folder, SpecialUse } from '../../shared/model';
import { t } from './index';

type Named = 'drafts' | 'sent' | 'archive' | 'junk' | 'trash';

/** The default names of each special folder, lower-case, as servers create them. */
const DEFAULT_NAMES: Record<Named, readonly string[]> = {
  drafts: ['drafts', 'draft'],
  sent: ['sent', 'sent mail', 'sent messages'],
  archive: ['archive', 'archives'],
  junk: ['junk', 'spam', 'junk mail'],
  trash: ['trash', 'deleted messages'],
};

function isNamed(use: SpecialUse | undefined): use is Named {
  return use !== undefined && Object.hasOwn(DEFAULT_NAMES, use);
}

export function folderLabel(folder: Pick<Folder, 'path' | 'name' | 'specialUse'>): string {
  if (folder.specialUse === 'inbox' || folder.path.toUpperCase() === 'INBOX') return t('common:inbox');
  if (isNamed(folder.specialUse) && DEFAULT_NAMES[folder.specialUse].includes(folder.name.toLowerCase())) return t(`common:folder.${folder.specialUse}`);
  return folder.name;
}

/** A folder known only by its path (a log line, a server reply): the Inbox in the interface's language, others as they are. */
export function folderPathLabel(path: string): string {
  return path.toUpperCase() === 'INBOX' ? t('common:inbox') : path;
}
