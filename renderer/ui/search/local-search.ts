/**
 * Local search: every word typed must start a word the message is indexed
 * by (subject, names and addresses, preview, and the body text when it is
 * on this computer). Runs on the cache's search postings, so it answers as
 * the user types, offline too.
 */
import type { TwinboxDatabase } from '../../db/schema';
import { docsStartingWith } from '../../db/search-index';
import { keyOf } from '../../db/writer';
import type { MessageKey } from '../../db/writer';

/** Enough for a screen of answers; the note says when there are more. */
export const RESULT_LIMIT = 1000;

export interface LocalResults {
  keys: MessageKey[];
  /** More matched than are listed. */
  truncated: boolean;
}

export function searchTerms(text: string): string[] {
  return [...new Set(text.toLowerCase().split(/[\s,;]+/).map((t) => t.replace(/^["'(<]+|["')>.]+$/g, '')))].filter((t) => t.length >= 2);
}

export async function searchLocally(db: TwinboxDatabase, text: string, accountId?: string): Promise<LocalResults> {
  const terms = searchTerms(text);
  if (terms.length === 0) return { keys: [], truncated: false };
  const sets = await Promise.all(terms.map((term) => docsStartingWith(db.postings, term)));
  // Start from the rarest term: the fewest numbers to look up in the others.
  sets.sort((a, b) => a.size - b.size);
  const [first, ...rest] = sets;
  const matching = [...(first ?? [])].filter((docId) => rest.every((set) => set.has(docId)));
  // Numbers of messages no longer here match no row (see search-index.ts).
  const rows = (await db.messages.where('docId').anyOf(matching).toArray()).filter((row) => accountId === undefined || row.accountId === accountId);
  rows.sort((a, b) => b.sortDate - a.sortDate);
  return { keys: rows.slice(0, RESULT_LIMIT).map(keyOf), truncated: rows.length > RESULT_LIMIT };
}

/**
 * How much of the account's mail local search can see: messages whose text
 * is not on this computer are found only by subject, names and preview.
 */
export async function textCoverage(db: TwinboxDatabase, accountId: string): Promise<{ total: number; withoutText: number }> {
  const total = await db.messages.where('accountId').equals(accountId).count();
  const withText = await db.bodies.where('accountId').equals(accountId).count();
  return { total, withoutText: Math.max(0, total - withText) };
}
