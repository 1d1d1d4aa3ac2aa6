import { describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import type { SyncDelta } from '../../shared/model';
import { SyncSessions } from './sync-sessions';

function messages(done: number, total: number): SyncDelta {
  return { kind: 'messages', summaries: [], partial: [], progress: { done, total } };
}

describe('sync over IPC as a pull iterator', () => {
  it('hands out deltas in order, then end, holding the connection until the page is done', async () => {
    const sessions = new SyncSessions();
    const produced: number[] = [];
    let held = false;
    async function* source(): AsyncGenerator<SyncDelta> {
      for (let i = 1; i <= 3; i++) {
        produced.push(i);
        yield messages(i, 3);
      }
      yield { kind: 'done', state: { protocol: 'pop3' }, total: 3 };
    }
    const syncId = sessions.start({ scope: 'a/INBOX', owner: 'page' }, async (consume) => {
      held = true;
      await consume(source());
      held = false;
    });
    expect(await sessions.next(syncId)).toMatchObject({ kind: 'messages', progress: { done: 1 } });
    // One delta is fetched ahead while the page stores the first, no more.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(produced).toEqual([1, 2]);
    expect(await sessions.next(syncId)).toMatchObject({ progress: { done: 2 } });
    expect(await sessions.next(syncId)).toMatchObject({ progress: { done: 3 } });
    expect(await sessions.next(syncId)).toMatchObject({ kind: 'done' });
    expect(held).toBe(true);
    expect(await sessions.next(syncId)).toEqual({ kind: 'end' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(held).toBe(false);
    await expect(sessions.next(syncId)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await sessions.cancelAll();
  });

  it('passes a failure on with its code and ends the session', async () => {
    const sessions = new SyncSessions();
    async function* source(): AsyncGenerator<SyncDelta> {
      yield messages(1, 2);
      throw new TwinboxError('CONNECTION_LOST');
    }
    const syncId = sessions.start({ scope: 'a/INBOX', owner: 'page' }, (consume) => consume(source()));
    expect(await sessions.next(syncId)).toMatchObject({ kind: 'messages' });
    await expect(sessions.next(syncId)).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(sessions.size).toBe(0);
    await sessions.cancelAll();
  });

  it('passes on a failure to start, such as a refused password', async () => {
    const sessions = new SyncSessions();
    const syncId = sessions.start({ scope: 'a/INBOX', owner: 'page' }, () => Promise.reject(new TwinboxError('AUTH_FAILED')));
    await expect(sessions.next(syncId)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await sessions.cancelAll();
  });

  it('keeps a failure to start for the page when the page asks only later (no unhandled rejection in main)', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const sessions = new SyncSessions();
      const syncId = sessions.start({ scope: 'a/INBOX', owner: 'page' }, () => Promise.reject(new TwinboxError('CONNECTION_LOST')));
      // The page's next call comes over IPC, well after the connection failed.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      await expect(sessions.next(syncId)).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
      await sessions.cancelAll();
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('cancels a sync the page stopped asking for, closing its source', async () => {
    let clock = 0;
    const sessions = new SyncSessions(1000, () => clock);
    let closed = false;
    async function* source(): AsyncGenerator<SyncDelta> {
      try {
        for (let i = 1; ; i++) yield messages(i, 100);
      } finally {
        closed = true;
      }
    }
    const syncId = sessions.start({ scope: 'a/INBOX', owner: 'page' }, (consume) => consume(source()));
    await sessions.next(syncId);
    clock = 5000;
    await sessions.cancel(syncId);
    expect(closed).toBe(true);
    await expect(sessions.next(syncId)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await sessions.cancelAll();
  });

  it('lets a new sync of the same folder supersede one its page abandoned, and ends a page’s syncs with it', async () => {
    const sessions = new SyncSessions();
    const closed: string[] = [];
    function source(name: string): AsyncGenerator<SyncDelta> {
      return (async function* () {
        try {
          for (let i = 1; ; i++) yield messages(i, 100);
        } finally {
          closed.push(name);
        }
      })();
    }
    const abandoned = sessions.start({ scope: 'a/INBOX', owner: 'old page' }, (consume) => consume(source('abandoned')));
    await sessions.next(abandoned);
    const other = sessions.start({ scope: 'a/Sent', owner: 'old page' }, (consume) => consume(source('other folder')));
    await sessions.next(other);
    const fresh = sessions.start({ scope: 'a/INBOX', owner: 'new page' }, (consume) => consume(source('fresh')));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toEqual(['abandoned']);
    await sessions.cancelOwner('old page');
    expect(closed).toEqual(['abandoned', 'other folder']);
    expect(await sessions.next(fresh)).toMatchObject({ kind: 'messages' });
    await sessions.cancelAll();
  });
});
