/**
 * What the user does to messages, decided by what the account's server can
 * do (its capabilities), never by protocol name: where the server keeps flags
 * and folders, a change is made here at once and queued for the server; where
 * it does not, the change is this computer's alone.
 */
import type { Account, AdapterCapabilities } from '../../shared/model';
import type { CacheWriter, MessageKey } from '../db/writer';
import type { PendingRunner } from './pending-runner';

export class MailActions {
  constructor(
    private readonly writer: CacheWriter,
    private readonly runner: PendingRunner,
    private readonly capabilitiesOf: (accountId: string) => Promise<AdapterCapabilities>,
    private readonly accountOf: (accountId: string) => Promise<Account | undefined>,
  ) {}

  async setRead(keys: MessageKey[], read: boolean): Promise<void> {
    await this.changeFlags(keys, read ? { add: ['\\Seen'] } : { remove: ['\\Seen'] });
  }

  async setFlagged(keys: MessageKey[], flagged: boolean): Promise<void> {
    await this.changeFlags(keys, flagged ? { add: ['\\Flagged'] } : { remove: ['\\Flagged'] });
  }

  async delete(keys: MessageKey[]): Promise<void> {
    for (const [accountId, group] of byAccount(keys)) {
      const capabilities = await this.capabilitiesOf(accountId);
      const account = await this.accountOf(accountId);
      if (capabilities.serverFolders) {
        await this.writer.deleteMessages(group, { serverBacked: true, expunge: account?.imap?.deleteMode === 'expunge' });
        this.kick(accountId);
      } else {
        await this.writer.deleteMessages(group, { serverBacked: false });
      }
    }
  }

  async move(keys: MessageKey[], target: string): Promise<void> {
    for (const [accountId, group] of byAccount(keys)) {
      await this.writer.moveMessages(group, target);
      this.kick(accountId);
    }
  }

  private async changeFlags(keys: MessageKey[], change: { add?: string[]; remove?: string[] }): Promise<void> {
    for (const [accountId, group] of byAccount(keys)) {
      const { serverFlags } = await this.capabilitiesOf(accountId);
      await this.writer.changeFlags(group, change, serverFlags);
      if (serverFlags) this.kick(accountId);
    }
  }

  /** Sends queued changes now; failures are kept in the queue and shown, not thrown at the click. */
  private kick(accountId: string): void {
    void this.runner.run(accountId).catch(() => undefined);
  }
}

function byAccount(keys: MessageKey[]): Map<string, MessageKey[]> {
  const groups = new Map<string, MessageKey[]>();
  for (const key of keys) groups.set(key[0], [...(groups.get(key[0]) ?? []), key]);
  return groups;
}
