/**
 * The address book: people written to (and, when the user asks for it, the
 * senders of mail read), learnt from mail and kept in the cache (schema v10).
 * This module holds what reading needs (the row's shape is in rows.ts): the words a
 * contact is found by, and completion's ranking. Only contacts-writer.ts
 * writes the rows.
 */
import type { Address } from '../../shared/model';
import type { Contact } from './rows';
import type { CacheReader } from './schema';

/** The words a contact is found by: each word of the name, the address, its local part's pieces and its domain. */
export function contactTokens(name: string, address: string): string[] {
  const tokens = new Set<string>();
  const lower = address.toLowerCase();
  tokens.add(lower);
  const at = lower.lastIndexOf('@');
  const local = at < 0 ? lower : lower.slice(0, at);
  if (at >= 0) tokens.add(lower.slice(at + 1));
  for (const piece of local.split(/[._+-]+/)) if (piece !== '') tokens.add(piece);
  for (const word of nameWords(name)) tokens.add(word);
  return [...tokens];
}

function nameWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[\s,;"'()<>]+/)
    .filter((word) => word !== '');
}

/** Half the weight every 30 days: someone written to weekly a year ago ranks below someone written to last week. */
export const HALF_LIFE_MS = 30 * 24 * 60 * 60 * 1000;

/** How recent and frequent: each count weighs as much as its last occurrence is recent (exponential decay). */
export function frecency(count: number, last: number | undefined, now: number): number {
  if (count <= 0 || last === undefined) return 0;
  const age = Math.max(0, now - last);
  return count * Math.pow(2, -age / HALF_LIFE_MS);
}

/**
 * How well a contact matches what is typed: 3 when its name or address
 * starts with it, 2 when a word of its name does, 1 for another of its
 * words (a piece of the address, the domain), 0 for no match. Several
 * words typed must each start one of its words.
 */
export function matchQuality(contact: Pick<Contact, 'name' | 'address' | 'tokens'>, query: string): number {
  const q = query.trim().toLowerCase();
  if (q === '') return 0;
  const words = q.split(/\s+/);
  if (!words.every((word) => contact.tokens.some((token) => token.startsWith(word)))) return 0;
  if (contact.name.toLowerCase().startsWith(q) || contact.address.startsWith(q)) return 3;
  const names = nameWords(contact.name);
  if (words.every((word) => names.some((name) => name.startsWith(word)))) return 2;
  return 1;
}

/**
 * Completion's order: the better match first; among equal matches, people
 * written to before those only read from or imported; then by frecency of
 * writing (and of reading, for those never written to); then by name.
 */
export function rankContacts<C extends Contact>(contacts: readonly C[], query: string, now: number): C[] {
  const scored = contacts
    .map((contact) => ({
      contact,
      quality: matchQuality(contact, query),
      written: contact.sentCount > 0 ? 1 : 0,
      score: contact.sentCount > 0 ? frecency(contact.sentCount, contact.lastSentAt, now) : frecency(contact.seenCount, contact.lastSeenAt, now),
    }))
    .filter((entry) => entry.quality > 0);
  scored.sort(
    (a, b) =>
      b.quality - a.quality ||
      b.written - a.written ||
      b.score - a.score ||
      (a.contact.name || a.contact.address).localeCompare(b.contact.name || b.contact.address),
  );
  return scored.map((entry) => entry.contact);
}

/** The address to put in a message: the name and the address as last written. */
export function contactAddress(contact: Pick<Contact, 'name' | 'display'>): Address {
  return { name: contact.name, address: contact.display };
}

/**
 * The contacts completing what is typed, best first: read by the first
 * word's prefix on the token index, ranked in memory.
 */
export async function suggestContacts(db: CacheReader, query: string, options: { now?: number; limit?: number; exclude?: readonly string[] } = {}): Promise<Contact[]> {
  const q = query.trim().toLowerCase();
  const first = q.split(/\s+/)[0] ?? '';
  if (first === '') return [];
  const excluded = new Set((options.exclude ?? []).map((address) => address.toLowerCase()));
  // Bounded, so that one typed letter in a large address book stays quick.
  const candidates = await db.contacts.where('tokens').startsWith(first).distinct().limit(500).toArray();
  const ranked = rankContacts(
    candidates.filter((contact) => !excluded.has(contact.address)),
    q,
    options.now ?? Date.now(),
  );
  return ranked.slice(0, options.limit ?? 8);
}
