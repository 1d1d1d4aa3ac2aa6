/**
 * The only code that writes to the cache, behind one facade: accounts and
 * folders here; each mode's deltas, mail kept only here, the queue of changes
 * for the server, and search indexing in modules of their own
 * (imap-writer, pop3-writer, local-writer, pending-writer, text-writer).
 *
 * The cache is the index of the mail; the bytes are in main's message store.
 * The two commit in order: the store first (flushed where it holds the only
 * copy), then the index, then the store is told the index has it. A crash
 * between them leaves a file the index does not know, which the next start
 * adopts; never a row whose message was never stored.
 */
import type { Account, AdapterCapabilities, Address, Folder, MessageSummary, MessageText, StoredSummary, SyncDelta } from '../../shared/model';
import type { FolderMove } from '../../shared/folder-names';
import type { AppSetting, CachedFolder, CachedMessage, MessageKey, TextQueueEntry } from './rows';
import * as contacts from './contacts-writer';
import { addLocalFolder, deleteLocalFolders, dropStaleFolders, localSubtree, moveFolders } from './folder-writer';
import { applyImapDelta } from './imap-writer';
import { deleteLocal, moveLocal, removeLocalMessage, restoreLocal, storeLocalMessage } from './local-writer';
import type { LocalDeletion } from './local-writer';
import * as pending from './pending-writer';
import { adoptStored, applyPop3Delta, countRows, ledgerUidls, markDeleting, recordServerDeletions } from './pop3-writer';
import type { Adopted, Pop3Applied } from './pop3-writer';
import { accountMessages, folderMessages } from './queries';
import { LOCAL_FOLDERS, dropFolderMessages } from './row-writer';
import type { WriterContext } from './row-writer';
import type { TwinboxDatabase } from './schema';
import { enqueueTexts, indexTexts, nextTextBatches } from './text-writer';
import { closeThreadBook, openThreadBook } from './threads';

export type { Adopted, Pop3Applied } from './pop3-writer';
export type { LocalDeletion } from './local-writer';

export class CacheWriter {
  private readonly ctx: WriterContext;
  private strict: TwinboxDatabase | undefined;

  constructor(
    readonly db: TwinboxDatabase,
    now: () => number = Date.now,
  ) {
    this.ctx = { db, now };
  }

  // ---- accounts and folders ---------------------------------------------------

  /** Mirrors main's account list (settings only, never secrets). */
  async replaceAccounts(accounts: Account[]): Promise<void> {
    await this.db.transaction('rw', this.db.accounts, async () => {
      await this.db.accounts.clear();
      await this.db.accounts.bulkPut(accounts);
    });
  }

  /** The server's folder list (IMAP); folders gone from it take their rows with them. */
  async replaceFolders(accountId: string, folders: Folder[]): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.folders, db.messages, db.syncState, db.pending, db.textQueue], async () => {
      const existing = await db.folders.where('accountId').equals(accountId).toArray();
      const keep = new Set(folders.map((f) => f.path));
      for (const gone of existing.filter((f) => !keep.has(f.path))) {
        await dropFolderMessages(this.ctx, accountId, gone.path);
        await db.syncState.delete([accountId, gone.path]);
        await db.pending.where('accountId').equals(accountId).filter((op) => op.folder === gone.path).delete();
        await db.textQueue.where('accountId').equals(accountId).filter((entry) => entry.folder === gone.path).delete();
        await db.folders.delete([accountId, gone.path]);
      }
      await db.folders.bulkPut(folders.map((folder) => ({ ...folder, accountId })));
    });
  }

  /**
   * POP3 has no server folders: the account's folders are this computer's.
   * The Inbox always exists; it is where new mail lands.
   */
  async ensureLocalFolders(accountId: string): Promise<void> {
    await this.db.transaction('rw', this.db.folders, async () => {
      const existing = new Set(await this.db.folders.where('accountId').equals(accountId).primaryKeys().then((keys) => keys.map((k) => k[1])));
      const missing = LOCAL_FOLDERS.filter((folder) => !existing.has(folder.path));
      await this.db.folders.bulkPut(missing.map((folder) => ({ ...folder, accountId, delimiter: '/', subscribed: true, selectable: true })));
    });
  }

  /** Everything the index holds for an account: rows, ledger, sync state, queues. */
  async removeAccountData(accountId: string): Promise<void> {
    await this.clearAccount(accountId, true);
  }

  /**
   * "The computer died": the index of an account is gone, sync state and
   * ledger with it (main's store forgets the files: `store.wipe`). The
   * account's settings stay, so a resync can begin.
   */
  async wipeAccountCache(accountId: string): Promise<void> {
    await this.clearAccount(accountId, false);
  }

  async rememberCapabilities(accountId: string, capabilities: AdapterCapabilities): Promise<void> {
    await this.db.capabilities.put({ accountId, capabilities, updatedAt: this.ctx.now() });
  }

  /** The user allowed remote content for every message from this sender. */
  async allowRemoteContent(address: string, allow: boolean): Promise<void> {
    await this.db.senders.put({ address: address.toLowerCase(), allowRemoteContent: allow });
  }

  // ---- the address book (contacts-writer.ts) ----------------------------------------

  /** A message was sent: its recipients are written to once more. */
  learnSent(recipients: readonly Address[]): Promise<void> {
    return contacts.learnSent(this.ctx, recipients);
  }

  /** A message was opened: its senders join the address book, if the user has that on. */
  learnSeen(senders: readonly Address[]): Promise<void> {
    return contacts.learnSeen(this.ctx, senders);
  }

  /** Reads the Sent folders not yet read into the address book; returns those read. */
  backfillContacts(): Promise<string[]> {
    return contacts.backfillFromSent(this.ctx);
  }

  saveContact(address: Address): Promise<void> {
    return contacts.saveContact(this.ctx, address);
  }

  deleteContacts(addresses: readonly string[]): Promise<void> {
    return contacts.deleteContacts(this.ctx, addresses);
  }

  importContacts(people: readonly Address[]): Promise<{ added: number; updated: number }> {
    return contacts.importContacts(this.ctx, people);
  }

  setSetting(setting: AppSetting): Promise<void> {
    return contacts.writeSetting(this.ctx, setting);
  }

  // ---- each mode's deltas -----------------------------------------------------------

  /** Applies one IMAP sync delta and the state it leads to, atomically. */
  applyImapDelta(accountId: string, folder: string, delta: SyncDelta): Promise<void> {
    return applyImapDelta(this.ctx, accountId, folder, delta);
  }

  /** Applies one POP3 sync delta: rows and ledger entries of messages main has stored (see pop3-writer for `ledgered`). */
  applyPop3Delta(accountId: string, delta: SyncDelta, ledgered?: Set<string>): Promise<Pop3Applied> {
    return applyPop3Delta(this.ctx, accountId, delta, ledgered);
  }

  ledgerUidls(accountId: string): Promise<Set<string>> {
    return ledgerUidls(this.db, accountId);
  }

  /**
   * Records, flushed to disk (strict durability), that these are about to be
   * deleted on the server; returns those that may be: committed or deleted here.
   */
  markDeleting(accountId: string, uidls: readonly string[]): Promise<string[]> {
    this.strict ??= this.db.strictTwin();
    return markDeleting(this.strict, accountId, uidls, this.ctx.now());
  }

  /** The server confirmed these deletions (QUIT after DELE), or no longer had them. */
  recordServerDeletions(accountId: string, uidls: readonly string[]): Promise<void> {
    return recordServerDeletions(this.ctx, accountId, uidls);
  }

  /** Rows and ledger entries for stored messages the index does not have (after a crash, or a lost index). */
  adoptStored(accountId: string, items: readonly StoredSummary[], deletedHere: readonly string[] = []): Promise<Adopted> {
    return adoptStored(this.ctx, accountId, items, deletedHere);
  }

  /**
   * A sync of this folder begins: when the folder is empty, the writer
   * follows its threads as they are written (see threads.ts); `endSync`
   * stops that.
   */
  async beginSync(accountId: string, folder: string): Promise<void> {
    // One key read, not a count: a count walks the whole folder.
    if ((await folderMessages(this.db, accountId, folder).limit(1).primaryKeys()).length === 0) openThreadBook(this.db, accountId, folder);
  }

  endSync(accountId: string, folder: string): void {
    closeThreadBook(this.db, accountId, folder);
  }

  countRows(accountId: string): Promise<number> {
    return countRows(this.db, accountId);
  }

  /** Every row key of an account (to compare with what main's store holds). */
  async rowKeys(accountId: string): Promise<MessageKey[]> {
    return accountMessages(this.db, accountId).primaryKeys();
  }

  /** A message downloaded as headers only is now stored whole. */
  async completePartial(key: MessageKey): Promise<void> {
    const db = this.db;
    const now = this.ctx.now();
    await db.transaction('rw', [db.messages, db.ledger, db.textQueue], async () => {
      const row = await db.messages.get(key);
      if (row?.partial !== 1) return;
      await db.messages.put({ ...row, partial: 0 });
      const entry = await db.ledger.get([key[0], key[2]]);
      if (entry) await db.ledger.put({ ...entry, downloadedAt: now });
      await db.textQueue.add({ accountId: key[0], folder: key[1], serverIds: [key[2]], body: true });
    });
  }

  // ---- mail kept only here (POP3) ------------------------------------------------------

  /** The row of a message made here whose bytes main's store keeps. */
  storeLocalMessage(accountId: string, folder: string, summary: MessageSummary): Promise<MessageKey> {
    return storeLocalMessage(this.ctx, accountId, folder, summary);
  }

  removeLocalMessage(key: MessageKey): Promise<void> {
    return removeLocalMessage(this.ctx, key);
  }

  moveLocal(keys: MessageKey[], target: string): Promise<MessageKey[]> {
    return moveLocal(this.ctx, keys, target);
  }

  deleteLocal(keys: MessageKey[], trash: string): Promise<LocalDeletion> {
    return deleteLocal(this.ctx, keys, trash);
  }

  restoreLocal(keys: MessageKey[], target: string): Promise<void> {
    return restoreLocal(this.ctx, keys, target);
  }

  /** A folder of this computer's (see folder-writer.ts). */
  addLocalFolder(accountId: string, path: string): Promise<void> {
    return addLocalFolder(this.ctx, accountId, path);
  }

  /**
   * Folders get new paths, their rows, sync state and queued changes with
   * them (this computer's folders, or a server's whose UIDs RENAME kept);
   * the keys the rows had, per move.
   */
  moveFolders(accountId: string, moves: readonly FolderMove[]): Promise<{ move: FolderMove; keys: MessageKey[] }[]> {
    return moveFolders(this.ctx, accountId, moves);
  }

  /** Folders of this computer's deleted for good, with their rows; the keys of those removed. */
  deleteLocalFolders(accountId: string, paths: readonly string[]): Promise<MessageKey[]> {
    return deleteLocalFolders(this.ctx, accountId, paths);
  }

  /** Rows still under paths that are no longer folders (a sync that ran into a rename). */
  dropStaleFolders(accountId: string, paths: readonly string[]): Promise<void> {
    return dropStaleFolders(this.ctx, accountId, paths);
  }

  /** A folder and those below it, deepest first. */
  localSubtree(accountId: string, path: string): Promise<CachedFolder[]> {
    return localSubtree(this.ctx, accountId, path);
  }

  // ---- changes and the queue for the server ----------------------------------------------

  /** Changes flags here at once; with `serverBacked`, also queued for the server. Returns the operation's id and the rows changed. */
  changeFlags(keys: MessageKey[], change: { add?: string[]; remove?: string[] }, serverBacked: boolean): Promise<{ id: number | undefined; rows: CachedMessage[] }> {
    return pending.changeFlags(this.ctx, keys, change, serverBacked);
  }

  deleteOnServer(keys: MessageKey[], options: { expunge?: boolean; delayMs?: number } = {}): Promise<number | undefined> {
    return pending.deleteOnServer(this.ctx, keys, options);
  }

  moveOnServer(keys: MessageKey[], target: string, options: { delayMs?: number } = {}): Promise<number | undefined> {
    return pending.moveOnServer(this.ctx, keys, target, options);
  }

  markPendingRunning(id: number): Promise<void> {
    return pending.markPendingRunning(this.ctx, id);
  }

  completePending(id: number): Promise<void> {
    return pending.completePending(this.ctx, id);
  }

  requeuePending(id: number): Promise<void> {
    return pending.requeuePending(this.ctx, id);
  }

  failPending(id: number, error: { code: string; text: string }): Promise<void> {
    return pending.failPending(this.ctx, id, error);
  }

  dismissFailed(id: number): Promise<void> {
    return pending.dismissFailed(this.ctx, id);
  }

  undoPending(id: number): Promise<boolean> {
    return pending.undoPending(this.ctx, id);
  }

  // ---- search indexing --------------------------------------------------------------------

  enqueueTexts(accountId: string, folder: string, serverIds: readonly string[]): Promise<void> {
    return enqueueTexts(this.ctx, accountId, folder, serverIds);
  }

  nextTextBatches(limit: number | undefined, accountId?: string): Promise<TextQueueEntry[]> {
    return nextTextBatches(this.ctx, limit, accountId);
  }

  indexTexts(
    accountId: string,
    texts: readonly MessageText[],
    progress: readonly { entry: TextQueueEntry; done: readonly string[] }[] = [],
    summaries: readonly { folder: string; serverId: string }[] = [],
  ): Promise<number> {
    return indexTexts(this.ctx, accountId, texts, progress, summaries);
  }

  /** Closes the second, flushing connection, if one was opened. */
  close(): void {
    this.strict?.close();
    this.strict = undefined;
  }

  private async clearAccount(accountId: string, settingsToo: boolean): Promise<void> {
    const db = this.db;
    const tables = [db.folders, db.bodies, db.syncState, db.ledger, db.pending, db.postings, db.textQueue];
    closeThreadBook(db, accountId);
    await db.transaction('rw', [db.accounts, db.capabilities, db.messages, ...tables], async () => {
      if (settingsToo) {
        await db.accounts.delete(accountId);
        await db.capabilities.delete(accountId);
      }
      await accountMessages(db, accountId).delete();
      for (const table of tables) await table.where('accountId').equals(accountId).delete();
    });
  }
}
