/**
 * Removing exactly the messages the user chose, and no others.
 */
import type { MessageRangeOptions, StoreOptions } from 'imapflow';
import type { UidSet } from '../../../shared/sequence-set';
import type { ImapSession } from './session';
import { searchUidSet } from './uid-search';

const BY_UID_SILENTLY: MessageRangeOptions & StoreOptions = { uid: true, silent: true };

/**
 * Marks `uids` \Deleted and expunges them, in the folder the caller has
 * selected (inside `withFolder`).
 *
 * With UIDPLUS, UID EXPUNGE removes exactly these. Plain EXPUNGE, all a
 * server without UIDPLUS has, removes every \Deleted message of the folder,
 * including ones another client marked \Deleted and meant to keep for now
 * (some clients use the flag as a soft delete, to be undone). So those are
 * unmarked first and marked again after: the only risk left is a message
 * another client marks \Deleted during the few milliseconds in between, which
 * this EXPUNGE then removes with ours.
 */
export async function expungeExactly(session: ImapSession, uids: UidSet): Promise<void> {
  if (uids.isEmpty) return;
  const { client } = session;
  if (session.server.has('UIDPLUS')) {
    for (const chunk of uids.toChunks()) await session.expect('UID EXPUNGE', () => client.messageDelete(chunk, BY_UID_SILENTLY));
    return;
  }
  const othersDeleted = (await searchUidSet(session, { deleted: true })).subtract(uids);
  try {
    for (const chunk of othersDeleted.toChunks()) {
      await session.expect('STORE -FLAGS (\\Deleted)', () => client.messageFlagsRemove(chunk, ['\\Deleted'], BY_UID_SILENTLY));
    }
    for (const chunk of uids.toChunks()) {
      await session.expect('STORE +FLAGS (\\Deleted)', () => client.messageFlagsAdd(chunk, ['\\Deleted'], BY_UID_SILENTLY));
    }
    // messageDelete stores \Deleted again (harmless) and then, without UIDPLUS, sends EXPUNGE.
    const [first] = uids.toChunks();
    if (first !== undefined) await session.expect('EXPUNGE', () => client.messageDelete(first, BY_UID_SILENTLY));
  } finally {
    for (const chunk of othersDeleted.toChunks()) {
      await session.expect('STORE +FLAGS (\\Deleted)', () => client.messageFlagsAdd(chunk, ['\\Deleted'], BY_UID_SILENTLY));
    }
  }
}
