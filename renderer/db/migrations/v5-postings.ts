/**
 * Schema 5: local search from postings instead of a multi-entry index on
 * the messages. Each message, and each row a queued operation would put
 * back, gets a number, and its words become postings: per account, one row
 * per two-character bucket of words. Frozen (see README.md).
 */
import type { Transaction } from 'dexie';

interface WordedRow {
  accountId: string;
  sortDate: number;
  docId?: number;
  words?: string[];
}

interface PendingRow {
  undo: WordedRow[];
}

interface Posting {
  bucket: string;
  chunk: number;
  accountId: string;
  terms: string[];
  docs: number[][];
  dates: Record<number, number>;
}

interface Numbered {
  accountId: string;
  docId: number;
  sortDate: number;
  words: readonly string[];
}

/** The postings of these messages' words, numbered from `firstChunk`, one chunk per account; and how many chunks. */
function postingsOf(entries: readonly Numbered[], firstChunk: number): [Posting[], number] {
  const byAccount = new Map<string, Map<string, number[]>>();
  const dates = new Map<number, number>();
  for (const { accountId, docId, sortDate, words } of entries) {
    dates.set(docId, sortDate);
    let terms = byAccount.get(accountId);
    if (!terms) byAccount.set(accountId, (terms = new Map<string, number[]>()));
    for (const word of words) terms.set(word, [...(terms.get(word) ?? []), docId]);
  }
  const rows: Posting[] = [];
  let chunk = firstChunk;
  for (const [accountId, terms] of byAccount) {
    const buckets = new Map<string, Posting>();
    for (const [term, docs] of terms) {
      const bucket = term.slice(0, 2);
      let row = buckets.get(bucket);
      if (!row) buckets.set(bucket, (row = { bucket, chunk, accountId, terms: [], docs: [], dates: {} }));
      row.terms.push(term);
      row.docs.push(docs);
      for (const docId of docs) row.dates[docId] = dates.get(docId) ?? 0;
    }
    rows.push(...buckets.values());
    chunk++;
  }
  return [rows, chunk - firstChunk];
}

export async function upgradeToVersion5(transaction: Transaction): Promise<void> {
  let next = 1;
  const numbered: Numbered[] = [];
  const number = (row: WordedRow): void => {
    row.docId = next++;
    numbered.push({ accountId: row.accountId, docId: row.docId, sortDate: row.sortDate, words: row.words ?? [] });
    delete row.words;
  };
  await transaction.table<WordedRow, [string, string, string]>('messages').toCollection().modify(number);
  await transaction
    .table<PendingRow, number>('pending')
    .toCollection()
    .modify((op) => op.undo.forEach(number));
  const [postings, chunks] = postingsOf(numbered, next);
  await transaction.table<Posting, [string, number]>('postings').bulkPut(postings);
  await transaction.table<{ name: string; value: number }, string>('counters').put({ name: 'nextId', value: next + chunks });
}
