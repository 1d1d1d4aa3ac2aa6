/**
 * Deleting messages: to the Trash, or for good.
 */
import type { DeleteResult } from '../../../shared/model';
import { expungeExactly } from './expunge';
import type { SpecialFolders } from './folders';
import { uidSetOfServerIds } from '../../../shared/sequence-set';
import type { ImapSession } from './session';
import { moveSelected } from './transfer';
import { existingUids } from './uid-search';

/**
 * Moves the messages to the folder marked \Trash (or, on a server without
 * SPECIAL-USE, the one named like a Trash). They are expunged instead when
 * `expunge` is set, when they already are in the Trash, or when there is no
 * Trash. Ids no longer in the folder are reported as `missing`, not as an error.
 */
export async function deleteMessages(
  session: ImapSession,
  specialFolders: SpecialFolders,
  folder: string,
  serverIds: string[],
  options: { expunge?: boolean } = {},
): Promise<DeleteResult> {
  const asked = uidSetOfServerIds(serverIds);
  if (asked.isEmpty) return { deleted: [], missing: [] };
  const trash = options.expunge === true ? undefined : await specialFolders.pathOf('trash', session);
  const toTrash = trash !== undefined && !samePath(trash, folder) ? trash : undefined;
  const present = await session.withFolder(folder, async () => {
    const there = await existingUids(session, asked);
    if (there.isEmpty) return there;
    if (toTrash === undefined) await expungeExactly(session, there);
    else await moveSelected(session, specialFolders, there, toTrash);
    return there;
  });
  return { deleted: present.toServerIds(), missing: asked.subtract(present).toServerIds() };
}

/** INBOX is case-insensitive (RFC 9051 section 5.1); other names are compared as the server spells them. */
function samePath(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}
