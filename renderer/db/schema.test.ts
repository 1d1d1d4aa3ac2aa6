import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { CachedMessage, LegacyBody } from './rows';
import { LATEST_VERSION, TwinboxDatabase, declareVersions } from './schema';
import { docsStartingWith, searchWords } from './search-index';

/** One test per schema upgrade: a cache written by an older Twinbox opens in this one, intact. */
function older(indexedDB: globalThis.IDBFactory, version: number): Dexie {
  const db = new Dexie('twinbox', { indexedDB, IDBKeyRange });
  declareVersions(db, version);
  return db;
}

/** A message row as versions 1 to 3 wrote it. */
type OldRow = Omit<CachedMessage, 'docId' | 'threadHead' | 'threadDate' | 'threadSize' | 'senderKey' | 'subjectKey' | 'textIndexed'> & { hasBody: 0 | 1 };

/** Server ids of the messages local search finds by a word (or its start). */
async function found(db: TwinboxDatabase, word: string): Promise<string[]> {
  const docs = await docsStartingWith(db.postings, word);
  return (await db.messages.where('docId').anyOf([...docs.keys()]).toArray()).map((m) => m.serverId).sort();
}

function message(serverId: string, subject: string, extra: Partial<OldRow> = {}): OldRow {
  return {
    accountId: 'a',
    folder: 'INBOX',
    serverId,
    uid: Number(serverId),
    references: [],
    subject,
    from: [{ name: 'Zoë Example', address: 'zoe@example.org' }],
    to: [],
    cc: [],
    replyTo: [],
    size: 100,
    flags: [],
    hasAttachments: false,
    sortDate: 0,
    seen: 0,
    flagged: 0,
    threadId: serverId,
    hasBody: serverId === '1' ? 1 : 0,
    partial: 0,
    ...extra,
  };
}

describe('cache schema upgrades', () => {
  it('v1 → v2 makes every cached message searchable, body text included', async () => {
    const indexedDB = new IDBFactory();
    const v1 = older(indexedDB, 1);
    await v1.table('messages').bulkPut([message('1', 'Quarterly report'), message('2', 'Lunch on Friday')]);
    const body: LegacyBody = {
      accountId: 'a',
      folder: 'INBOX',
      serverId: '1',
      text: 'The numbers for Tübingen look good.',
      attachments: [],
      headers: [],
      warnings: [],
      size: 10,
      lastAccess: 0,
    };
    await v1.table('bodies').put(body);
    await v1.table('ledger').put({ accountId: 'a', uidl: 'u1', size: 1, firstSeenAt: 0, committedAt: 1 });
    v1.close();

    const current = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
    await current.open();
    expect(current.verno).toBe(LATEST_VERSION);
    expect(await found(current, 'tübingen')).toEqual(['1']);
    expect(await found(current, 'lunch')).toEqual(['2']);
    expect(await found(current, 'zoe@example.org')).toEqual(['1', '2']);
    // Nothing else was touched.
    expect(await current.ledger.get(['a', 'u1'])).toMatchObject({ committedAt: 1 });
    expect((await current.bodies.get(['a', 'INBOX', '1']))?.text).toContain('Tübingen');
    current.close();
  });

  it('v2 → v3 adds remembered capabilities and keeps the mail and the pending queue', async () => {
    const indexedDB = new IDBFactory();
    const v2 = older(indexedDB, 2);
    await v2.table('messages').put({ ...message('7', 'Kept'), words: searchWords(message('7', 'Kept')) });
    await v2.table('pending').add({ accountId: 'a', folder: 'INBOX', kind: 'setFlags', serverIds: ['7'], add: ['\\Seen'], undo: [], status: 'queued', createdAt: 0, attempts: 0 });
    v2.close();

    const current = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
    await current.open();
    expect(await current.capabilities.count()).toBe(0);
    await current.capabilities.put({ accountId: 'a', capabilities: { serverFolders: true, serverFlags: true, push: true, serverSearch: true, stableIds: true, partialFetch: true, changeTracking: true, vanishedTracking: true, atomicMove: true, quota: true, append: true }, updatedAt: 1 });
    expect(await current.messages.get(['a', 'INBOX', '7'])).toMatchObject({ subject: 'Kept' });
    expect(await current.pending.where('[accountId+status]').equals(['a', 'queued']).count()).toBe(1);
    current.close();
  });

  it('finds words in any script, lower-cased, and addresses whole', () => {
    const words = searchWords(
      { subject: 'Grüße aus Köln — 東京 report', from: [{ name: 'Ann', address: 'Ann.Lee@Example.org' }], to: [], cc: [] },
      'Café résumé',
    );
    expect(words).toEqual(expect.arrayContaining(['grüße', 'köln', '東京', 'report', 'ann', 'ann.lee@example.org', 'café', 'résumé']));
  });

  it('v3 → v4 groups the cached messages into conversations and keys them for sorting', async () => {
    const indexedDB = new IDBFactory();
    const v3 = older(indexedDB, 3);
    const rows = [
      message('1', 'Plans', { threadId: 'root@x', sortDate: 100 }),
      message('2', 'Re: Plans', { threadId: 'root@x', sortDate: 300, from: [{ name: '', address: 'Bob@Example.org' }] }),
      message('3', 'Other', { threadId: 'other@x', sortDate: 200 }),
    ];
    await v3.table('messages').bulkPut(rows.map((row) => ({ ...row, words: [] })));
    v3.close();

    const current = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
    const heads = await current.messages
      .where('[accountId+folder+threadHead+threadDate]')
      .between(['a', 'INBOX', 1, -Infinity], ['a', 'INBOX', 1, Infinity])
      .reverse()
      .toArray();
    expect(heads.map((h) => [h.serverId, h.threadSize, h.threadDate])).toEqual([
      ['2', 2, 300],
      ['3', 1, 200],
    ]);
    expect((await current.messages.get(['a', 'INBOX', '2']))).toMatchObject({ subjectKey: 'plans', senderKey: 'bob@example.org' });
    expect(await current.senders.count()).toBe(0);
    current.close();
  });

  it('v4 → v5 numbers every message, queued ones included, and moves their words into search postings', async () => {
    const indexedDB = new IDBFactory();
    const v4 = older(indexedDB, 4);
    const thread = { threadHead: 1 as const, threadDate: 0, threadSize: 1, senderKey: 'zoë example', subjectKey: '' };
    const worded = (serverId: string, subject: string, folder = 'INBOX'): OldRow & typeof thread & { words: string[] } => ({
      ...message(serverId, subject, { folder }),
      ...thread,
      words: searchWords(message(serverId, subject)),
    });
    await v4.table('messages').bulkPut([worded('1', 'Quarterly invoice'), worded('2', 'Lunch plans'), worded('3', 'Invoice reminder', 'Archive')]);
    // A deletion waiting for the server: undoing it must put back a message search still finds.
    await v4.table('pending').add({ accountId: 'a', folder: 'INBOX', kind: 'delete', serverIds: ['9'], undo: [worded('9', 'Invoice draft')], status: 'queued', createdAt: 0, attempts: 0 });
    v4.close();

    const current = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
    await current.open();
    const rows = await current.messages.toArray();
    const pending = await current.pending.toArray();
    const numbers = [...rows, ...pending.flatMap((op) => op.undo)].map((row) => row.docId);
    expect(new Set(numbers).size).toBe(4);
    expect(numbers.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    expect(rows.some((row) => 'words' in row)).toBe(false);
    expect(await found(current, 'invoice')).toEqual(['1', '3']);
    expect(await found(current, 'lun')).toEqual(['2']);
    // The undone row comes back under its number, and is found again.
    await current.messages.bulkPut(pending.flatMap((op) => op.undo));
    expect(await found(current, 'invoice')).toEqual(['1', '3', '9']);
    // New numbers continue after the ones given out.
    expect((await current.counters.get('nextId'))?.value).toBeGreaterThan(Math.max(...numbers));
    current.close();
  });

  it('v5 → v6 keeps every message and its body until they move to the message store, and counts the indexed ones', async () => {
    const indexedDB = new IDBFactory();
    const v5 = older(indexedDB, 5);
    const thread = { threadHead: 1 as const, threadDate: 0, threadSize: 1, senderKey: 'zoë example', subjectKey: '' };
    await v5.table('messages').bulkPut([
      { ...message('1', 'Downloaded whole'), ...thread, docId: 1 },
      { ...message('2', 'Headers only', { partial: 1 }), ...thread, docId: 2 },
    ]);
    const raw = new TextEncoder().encode('Subject: Downloaded whole\r\n\r\nThe text.\r\n');
    await v5.table('bodies').put({ accountId: 'a', folder: 'INBOX', serverId: '1', text: 'The text.', attachments: [], headers: [], raw, warnings: [], size: 10, lastAccess: 0 });
    await v5.table('ledger').put({ accountId: 'a', uidl: '1', size: 1, firstSeenAt: 0, committedAt: 1 });
    await v5.table('syncState').put({ accountId: 'a', folder: 'INBOX', protocol: 'pop3', serverTotal: 2, knownUidls: ['1', '2'] });
    v5.close();

    const current = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
    await current.open();
    const rows = await current.messages.toArray();
    expect(rows.map((row) => row.serverId)).toEqual(['1', '2']);
    expect(rows.some((row) => 'hasBody' in row)).toBe(false);
    // The body's words were indexed when it was stored: only that row counts as indexed.
    expect(await current.messages.where('[accountId+textIndexed]').equals(['a', 1]).primaryKeys()).toEqual([['a', 'INBOX', '1']]);
    // The bytes wait, untouched, for renderer/sync/store-migration.ts to move them into main's store.
    expect([...((await current.bodies.get(['a', 'INBOX', '1']))?.raw ?? [])]).toEqual([...raw]);
    expect(await current.ledger.get(['a', '1'])).toMatchObject({ committedAt: 1 });
    expect(await current.syncState.get(['a', 'INBOX'])).not.toHaveProperty('knownUidls');
    expect(await current.textQueue.count()).toBe(0);
    current.close();
  });
});
