/**
 * The local search index: postings of words to message numbers (`docId`),
 * written by the cache writer in the same transaction as the messages they
 * name, read by local search. Each write adds one row per bucket of words
 * (see bucketOf) holding the words of its messages and who has them, so a
 * sync of a hundred messages writes a few hundred small rows, not an index
 * entry per word of each message.
 *
 * Postings are only ever added. A message that leaves the cache leaves its
 * postings behind; they name a number no row has any more, so they match
 * nothing (search resolves numbers to rows), and they go with their account.
 */
import type { Table } from 'dexie';
import type { MessageSummary } from '../../shared/model';
import type { ReadonlyTable } from './read-only';
import type { CacheCounter, SearchPosting } from './rows';

export interface IndexedWords {
  accountId: string;
  docId: number;
  /** The message's sortDate, kept with its number so that a search can rank before it reads any message. */
  sortDate: number;
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
 * Where a word's postings live: its first two characters. Every search term
 * has at least two, so a prefix search reads one bucket.
 */
export function bucketOf(term: string): string {
  return term.slice(0, 2);
}

/**
 * Adds postings for these messages' words: per account, one row per bucket,
 * numbered `firstChunk`, `firstChunk + 1`... Returns how many numbers it used.
 * A row per bucket rather than per word keeps a write to a few hundred
 * IndexedDB requests, each of which costs a round trip to Chromium's storage
 * process however small it is.
 */
export async function writePostings(postings: Table<SearchPosting, [string, number]>, entries: readonly IndexedWords[], firstChunk: number): Promise<number> {
  const byAccount = new Map<string, Map<string, number[]>>();
  const dates = new Map<number, number>();
  for (const { accountId, docId, sortDate, words } of entries) {
    dates.set(docId, sortDate);
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
    const buckets = new Map<string, SearchPosting>();
    for (const [term, docs] of terms) {
      const bucket = bucketOf(term);
      let row = buckets.get(bucket);
      if (!row) buckets.set(bucket, (row = { bucket, chunk, accountId, terms: [], docs: [], dates: {} }));
      row.terms.push(term);
      row.docs.push(docs);
      for (const docId of docs) row.dates[docId] = dates.get(docId) ?? 0;
    }
    rows.push(...buckets.values());
    chunk++;
  }
  await postings.bulkPut(rows);
  return chunk - firstChunk;
}

/**
 * The messages with a word that starts with `prefix` (two characters or
 * more), by number, each with its date; of one account, or of all.
 */
export async function docsStartingWith(postings: ReadonlyTable<SearchPosting, [string, number]>, prefix: string, accountId?: string): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  const bucket = bucketOf(prefix);
  const rows = await postings.where('[bucket+chunk]').between([bucket, -Infinity], [bucket, Infinity]).toArray();
  for (const posting of rows) {
    if (accountId !== undefined && posting.accountId !== accountId) continue;
    posting.terms.forEach((term, i) => {
      if (term.startsWith(prefix)) for (const docId of posting.docs[i] ?? []) found.set(docId, posting.dates[docId] ?? 0);
    });
  }
  return found;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'_.-]*/gu;
/** Enough of a body to find a message by what it is about, without indexing whole newsletters. */
const BODY_WORDS_LIMIT = 400;

/** The words a message is found by: subject, names and addresses, snippet, and (when cached) body text. */
export function searchWords(message: Pick<MessageSummary, 'subject' | 'from' | 'to' | 'cc' | 'snippet'>, bodyText?: string): string[] {
  const words = new Set<string>();
  addWords(words, message.subject);
  for (const address of [...message.from, ...message.to, ...message.cc]) {
    addWords(words, address.name);
    addWords(words, address.address);
    words.add(address.address.toLowerCase());
  }
  addWords(words, message.snippet);
  addWords(words, bodyText, BODY_WORDS_LIMIT);
  return [...words];
}

function addWords(words: Set<string>, text: string | undefined, limit = Infinity): void {
  let count = 0;
  for (const match of (text ?? '').toLowerCase().matchAll(WORD)) {
    const word = match[0].replace(/[.'_-]+$/, '');
    if (word.length < 2 || word.length > 40) continue;
    words.add(word);
    if (++count >= limit) break;
  }
}
