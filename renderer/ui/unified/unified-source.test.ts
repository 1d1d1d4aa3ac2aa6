import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { Account, SpecialUse } from '../../../shared/model';
import type { CachedMessage } from '../../db/rows';
import { TwinboxDatabase } from '../../db/schema';
import { flaggedTotal, inboxesUnread, unifiedSource, unreadTotal } from './unified-source';

function account(id: string, protocol: 'imap' | 'pop3'): Account {
  const server = { host: 'mail.example.org', port: 993, security: 'tls' as const, username: id, signIn: 'password' as const };
  return { id, name: `Account ${id}`, email: `${id}@example.org`, displayName: id, protocol, incoming: server, outgoing: server };
}

function row(accountId: string, folder: string, serverId: string, sortDate: number, marks: { seen?: 0 | 1; flagged?: 0 | 1 } = {}): CachedMessage {
  const seen = marks.seen ?? 1;
  const flagged = marks.flagged ?? 0;
  return {
    accountId,
    folder,
    serverId,
    references: [],
    subject: `${accountId} ${folder} ${serverId}`,
    from: [],
    to: [],
    cc: [],
    replyTo: [],
    size: 10,
    flags: [...(seen ? ['\\Seen'] : []), ...(flagged ? ['\\Flagged'] : [])],
    hasAttachments: false,
    sortDate,
    seen,
    flagged,
    threadId: `${accountId}${folder}${serverId}`,
    partial: 0,
    docId: 0,
    threadHead: 1,
    threadDate: sortDate,
    threadSize: 1,
    senderKey: '',
    subjectKey: '',
  };
}

let databases = 0;

async function twoAccounts(): Promise<TwinboxDatabase> {
  const db = new TwinboxDatabase(`unified-${++databases}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.accounts.bulkPut([account('a', 'pop3'), account('b', 'imap')]);
  const folders: [string, string, SpecialUse | undefined][] = [
    ['a', 'INBOX', 'inbox'],
    ['a', 'Trash', 'trash'],
    ['a', 'Archive', 'archive'],
    ['b', 'INBOX', 'inbox'],
    ['b', 'Sent', 'sent'],
    ['b', 'Lists', undefined],
  ];
  await db.folders.bulkPut(
    folders.map(([accountId, path, specialUse]) => ({ accountId, path, name: path, delimiter: '/', subscribed: true, selectable: true, ...(specialUse ? { specialUse } : {}) })),
  );
  return db;
}

const subjects = (rows: CachedMessage[]): string[] => rows.map((r) => r.subject);

describe('unified views across accounts', () => {
  it('merges every Inbox newest first, and pages through the merge as one list', async () => {
    const db = await twoAccounts();
    // Interleaved dates, one tie across accounts, and mail outside the Inboxes that must not show.
    await db.messages.bulkPut([
      row('a', 'INBOX', '1', 100),
      row('a', 'INBOX', '2', 300, { seen: 0 }),
      row('a', 'INBOX', '3', 500),
      row('b', 'INBOX', '10', 200, { seen: 0 }),
      row('b', 'INBOX', '11', 300),
      row('b', 'INBOX', '12', 600),
      row('a', 'Archive', '4', 700),
      row('b', 'Sent', '13', 800),
    ]);
    const source = unifiedSource(db, 'inboxes');
    expect(await source.count()).toBe(6);
    const all = await source.page(0, 100);
    expect(subjects(all)).toEqual(['b INBOX 12', 'a INBOX 3', 'a INBOX 2', 'b INBOX 11', 'b INBOX 10', 'a INBOX 1']);
    // Any page is the same slice of the same order, whatever was asked before.
    for (const [offset, limit] of [
      [0, 1],
      [1, 2],
      [2, 3],
      [5, 4],
    ] as const) {
      expect(subjects(await source.page(offset, limit))).toEqual(subjects(all.slice(offset, offset + limit)));
    }
    expect(await inboxesUnread(db)).toBe(2);
  });

  it('lists unread mail outside Trash, Junk, Sent and Drafts, and flagged mail outside Trash and Junk', async () => {
    const db = await twoAccounts();
    await db.messages.bulkPut([
      row('a', 'INBOX', '1', 100, { seen: 0 }),
      row('a', 'Trash', '2', 900, { seen: 0, flagged: 1 }),
      row('a', 'Archive', '3', 400, { seen: 0 }),
      row('b', 'INBOX', '10', 200, { seen: 0, flagged: 1 }),
      row('b', 'Sent', '11', 800, { seen: 0, flagged: 1 }),
      row('b', 'Lists', '12', 300, { flagged: 1 }),
      row('b', 'Lists', '13', 500, { seen: 0 }),
    ]);
    const unread = unifiedSource(db, 'unread');
    expect(await unread.count()).toBe(4);
    expect(await unreadTotal(db)).toBe(4);
    expect(subjects(await unread.page(0, 10))).toEqual(['b Lists 13', 'a Archive 3', 'b INBOX 10', 'a INBOX 1']);
    expect(subjects(await unread.page(1, 2))).toEqual(['a Archive 3', 'b INBOX 10']);

    const flagged = unifiedSource(db, 'flagged');
    expect(await flagged.count()).toBe(3);
    expect(await flaggedTotal(db)).toBe(3);
    expect(subjects(await flagged.page(0, 10))).toEqual(['b Sent 11', 'b Lists 12', 'b INBOX 10']);
    expect(subjects(await flagged.page(2, 10))).toEqual(['b INBOX 10']);
    // Unflagging takes a message out at once; read, it stays flagged.
    await db.messages.update(['b', 'Lists', '12'], { flagged: 0 });
    await db.messages.update(['b', 'INBOX', '10'], { seen: 1 });
    expect(subjects(await flagged.page(0, 10))).toEqual(['b Sent 11', 'b INBOX 10']);
    expect(await flagged.count()).toBe(2);
    expect(subjects(await unread.page(0, 10))).toEqual(['b Lists 13', 'a Archive 3', 'a INBOX 1']);

    // What was opened in this visit stays in the Unread view once read, where it was; the next visit leaves it out.
    const opened = new Map([['b\u0000Lists\u000013', ['b', 'Lists', '13'] as [string, string, string]]]);
    const visit = unifiedSource(db, 'unread', opened, 1);
    await db.messages.update(['b', 'Lists', '13'], { seen: 1 });
    expect(subjects(await visit.page(0, 10))).toEqual(['b Lists 13', 'a Archive 3', 'a INBOX 1']);
    expect(await visit.count()).toBe(3);
    expect(await unreadTotal(db)).toBe(2);
    expect(subjects(await unifiedSource(db, 'unread', new Map(), 2).page(0, 10))).toEqual(['a Archive 3', 'a INBOX 1']);
  });

  it('reads afresh on every call, so that the list\'s live queries see mail arriving in any account and mail being read', async () => {
    // The source remembers nothing between calls: what a live query re-runs after a commit reads the commit.
    const db = await twoAccounts();
    await db.messages.bulkPut([row('a', 'INBOX', '1', 100, { seen: 0 }), row('b', 'INBOX', '10', 200)]);
    const source = unifiedSource(db, 'inboxes');
    const unread = unifiedSource(db, 'unread');
    expect(await source.count()).toBe(2);
    await db.messages.put(row('b', 'INBOX', '11', 300, { seen: 0 }));
    expect(subjects(await source.page(0, 10))).toEqual(['b INBOX 11', 'b INBOX 10', 'a INBOX 1']);
    expect([await source.count(), await unread.count(), await inboxesUnread(db)]).toEqual([3, 2, 2]);
    await db.messages.update(['a', 'INBOX', '1'], { seen: 1 });
    expect([await unread.count(), await inboxesUnread(db)]).toEqual([1, 1]);
    expect(subjects(await unread.page(0, 10))).toEqual(['b INBOX 11']);
    // An account added later is merged in too.
    await db.accounts.put(account('c', 'imap'));
    await db.messages.put(row('c', 'INBOX', '1', 250));
    expect(subjects(await source.page(0, 2))).toEqual(['b INBOX 11', 'c INBOX 1']);
  });
});
