/**
 * Mail kept only on this computer (POP3) changes in the index first, where
 * the user sees it; main's message store then follows, so that its files sit
 * in the same folders with the same flags (for other mail tools, for an
 * index rebuilt from them), and so that a message deleted here for good
 * leaves the disk and is never downloaded again. Should the store miss a
 * change, nothing is lost: main finds a message in any of the account's
 * folders, the UIDL of one deleted here stays known as long as its file is
 * there, and the next start's comparison of index and store catches up.
 */
import type { CachedMessage, MessageKey } from '../db/rows';
import type { TwinboxClient } from '../ipc/twinbox-client';

export class StoreMirror {
  constructor(private readonly client: TwinboxClient) {}

  /** Messages moved from the folders they were in (as keys before the move) to `target`. */
  async moved(from: readonly MessageKey[], target: string): Promise<void> {
    for (const [[accountId, folder], ids] of group(from)) {
      if (folder === target) continue;
      await this.quietly(this.client.call('store.move', { accountId, folder, serverIds: ids, target }));
    }
  }

  /** Deleted here for good: the files go, and the UIDLs are recorded so that no check brings them back. */
  async removed(keys: readonly MessageKey[]): Promise<void> {
    for (const [[accountId, folder], ids] of group(keys)) {
      await this.quietly(this.client.call('store.remove', { accountId, folder, serverIds: ids, deletedHere: true }));
    }
  }

  /** A deletion was undone. */
  async restored(accountId: string, serverIds: readonly string[]): Promise<void> {
    if (serverIds.length === 0) return;
    await this.quietly(this.client.call('store.restore', { accountId, serverIds: [...serverIds] }));
  }

  async flagsChanged(rows: readonly CachedMessage[]): Promise<void> {
    for (const [[accountId, folder], ids] of group(rows.map((row): MessageKey => [row.accountId, row.folder, row.serverId]))) {
      const flags = new Map(rows.filter((row) => row.accountId === accountId && row.folder === folder).map((row) => [row.serverId, row.flags]));
      const changes = ids.map((serverId) => ({ serverId, flags: (flags.get(serverId) ?? []).filter(isFlag) }));
      await this.quietly(this.client.call('store.setFlags', { accountId, folder, changes }));
    }
  }

  /** The index has the change already; a store that missed it is brought level later (see above). */
  private async quietly(call: Promise<unknown>): Promise<void> {
    await call.catch(() => undefined);
  }
}

/** Keys grouped by account and folder. */
function group(keys: readonly MessageKey[]): Map<[string, string], string[]> {
  const byName = new Map<string, { at: [string, string]; ids: string[] }>();
  for (const [accountId, folder, serverId] of keys) {
    const name = `${accountId}\u0000${folder}`;
    const entry = byName.get(name) ?? { at: [accountId, folder], ids: [] };
    entry.ids.push(serverId);
    byName.set(name, entry);
  }
  return new Map([...byName.values()].map((entry) => [entry.at, entry.ids]));
}

/** What the contract accepts as a flag: keywords with spaces or brackets are the index's alone. */
function isFlag(flag: string): boolean {
  return /^\\?[^\s()\]{%*"\\]+$/.test(flag);
}
