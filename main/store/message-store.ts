/**
 * The message store: every downloaded message's exact bytes, in Maildir
 * folders under the profile (`<root>/<account>/<folder>/{tmp,new,cur}`), the
 * way Thunderbird, Evolution, mbsync and fetchmail keep mail: files, with an
 * index beside them (the page's IndexedDB). This is the only module that
 * writes them.
 *
 * Maildir's stages carry Twinbox's commit order. A message is written to
 * `tmp/`, flushed when asked (POP3: the only copy), then renamed into `new/`:
 * it is on disk, but the page's index may not know it yet. Once the page has
 * committed its row and ledger entry it says so, and the file moves to `cur/`.
 * A crash leaves at most unfinished files in `tmp/` (removed at the next
 * start: the server still has those messages) and files in `new/` (adopted:
 * the page indexes them before anything else is downloaded).
 *
 * Everything the index needs to be rebuilt is in the names (see
 * ./maildir-names.ts), plus one file per account, `deleted-here`, listing the
 * POP3 messages the user deleted for good, so that they are not downloaded
 * again. Byte totals and the least-recently-used order are kept in memory and
 * updated with each change; an account is read from disk once, when first used.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { TwinboxError } from '../../shared/errors';
import { headerEnd } from '../mime/header-block';
import {
  accountDirName,
  accountOfDirName,
  flagsOf,
  folderDirName,
  folderOfDirName,
  lettersOf,
  messageFileName,
  parseFileName,
  withLetters,
} from './maildir-names';
import type { IdKind } from './maildir-names';

/** A message as the store lists it. */
export interface StoredMessage {
  folder: string;
  /** The IMAP UID or POP3 UIDL, or the id of a message made here. */
  id: string;
  kind: IdKind;
  size: number;
  /** Only the header block is here. */
  partial: boolean;
  flags: string[];
  /** The page's index has it (the file is in `cur/`). */
  indexed: boolean;
}

export interface PutItem {
  id: string;
  bytes: Uint8Array;
  /** `server` (the default) for mail from a server, `local` for a message made here. */
  kind?: IdKind;
  partial?: boolean;
  flags?: readonly string[];
}

export interface PutOptions {
  /**
   * Flush each file and the directory before returning (fdatasync): the
   * message survives a power cut from then on. Required before a server may
   * delete its copy; not needed for an IMAP body, which can be fetched again.
   */
  durable: boolean;
  /** Whether the page's index already has these messages (IMAP bodies) or must be told of them (POP3 downloads). */
  indexed: boolean;
  /**
   * Leave a message the folder already holds whole as it is. A POP3 UIDL names
   * the same bytes for as long as the server keeps the message, so a second
   * download of it (a sync abandoned by a page that reloaded, still running
   * beside its successor's) must not replace a file the index has confirmed
   * with one it has not.
   */
  keepHeld?: boolean;
}

/**
 * Memory a reader of many messages in a row lends the store: each read goes
 * into it (grown when a message is larger), so reading ten thousand messages
 * to index them does not leave ten thousand buffers for the collector. What a
 * read returns is valid until the next read into the same buffer.
 */
export interface ReadBuffer {
  buffer: Buffer;
}

export interface StoreStats {
  messages: number;
  bytes: number;
  /** Messages whose files are here but which the page's index has not confirmed. */
  unindexed: number;
}

interface FileEntry {
  name: string;
  stage: 'new' | 'cur';
  kind: IdKind;
  size: number;
  partial: boolean;
  letters: string;
}

interface FolderState {
  path: string;
  dir: string;
  files: Map<string, FileEntry>;
  uidValidity: string | undefined;
}

interface AccountState {
  dir: string;
  folders: Map<string, FolderState>;
  bytes: number;
  messages: number;
  /** POP3 UIDLs deleted here for good: never downloaded again. */
  deletedHere: Set<string>;
  /** Least recently used first; refreshed by each read and write. Keys are `folder\0id`. */
  recency: Map<string, number> | undefined;
  /** Writes and reads before `recency` was first needed: the file times a read sets may not be on disk yet when it is. */
  usedBeforeRecency?: Map<string, number>;
}

const TOMBSTONES = 'deleted-here';
const UIDVALIDITY = '.uidvalidity';
const WIPED_PREFIX = '.wiped-';
/** Files written at once: enough to keep the disk busy, few enough to stay well under the open-file limit. */
const PARALLEL_FILES = 16;
/** Enough for any header block; a longer one is read whole. */
const HEADER_READ_BYTES = 64 * 1024;

export class MessageStore {
  private readonly accounts = new Map<string, AccountState>();
  private readonly loading = new Map<string, Promise<AccountState>>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private opened: Promise<void> | undefined;

  constructor(readonly root: string) {}

  /**
   * Makes the root and finishes what a crash interrupted: wiped accounts
   * whose files were still being removed are removed. Called once; every
   * other method waits for it.
   */
  open(): Promise<void> {
    this.opened ??= (async () => {
      await mkdir(this.root, { recursive: true });
      for (const entry of await readdir(this.root, { withFileTypes: true })) {
        if (entry.isDirectory() && entry.name.startsWith(WIPED_PREFIX)) await rm(join(this.root, entry.name), { recursive: true, force: true });
      }
    })().catch((error: unknown) => {
      this.opened = undefined;
      throw storeError(error, 'open the mail folder');
    });
    return this.opened;
  }

  /** Accounts that have a folder in the store. */
  async accountIds(): Promise<string[]> {
    await this.open();
    const entries = await readdir(this.root, { withFileTypes: true });
    return entries.flatMap((entry) => {
      if (!entry.isDirectory() || entry.name.startsWith('.')) return [];
      const id = accountOfDirName(entry.name);
      return id === undefined ? [] : [id];
    });
  }

  /**
   * Writes messages into a folder, replacing any with the same id. With
   * `durable`, each file and the folder are flushed before this resolves.
   * On failure nothing of this batch is left behind, and the error says why
   * (DISK_FULL, LOCAL_STORE_FAILED).
   */
  put(accountId: string, folder: string, items: readonly PutItem[], options: PutOptions): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return this.exclusive(accountId, async (account) => {
      const state = await this.folderState(account, folder, true);
      const stage = options.indexed ? 'cur' : 'new';
      const written: { item: PutItem; entry: FileEntry; temp: string }[] = [];
      const writing = options.keepHeld === true ? items.filter((item) => state.files.get(item.id)?.partial !== false) : items;
      try {
        await inParallel(writing, async (item) => {
          const entry: FileEntry = {
            name: messageFileName({
              size: item.bytes.byteLength,
              kind: item.kind ?? 'server',
              id: item.id,
              partial: item.partial === true,
              letters: lettersOf(item.flags ?? []),
            }),
            stage,
            kind: item.kind ?? 'server',
            size: item.bytes.byteLength,
            partial: item.partial === true,
            letters: lettersOf(item.flags ?? []),
          };
          const temp = join(state.dir, 'tmp', entry.name);
          written.push({ item, entry, temp });
          const handle = await open(temp, 'wx');
          try {
            await handle.writeFile(item.bytes);
            if (options.durable) await handle.datasync();
          } finally {
            await handle.close();
          }
        });
        await inParallel(written, ({ entry, temp }) => rename(temp, join(state.dir, entry.stage, entry.name)));
        if (options.durable) await syncDirectory(join(state.dir, stage));
      } catch (error) {
        await Promise.all(written.map(({ temp, entry }) => Promise.all([rm(temp, { force: true }), rm(join(state.dir, entry.stage, entry.name), { force: true })])));
        throw storeError(error, 'save messages');
      }
      for (const { item, entry } of written) {
        const previous = state.files.get(item.id);
        if (previous) {
          await rm(join(state.dir, previous.stage, previous.name), { force: true });
          this.forget(account, state, item.id, previous);
        }
        state.files.set(item.id, entry);
        account.bytes += entry.size;
        account.messages++;
        noteUse(account, recencyKey(folder, item.id));
      }
    });
  }

  /** The page's index now has these: their files move from `new/` to `cur/`. */
  markIndexed(accountId: string, folder: string, ids: readonly string[]): Promise<void> {
    return this.exclusive(accountId, async (account) => {
      const state = await this.folderState(account, folder, false);
      if (!state) return;
      const moving = ids.flatMap((id) => {
        const entry = state.files.get(id);
        return entry?.stage === 'new' ? [entry] : [];
      });
      await inParallel(moving, async (entry) => {
        await rename(join(state.dir, 'new', entry.name), join(state.dir, 'cur', entry.name)).catch((error: unknown) => {
          throw storeError(error, 'file a message');
        });
        entry.stage = 'cur';
      });
    });
  }

  /** Resolves once every change to the account asked for so far has finished. */
  async settled(accountId: string): Promise<void> {
    await this.exclusive(accountId, () => Promise.resolve());
  }

  /** Every message of an account, optionally only those the index has not confirmed. */
  async list(accountId: string, options: { unindexedOnly?: boolean } = {}): Promise<StoredMessage[]> {
    const account = await this.account(accountId);
    const result: StoredMessage[] = [];
    for (const state of account.folders.values()) {
      for (const [id, entry] of state.files) {
        if (options.unindexedOnly === true && entry.stage !== 'new') continue;
        result.push({ folder: state.path, id, kind: entry.kind, size: entry.size, partial: entry.partial, flags: flagsOf(entry.letters), indexed: entry.stage === 'cur' });
      }
    }
    return result;
  }

  async stats(accountId: string): Promise<StoreStats> {
    const account = await this.account(accountId);
    let unindexed = 0;
    for (const state of account.folders.values()) for (const entry of state.files.values()) if (entry.stage === 'new') unindexed++;
    return { messages: account.messages, bytes: account.bytes, unindexed };
  }

  /** Server ids this account holds in any folder, and those deleted here for good: what a POP3 check must not download again. */
  async knownServerIds(accountId: string): Promise<Set<string>> {
    const account = await this.account(accountId);
    const known = new Set(account.deletedHere);
    for (const state of account.folders.values()) for (const [id, entry] of state.files) if (entry.kind === 'server') known.add(id);
    return known;
  }

  async deletedHere(accountId: string): Promise<string[]> {
    return [...(await this.account(accountId)).deletedHere];
  }

  async has(accountId: string, folder: string, id: string): Promise<boolean> {
    const account = await this.account(accountId);
    const entry = account.folders.get(folder)?.files.get(id);
    return entry !== undefined && !entry.partial;
  }

  /** The folder that holds a message with this id, for mail kept only here, whose ids are unique in the account. */
  async locate(accountId: string, id: string): Promise<string | undefined> {
    const account = await this.account(accountId);
    for (const state of account.folders.values()) if (state.files.has(id)) return state.path;
    return undefined;
  }

  /** Ids of the whole messages a folder holds (not header blocks). */
  async ids(accountId: string, folder: string): Promise<string[]> {
    const account = await this.account(accountId);
    const state = account.folders.get(folder);
    return state ? [...state.files].filter(([, entry]) => !entry.partial).map(([id]) => id) : [];
  }

  /**
   * A message's bytes, or undefined when it is not here whole. A file whose
   * length is not the one its name records was torn by a crash (IMAP bodies
   * are not flushed): it is removed, and the message counts as not here.
   */
  async read(accountId: string, folder: string, id: string, options: { allowPartial?: boolean; into?: ReadBuffer } = {}): Promise<Uint8Array | undefined> {
    const account = await this.account(accountId);
    const state = account.folders.get(folder);
    const found = await this.readFile(accountId, state, id, options.allowPartial === true, options.into);
    if (!state || !found) return undefined;
    const { bytes, entry } = found;
    if (bytes.byteLength !== entry.size) {
      await this.exclusive(accountId, async () => {
        if (account.folders.get(state.path) !== state || state.files.get(id) !== entry) return;
        await rm(join(state.dir, entry.stage, entry.name), { force: true });
        this.forget(account, state, id, entry);
      });
      return undefined;
    }
    this.touch(account, state, id, entry);
    return bytes;
  }

  /**
   * A message's file, read where its entry says it is (into `into` when
   * given). A file renamed meanwhile (confirmed by the index, flags changed)
   * is read again once the change has finished; one gone for good is forgotten.
   */
  private async readFile(
    accountId: string,
    state: FolderState | undefined,
    id: string,
    allowPartial: boolean,
    into: ReadBuffer | undefined,
  ): Promise<{ bytes: Uint8Array; entry: FileEntry } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const entry = state?.files.get(id);
      if (!state || !entry || (entry.partial && !allowPartial)) return undefined;
      try {
        const path = join(state.dir, entry.stage, entry.name);
        if (into) return { bytes: await readIntoBuffer(path, entry.size, into), entry };
        const buffer = await readFile(path);
        // A plain Uint8Array over the file's own memory: what crosses IPC is exactly the message.
        return { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), entry };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storeError(error, 'read a message');
        if (attempt === 0) {
          await this.settled(accountId);
          continue;
        }
        const account = await this.account(accountId);
        await this.exclusive(accountId, () => Promise.resolve(this.forgetIfSame(account, state, id, entry)));
        return undefined;
      }
    }
  }

  /** The header block of a message (also of a partial one): enough for its summary. */
  async readHeader(accountId: string, folder: string, id: string, retried = false): Promise<Uint8Array | undefined> {
    const account = await this.account(accountId);
    const state = account.folders.get(folder);
    const entry = state?.files.get(id);
    if (!state || !entry) return undefined;
    let handle;
    try {
      handle = await open(join(state.dir, entry.stage, entry.name), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storeError(error, 'read a message');
      // Renamed meanwhile (confirmed, flags changed): read it where it is now, once.
      if (retried) return undefined;
      await this.settled(accountId);
      return this.readHeader(accountId, folder, id, true);
    }
    try {
      const buffer = Buffer.alloc(Math.min(HEADER_READ_BYTES, entry.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, 0);
      const head = new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
      const end = headerEnd(head);
      if (end !== undefined || bytesRead >= entry.size) return head.subarray(0, end ?? bytesRead);
    } finally {
      await handle.close();
    }
    const whole = await this.read(accountId, folder, id, { allowPartial: true });
    if (!whole) return undefined;
    return whole.subarray(0, headerEnd(whole) ?? whole.byteLength);
  }

  /** Moves messages between this account's folders (POP3 local folders); the move is flushed. */
  move(accountId: string, from: string, to: string, ids: readonly string[]): Promise<void> {
    if (from === to || ids.length === 0) return Promise.resolve();
    return this.exclusive(accountId, async (account) => {
      const source = await this.folderState(account, from, false);
      if (!source) return;
      const target = await this.folderState(account, to, true);
      const moving = ids.flatMap((id) => {
        const entry = source.files.get(id);
        return entry ? [{ id, entry }] : [];
      });
      try {
        await inParallel(moving, async ({ id, entry }) => {
          const replaced = target.files.get(id);
          await rename(join(source.dir, entry.stage, entry.name), join(target.dir, entry.stage, entry.name));
          source.files.delete(id);
          if (replaced) {
            await rm(join(target.dir, replaced.stage, replaced.name), { force: true });
            this.forget(account, target, id, replaced);
          }
          target.files.set(id, entry);
          if (account.recency?.delete(recencyKey(from, id))) account.recency.set(recencyKey(to, id), Date.now());
        });
        await Promise.all([syncDirectory(join(target.dir, 'cur')), syncDirectory(join(target.dir, 'new'))]);
      } catch (error) {
        throw storeError(error, 'move messages');
      }
    });
  }

  /** Records flags in the files' names (POP3: where they live besides the index, for other tools and a rebuild). */
  setFlags(accountId: string, folder: string, changes: readonly { id: string; flags: readonly string[] }[]): Promise<void> {
    return this.exclusive(accountId, async (account) => {
      const state = await this.folderState(account, folder, false);
      if (!state) return;
      await inParallel(changes, async ({ id, flags }) => {
        const entry = state.files.get(id);
        const letters = lettersOf(flags);
        if (!entry || entry.letters === letters) return;
        const renamed = withLetters(entry.name, letters);
        await rename(join(state.dir, entry.stage, entry.name), join(state.dir, entry.stage, renamed)).catch((error: unknown) => {
          throw storeError(error, 'record flags');
        });
        entry.name = renamed;
        entry.letters = letters;
      });
    });
  }

  /**
   * Removes messages. With `deletedHere`, their server ids are first recorded
   * (flushed) as deleted here for good, so a later check does not bring them back.
   */
  remove(accountId: string, folder: string, ids: readonly string[], options: { deletedHere?: boolean } = {}): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.exclusive(accountId, async (account) => {
      const state = await this.folderState(account, folder, false);
      const entries = ids.flatMap((id) => {
        const entry = state?.files.get(id);
        return entry ? [{ id, entry }] : [];
      });
      if (options.deletedHere === true) {
        // A server id is recorded even when its file is already gone; a message made here has none to record.
        const record = [...new Set(ids)].filter((id) => !account.deletedHere.has(id) && state?.files.get(id)?.kind !== 'local');
        if (record.length > 0) await this.recordDeletedHere(account, record);
      }
      if (!state) return;
      try {
        await inParallel(entries, async ({ id, entry }) => {
          await rm(join(state.dir, entry.stage, entry.name), { force: true });
          this.forget(account, state, id, entry);
        });
      } catch (error) {
        throw storeError(error, 'remove messages');
      }
    });
  }

  /** Forgets that these were deleted here (the user undid a deletion). */
  undoDeletedHere(accountId: string, ids: readonly string[]): Promise<void> {
    return this.exclusive(accountId, async (account) => {
      const before = account.deletedHere.size;
      for (const id of ids) account.deletedHere.delete(id);
      if (account.deletedHere.size === before) return;
      await writeDurably(join(account.dir, TOMBSTONES), [...account.deletedHere].map((id) => `${encodeURIComponent(id)}\n`).join(''));
    });
  }

  /** A folder gone from the server (or a local one deleted): its files go with it. */
  dropFolder(accountId: string, folder: string): Promise<void> {
    return this.exclusive(accountId, async (account) => {
      const state = account.folders.get(folder);
      if (!state) return;
      for (const [id, entry] of state.files) this.forget(account, state, id, entry);
      account.folders.delete(folder);
      await rm(state.dir, { recursive: true, force: true });
    });
  }

  /**
   * IMAP: the folder's UIDVALIDITY. When it differs from the one its files
   * were stored under, they name other messages now, and are removed.
   * Returns how many were.
   */
  setUidValidity(accountId: string, folder: string, uidValidity: string): Promise<number> {
    return this.exclusive(accountId, async (account) => {
      const state = await this.folderState(account, folder, true);
      if (state.uidValidity === uidValidity) return 0;
      const dropped = state.files.size;
      for (const [id, entry] of [...state.files]) {
        await rm(join(state.dir, entry.stage, entry.name), { force: true });
        this.forget(account, state, id, entry);
      }
      await writeFile(join(state.dir, UIDVALIDITY), `${uidValidity}\n`);
      state.uidValidity = uidValidity;
      return dropped;
    });
  }

  /**
   * Forgets everything of an account at once ("this computer died", the
   * account removed): its folder is renamed away in one step, then deleted.
   */
  wipe(accountId: string): Promise<void> {
    return this.exclusive(accountId, async (account) => {
      const aside = join(this.root, `${WIPED_PREFIX}${randomUUID()}`);
      try {
        await rename(account.dir, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storeError(error, 'remove the account’s mail');
      }
      account.folders.clear();
      account.bytes = 0;
      account.messages = 0;
      account.deletedHere.clear();
      account.recency = new Map();
      await rm(aside, { recursive: true, force: true });
    });
  }

  /**
   * Keeps an account's messages under `limitBytes` by removing the least
   * recently read or written first (IMAP bodies; never used for POP3).
   * `keep` are never removed (the message on screen). Returns what went.
   */
  trim(accountId: string, limitBytes: number, keep: readonly { folder: string; id: string }[] = []): Promise<{ folder: string; id: string }[]> {
    return this.exclusive(accountId, async (account) => {
      if (account.bytes <= limitBytes) return [];
      const recency = await this.recencyOf(account);
      const protectedKeys = new Set(keep.map((k) => recencyKey(k.folder, k.id)));
      const evicted: { folder: string; id: string }[] = [];
      for (const key of [...recency.keys()]) {
        if (account.bytes <= limitBytes) break;
        if (protectedKeys.has(key)) continue;
        const [folder = '', id = ''] = key.split('\u0000');
        const state = account.folders.get(folder);
        const entry = state?.files.get(id);
        if (!state || !entry) {
          recency.delete(key);
          continue;
        }
        await rm(join(state.dir, entry.stage, entry.name), { force: true });
        this.forget(account, state, id, entry);
        evicted.push({ folder, id });
      }
      return evicted;
    });
  }

  // ---- internals ------------------------------------------------------------------------

  private account(accountId: string): Promise<AccountState> {
    const loaded = this.accounts.get(accountId);
    if (loaded) return Promise.resolve(loaded);
    let loading = this.loading.get(accountId);
    if (!loading) {
      loading = this.load(accountId).finally(() => this.loading.delete(accountId));
      this.loading.set(accountId, loading);
    }
    return loading;
  }

  /** Runs `work` with the account to itself: changes to one account never interleave. */
  private exclusive<T>(accountId: string, work: (account: AccountState) => Promise<T>): Promise<T> {
    const previous = this.queues.get(accountId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => work(await this.account(accountId)));
    const settled = run.catch(() => undefined);
    this.queues.set(accountId, settled);
    void settled.then(() => {
      if (this.queues.get(accountId) === settled) this.queues.delete(accountId);
    });
    return run;
  }

  private async load(accountId: string): Promise<AccountState> {
    await this.open();
    const dir = join(this.root, accountDirName(accountId));
    const account: AccountState = { dir, folders: new Map(), bytes: 0, messages: 0, deletedHere: new Set(), recency: undefined };
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw storeError(error, 'read the mail folder');
      entries = [];
    }
    try {
      for (const entry of entries) {
        if (entry.isFile() && entry.name === TOMBSTONES) {
          for (const line of (await readFile(join(dir, TOMBSTONES), 'utf8')).split('\n')) {
            if (line === '') continue;
            try {
              account.deletedHere.add(decodeURIComponent(line));
            } catch {
              // A line torn by a crash names nothing; the ones before it stand.
            }
          }
        } else if (entry.isDirectory()) {
          const path = folderOfDirName(entry.name);
          if (path !== undefined) account.folders.set(path, await loadFolder(account, path, join(dir, entry.name)));
        }
      }
    } catch (error) {
      throw storeError(error, 'read the mail folder');
    }
    this.accounts.set(accountId, account);
    return account;
  }

  private async folderState(account: AccountState, folder: string, create: true): Promise<FolderState>;
  private async folderState(account: AccountState, folder: string, create: false): Promise<FolderState | undefined>;
  private async folderState(account: AccountState, folder: string, create: boolean): Promise<FolderState | undefined> {
    const existing = account.folders.get(folder);
    if (existing || !create) return existing;
    const dir = join(account.dir, folderDirName(folder));
    try {
      for (const stage of ['tmp', 'new', 'cur']) await mkdir(join(dir, stage), { recursive: true });
      // New directories must survive a power cut too, or the files in them would not.
      await syncDirectory(account.dir);
      await syncDirectory(this.root);
    } catch (error) {
      throw storeError(error, 'make a mail folder');
    }
    const state: FolderState = { path: folder, dir, files: new Map(), uidValidity: undefined };
    account.folders.set(folder, state);
    return state;
  }

  private async recordDeletedHere(account: AccountState, ids: readonly string[]): Promise<void> {
    try {
      await mkdir(account.dir, { recursive: true });
      const path = join(account.dir, TOMBSTONES);
      await appendFile(path, ids.map((id) => `${encodeURIComponent(id)}\n`).join(''));
      const handle = await open(path, 'r+');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw storeError(error, 'record deleted messages');
    }
    for (const id of ids) account.deletedHere.add(id);
  }

  private forget(account: AccountState, state: FolderState, id: string, entry: FileEntry): void {
    if (state.files.get(id) === entry) state.files.delete(id);
    account.bytes -= entry.size;
    account.messages--;
    account.recency?.delete(recencyKey(state.path, id));
  }

  /**
   * Forgets an entry unless it changed meanwhile, or its folder is no longer
   * the account's: a read still under way when the account was wiped holds
   * the old folder, whose loss must not come off the refilled account's totals.
   */
  private forgetIfSame(account: AccountState, state: FolderState, id: string, entry: FileEntry): void {
    if (account.folders.get(state.path) === state && state.files.get(id) === entry) this.forget(account, state, id, entry);
  }

  private touch(account: AccountState, state: FolderState, id: string, entry: FileEntry): void {
    noteUse(account, recencyKey(state.path, id));
    // The order survives a restart through the files' times; losing one of these costs nothing.
    const now = new Date();
    void utimes(join(state.dir, entry.stage, entry.name), now, now).catch(() => undefined);
  }

  /** The least-recently-used order, read from the files' times the first time it is needed. */
  private async recencyOf(account: AccountState): Promise<Map<string, number>> {
    if (account.recency) return account.recency;
    const times: [string, number][] = [];
    for (const state of account.folders.values()) {
      await inParallel([...state.files], async ([id, entry]) => {
        const info = await stat(join(state.dir, entry.stage, entry.name)).catch(() => undefined);
        times.push([recencyKey(state.path, id), info?.mtimeMs ?? 0]);
      });
    }
    times.sort((a, b) => a[1] - b[1]);
    const recency = new Map(times);
    // Written or read since this start, in that order: after every file that was not, whatever the files' times say.
    for (const [key, at] of account.usedBeforeRecency ?? []) if (recency.delete(key)) recency.set(key, at);
    account.usedBeforeRecency = undefined;
    account.recency = recency;
    return account.recency;
  }
}

/** A file just written or read: the most recently used, in the order kept in memory (or kept until that is first read). */
function noteUse(account: AccountState, key: string): void {
  const order = account.recency ?? (account.usedBeforeRecency ??= new Map());
  order.delete(key);
  order.set(key, Date.now());
}

async function loadFolder(account: AccountState, path: string, dir: string): Promise<FolderState> {
  const state: FolderState = { path, dir, files: new Map(), uidValidity: undefined };
  try {
    state.uidValidity = (await readFile(join(dir, UIDVALIDITY), 'utf8')).trim() || undefined;
  } catch {
    // Not an IMAP folder, or its first sync has not finished.
  }
  // Unfinished writes: the server still has those messages (nothing is deleted before a file is in new/).
  await rm(join(dir, 'tmp'), { recursive: true, force: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  for (const stage of ['new', 'cur'] as const) {
    let names: string[];
    try {
      names = await readdir(join(dir, stage));
    } catch {
      names = [];
      await mkdir(join(dir, stage), { recursive: true });
    }
    for (const name of names) {
      const parsed = parseFileName(name);
      if (!parsed) continue;
      const entry: FileEntry = { name, stage, kind: parsed.kind, size: parsed.size, partial: parsed.partial, letters: parsed.letters };
      const other = state.files.get(parsed.id);
      if (other) {
        // A replacement interrupted by a crash left both: keep the whole message, else the newer file.
        const keepNew = (other.partial && !entry.partial) || (other.partial === entry.partial && name > other.name);
        const loser = keepNew ? other : entry;
        await rm(join(dir, loser.stage, loser.name), { force: true });
        if (!keepNew) continue;
        account.bytes -= other.size;
        account.messages--;
      }
      state.files.set(parsed.id, entry);
      account.bytes += entry.size;
      account.messages++;
    }
  }
  return state;
}

function recencyKey(folder: string, id: string): string {
  return `${folder}\u0000${id}`;
}

/** Reads a file of `expected` bytes into `into` (one byte more is asked, so that a longer file shows as torn). */
async function readIntoBuffer(path: string, expected: number, into: ReadBuffer): Promise<Uint8Array> {
  if (into.buffer.byteLength < expected + 1) into.buffer = Buffer.allocUnsafe(Math.max(expected + 1, into.buffer.byteLength * 2, 64 * 1024));
  const handle = await open(path, 'r');
  try {
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(into.buffer, length, into.buffer.byteLength - length, length);
      if (bytesRead === 0 || length + bytesRead > expected) return into.buffer.subarray(0, length + bytesRead);
      length += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
        next = items.length;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_FILES, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

/** A directory's entries made durable (a renamed or created file is only safe once its directory is). */
async function syncDirectory(path: string): Promise<void> {
  // Windows cannot open a directory to flush it; NTFS journals renames itself.
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeDurably(path: string, content: string): Promise<void> {
  const temp = `${path}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(content);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/** A file system failure as the user should hear of it. */
export function storeError(error: unknown, doing: string): TwinboxError {
  if (error instanceof TwinboxError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const detail = `could not ${doing}: ${error instanceof Error ? error.message : String(error)}`;
  return new TwinboxError(code === 'ENOSPC' || code === 'EDQUOT' ? 'DISK_FULL' : 'LOCAL_STORE_FAILED', detail, { cause: error });
}
