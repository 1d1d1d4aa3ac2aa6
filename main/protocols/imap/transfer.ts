/**
 * Moving and copying messages between folders on the server.
 */
import type { CopyResponseObject } from 'imapflow';
import { expungeExactly } from './expunge';
import { uidSetOfServerIds } from './sequence-set';
import type { UidSet } from './sequence-set';
import type { ImapSession } from './session';

/** Old id to new id, as far as the server said (COPYUID, RFC 4315). */
export type IdMap = Map<string, string>;

/**
 * Moves messages to `target`: UID MOVE when the server has MOVE (atomic);
 * otherwise UID COPY, then the originals are marked \Deleted and expunged,
 * exactly those (see expungeExactly for servers without UIDPLUS). Returns the
 * ids in `target`; MAILBOX_NOT_FOUND when it does not exist.
 */
export async function moveMessages(session: ImapSession, folder: string, serverIds: string[], target: string): Promise<IdMap> {
  const uids = uidSetOfServerIds(serverIds);
  if (uids.isEmpty) return new Map();
  return session.withFolder(folder, () => moveSelected(session, uids, target));
}

/** The move itself, in the folder the caller has selected (inside `withFolder`). */
export async function moveSelected(session: ImapSession, uids: UidSet, target: string): Promise<IdMap> {
  if (!session.server.has('MOVE')) {
    const copied = await copySelected(session, uids, target);
    await expungeExactly(session, uids);
    return copied;
  }
  const moved = new Map<string, string>();
  for (const chunk of uids.toChunks()) {
    const result = await session.expect(`MOVE to ${target}`, () => session.client.messageMove(chunk, target, { uid: true }));
    addMappings(moved, result);
  }
  return moved;
}

/** Copies messages to `target` (UID COPY); returns their ids there when the server says. */
export async function copyMessages(session: ImapSession, folder: string, serverIds: string[], target: string): Promise<IdMap> {
  const uids = uidSetOfServerIds(serverIds);
  if (uids.isEmpty) return new Map();
  return session.withFolder(folder, () => copySelected(session, uids, target));
}

async function copySelected(session: ImapSession, uids: UidSet, target: string): Promise<IdMap> {
  const copied = new Map<string, string>();
  for (const chunk of uids.toChunks()) {
    const result = await session.expect(`COPY to ${target}`, () => session.client.messageCopy(chunk, target, { uid: true }));
    addMappings(copied, result);
  }
  return copied;
}

function addMappings(into: IdMap, result: CopyResponseObject): void {
  for (const [from, to] of result.uidMap ?? []) into.set(String(from), String(to));
}
