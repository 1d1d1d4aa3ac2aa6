/**
 * The renderer drives sync, because the index lives here. Per account: one
 * sync at a time; IMAP watches INBOX (IDLE) and polls the other folders,
 * POP3 checks at the account's interval; queued changes are sent after each
 * sync; search indexing runs in the background between syncs; errors back
 * off (and are shown) instead of being swallowed or retried in a tight loop.
 */
import { asTwinboxError } from '../../shared/errors';
import type { Account, AdapterCapabilities, Address, MessageBody } from '../../shared/model';
import type { TwinboxDatabase } from '../db/schema';
import { CacheWriter } from '../db/writer';
import { POP3_FOLDER } from '../db/rows';
import type { MessageKey } from '../db/rows';
import { errorText, t } from '../i18n';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { MailActions } from './actions';
import { ImapMode } from './imap-mode';
import { TextIndexer } from './indexer';
import { PendingRunner } from './pending-runner';
import { Pop3Mode } from './pop3-mode';
import { StatusStore } from './status';
import { StoreMirror } from './store-mirror';
import { hasLegacyBodies, migrateLegacyBodies } from './store-migration';

/** New mail arrived in an account's Inbox after its first sync. */
export interface NewMail {
  accountId: string;
  folder: string;
  count: number;
  newest?: { from: Address[]; subject: string };
}

export interface EngineOptions {
  now?: () => number;
  /** Minutes between polls of IMAP folders other than the watched INBOX. */
  imapPollMinutes?: number;
  /** First and largest wait after a failed sync. */
  backoffMs?: { initial: number; max: number };
  /** False in the Lab: POP3 server copies are deleted only when the user confirms. */
  pop3ServerDeletes?: boolean;
  /** How long deletions and moves wait before they are sent, so they can be undone. */
  undoWindowMs?: number;
  /**
   * Asks the browser to keep this page's storage (navigator.storage.persist()),
   * so that it is never cleared to make room; the answer is shown. Passed in
   * by the page, since this code runs in Node tests too.
   */
  requestPersistentStorage?: () => Promise<boolean>;
  /** Messages whose words background indexing writes at once (fewer in tests, to see it go in steps). */
  indexingWriteSize?: number;
}

interface AccountRuntime {
  account: Account;
  capabilities?: AdapterCapabilities;
  running?: Promise<void>;
  /**
   * Asked for while a sync was running: the folders to sync once more right
   * after it (`all` when a whole-account sync was asked for), merged across asks.
   */
  again: Set<string> | 'all' | undefined;
  timer?: ReturnType<typeof setTimeout>;
  /** When `timer` is due (on the engine's clock); unset while nothing is scheduled or a sync runs. */
  timerAt?: number;
  failures: number;
  watchId?: string;
  stopped: boolean;
  /** What an older Twinbox left in IndexedDB has been moved to the message store. */
  migrated: boolean;
}

export class SyncEngine {
  readonly writer: CacheWriter;
  readonly status = new StatusStore();
  readonly imap: ImapMode;
  readonly pop3: Pop3Mode;
  readonly runner: PendingRunner;
  readonly actions: MailActions;
  readonly indexer: TextIndexer;
  /** Whether the browser promised to keep the index (undefined until it answered). */
  storagePersistent: boolean | undefined;
  private readonly runtimes = new Map<string, AccountRuntime>();
  private readonly newMailListeners = new Set<(news: NewMail) => void>();
  /** POP3 accounts whose server copies are deleted only on the user's explicit say (the Lab). */
  private readonly serverDeletesHeld = new Set<string>();
  private readonly now: () => number;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly client: TwinboxClient,
    db: TwinboxDatabase,
    private readonly options: EngineOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.writer = new CacheWriter(db, this.now);
    this.imap = new ImapMode(client, this.writer);
    this.pop3 = new Pop3Mode(client, this.writer, this.now);
    this.runner = new PendingRunner(client, this.writer, this.now);
    this.indexer = new TextIndexer(
      client,
      this.writer,
      ({ accountId, done, left }) => this.status.update(accountId, { indexing: { done, left } }),
      options.indexingWriteSize,
    );
    this.actions = new MailActions(
      this.writer,
      this.runner,
      (accountId) => this.capabilities(accountId),
      (accountId) => db.accounts.get(accountId),
      new StoreMirror(client),
      options.undoWindowMs,
    );
  }

  /** Loads the accounts from main and starts syncing each. */
  async start(): Promise<void> {
    this.unsubscribe ??= this.client.on('mail.changed', ({ accountId, folder }) => {
      const runtime = this.runtimes.get(accountId);
      if (runtime) void this.syncNow(accountId, folder === 'INBOX' ? ['INBOX'] : [folder]);
    });
    void this.options
      .requestPersistentStorage?.()
      .then((granted) => (this.storagePersistent = granted))
      .catch(() => (this.storagePersistent = false));
    await this.refreshAccounts();
    // Whatever a previous run queued and did not finish.
    void this.indexer.kick();
  }

  /** Re-reads the account list (after one was added, edited or removed). */
  async refreshAccounts(): Promise<void> {
    const accounts = await this.client.call('accounts.list', {});
    await this.writer.replaceAccounts(accounts);
    const ids = new Set(accounts.map((a) => a.id));
    for (const [accountId, runtime] of this.runtimes) {
      if (!ids.has(accountId)) await this.stopAccount(runtime);
    }
    for (const account of accounts) {
      const runtime = this.runtimes.get(account.id);
      if (runtime) {
        runtime.account = account;
        runtime.capabilities = undefined;
      } else {
        this.runtimes.set(account.id, { account, again: undefined, failures: 0, stopped: false, migrated: false });
      }
      void this.syncNow(account.id);
    }
  }

  /**
   * Forgets an account here: its sync stops first (so no last batch lands
   * after), then everything this computer held for it goes.
   */
  async removeAccount(accountId: string): Promise<void> {
    const runtime = this.runtimes.get(accountId);
    if (runtime) await this.stopAccount(runtime);
    await this.writer.removeAccountData(accountId);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.indexer.stop();
    for (const runtime of this.runtimes.values()) await this.stopAccount(runtime);
    this.runtimes.clear();
    this.writer.close();
  }

  /**
   * What the account's server can do: as last reported (remembered in the
   * cache, so actions decide correctly offline), else asked now.
   */
  async capabilities(accountId: string): Promise<AdapterCapabilities> {
    const runtime = this.runtimes.get(accountId);
    if (runtime?.capabilities) return runtime.capabilities;
    const known = await this.writer.db.capabilities.get(accountId);
    if (known) {
      if (runtime) runtime.capabilities = known.capabilities;
      return known.capabilities;
    }
    return this.refreshCapabilities(accountId);
  }

  private async refreshCapabilities(accountId: string): Promise<AdapterCapabilities> {
    const capabilities = await this.client.call('accounts.capabilities', { accountId });
    await this.writer.rememberCapabilities(accountId, capabilities);
    const runtime = this.runtimes.get(accountId);
    if (runtime) runtime.capabilities = capabilities;
    return capabilities;
  }

  /**
   * Syncs an account now (or once more right after the sync that is running).
   * Resolves when done; failures are recorded in the status, not thrown.
   */
  syncNow(accountId: string, folders?: string[]): Promise<void> {
    const runtime = this.runtimes.get(accountId);
    if (!runtime || runtime.stopped) return Promise.resolve();
    if (runtime.running) {
      const asked = runtime.again;
      runtime.again = folders === undefined || asked === 'all' ? 'all' : new Set([...(asked ?? []), ...folders]);
      return runtime.running;
    }
    return this.run(runtime, folders);
  }

  /**
   * Takes the account's one sync slot (the caller made sure it is free) for
   * `first`, if given, then a sync of `folders` and of whatever is asked for
   * meanwhile: a sync asked for during `first` waits for it.
   */
  private run(runtime: AccountRuntime, folders: string[] | undefined, first?: () => Promise<void>): Promise<void> {
    if (runtime.timer) clearTimeout(runtime.timer);
    runtime.timer = undefined;
    runtime.timerAt = undefined;
    // Read through a function: the asks change while syncOnce awaits.
    const nextAsk = (): Set<string> | 'all' | undefined => (runtime.stopped ? undefined : runtime.again);
    // Indexing waits while mail comes in: the list must never wait for it.
    const resumeIndexing = this.indexer.pause();
    const work = async (): Promise<void> => {
      if (first) {
        try {
          await first();
        } catch (error) {
          this.recordFailure(runtime, error);
          throw error;
        }
      }
      let current: string[] | undefined = folders;
      for (;;) {
        runtime.again = undefined;
        await this.syncOnce(runtime, current);
        const next = nextAsk();
        if (next === undefined) break;
        current = next === 'all' ? undefined : [...next];
      }
    };
    // The slot is taken before any of the work starts: whatever that work sets off at once (a call whose
    // answer asks for a sync) must find it taken and queue behind it.
    runtime.running = Promise.resolve()
      .then(work)
      .finally(() => {
        runtime.running = undefined;
        resumeIndexing();
      });
    return runtime.running;
  }

  /** Opens a message: parsed by main from its store, or fetched as the account's mode says. */
  async openMessage(key: MessageKey): Promise<MessageBody> {
    const capabilities = await this.capabilities(key[0]);
    return capabilities.serverFolders ? this.imap.openMessage(key) : this.pop3.openMessage(key);
  }

  /**
   * "This computer died": forget everything this computer holds for the
   * account (the store's files first, then the index), then resync from the server.
   */
  async wipeAndResync(accountId: string): Promise<void> {
    const forget = async (): Promise<void> => {
      await this.client.call('store.wipe', { accountId });
      await this.writer.wipeAccountCache(accountId);
      this.pop3.forget(accountId);
    };
    const runtime = this.runtimes.get(accountId);
    // Read through a function: the account may be removed while this waits.
    const stopped = (): boolean => runtime?.stopped !== false;
    if (!runtime || stopped()) return forget();
    // A sync that ran between forgetting and resyncing (the server's push, the poll) would read
    // the sync state from before the wipe and leave the list empty: the wipe holds the sync slot.
    while (runtime.running) await runtime.running.catch(() => undefined);
    if (stopped()) return forget();
    await this.run(runtime, undefined, forget);
  }

  private async syncOnce(runtime: AccountRuntime, folders: string[] | undefined): Promise<void> {
    const { account } = runtime;
    this.status.update(account.id, { state: 'syncing' });
    try {
      // Connecting anyway: ask the server afresh (it may have gained or lost an extension).
      const capabilities = await this.refreshCapabilities(account.id);
      if (!runtime.migrated) {
        // Before any download: a POP3 check must find in the store what an older Twinbox kept here.
        if (await hasLegacyBodies(this.writer, account.id)) {
          this.status.update(account.id, { state: 'syncing', note: t('mail:status.migrating') });
          await migrateLegacyBodies(this.client, this.writer, account.id, !capabilities.serverFolders);
        }
        runtime.migrated = true;
      }
      if (capabilities.serverFolders) {
        // Watch before syncing, so that mail arriving during the sync is not missed.
        if (capabilities.push && runtime.watchId === undefined && !runtime.stopped) {
          runtime.watchId = (await this.client.call('mail.watch', { accountId: account.id, folder: 'INBOX' })).watchId;
        }
        await this.imap.syncFolderList(account);
        const all = await this.writer.db.folders.where('accountId').equals(account.id).filter((f) => f.selectable).toArray();
        // INBOX first: it is what the user looks at.
        const order = (folders ?? all.map((f) => f.path)).sort((a, b) => Number(b === 'INBOX') - Number(a === 'INBOX'));
        for (const folder of order) {
          const firstSync = (await this.writer.db.syncState.get([account.id, folder]))?.completedAt === undefined;
          const result = await this.imap.syncFolder(account, folder, (progress) => this.status.update(account.id, { progress }));
          // A first sync brings old mail, not new mail: only later arrivals in the Inbox are announced.
          if (folder === 'INBOX' && !firstSync && !result.reset && result.added > 0) await this.announce(account.id, folder, result.added);
        }
        await this.runner.run(account.id);
        void this.imap.prefetchBodies(account, 'INBOX').catch(() => undefined);
      } else {
        await this.writer.ensureLocalFolders(account.id);
        const firstCheck = (await this.writer.db.syncState.get([account.id, POP3_FOLDER]))?.completedAt === undefined;
        const result = await this.pop3.check(account, {
          onProgress: (progress) => this.status.update(account.id, { progress }),
          allowServerDeletes: this.options.pop3ServerDeletes !== false && !this.serverDeletesHeld.has(account.id),
        });
        if (!firstCheck && result.downloaded > 0) await this.announce(account.id, POP3_FOLDER, result.downloaded);
      }
      runtime.failures = 0;
      this.status.update(account.id, (current) => ({ state: 'idle', lastSyncAt: this.now(), ...(current.indexing ? { indexing: current.indexing } : {}) }));
      this.schedule(runtime, this.pollDelay(runtime));
    } catch (error) {
      this.recordFailure(runtime, error);
    }
  }

  /** Shows why the account's last attempt failed, and tries again later (sooner for the first failures). */
  private recordFailure(runtime: AccountRuntime, error: unknown): void {
    const failure = asTwinboxError(error);
    runtime.failures++;
    const backoff = this.options.backoffMs ?? { initial: 5_000, max: 5 * 60_000 };
    const wait = Math.min(backoff.initial * 2 ** (runtime.failures - 1), backoff.max);
    const offline = ['CONNECTION_REFUSED', 'HOST_NOT_FOUND', 'TIMEOUT', 'CONNECTION_LOST', 'HOST_UNAVAILABLE'].includes(failure.code);
    this.status.update(runtime.account.id, {
      state: offline ? 'offline' : 'error',
      error: { code: failure.code, text: errorText(failure) },
      retryAt: this.now() + wait,
    });
    this.schedule(runtime, wait);
  }

  /**
   * While held, this account's checks never delete server copies by
   * themselves; whoever holds them (the Lab) asks the user and applies the
   * retention policy explicitly.
   */
  holdServerDeletes(accountId: string, hold: boolean): void {
    if (hold) this.serverDeletesHeld.add(accountId);
    else this.serverDeletesHeld.delete(accountId);
  }

  /** Listens for new mail (for desktop notifications); returns the function that stops listening. */
  onNewMail(listener: (news: NewMail) => void): () => void {
    this.newMailListeners.add(listener);
    return () => this.newMailListeners.delete(listener);
  }

  private async announce(accountId: string, folder: string, count: number): Promise<void> {
    if (this.newMailListeners.size === 0) return;
    const newest = await this.writer.db.messages
      .where('[accountId+folder+sortDate]')
      .between([accountId, folder, -Infinity], [accountId, folder, Infinity])
      .last();
    const news: NewMail = { accountId, folder, count, ...(newest ? { newest: { from: newest.from, subject: newest.subject } } : {}) };
    for (const listener of this.newMailListeners) listener(news);
  }

  private pollDelay(runtime: AccountRuntime): number {
    const minutes = runtime.account.protocol === 'pop3' ? (runtime.account.pop3?.pollMinutes ?? 10) : (this.options.imapPollMinutes ?? 5);
    return minutes * 60_000;
  }

  /**
   * When the account's next sync of its own (the poll, or the retry after a
   * failure) is due; undefined while a sync runs or none is scheduled. The Lab
   * waits for it, to show when a POP3 side notices new mail by itself.
   */
  nextCheckAt(accountId: string): number | undefined {
    return this.runtimes.get(accountId)?.timerAt;
  }

  private schedule(runtime: AccountRuntime, delayMs: number): void {
    if (runtime.stopped) return;
    if (runtime.timer) clearTimeout(runtime.timer);
    runtime.timerAt = this.now() + delayMs;
    runtime.timer = setTimeout(() => {
      // Due now: a sync that is running takes it as an ask for one more, and is not "scheduled".
      runtime.timerAt = undefined;
      void this.syncNow(runtime.account.id);
    }, delayMs);
  }

  private async stopAccount(runtime: AccountRuntime): Promise<void> {
    runtime.stopped = true;
    if (runtime.timer) clearTimeout(runtime.timer);
    if (runtime.watchId) await this.client.call('mail.unwatch', { watchId: runtime.watchId }).catch(() => undefined);
    await runtime.running?.catch(() => undefined);
    this.runtimes.delete(runtime.account.id);
    this.status.forget(runtime.account.id);
  }
}
