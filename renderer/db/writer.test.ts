import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../shared/model';
import { TwinboxDatabase } from './schema';
import { docsStartingWith } from './search-index';
import { CacheWriter } from './writer';
import type { MessageKey } from './rows';

function summary(serverId: string, flags: string[] = []): MessageSummary {
  return { serverId, uid: Number(serverId), references: [], subject: `s${serverId}`, from: [], to: [], cc: [], replyTo: [], size: 1, flags, hasAttachments: false };
}

function writer(): CacheWriter {
  return new CacheWriter(new TwinboxDatabase('t', { indexedDB: new IDBFactory(), IDBKeyRange }), () => 1000);
}

const progress = { done: 1, total: 1 };

/** What background indexing does for synced summaries: their words go into the index. */
async function indexSummaries(w: CacheWriter): Promise<void> {
  for (const entry of await w.nextTextBatches(undefined)) {
    if (entry.body) continue;
    await w.indexTexts(entry.accountId, [], [{ entry, done: entry.serverIds }], entry.serverIds.map((serverId) => ({ folder: entry.folder, serverId })));
  }
}


describe('the cache writer', () => {
  it('does not let a sync undo a change the server has not confirmed yet', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1')], partial: [], progress });
    await w.changeFlags([['a', 'INBOX', '1']], { add: ['\\Seen'] }, true);
    // The server still reports the old flags: the queued change wins until it is confirmed.
    await w.applyImapDelta('a', 'INBOX', { kind: 'flags', changes: [{ serverId: '1', flags: [] }] });
    expect((await w.db.messages.get(['a', 'INBOX', '1']))?.seen).toBe(1);
    const [op] = await w.db.pending.toArray();
    await w.completePending(op!.id!);
    await w.applyImapDelta('a', 'INBOX', { kind: 'flags', changes: [{ serverId: '1', flags: [] }] });
    expect((await w.db.messages.get(['a', 'INBOX', '1']))?.seen).toBe(0);
  });

  it('does not bring back a message deleted here when a sync offers it again', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1')], partial: [], progress });
    await w.deleteOnServer([['a', 'INBOX', '1']]);
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1')], partial: [], progress });
    expect(await w.db.messages.count()).toBe(0);
  });

  it('puts back what the user saw when the server refuses, and keeps the reason', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1', ['\\Flagged'])], partial: [], progress });
    await w.moveOnServer([['a', 'INBOX', '1']], 'Nowhere');
    expect(await w.db.messages.count()).toBe(0);
    const [op] = await w.db.pending.toArray();
    await w.failPending(op!.id!, { code: 'MAILBOX_NOT_FOUND', text: 'This folder no longer exists on the server.' });
    expect(await w.db.messages.get(['a', 'INBOX', '1'])).toMatchObject({ flagged: 1 });
    expect(await w.db.pending.get(op!.id)).toMatchObject({ status: 'failed', error: { code: 'MAILBOX_NOT_FOUND' } });
  });

  it('does not index the text of a message that disappeared while it was being read', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1')], partial: [], progress });
    await w.applyImapDelta('a', 'INBOX', { kind: 'vanished', serverIds: ['1'] });
    expect(await w.indexTexts('a', [{ folder: 'INBOX', serverId: '1', text: 'late', hasAttachments: false }])).toBe(0);
    expect(await w.db.messages.count()).toBe(0);
  });

  it('commits a POP3 message once, however often the server offers it, and keeps no bytes in IndexedDB', async () => {
    const w = writer();
    const delta = { kind: 'messages' as const, summaries: [summary('uidl-1')], partial: [], progress };
    expect(await w.applyPop3Delta('a', delta)).toEqual({ committed: ['uidl-1'], skipped: [], present: [], discard: [] });
    // Offered again (main's store had lost the file): the row says where it belongs, and the new file is kept there.
    expect(await w.applyPop3Delta('a', delta)).toEqual({ committed: [], skipped: ['uidl-1'], present: [{ serverId: 'uidl-1', folder: 'INBOX' }], discard: [] });
    expect(await w.db.messages.count()).toBe(1);
    expect(await w.db.bodies.count()).toBe(0);
    // Its body's words are queued for background indexing, not written with the download.
    expect((await w.db.textQueue.toArray()).map((entry) => entry.serverIds)).toEqual([['uidl-1']]);
    // Gone from the server: still here, and the ledger knows, once.
    await w.applyPop3Delta('a', { kind: 'vanished', serverIds: ['uidl-1'] });
    expect(await w.db.messages.count()).toBe(1);
    expect((await w.db.ledger.get(['a', 'uidl-1']))?.deletedOnServerAt).toBe(1000);
    expect((await w.db.syncState.get(['a', 'INBOX']))?.goneUidls).toEqual(['uidl-1']);
  });

  it('lets the server be asked to delete only what is committed or deleted here, and records the request first', async () => {
    const w = writer();
    await w.applyPop3Delta('a', { kind: 'messages', summaries: [summary('u1')], partial: [], progress });
    expect(await w.markDeleting('a', ['u1', 'never-seen'])).toEqual(['u1']);
    expect((await w.db.ledger.get(['a', 'u1']))?.deleteRequestedAt).toBe(1000);
    w.close();
  });

  it('drops a downloaded copy of a message the user deleted here for good', async () => {
    const w = writer();
    await w.ensureLocalFolders('a');
    await w.applyPop3Delta('a', { kind: 'messages', summaries: [summary('u1')], partial: [], progress });
    await w.deleteLocal([['a', 'INBOX', 'u1']], 'Trash');
    const { removed } = await w.deleteLocal([['a', 'Trash', 'u1']], 'Trash');
    expect(removed).toEqual([['a', 'Trash', 'u1']]);
    expect(await w.applyPop3Delta('a', { kind: 'messages', summaries: [summary('u1')], partial: [], progress })).toMatchObject({ skipped: ['u1'], discard: ['u1'] });
    expect(await w.db.messages.count()).toBe(0);
  });

  it('rebuilds rows and ledger from what the store holds, without touching rows it has', async () => {
    const w = writer();
    await w.ensureLocalFolders('a');
    await w.applyPop3Delta('a', { kind: 'messages', summaries: [summary('u1')], partial: [], progress });
    const stored = (folder: string, serverId: string, flags: string[] = []): Parameters<CacheWriter['adoptStored']>[1][number] => ({
      folder,
      serverId,
      kind: 'server',
      size: 1,
      partial: false,
      flags,
      indexed: false,
      summary: { ...summary(serverId), flags },
    });
    const adopted = await w.adoptStored('a', [stored('INBOX', 'u1'), stored('Archive', 'u2', ['\\Seen']), stored('Trash', 'u3')], ['u4']);
    expect(adopted).toEqual({
      created: [
        { folder: 'Archive', serverId: 'u2' },
        { folder: 'Trash', serverId: 'u3' },
      ],
      present: [{ folder: 'INBOX', serverId: 'u1' }],
      discard: [],
    });
    expect(await w.db.messages.get(['a', 'Archive', 'u2'])).toMatchObject({ seen: 1 });
    expect(await w.db.ledger.get(['a', 'u2'])).toMatchObject({ committedAt: 1000 });
    expect(await w.db.ledger.get(['a', 'u3'])).toMatchObject({ committedAt: 1000, deletedHereAt: 1000 });
    expect(await w.db.ledger.get(['a', 'u4'])).toMatchObject({ deletedHereAt: 1000 });
  });

  it('keeps conversation fields right when a thread arrives over several deltas, newest first', async () => {
    const w = writer();
    const dated = (serverId: string, day: number, references: string[]): MessageSummary => ({
      ...summary(serverId),
      messageId: `m${serverId}@x`,
      references,
      date: new Date(Date.UTC(2024, 0, day)).toISOString(),
    });
    // A sync brings the newest first: the reply before the message it answers.
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [dated('3', 3, ['m1@x', 'm2@x']), dated('2', 2, ['m1@x'])], partial: [], progress });
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [dated('1', 1, []), dated('9', 9, [])], partial: [], progress });
    const rows = await w.db.messages.orderBy('[accountId+folder+serverId]').toArray();
    // The newest of each thread is its head and carries its date and size; the others say only that they are not.
    const fields = rows.map((r) => (r.threadHead === 1 ? [r.serverId, r.threadSize, r.threadDate] : [r.serverId, 'member']));
    expect(fields).toEqual([
      ['1', 'member'],
      ['2', 'member'],
      ['3', 3, Date.UTC(2024, 0, 3)],
      ['9', 1, Date.UTC(2024, 0, 9)],
    ]);
    // A message that vanishes leaves its thread one smaller, with the next newest as its head.
    await w.applyImapDelta('a', 'INBOX', { kind: 'vanished', serverIds: ['3'] });
    expect(await w.db.messages.get(['a', 'INBOX', '2'])).toMatchObject({ threadHead: 1, threadSize: 2, threadDate: Date.UTC(2024, 0, 2) });
  });

  it('remembers the UIDs a sync left only until rows come or go by other ways', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'reset', uidValidity: '7' });
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('2'), summary('1')], partial: [], progress });
    expect((await w.db.syncState.get(['a', 'INBOX']))?.knownUids).toBeUndefined();
    await w.applyImapDelta('a', 'INBOX', { kind: 'done', state: { protocol: 'imap', uidValidity: '7', knownUids: '1:2' }, total: 2 });
    expect((await w.db.syncState.get(['a', 'INBOX']))?.knownUids).toBe('1:2');
    await w.deleteOnServer([['a', 'INBOX', '1']]);
    expect(await w.db.syncState.get(['a', 'INBOX'])).toMatchObject({ uidValidity: '7', serverTotal: 2 });
    expect((await w.db.syncState.get(['a', 'INBOX']))?.knownUids).toBeUndefined();
  });

  it('makes messages findable by summary and by body text once indexed, wherever they move, and never a message gone', async () => {
    const w = writer();
    const find = async (word: string): Promise<MessageKey[]> => {
      const docs = await docsStartingWith(w.db.postings, word);
      return (await w.db.messages.where('docId').anyOf([...docs.keys()]).toArray()).map((m): MessageKey => [m.accountId, m.folder, m.serverId]);
    };
    const text = (serverId: string, words: string, folder = 'INBOX'): Parameters<CacheWriter['indexTexts']>[1][number] => ({ folder, serverId, text: words, hasAttachments: false });
    await w.applyImapDelta('a', 'INBOX', { kind: 'reset', uidValidity: '1' });
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [{ ...summary('1'), subject: 'Harbour report' }, summary('2')], partial: [], progress });
    // The sync wrote rows only; their words come with background indexing.
    expect(await find('harb')).toEqual([]);
    await indexSummaries(w);
    expect(await find('harb')).toEqual([['a', 'INBOX', '1']]);
    expect(await find('lighthouse')).toEqual([]);
    await w.indexTexts('a', [text('2', 'The lighthouse keeper writes.')]);
    expect(await find('lighthouse')).toEqual([['a', 'INBOX', '2']]);
    expect(await w.db.messages.get(['a', 'INBOX', '2'])).toMatchObject({ textIndexed: 1, snippet: 'The lighthouse keeper writes.' });
    // The same UID after a UIDVALIDITY change is another message: the old one's words do not find it.
    await w.applyImapDelta('a', 'INBOX', { kind: 'reset', uidValidity: '2' });
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('2')], partial: [], progress });
    await indexSummaries(w);
    expect(await find('lighthouse')).toEqual([]);

    // POP3: found by its text once indexed (the queue is worked through), still found in another folder, not once deleted for good.
    await w.ensureLocalFolders('p');
    await w.applyPop3Delta('p', { kind: 'messages', summaries: [summary('u1')], partial: [], progress });
    expect(await find('rowing')).toEqual([]);
    const [queued] = await w.nextTextBatches(10, 'p');
    await w.indexTexts('p', [text('u1', 'Minutes of the rowing club')], [{ entry: queued!, done: ['u1'] }]);
    expect(await w.nextTextBatches(10, 'p')).toEqual([]);
    expect(await find('rowing')).toEqual([['p', 'INBOX', 'u1']]);
    await w.moveLocal([['p', 'INBOX', 'u1']], 'Archive');
    expect(await find('rowing')).toEqual([['p', 'Archive', 'u1']]);
    await w.deleteLocal([['p', 'Archive', 'u1']], 'Trash');
    await w.deleteLocal([['p', 'Trash', 'u1']], 'Trash');
    expect(await find('rowing')).toEqual([]);
    // Removing an account takes its postings with it.
    await w.removeAccountData('a');
    expect(await w.db.postings.where('accountId').equals('a').count()).toBe(0);
  });
});
