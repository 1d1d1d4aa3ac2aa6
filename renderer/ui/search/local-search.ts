/**
 * Local search: every word typed must start a word the message is indexed
 * by (subject, names and addresses, preview, and the body text when it is
 * on this computer). Runs on the cache's multi-entry index, so it answers as
 * the user types, offline too.
 */
import type { CachedMessage, TwinboxDatabase } from '../../db/schema';
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
  // Start from the rarest term: the fewest keys to intersect.
  const sets = await Promise.all(
    terms.map(async (term) => new Set((await db.messages.where('words').startsWith(term).primaryKeys()).map((key) => key.join('\u0000')))),
  );
  sets.sort((a, b) => a.size - b.size);
  const [first, ...rest] = sets;
  const matching = [...(first ?? [])].filter((id) => rest.every((set) => set.has(id)));
  const scoped = matching.map((id) => id.split('\u0000') as MessageKey).filter((key) => accountId === undefined || key[0] === accountId);
  const rows = (await db.messages.bulkGet(scoped)).filter((row): row is CachedMessage => row !== undefined);
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
