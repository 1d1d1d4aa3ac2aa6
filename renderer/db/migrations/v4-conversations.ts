/**
 * Schema 4: conversations and sorting by sender or subject from indexes.
 * Every cached message gets its sort keys, and each folder's threads their
 * head (the newest message, which carries the thread's date and size).
 * Frozen (see README.md).
 */
import type { Transaction } from 'dexie';

type Bit = 0 | 1;

interface MessageRow {
  accountId: string;
  folder: string;
  serverId: string;
  threadId: string;
  sortDate: number;
  subject: string;
  from: { name: string; address: string }[];
  senderKey: string;
  subjectKey: string;
  threadHead: Bit;
  threadDate: number;
  threadSize: number;
}

function senderKeyOf(message: MessageRow): string {
  const first = message.from[0];
  return first ? (first.name.trim() || first.address).toLowerCase() : '';
}

function subjectKeyOf(subject: string): string {
  let key = subject.trim();
  for (;;) {
    const stripped = key.replace(/^(re|fwd?|aw|wg|sv|vs|antw|tr|r|rif|ynt)(\[\d+\])?\s*:\s*/i, '').replace(/^\[[^\]]{1,40}\]\s*/, '');
    if (stripped === key) break;
    key = stripped;
  }
  return key.toLowerCase();
}

export async function upgradeToVersion4(transaction: Transaction): Promise<void> {
  const messages = transaction.table<MessageRow, [string, string, string]>('messages');
  const rows = await messages.toArray();
  const threads = new Map<string, MessageRow[]>();
  for (const row of rows) {
    const key = `${row.accountId}\u0000${row.folder}\u0000${row.threadId}`;
    threads.set(key, [...(threads.get(key) ?? []), row]);
  }
  for (const members of threads.values()) {
    const newest = members.reduce((best, row) => (row.sortDate > best.sortDate || (row.sortDate === best.sortDate && row.serverId > best.serverId) ? row : best));
    for (const row of members) {
      row.senderKey = senderKeyOf(row);
      row.subjectKey = subjectKeyOf(row.subject);
      row.threadHead = row === newest ? 1 : 0;
      row.threadDate = row.sortDate;
      row.threadSize = row === newest ? members.length : 1;
    }
  }
  await messages.bulkPut(rows);
}
