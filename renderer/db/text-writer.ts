/**
 * Bodies' words in the search index, written in the background: a download
 * commits rows and a queue entry naming the messages whose bodies are now in
 * main's store; background indexing (renderer/sync/indexer.ts) asks main for
 * their text and writes the words here, with what a header block could not
 * tell the list (a preview, whether there are attachments).
 */
import type { MessageText } from '../../shared/model';
import { searchWords } from './search-index';
import type { CachedMessage, MessageKey, TextQueueEntry } from './rows';
import { addToSearch } from './row-writer';
import type { WriterContext } from './row-writer';

const SNIPPET_LENGTH = 200;

/** Queues messages whose bodies main has just stored for indexing: one row for the lot. */
export async function enqueueTexts(ctx: WriterContext, accountId: string, folder: string, serverIds: readonly string[]): Promise<void> {
  if (serverIds.length === 0) return;
  await ctx.db.textQueue.add({ accountId, folder, serverIds: [...serverIds], body: true });
}

/** The oldest queued batches, up to `limit` of them, or all (of one account, or of any). */
export async function nextTextBatches(ctx: WriterContext, limit: number | undefined, accountId?: string): Promise<TextQueueEntry[]> {
  const queued = accountId === undefined ? ctx.db.textQueue.orderBy('id') : ctx.db.textQueue.where('accountId').equals(accountId);
  return (limit === undefined ? queued : queued.limit(limit)).toArray();
}

/**
 * Writes the words of these messages: for `texts`, of their summaries and
 * bodies (and their rows learn what only the body could tell: a preview,
 * whether files are attached, that their text is indexed); for `summaries`,
 * of their summaries alone. The ids in each `done` leave their queued batch
 * (which goes once empty), in the same transaction, so a restart resumes
 * exactly where this stopped. Returns how many messages it indexed.
 */
export async function indexTexts(
  ctx: WriterContext,
  accountId: string,
  texts: readonly MessageText[],
  progress: readonly { entry: TextQueueEntry; done: readonly string[] }[] = [],
  summaries: readonly { folder: string; serverId: string }[] = [],
): Promise<number> {
  const db = ctx.db;
  return db.transaction('rw', [db.messages, db.postings, db.counters, db.textQueue], async () => {
    const keys = [...texts, ...summaries].map((item): MessageKey => [accountId, item.folder, item.serverId]);
    const rows = await db.messages.bulkGet(keys);
    const updated: CachedMessage[] = [];
    const searchable: { row: CachedMessage; words: string[] }[] = [];
    rows.forEach((row, i) => {
      // Gone (deleted, moved, vanished) since it was queued: nothing to find.
      if (!row) return;
      const text = texts[i];
      if (!text) {
        searchable.push({ row, words: searchWords(row) });
        return;
      }
      const snippet = row.snippet ?? text.snippet ?? (text.text === '' ? undefined : text.text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_LENGTH));
      const next: CachedMessage = { ...row, textIndexed: 1, hasAttachments: text.hasAttachments, ...(snippet === undefined ? {} : { snippet }) };
      updated.push(next);
      searchable.push({ row: next, words: searchWords(next, text.text) });
    });
    await addToSearch(ctx, searchable);
    await db.messages.bulkPut(updated);
    for (const { entry, done } of progress) {
      if (entry.id === undefined) continue;
      const finished = new Set(done);
      const current = await db.textQueue.get(entry.id);
      const left = (current?.serverIds ?? []).filter((id) => !finished.has(id));
      if (left.length === 0) await db.textQueue.delete(entry.id);
      else await db.textQueue.put({ ...entry, serverIds: left });
    }
    return searchable.length;
  });
}
