/**
 * Local search: every word typed must start a word the message is indexed
 * by (subject, names and addresses, preview, and the body text when it is
 * on this computer). Runs on the cache's search postings, so it answers as
 * the user types, offline too.
 */
import type { CachedMessage, MessageKey } from './rows';
import type { CacheReader } from './schema';
import { docsStartingWith } from './search-index';
import { accountMessages } from './queries';
import { keyOf } from './rows';

/**
 * Enough for several screens of answers; the note says when there are more.
 * Each answer is one read of a message, the cost of a search: a common word
 * over 100,000 messages would otherwise read thousands.
 */
export const RESULT_LIMIT = 200;

export interface LocalResults {
  keys: MessageKey[];
  /** More matched than are listed (counting postings not yet read, which may name messages that have since gone). */
  truncated: boolean;
}

export function searchTerms(text: string): string[] {
  return [...new Set(text.toLowerCase().split(/[\s,;]+/).map((t) => t.replace(/^["'(<]+|["')>.]+$/g, '')))].filter((t) => t.length >= 2);
}

export async function searchLocally(db: CacheReader, text: string, accountId?: string): Promise<LocalResults> {
  const terms = searchTerms(text);
  if (terms.length === 0) return { keys: [], truncated: false };
  const sets = await Promise.all(terms.map((term) => docsStartingWith(db.postings, term, accountId)));
  // Start from the rarest term: the fewest numbers to look up in the others.
  sets.sort((a, b) => a.size - b.size);
  const [first, ...rest] = sets;
  const matching = [...(first ?? [])].filter(([docId]) => rest.every((set) => set.has(docId)));
  // Newest first, by the dates the postings keep, so that only the messages listed are read.
  matching.sort((a, b) => b[1] - a[1]);
  const rows: CachedMessage[] = [];
  let next = 0;
  // A number whose message is gone reads as nothing (see search-index.ts): read on until the list is full.
  while (rows.length < RESULT_LIMIT && next < matching.length) {
    const wanted = matching.slice(next, next + RESULT_LIMIT - rows.length);
    next += wanted.length;
    // One lookup per number, all asked at once (anyOf() would walk the index a round trip per number).
    const found = await db.transaction('r', 'messages', () => Promise.all(wanted.map(([docId]) => db.messages.where('docId').equals(docId).first())));
    rows.push(...found.filter((row): row is CachedMessage => row !== undefined));
  }
  rows.sort((a, b) => b.sortDate - a.sortDate);
  return { keys: rows.map(keyOf), truncated: next < matching.length };
}

/**
 * How much of the account's mail local search can read in full: messages
 * whose body text is indexed; the others are found only by subject, names
 * and preview, either because their text is not on this computer (IMAP) or
 * because background indexing has not reached them yet (`queued`).
 */
export async function textCoverage(db: CacheReader, accountId: string): Promise<{ total: number; withoutText: number; queued: number }> {
  const [total, indexed, queue] = await Promise.all([
    accountMessages(db, accountId).count(),
    db.messages.where('[accountId+textIndexed]').equals([accountId, 1]).count(),
    db.textQueue.where('accountId').equals(accountId).toArray(),
  ]);
  return { total, withoutText: Math.max(0, total - indexed), queued: queue.reduce((sum, entry) => sum + entry.serverIds.length, 0) };
}
