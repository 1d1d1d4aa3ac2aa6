import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../shared/model';
import { RESULT_LIMIT, searchLocally } from './local-search';
import { TwinboxDatabase } from './schema';
import { CacheWriter } from './writer';

function summary(uid: number, subject: string): MessageSummary {
  return {
    serverId: String(uid),
    uid,
    references: [],
    subject,
    from: [{ name: 'Ann Müller', address: 'ann@example.org' }],
    to: [],
    cc: [],
    replyTo: [],
    size: 1,
    flags: [],
    hasAttachments: false,
    date: new Date(Date.UTC(2025, 0, 1) + uid * 60_000).toISOString(),
  };
}

/** What background indexing does for synced summaries: their words go into the index. */
async function indexSummaries(w: CacheWriter): Promise<void> {
  for (const entry of await w.nextTextBatches(undefined)) {
    if (entry.body) continue;
    await w.indexTexts(entry.accountId, [], [{ entry, done: entry.serverIds }], entry.serverIds.map((serverId) => ({ folder: entry.folder, serverId })));
  }
}

describe('local search', () => {
  it('lists the newest matches first, says when there are more, and skips messages that are gone', async () => {
    const writer = new CacheWriter(new TwinboxDatabase('t', { indexedDB: new IDBFactory(), IDBKeyRange }), () => 1000);
    const count = RESULT_LIMIT + 50;
    // Oldest first, unlike a sync: the order messages arrive in must not decide the order they are listed in.
    for (let start = 1; start <= count; start += 100) {
      const summaries = Array.from({ length: Math.min(100, count - start + 1) }, (_, i) => summary(start + i, `Invoice ${start + i}${(start + i) % 2 === 0 ? ' paid' : ''}`));
      await writer.applyImapDelta('a', 'INBOX', { kind: 'messages', summaries, partial: [], progress: { done: 1, total: 1 } });
    }
    await indexSummaries(writer);
    const all = await searchLocally(writer.db, 'invoice');
    expect(all.truncated).toBe(true);
    expect(all.keys).toHaveLength(RESULT_LIMIT);
    expect(all.keys.slice(0, 2).map((key) => key[2])).toEqual([String(count), String(count - 1)]);
    // Both words, any order, by their start; then narrowed enough to list them all.
    const paid = await searchLocally(writer.db, 'pai INVOICE');
    expect(paid.truncated).toBe(false);
    expect(paid.keys).toHaveLength(count / 2);
    expect(paid.keys.every((key) => Number(key[2]) % 2 === 0)).toBe(true);
    // The newest ten leave: the list is still full, from the next newest.
    await writer.applyImapDelta('a', 'INBOX', { kind: 'vanished', serverIds: Array.from({ length: 10 }, (_, i) => String(count - i)) });
    const after = await searchLocally(writer.db, 'invoice');
    expect(after.keys).toHaveLength(RESULT_LIMIT);
    expect(after.keys[0]?.[2]).toBe(String(count - 10));
    expect((await searchLocally(writer.db, 'müller', 'other-account')).keys).toEqual([]);
  });
});
