/**
 * Schema 2: local search by a multi-entry index of each message's words,
 * filled here for the messages already cached (body text included when the
 * body was cached). Frozen (see README.md).
 */
import type { Transaction } from 'dexie';

interface Address {
  name: string;
  address: string;
}

interface MessageRow {
  accountId: string;
  folder: string;
  serverId: string;
  subject: string;
  from: Address[];
  to: Address[];
  cc: Address[];
  snippet?: string;
  words?: string[];
}

interface BodyRow {
  accountId: string;
  folder: string;
  serverId: string;
  text?: string;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'_.-]*/gu;
const BODY_WORDS_LIMIT = 400;

function addWords(words: Set<string>, text: string | undefined, limit = Infinity): void {
  let count = 0;
  for (const match of (text ?? '').toLowerCase().matchAll(WORD)) {
    const word = match[0].replace(/[.'_-]+$/, '');
    if (word.length < 2 || word.length > 40) continue;
    words.add(word);
    if (++count >= limit) break;
  }
}

function wordsOf(message: MessageRow, bodyText: string | undefined): string[] {
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

const keyOf = (row: { accountId: string; folder: string; serverId: string }): string => `${row.accountId}\u0000${row.folder}\u0000${row.serverId}`;

export async function upgradeToVersion2(transaction: Transaction): Promise<void> {
  const texts = new Map<string, string>();
  await transaction.table<BodyRow, [string, string, string]>('bodies').each((body) => {
    if (body.text !== undefined) texts.set(keyOf(body), body.text);
  });
  await transaction
    .table<MessageRow, [string, string, string]>('messages')
    .toCollection()
    .modify((message) => {
      message.words = wordsOf(message, texts.get(keyOf(message)));
    });
}
