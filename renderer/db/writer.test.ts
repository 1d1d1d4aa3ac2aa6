import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../shared/model';
import { TwinboxDatabase } from './schema';
import { docsStartingWith } from './search-index';
import { CacheWriter } from './writer';
import type { MessageKey } from './writer';

function summary(serverId: string, flags: string[] = []): MessageSummary {
  return { serverId, uid: Number(serverId), references: [], subject: `s${serverId}`, from: [], to: [], cc: [], replyTo: [], size: 1, flags, hasAttachments: false };
}

function writer(): CacheWriter {
  return new CacheWriter(new TwinboxDatabase('t', { indexedDB: new IDBFactory(), IDBKeyRange }), () => 1000);
}

const progress = { done: 1, total: 1 };

describe('the cache writer', () => {
  it('does not let a sync undo a change the server has not confirmed yet', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1')], bodies: [], partial: [], progress });
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
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1')], bodies: [], partial: [], progress });
    await w.deleteOnServer([['a', 'INBOX', '1']]);
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1')], bodies: [], partial: [], progress });
    expect(await w.db.messages.count()).toBe(0);
  });

  it('puts back what the user saw when the server refuses, and keeps the reason', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1', ['\\Flagged'])], bodies: [], partial: [], progress });
    await w.moveOnServer([['a', 'INBOX', '1']], 'Nowhere');
    expect(await w.db.messages.count()).toBe(0);
    const [op] = await w.db.pending.toArray();
    await w.failPending(op!.id!, { code: 'MAILBOX_NOT_FOUND', text: 'This folder no longer exists on the server.' });
    expect(await w.db.messages.get(['a', 'INBOX', '1'])).toMatchObject({ flagged: 1 });
    expect(await w.db.pending.get(op!.id)).toMatchObject({ status: 'failed', error: { code: 'MAILBOX_NOT_FOUND' } });
  });

  it('does not store a body for a message that disappeared while it was being fetched', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('1')], bodies: [], partial: [], progress });
    await w.applyImapDelta('a', 'INBOX', { kind: 'vanished', serverIds: ['1'] });
    await w.storeBody('a', 'INBOX', { serverId: '1', text: 'late', attachments: [], headers: [], warnings: [] }, { keepRaw: false });
    expect(await w.db.bodies.count()).toBe(0);
    expect(await w.db.messages.count()).toBe(0);
  });

  it('commits a POP3 message once, however often the server offers it', async () => {
    const w = writer();
    const delta = {
      kind: 'messages' as const,
      summaries: [summary('uidl-1')],
      bodies: [{ serverId: 'uidl-1', text: 'hi', attachments: [], headers: [], warnings: [], raw: new Uint8Array([104, 105]) }],
      partial: [],
      progress,
    };
    expect(await w.applyPop3Delta('a', delta)).toEqual({ committed: ['uidl-1'], skipped: [] });
    expect(await w.applyPop3Delta('a', delta)).toEqual({ committed: [], skipped: ['uidl-1'] });
    expect(await w.db.messages.count()).toBe(1);
    expect([...((await w.db.bodies.get(['a', 'INBOX', 'uidl-1']))?.raw ?? [])]).toEqual([104, 105]);
    // Gone from the server: still here, and the ledger knows.
    await w.applyPop3Delta('a', { kind: 'vanished', serverIds: ['uidl-1'] });
    expect(await w.db.messages.count()).toBe(1);
    expect((await w.db.ledger.get(['a', 'uidl-1']))?.deletedOnServerAt).toBe(1000);
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
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [dated('3', 3, ['m1@x', 'm2@x']), dated('2', 2, ['m1@x'])], bodies: [], partial: [], progress });
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [dated('1', 1, []), dated('9', 9, [])], bodies: [], partial: [], progress });
    const rows = await w.db.messages.orderBy('[accountId+folder+serverId]').toArray();
    const fields = rows.map((r) => [r.serverId, r.threadHead, r.threadSize, r.threadDate]);
    expect(fields).toEqual([
      ['1', 0, 3, Date.UTC(2024, 0, 3)],
      ['2', 0, 3, Date.UTC(2024, 0, 3)],
      ['3', 1, 3, Date.UTC(2024, 0, 3)],
      ['9', 1, 1, Date.UTC(2024, 0, 9)],
    ]);
    // A message that vanishes leaves its thread one smaller, with the next newest as its head.
    await w.applyImapDelta('a', 'INBOX', { kind: 'vanished', serverIds: ['3'] });
    expect(await w.db.messages.get(['a', 'INBOX', '2'])).toMatchObject({ threadHead: 1, threadSize: 2, threadDate: Date.UTC(2024, 0, 2) });
  });

  it('remembers the UIDs a sync left only until rows come or go by other ways', async () => {
    const w = writer();
    await w.applyImapDelta('a', 'INBOX', { kind: 'reset', uidValidity: '7' });
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('2'), summary('1')], bodies: [], partial: [], progress });
    expect((await w.db.syncState.get(['a', 'INBOX']))?.knownUids).toBeUndefined();
    await w.applyImapDelta('a', 'INBOX', { kind: 'done', state: { protocol: 'imap', uidValidity: '7', knownUids: '1:2' }, total: 2 });
    expect((await w.db.syncState.get(['a', 'INBOX']))?.knownUids).toBe('1:2');
    await w.deleteOnServer([['a', 'INBOX', '1']]);
    expect(await w.db.syncState.get(['a', 'INBOX'])).toMatchObject({ uidValidity: '7', serverTotal: 2 });
    expect((await w.db.syncState.get(['a', 'INBOX']))?.knownUids).toBeUndefined();
  });

  it('keeps the POP3 known UIDLs in step with the ledger', async () => {
    const w = writer();
    const message = (uidl: string): Parameters<CacheWriter['applyPop3Delta']>[1] => ({
      kind: 'messages',
      summaries: [summary(uidl)],
      bodies: [{ serverId: uidl, text: 'hi', attachments: [], headers: [], warnings: [], raw: new Uint8Array([104, 105]) }],
      partial: [],
      progress,
    });
    await w.applyPop3Delta('a', message('u1'));
    await w.applyPop3Delta('a', { kind: 'done', state: { protocol: 'pop3', knownUidls: ['u1'] }, total: 1 });
    expect((await w.db.syncState.get(['a', 'INBOX']))?.knownUidls).toEqual(['u1']);
    await w.applyPop3Delta('a', message('u2'));
    expect(await w.knownUidls('a')).toEqual(['u1', 'u2']);
    await w.ensureLocalFolders('a');
    await w.deleteLocal([['a', 'INBOX', 'u1']], 'Trash');
    expect((await w.db.syncState.get(['a', 'INBOX']))?.knownUidls).toBeUndefined();
    // Read from the ledger again: deleted here still counts as known.
    expect((await w.knownUidls('a')).sort()).toEqual(['u1', 'u2']);
  });

  it('makes messages findable by summary at once and by body text once it is here, wherever they move, and never a message gone', async () => {
    const w = writer();
    const find = async (word: string): Promise<MessageKey[]> => {
      const docs = await docsStartingWith(w.db.postings, word);
      return (await w.db.messages.where('docId').anyOf([...docs.keys()]).toArray()).map((m): MessageKey => [m.accountId, m.folder, m.serverId]);
    };
    const body = (serverId: string, text: string): Parameters<CacheWriter['storeBodies']>[2][number] => ({ serverId, text, attachments: [], headers: [], warnings: [] });
    await w.applyImapDelta('a', 'INBOX', { kind: 'reset', uidValidity: '1' });
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [{ ...summary('1'), subject: 'Harbour report' }, summary('2')], bodies: [], partial: [], progress });
    expect(await find('harb')).toEqual([['a', 'INBOX', '1']]);
    expect(await find('lighthouse')).toEqual([]);
    await w.storeBodies('a', 'INBOX', [body('2', 'The lighthouse keeper writes.')], { keepRaw: false });
    expect(await find('lighthouse')).toEqual([['a', 'INBOX', '2']]);
    // The same UID after a UIDVALIDITY change is another message: the old one's words do not find it.
    await w.applyImapDelta('a', 'INBOX', { kind: 'reset', uidValidity: '2' });
    await w.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries: [summary('2')], bodies: [], partial: [], progress });
    expect(await find('lighthouse')).toEqual([]);

    // POP3: found with its whole text on arrival, still found in another folder, not once deleted for good.
    await w.ensureLocalFolders('p');
    await w.applyPop3Delta('p', { kind: 'messages', summaries: [summary('u1')], bodies: [{ ...body('u1', 'Minutes of the rowing club') }], partial: [], progress });
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
