/**
 * IMAP behind the common adapter interface, on imapflow. Each operation lives
 * in a module of its own (as imapflow keeps one module per command), with its
 * capability fallbacks inside it; this class holds the connection and hands
 * it to them.
 */
import { TwinboxError } from '../../../shared/errors';
import type { FolderDeleted, FolderRenamed } from '../../../shared/folder-names';
import type { AdapterCapabilities, Folder, FolderCounts } from '../../../shared/model';
import type {
  AdapterDelta,
  AdapterOptions,
  AdapterSyncState,
  DeleteResult,
  FetchedMessages,
  FolderChange,
  MailAdapter,
  QuotaInfo,
  SearchQuery,
  SyncOptions,
} from '../adapter';
import { appendMessage } from './append';
import { fetchMessages } from './body';
import { adapterCapabilitiesOf, IMAP_BASELINE } from './capabilities';
import { deleteMessages } from './delete';
import { setFlags } from './flags';
import { createFolder, deleteFolder, renameFolder, setSubscription } from './folder-admin';
import { folderCounts, listFolders, SpecialFolders } from './folders';
import { folderQuota } from './quota';
import { searchMessages } from './search';
import { ImapSession } from './session';
import { syncFolder } from './sync';
import { copyMessages, moveMessages } from './transfer';
import { watchFolder } from './watch';

export interface ImapAdapterTuning {
  /** How often a watch polls a server without IDLE; 60 s by default. */
  watchPollIntervalMs?: number;
  /** Pauses between a watch's reconnects after its connection is lost; 1 s doubling up to 60 s by default. */
  watchReconnectDelaysMs?: { first: number; last: number };
}

const DEFAULT_WATCH_POLL_MS = 60_000;
/** A watch connection IDLEs as soon as it is quiet: it has nothing else to do. */
const WATCH_IDLE_DELAY_MS = 100;
/** Below the 30 minutes after which servers may end an IDLE (RFC 9051 section 6.3.13). */
const WATCH_IDLE_RESTART_MS = 25 * 60_000;

/** The IMAP adapter: one connection for everything but watching, which gets one per folder. */
export class ImapAdapter implements MailAdapter {
  readonly protocol = 'imap' as const;
  private session: ImapSession | undefined;
  private connecting: Promise<void> | undefined;
  private currentCapabilities: AdapterCapabilities = { ...IMAP_BASELINE };
  private specialFolders = new SpecialFolders();
  private readonly watches = new Set<() => Promise<void>>();

  constructor(
    private readonly options: AdapterOptions,
    private readonly tuning: ImapAdapterTuning = {},
  ) {}

  /** Before connect() the baseline of every IMAP server; after it, what this server announced. */
  get capabilities(): AdapterCapabilities {
    return this.currentCapabilities;
  }

  /** Logged in, and the connection has not closed since. */
  get connected(): boolean {
    return this.session?.usable === true;
  }

  /** Connects and logs in (see ImapSession.open for the TLS policy); capabilities are the server's after this. */
  async connect(): Promise<void> {
    if (this.connected) return;
    // Two callers connecting at once share one login instead of opening two connections.
    this.connecting ??= ImapSession.open(this.options).then(
      (session) => {
        this.connecting = undefined;
        this.session = session;
        this.specialFolders = new SpecialFolders();
        this.currentCapabilities = adapterCapabilitiesOf(session.server);
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    await this.connecting;
  }

  /** Stops every watch and logs out. Never throws. */
  async close(): Promise<void> {
    const stops = [...this.watches];
    this.watches.clear();
    await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  /** Every folder, with special use, subscription and whether it can hold messages. */
  async listFolders(): Promise<Folder[]> {
    return listFolders(this.live(), this.specialFolders);
  }

  /** Message and unread counts (and UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ) per folder, by STATUS. */
  async folderCounts(paths: string[]): Promise<FolderCounts[]> {
    return folderCounts(this.live(), paths);
  }

  /** Deltas that bring a cache from `state` to the folder; see ./sync.ts. */
  async *sync(folder: string, state: AdapterSyncState, options?: SyncOptions): AsyncGenerator<AdapterDelta, void, undefined> {
    if (state.protocol !== 'imap') throw new TwinboxError('INVALID_REQUEST', 'an IMAP folder cannot be synced from POP3 state');
    yield* syncFolder(this.live(), folder, state, options);
  }

  /** Whole messages without marking them read, with the UIDVALIDITY their UIDs belong to. */
  async fetchMessages(folder: string, serverIds: string[]): Promise<FetchedMessages> {
    return fetchMessages(this.live(), folder, serverIds);
  }

  /** Adds and removes flags (UID STORE .SILENT). */
  async setFlags(folder: string, serverIds: string[], change: { add?: string[]; remove?: string[] }): Promise<void> {
    return setFlags(this.live(), folder, serverIds, change);
  }

  /** Moves messages (MOVE, or COPY and an exact expunge); ids in the target when the server says. */
  async move(folder: string, serverIds: string[], target: string): Promise<Map<string, string>> {
    return moveMessages(this.live(), this.specialFolders, folder, serverIds, target);
  }

  /** Copies messages; ids in the target when the server says. */
  async copy(folder: string, serverIds: string[], target: string): Promise<Map<string, string>> {
    return copyMessages(this.live(), this.specialFolders, folder, serverIds, target);
  }

  /** To the Trash, or expunged (see ./delete.ts for when). */
  async delete(folder: string, serverIds: string[], options?: { expunge?: boolean }): Promise<DeleteResult> {
    return deleteMessages(this.live(), this.specialFolders, folder, serverIds, options);
  }

  /** Stores a message; its UID when the server says (APPENDUID). */
  async append(folder: string, raw: Uint8Array, flags: string[], internalDate?: Date): Promise<string | undefined> {
    return appendMessage(this.live(), this.specialFolders, folder, raw, flags, internalDate);
  }

  /** UIDs of messages with every word in subject, addresses or body, newest first. */
  async search(folder: string, query: SearchQuery): Promise<string[]> {
    return searchMessages(this.live(), folder, query);
  }

  /** CREATE under `parent` with the server's delimiter, then SUBSCRIBE; see ./folder-admin.ts. */
  async createFolder(parent: string | undefined, name: string): Promise<string> {
    return createFolder(this.live(), this.specialFolders, { parent, name });
  }

  /** RENAME, with the subscriptions of the folder and its subfolders moved along. */
  async renameFolder(path: string, place: { parent: string | undefined; name: string }): Promise<FolderRenamed> {
    return renameFolder(this.live(), this.specialFolders, path, place);
  }

  /** Into the Trash (RENAME), or DELETE and UNSUBSCRIBE, subfolders first. */
  async deleteFolder(path: string, mode: 'trash' | 'forever'): Promise<FolderDeleted> {
    return deleteFolder(this.live(), this.specialFolders, path, mode);
  }

  async subscribe(path: string, subscribed: boolean): Promise<void> {
    return setSubscription(this.live(), path, subscribed);
  }

  /** Storage used and allowed; undefined when the server reports none. */
  async quota(folder: string): Promise<QuotaInfo | undefined> {
    return folderQuota(this.live(), folder);
  }

  /**
   * Watches a folder on a connection of its own (IDLE, or NOOP polling
   * without it); the result stops it. Needs no connect() first: a watch
   * never uses the adapter's main connection, so a watch-only adapter opens
   * just the one.
   */
  async watch(folder: string, onChange: (change: FolderChange) => void, onEnd?: (error: TwinboxError) => void): Promise<() => Promise<void>> {
    const stop = await watchFolder(
      {
        open: () => ImapSession.open(this.options, { autoIdleDelayMs: WATCH_IDLE_DELAY_MS, maxIdleTimeMs: WATCH_IDLE_RESTART_MS }),
        pollIntervalMs: this.tuning.watchPollIntervalMs ?? DEFAULT_WATCH_POLL_MS,
        ...(this.tuning.watchReconnectDelaysMs ? { reconnectDelaysMs: this.tuning.watchReconnectDelaysMs } : {}),
        ...(onEnd ? { onEnd } : {}),
      },
      folder,
      onChange,
    );
    const stopOnce = async (): Promise<void> => {
      if (!this.watches.delete(stopOnce)) return;
      await stop();
    };
    this.watches.add(stopOnce);
    return stopOnce;
  }

  private live(): ImapSession {
    const session = this.session;
    if (session?.usable !== true) throw new TwinboxError('CONNECTION_LOST', 'not connected to the IMAP server');
    return session;
  }
}
