/**
 * The local search index: postings of words to message numbers (`docId`),
 * written by the cache writer in the same transaction as the messages they
 * name, read by local search. A word gets one row per write, so a sync of a
 * hundred messages writes one row per distinct word among them, not one index
 * entry per word of each message.
 *
 * Postings are only ever added. A message that leaves the cache leaves its
 * postings behind; they name a number no row has any more, so they match
 * nothing (search resolves numbers to rows), and they go with their account.
 */
import type { Table } from 'dexie';
import type { CacheCounter, SearchPosting } from './schema';

export interface IndexedWords {
  accountId: string;
  docId: number;
  words: readonly string[];
}

/**
 * Takes `count` numbers from the cache's counter and returns the first.
 * Call inside a transaction that names the counters table, so that two
 * writers can never be handed the same numbers.
 */
export async function takeNumbers(counters: Table<CacheCounter, string>, count: number): Promise<number> {
  const first = (await counters.get('nextId'))?.value ?? 1;
  if (count > 0) await counters.put({ name: 'nextId', value: first + count });
  return first;
}

/**
 * Adds postings for these messages' words: per account, one row per word,
 * numbered `firstChunk`, `firstChunk + 1`... Returns how many numbers it used.
 */
export async function writePostings(postings: Table<SearchPosting, [string, number]>, entries: readonly IndexedWords[], firstChunk: number): Promise<number> {
  const byAccount = new Map<string, Map<string, number[]>>();
  for (const { accountId, docId, words } of entries) {
    let terms = byAccount.get(accountId);
    if (!terms) byAccount.set(accountId, (terms = new Map<string, number[]>()));
    for (const word of words) {
      const docs = terms.get(word);
      if (docs) docs.push(docId);
      else terms.set(word, [docId]);
    }
  }
  const rows: SearchPosting[] = [];
  let chunk = firstChunk;
  for (const [accountId, terms] of byAccount) {
    for (const [term, docs] of terms) rows.push({ term, chunk, accountId, docs });
    chunk++;
  }
  await postings.bulkPut(rows);
  return chunk - firstChunk;
}

/** Numbers of the messages with a word that starts with `prefix`, in any account. */
export async function docsStartingWith(postings: Table<SearchPosting, [string, number]>, prefix: string): Promise<Set<number>> {
  const found = new Set<number>();
  await postings
    .where('[term+chunk]')
    .between([prefix, -Infinity], [`${prefix}\uffff`, Infinity])
    .each((posting) => {
      for (const docId of posting.docs) found.add(docId);
    });
  return found;
}
