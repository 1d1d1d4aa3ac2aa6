import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../db/rows';
import { serverDeletionsDue } from './retention';

const DAY = 24 * 60 * 60 * 1000;

function entry(uidl: string, fields: Partial<LedgerEntry>): LedgerEntry {
  return { accountId: 'a', uidl, size: 10, firstSeenAt: 0, ...fields };
}

const ledger = [
  entry('committed-day0', { committedAt: 0, downloadedAt: 0 }),
  entry('committed-day3', { committedAt: 3 * DAY, downloadedAt: 3 * DAY }),
  entry('deleted-here', { committedAt: 0, deletedHereAt: 1 * DAY }),
  entry('seen-not-committed', { firstSeenAt: 0 }),
  entry('already-gone', { committedAt: 0, deletedOnServerAt: 2 * DAY }),
];
const onServer = new Set(['committed-day0', 'committed-day3', 'deleted-here', 'seen-not-committed', 'already-gone']);

describe('POP3 retention', () => {
  it('keep: never deletes on the server', () => {
    expect(serverDeletionsDue({ kind: 'keep' }, ledger, onServer, 100 * DAY).deleteNow).toEqual([]);
  });

  it('delete after download: every committed message still on the server, and nothing uncommitted', () => {
    expect(serverDeletionsDue({ kind: 'delete-after-download' }, ledger, onServer, 0).deleteNow.sort()).toEqual(
      ['committed-day0', 'committed-day3', 'deleted-here'].sort(),
    );
  });

  it('until deleted here: exactly the ones the user deleted', () => {
    expect(serverDeletionsDue({ kind: 'until-deleted-here' }, ledger, onServer, 0).deleteNow).toEqual(['deleted-here']);
  });

  it('N days: each message when its days are up, counted from when it was committed here', () => {
    const policy = { kind: 'days', days: 5 } as const;
    expect(serverDeletionsDue(policy, ledger, onServer, 4 * DAY)).toEqual({ deleteNow: ['deleted-here'], nextDueAt: 5 * DAY });
    expect(serverDeletionsDue(policy, ledger, onServer, 5 * DAY)).toEqual({ deleteNow: ['committed-day0', 'deleted-here'], nextDueAt: 8 * DAY });
    expect(serverDeletionsDue(policy, ledger, onServer, 8 * DAY).deleteNow).toEqual(['committed-day0', 'committed-day3', 'deleted-here']);
  });

  it('never names a message the server no longer has', () => {
    expect(serverDeletionsDue({ kind: 'delete-after-download' }, ledger, new Set(['committed-day3']), 0).deleteNow).toEqual(['committed-day3']);
  });
});
