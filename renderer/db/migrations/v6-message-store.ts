/**
 * Schema 6: message bytes move to main's message store. The page cannot move
 * them here (an upgrade may only touch IndexedDB, so
 * renderer/sync/store-migration.ts does it after opening). Rows lose
 * `hasBody` (the store knows what it holds); rows whose body text was cached
 * count as indexed, since versions 2 to 5 indexed a body's words when it was
 * stored. Frozen (see README.md).
 */
import type { Transaction } from 'dexie';

interface Keyed {
  accountId: string;
  folder: string;
  serverId: string;
}

const keyOf = (row: Keyed): string => `${row.accountId}\u0000${row.folder}\u0000${row.serverId}`;

export async function upgradeToVersion6(transaction: Transaction): Promise<void> {
  const withText = new Set<string>();
  await transaction.table<Keyed & { text?: string }, [string, string, string]>('bodies').each((body) => {
    if (body.text !== undefined) withText.add(keyOf(body));
  });
  await transaction
    .table<Keyed & { hasBody?: 0 | 1; textIndexed?: 1 }, [string, string, string]>('messages')
    .toCollection()
    .modify((row) => {
      delete row.hasBody;
      if (withText.has(keyOf(row))) row.textIndexed = 1;
    });
  await transaction
    .table<{ knownUidls?: string[] }, [string, string]>('syncState')
    .toCollection()
    .modify((state) => {
      delete state.knownUidls;
    });
}
