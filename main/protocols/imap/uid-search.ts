/**
 * UID SEARCH as sets: with ESEARCH (RFC 4731) the server answers with a
 * compact sequence set, without it with every UID; either way the caller
 * gets a UidSet.
 */
import type { SearchObject } from 'imapflow';
import { UidSet } from '../../../shared/sequence-set';
import type { ImapSession } from './session';

/** The UIDs of the selected folder that match `query`. */
export async function searchUidSet(session: ImapSession, query: SearchObject): Promise<UidSet> {
  // imapflow sends RETURN (ALL) only when the server has ESEARCH, and answers with plain UIDs otherwise.
  const result = await session.expect('UID SEARCH', () => session.client.search(query, { uid: true, returnOptions: ['ALL'] }));
  return Array.isArray(result) ? UidSet.of(result) : UidSet.parse(result.all ?? '');
}

/** Which UIDs of `candidates` exist in the selected folder. */
export async function existingUids(session: ImapSession, candidates: UidSet): Promise<UidSet> {
  let found = UidSet.empty;
  for (const chunk of candidates.toChunks()) {
    // `n:4294967295` is literal, but a server may read a range past its last UID as `n:*`,
    // which matches the last message even below n: keep only what was asked for.
    found = found.union((await searchUidSet(session, { uid: chunk })).intersect(candidates));
  }
  return found;
}
