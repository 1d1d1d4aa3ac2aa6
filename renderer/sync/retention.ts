/**
 * POP3 retention: which server copies may go, and when. The server copy of a
 * message may be deleted only once the message is committed here (the ledger
 * says so), only if the server still has it, and only as the user's policy
 * allows. Pure, with the clock passed in, so "N days" can be tested by
 * advancing it.
 */
import type { RetentionPolicy } from '../../shared/model';
import type { LedgerEntry } from '../db/rows';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionDecision {
  /** UIDLs to DELE now. */
  deleteNow: string[];
  /** When the next one becomes due under an N-days policy (for the Lab's timeline). */
  nextDueAt?: number;
}

export function serverDeletionsDue(
  policy: RetentionPolicy,
  ledger: readonly LedgerEntry[],
  onServer: ReadonlySet<string>,
  now: number,
): RetentionDecision {
  const candidates = ledger.filter((entry) => onServer.has(entry.uidl) && entry.deletedOnServerAt === undefined);
  switch (policy.kind) {
    case 'keep':
      return { deleteNow: [] };
    case 'delete-after-download':
      return { deleteNow: candidates.filter(isCommitted).map((e) => e.uidl) };
    case 'until-deleted-here':
      // Deleted here before it was ever downloaded still counts: the user does not want it.
      return { deleteNow: candidates.filter((e) => e.deletedHereAt !== undefined).map((e) => e.uidl) };
    case 'days': {
      const keepFor = policy.days * DAY_MS;
      const dueAt = (e: LedgerEntry): number => (e.committedAt ?? e.firstSeenAt) + keepFor;
      // A message deleted here need not wait for its days, but it must have been seen to be named.
      const due = candidates.filter((e) => (isCommitted(e) && dueAt(e) <= now) || e.deletedHereAt !== undefined);
      const waiting = candidates.filter((e) => isCommitted(e) && dueAt(e) > now).map(dueAt);
      return { deleteNow: due.map((e) => e.uidl), ...(waiting.length > 0 ? { nextDueAt: Math.min(...waiting) } : {}) };
    }
  }
}

function isCommitted(entry: LedgerEntry): boolean {
  return entry.committedAt !== undefined;
}
