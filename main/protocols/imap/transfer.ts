/**
 * Moving and copying messages between folders on the server.
 */
import type { CopyResponseObject } from 'imapflow';
import { expungeExactly } from './expunge';
import type { SpecialFolders } from './folders';
import { uidSetOfServerIds } from '../../../shared/sequence-set';
import type { UidSet } from '../../../shared/sequence-set';
import type { ImapSession } from './session';
import { withTargetCreated } from './special-create';

/** Old id to new id, as far as the server said (COPYUID, RFC 4315). */
export type IdMap = Map<string, string>;

/**
 * Moves messages to `target`: UID MOVE when the server has MOVE (atomic);
 * otherwise UID COPY, then the originals are marked \Deleted and expunged,
 * exactly those (see expungeExactly for servers without UIDPLUS). Returns the
 * ids in `target`. A missing special folder (Archive, Sent, ...) is created
 * (withTargetCreated); any other missing target is MAILBOX_NOT_FOUND.
 */
export async function moveMessages(
  session: ImapSession,
  specialFolders: SpecialFolders,
  folder: string,
  serverIds: string[],
  target: string,
): Promise<IdMap> {
  const uids = uidSetOfServerIds(serverIds);
  if (uids.isEmpty) return new Map();
  return session.withFolder(folder, () => moveSelected(session, specialFolders, uids, target));
}

/** The move itself, in the folder the caller has selected (inside `withFolder`). */
export async function moveSelected(session: ImapSession, specialFolders: SpecialFolders, uids: UidSet, target: string): Promise<IdMap> {
  if (!session.server.has('MOVE')) {
    const copied = await copySelected(session, specialFolders, uids, target);
    await expungeExactly(session, uids);
    return copied;
  }
  const moved = new Map<string, string>();
  for (const chunk of uids.toChunks()) {
    const result = await withTargetCreated(session, specialFolders, target, () =>
      session.expect(`MOVE to ${target}`, () => session.client.messageMove(chunk, target, { uid: true })),
    );
    addMappings(moved, result);
  }
  return moved;
}

/**
 * Copies messages to `target` (UID COPY); returns their ids there when the
 * server says. A missing special folder is created, as for a move.
 */
export async function copyMessages(
  session: ImapSession,
  specialFolders: SpecialFolders,
  folder: string,
  serverIds: string[],
  target: string,
): Promise<IdMap> {
  const uids = uidSetOfServerIds(serverIds);
  if (uids.isEmpty) return new Map();
  return session.withFolder(folder, () => copySelected(session, specialFolders, uids, target));
}

async function copySelected(session: ImapSession, specialFolders: SpecialFolders, uids: UidSet, target: string): Promise<IdMap> {
  const copied = new Map<string, string>();
  for (const chunk of uids.toChunks()) {
    const result = await withTargetCreated(session, specialFolders, target, () =>
      session.expect(`COPY to ${target}`, () => session.client.messageCopy(chunk, target, { uid: true })),
    );
    addMappings(copied, result);
  }
  return copied;
}

function addMappings(into: IdMap, result: CopyResponseObject): void {
  for (const [from, to] of result.uidMap ?? []) into.set(String(from), String(to));
}
