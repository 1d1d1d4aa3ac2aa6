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
});
