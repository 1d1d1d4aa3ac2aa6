import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { CachedMessage } from './rows';
import { TwinboxDatabase, declareVersions } from './schema';
import { putWithThreads } from './threads';

function row(accountId: string, folder: string, serverId: string, seen: 0 | 1): CachedMessage {
  return {
    accountId,
    folder,
    serverId,
    references: [],
    subject: `message ${serverId}`,
    from: [],
    to: [],
    cc: [],
    replyTo: [],
    size: 10,
    flags: seen ? ['\\Seen'] : [],
    hasAttachments: false,
    sortDate: Number(serverId.replace(/\D/g, '')) || 0,
    seen,
    flagged: 0,
    threadId: serverId,
    partial: 0,
    docId: 0,
    threadHead: 1,
    threadDate: 0,
    threadSize: 1,
    senderKey: '',
    subjectKey: '',
  };
}

type Counts = Record<string, { unread: number; total: number; threads: number; flagged: number }>;

/** What counting the rows (as the list's and the folder pane's queries would) says, folder by folder, and what the kept counts say. */
async function countsBothWays(db: TwinboxDatabase): Promise<{ counted: Counts; kept: Counts }> {
  const zero = { unread: 0, total: 0, threads: 0, flagged: 0 };
  const counted: Counts = {};
  const folders = new Set((await db.messages.toArray()).map((message) => `${message.accountId}\u0000${message.folder}`));
  for (const [accountId = '', folder = ''] of [...folders].map((key) => key.split('\u0000'))) {
    counted[`${accountId}/${folder}`] = {
      unread: await db.messages.where('[accountId+folder+seen]').equals([accountId, folder, 0]).count(),
      total: await db.messages.where('[accountId+folder+sortDate]').between([accountId, folder, Dexie.minKey], [accountId, folder, Dexie.maxKey]).count(),
      threads: await db.messages.where('[accountId+folder+threadHead+threadDate]').between([accountId, folder, 1, -Infinity], [accountId, folder, 1, Infinity]).count(),
      flagged: await db.messages.where('[accountId+folder+seen]').between([accountId, folder, Dexie.minKey], [accountId, folder, Dexie.maxKey]).filter((message) => message.flagged === 1).count(),
    };
  }
  const kept: Counts = {};
  for (const count of await db.folderCounts.toArray()) kept[`${count.accountId}/${count.folder}`] = { unread: count.unread, total: count.total, threads: count.threads, flagged: count.flagged };
  for (const key of Object.keys({ ...counted, ...kept })) {
    counted[key] ??= zero;
    kept[key] ??= zero;
  }
  return { counted, kept };
}

/** A small seeded generator, so that a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('unread counts kept per folder', () => {
  it('match the rows after any sequence of adds, replacements, flag changes, moves and deletions, however they are written', async () => {
    const db = new TwinboxDatabase('counts', { indexedDB: new IDBFactory(), IDBKeyRange });
    const next = random(20_261_204);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const folders = [
      ['a', 'INBOX'],
      ['a', 'Archive'],
      ['b', 'INBOX'],
    ] as const;
    let id = 0;
    for (let step = 0; step < 200; step++) {
      const existing = await db.messages.toArray();
      const some = existing.filter(() => next() < 0.3);
      const operation = pick(['bulkAdd', 'bulkPut', 'threaded', 'replace', 'update', 'modify', 'move', 'bulkDelete', 'deleteWhere', 'failedWrite', 'clear'] as const);
      switch (operation) {
        case 'bulkAdd':
        case 'bulkPut': {
          const [accountId, folder] = pick(folders);
          const rows = Array.from({ length: 1 + Math.floor(next() * 8) }, () => ({
            ...row(accountId, folder, `m${++id}`, next() < 0.5 ? 0 : 1),
            threadHead: next() < 0.7 ? (1 as const) : (0 as const),
            flagged: next() < 0.3 ? (1 as const) : (0 as const),
          }));
          await db.transaction('rw', [db.messages], () => (operation === 'bulkAdd' ? db.messages.bulkAdd(rows) : db.messages.bulkPut(rows)));
          break;
        }
        case 'threaded': {
          // As the sync writers write: new rows and rows the cache has, mixed, without saying which is which.
          const [accountId, folder] = pick(folders);
          const fresh = Array.from({ length: Math.floor(next() * 5) }, () => row(accountId, folder, `m${++id}`, next() < 0.5 ? 0 : 1));
          const again = some.map((message) => ({ ...message, seen: next() < 0.5 ? (0 as const) : (1 as const) }));
          await db.transaction('rw', [db.messages], () => putWithThreads(db, [...fresh, ...again]));
          const written = await db.messages.bulkGet([...fresh, ...again].map((message): [string, string, string] => [message.accountId, message.folder, message.serverId]));
          expect(written.map((message) => message?.seen)).toEqual([...fresh, ...again].map((message) => message.seen));
          break;
        }
        case 'replace':
          // A message read, or joining a conversation whose head it is no longer.
          await db.messages.bulkPut(some.map((message) => ({ ...message, seen: next() < 0.5 ? 0 : 1, threadHead: next() < 0.7 ? (1 as const) : (0 as const) })));
          break;
        case 'update':
          for (const message of some) {
            await db.messages.update([message.accountId, message.folder, message.serverId], next() < 0.5 ? { seen: message.seen === 0 ? 1 : 0 } : { flagged: message.flagged === 0 ? 1 : 0 });
          }
          break;
        case 'modify': {
          const [accountId, folder] = pick(folders);
          await db.messages.where('[accountId+folder+sortDate]').between([accountId, folder, Dexie.minKey], [accountId, folder, Dexie.maxKey]).modify({ seen: 1 });
          break;
        }
        case 'move': {
          const [, target] = pick(folders);
          await db.transaction('rw', [db.messages], async () => {
            await db.messages.bulkDelete(some.map((message): [string, string, string] => [message.accountId, message.folder, message.serverId]));
            await db.messages.bulkPut(some.map((message) => ({ ...message, folder: target })));
          });
          break;
        }
        case 'bulkDelete':
          await db.messages.bulkDelete(some.map((message): [string, string, string] => [message.accountId, message.folder, message.serverId]));
          break;
        case 'deleteWhere':
          await db.messages.where('[accountId+folder+seen]').equals([pick(['a', 'b']), 'INBOX', 0]).delete();
          break;
        case 'failedWrite':
          // A transaction that fails changes neither the rows nor their counts.
          await db
            .transaction('rw', [db.messages], async () => {
              await db.messages.bulkPut(existing.map((message) => ({ ...message, seen: 0 as const })));
              throw new Error('the page went away');
            })
            .catch(() => undefined);
          break;
        case 'clear':
          if (next() < 0.2) await db.messages.clear();
          break;
      }
      const { counted, kept } = await countsBothWays(db);
      expect(kept, `after step ${step} (${operation})`).toEqual(counted);
    }
    db.close();
  });

  it.each([6, 7, 8])('are counted once from the rows when a cache of version %i is opened', async (version) => {
    const indexedDB = new IDBFactory();
    const older = new Dexie('twinbox', { indexedDB, IDBKeyRange });
    declareVersions(older, version);
    await older.table('messages').bulkPut([row('a', 'INBOX', '1', 0), { ...row('a', 'INBOX', '2', 0), flagged: 1 }, row('a', 'INBOX', '3', 1), row('a', 'Sent', '4', 1), row('b', 'INBOX', '5', 0)]);
    // Version 7 kept unread counts only, and not always right: the upgrade counts everything again.
    if (version === 7) await older.table('folderCounts').put({ accountId: 'a', folder: 'INBOX', unread: 9 });
    older.close();

    const current = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
    expect(await current.folderCounts.get(['a', 'INBOX'])).toMatchObject({ unread: 2, total: 3, threads: 3, flagged: 1 });
    expect(await current.folderCounts.get(['b', 'INBOX'])).toMatchObject({ unread: 1, total: 1, threads: 1 });
    expect(await current.folderCounts.get(['a', 'Sent'])).toMatchObject({ unread: 0, total: 1, threads: 1 });
    // And kept from then on.
    await current.messages.update(['a', 'INBOX', '1'], { seen: 1, threadHead: 0 });
    expect(await current.folderCounts.get(['a', 'INBOX'])).toMatchObject({ unread: 1, total: 3, threads: 2, flagged: 1 });
    await current.messages.update(['a', 'INBOX', '3'], { flagged: 1 });
    expect(await current.folderCounts.get(['a', 'INBOX'])).toMatchObject({ flagged: 2 });
    current.close();
  });
});
