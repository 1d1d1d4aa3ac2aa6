import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../shared/model';
import { TwinboxDatabase } from './schema';
import { CacheWriter } from './writer';

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
});
