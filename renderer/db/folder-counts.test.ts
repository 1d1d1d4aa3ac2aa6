import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { CachedMessage } from './schema';
import { declareVersions, TwinboxDatabase } from './schema';
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

/** What counting the rows says, folder by folder, and what the kept counts say. */
async function countsBothWays(db: TwinboxDatabase): Promise<{ counted: Record<string, number>; kept: Record<string, number> }> {
  const counted: Record<string, number> = {};
  for (const message of await db.messages.toArray()) {
    const key = `${message.accountId}/${message.folder}`;
    counted[key] = (counted[key] ?? 0) + (message.seen === 0 ? 1 : 0);
  }
  const kept: Record<string, number> = {};
  for (const count of await db.folderCounts.toArray()) kept[`${count.accountId}/${count.folder}`] = count.unread;
  for (const key of Object.keys({ ...counted, ...kept })) {
    counted[key] ??= 0;
    kept[key] ??= 0;
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
          const rows = Array.from({ length: 1 + Math.floor(next() * 8) }, () => row(accountId, folder, `m${++id}`, next() < 0.5 ? 0 : 1));
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
          await db.messages.bulkPut(some.map((message) => ({ ...message, seen: next() < 0.5 ? 0 : 1 })));
          break;
        case 'update':
          for (const message of some) await db.messages.update([message.accountId, message.folder, message.serverId], { seen: message.seen === 0 ? 1 : 0 });
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

  it('are counted once from the rows when a cache of the version before them is opened', async () => {
    const indexedDB = new IDBFactory();
    const v6 = new Dexie('twinbox', { indexedDB, IDBKeyRange });
    declareVersions(v6, 6);
    await v6.table('messages').bulkPut([row('a', 'INBOX', '1', 0), row('a', 'INBOX', '2', 0), row('a', 'INBOX', '3', 1), row('a', 'Sent', '4', 1), row('b', 'INBOX', '5', 0)]);
    v6.close();

    const current = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
    expect(await current.folderCounts.get(['a', 'INBOX'])).toMatchObject({ unread: 2 });
    expect(await current.folderCounts.get(['b', 'INBOX'])).toMatchObject({ unread: 1 });
    expect((await current.folderCounts.get(['a', 'Sent']))?.unread ?? 0).toBe(0);
    // And kept from then on.
    await current.messages.update(['a', 'INBOX', '1'], { seen: 1 });
    expect(await current.folderCounts.get(['a', 'INBOX'])).toMatchObject({ unread: 1 });
    current.close();
  });
});
