/**
 * What the user does to messages, decided by what the account's server can
 * do (its capabilities), never by protocol name: where the server keeps flags
 * and folders, a change is made here at once and queued for the server; where
 * it does not, the change is this computer's alone. Every action returns how
 * to undo it: deletions and moves wait a few seconds before they are sent, so
 * undoing them in that window costs the server nothing.
 */
import { TwinboxError } from '../../shared/errors';
import type { Account, AdapterCapabilities, SpecialUse } from '../../shared/model';
import type { CachedMessage, MessageKey } from '../db/rows';
import type { CacheWriter } from '../db/writer';
import { t } from '../i18n';
import type { PendingRunner } from './pending-runner';
import type { StoreMirror } from './store-mirror';

export interface Undo {
  /** What undoing does, for the "Undo" button. */
  description: string;
  /** False when it is too late (the server already has it). */
  run(): Promise<boolean>;
}

export const UNDO_WINDOW_MS = 5_000;

export class MailActions {
  constructor(
    private readonly writer: CacheWriter,
    private readonly runner: PendingRunner,
    private readonly capabilitiesOf: (accountId: string) => Promise<AdapterCapabilities>,
    private readonly accountOf: (accountId: string) => Promise<Account | undefined>,
    private readonly store: StoreMirror,
    private readonly undoWindowMs = UNDO_WINDOW_MS,
  ) {}

  setRead(keys: MessageKey[], read: boolean): Promise<Undo> {
    return this.changeFlag(keys, '\\Seen', read, read ? 'markRead' : 'markUnread');
  }

  setFlagged(keys: MessageKey[], flagged: boolean): Promise<Undo> {
    return this.changeFlag(keys, '\\Flagged', flagged, flagged ? 'flag' : 'unflag');
  }

  /** To the Trash (or for good from it, or expunged where the account says so). */
  async delete(keys: MessageKey[]): Promise<Undo> {
    const undos: Undo[] = [];
    for (const [accountId, group] of byAccount(keys)) {
      if ((await this.capabilitiesOf(accountId)).serverFolders) {
        const account = await this.accountOf(accountId);
        const id = await this.writer.deleteOnServer(group, { expunge: account?.imap?.deleteMode === 'expunge', delayMs: this.undoWindowMs });
        this.kick(accountId, this.undoWindowMs);
        if (id !== undefined) undos.push({ description: t('mail:undo.delete'), run: () => this.writer.undoPending(id) });
      } else {
        const trash = await this.localFolder(accountId, 'trash');
        const origins = await this.rows(group);
        const { removed } = await this.writer.deleteLocal(group, trash);
        const gone = new Set(removed.map((key) => key[2]));
        await this.store.removed(removed);
        await this.store.moved(origins.filter((row) => !gone.has(row.serverId)).map(toKey), trash);
        undos.push({ description: t('mail:undo.delete'), run: () => this.restore(origins.filter((row) => !gone.has(row.serverId)), trash) });
      }
    }
    return combine(t('mail:undo.delete'), undos);
  }

  async move(keys: MessageKey[], target: string): Promise<Undo> {
    const undos: Undo[] = [];
    for (const [accountId, group] of byAccount(keys)) {
      const movable = group.filter((key) => key[1] !== target);
      if (movable.length === 0) continue;
      if ((await this.capabilitiesOf(accountId)).serverFolders) {
        const id = await this.writer.moveOnServer(movable, target, { delayMs: this.undoWindowMs });
        this.kick(accountId, this.undoWindowMs);
        if (id !== undefined) undos.push({ description: t('mail:undo.move'), run: () => this.writer.undoPending(id) });
      } else {
        const origins = await this.rows(movable);
        await this.writer.moveLocal(movable, target);
        await this.store.moved(movable, target);
        undos.push({
          description: t('mail:undo.move'),
          run: async () => {
            for (const [folder, rows] of byFolder(origins)) {
              const back = rows.map((r): MessageKey => [r.accountId, target, r.serverId]);
              await this.writer.moveLocal(back, folder);
              await this.store.moved(back, folder);
            }
            return true;
          },
        });
      }
    }
    return combine(t('mail:undo.move'), undos);
  }

  /** To the account's Archive folder (the server's, or this computer's for POP3). */
  async archive(keys: MessageKey[]): Promise<Undo> {
    const undos: Undo[] = [];
    for (const [accountId, group] of byAccount(keys)) undos.push(await this.move(group, await this.folderWithUse(accountId, 'archive')));
    return combine(t('mail:undo.archive'), undos);
  }

  private async changeFlag(keys: MessageKey[], flag: string, on: boolean, change: 'markRead' | 'markUnread' | 'flag' | 'unflag'): Promise<Undo> {
    const undos: Undo[] = [];
    const lower = flag.toLowerCase();
    for (const [accountId, group] of byAccount(keys)) {
      const { serverFlags } = await this.capabilitiesOf(accountId);
      // Only what actually changes is undone.
      const changing = (await this.rows(group)).filter((row) => row.flags.some((f) => f.toLowerCase() === lower) !== on).map(toKey);
      if (changing.length === 0) continue;
      await this.changeFlags(changing, on ? { add: [flag] } : { remove: [flag] }, serverFlags);
      undos.push({
        description: t(`mail:undo.${change}`),
        run: async () => {
          await this.changeFlags(changing, on ? { remove: [flag] } : { add: [flag] }, serverFlags);
          return true;
        },
      });
    }
    return combine(t(`mail:undo.${change}`), undos);
  }

  /**
   * Changes flags as the account keeps them: queued for the server, or this
   * computer's alone, and then recorded with the message's file too.
   */
  async changeFlags(keys: MessageKey[], change: { add?: string[]; remove?: string[] }, serverFlags: boolean): Promise<void> {
    const { rows } = await this.writer.changeFlags(keys, change, serverFlags);
    if (serverFlags) this.kick(keys[0]?.[0] ?? '', 0);
    else await this.store.flagsChanged(rows);
  }

  private async restore(origins: CachedMessage[], trash: string): Promise<boolean> {
    for (const [folder, rows] of byFolder(origins)) {
      if (folder === trash) continue;
      const inTrash = rows.map((r): MessageKey => [r.accountId, trash, r.serverId]);
      await this.writer.restoreLocal(inTrash, folder);
      await this.store.moved(inTrash, folder);
      await this.store.restored(rows[0]?.accountId ?? '', rows.map((r) => r.serverId));
    }
    return true;
  }

  private async rows(keys: MessageKey[]): Promise<CachedMessage[]> {
    return (await this.writer.db.messages.bulkGet(keys)).filter((row): row is CachedMessage => row !== undefined);
  }

  private async localFolder(accountId: string, use: SpecialUse): Promise<string> {
    await this.writer.ensureLocalFolders(accountId);
    return this.folderWithUse(accountId, use);
  }

  private async folderWithUse(accountId: string, use: SpecialUse): Promise<string> {
    const folder = await this.writer.db.folders
      .where('accountId')
      .equals(accountId)
      .filter((f) => f.specialUse === use)
      .first();
    if (!folder) throw new TwinboxError('MAILBOX_NOT_FOUND', `the account has no ${use} folder`);
    return folder.path;
  }

  /** Sends queued changes once their undo window is over; failures are kept in the queue and shown, not thrown at the click. */
  private kick(accountId: string, afterMs: number): void {
    const run = (): void => void this.runner.run(accountId).catch(() => undefined);
    if (afterMs <= 0) run();
    else setTimeout(run, afterMs + 50);
  }
}

function toKey(row: CachedMessage): MessageKey {
  return [row.accountId, row.folder, row.serverId];
}

function combine(description: string, undos: Undo[]): Undo {
  return {
    description,
    run: async () => {
      let all = true;
      for (const undo of undos) all = (await undo.run()) && all;
      return all;
    },
  };
}

function byAccount(keys: MessageKey[]): Map<string, MessageKey[]> {
  const groups = new Map<string, MessageKey[]>();
  for (const key of keys) groups.set(key[0], [...(groups.get(key[0]) ?? []), key]);
  return groups;
}

function byFolder(rows: CachedMessage[]): Map<string, CachedMessage[]> {
  const groups = new Map<string, CachedMessage[]>();
  for (const row of rows) groups.set(row.folder, [...(groups.get(row.folder) ?? []), row]);
  return groups;
}
