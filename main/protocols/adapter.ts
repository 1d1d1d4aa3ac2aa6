/**
 * The plug point: one interface that the IMAP and POP3 adapters implement.
 * Callers decide what to offer by `capabilities`, never by protocol name; an
 * operation the protocol cannot do rejects with NOT_SUPPORTED.
 *
 * Every method rejects only with a TwinboxError (see ./errors.ts), so the code
 * survives the IPC boundary and the user sees the sentence for it.
 */
import type { TwinboxError } from '../../shared/errors';
import type { FolderDeleted, FolderRenamed } from '../../shared/folder-names';
import type {
  AdapterCapabilities,
  DeleteResult,
  Folder,
  FolderChange,
  FolderCounts,
  MessageSummary,
  Protocol,
  ProtocolLogLine,
  QuotaInfo,
  SearchQuery,
  ServerSettings,
  SyncDelta,
  SyncOptions,
  SyncState,
} from '../../shared/model';

// The sync and result types cross IPC, so they live in shared/model.ts.
export type { DeleteResult, FolderChange, QuotaInfo, SearchQuery, SyncDelta, SyncOptions, SyncState } from '../../shared/model';

export interface AdapterOptions {
  accountId: string;
  server: ServerSettings;
  /** What signs in: the password, or the provider's access token when `server.signIn` is 'oauth2'. */
  password: string;
  /** Receives one line per command and per reply's first line (passwords masked). */
  log?: (line: ProtocolLogLine) => void;
  /** Milliseconds; defaults in ./timeouts.ts. */
  timeouts?: Partial<Timeouts>;
}

export interface Timeouts {
  /** TCP connect plus TLS handshake plus greeting. */
  connectMs: number;
  /** Silence from the server while a command is outstanding. */
  commandMs: number;
}

/** A message's exact bytes, as the server sent them. */
export interface MessageSource {
  serverId: string;
  bytes: Uint8Array;
  /** Only the header block (POP3 TOP n 0). */
  partial: boolean;
}

export interface FetchedMessages {
  /** IMAP: the UIDVALIDITY the UIDs belong to, so a store never keeps bytes under a stale UID. */
  uidValidity?: string;
  /** In the order the server sent them; ids no longer there are left out. */
  messages: MessageSource[];
}

/**
 * What the adapter is told the caller holds: for IMAP what the page's cache
 * says; for POP3 the UIDLs in main's message store (and those deleted here).
 */
export type AdapterSyncState = Extract<SyncState, { protocol: 'imap' }> | { protocol: 'pop3'; knownUidls: ReadonlySet<string> };

/**
 * A sync step as an adapter yields it: the contract's deltas, where new
 * messages may come with their bytes (POP3 downloads them whole), which the
 * caller stores before passing the delta on without them.
 */
export type AdapterDelta =
  | Exclude<SyncDelta, { kind: 'messages' }>
  | { kind: 'messages'; summaries: MessageSummary[]; partial: string[]; progress: { done: number; total: number }; sources: MessageSource[] };

export interface MailAdapter {
  readonly protocol: Protocol;
  /** Valid after `connect()`; before it, the protocol's defaults. */
  readonly capabilities: AdapterCapabilities;
  readonly connected: boolean;

  connect(): Promise<void>;
  /** Ends the session cleanly (LOGOUT / QUIT). Never throws. */
  close(): Promise<void>;

  /** POP3: the single INBOX. */
  listFolders(): Promise<Folder[]>;
  folderCounts(paths: string[]): Promise<FolderCounts[]>;

  /** Brings a cache from `state` to the server's current folder, in deltas. */
  sync(folder: string, state: AdapterSyncState, options?: SyncOptions): AsyncGenerator<AdapterDelta, void, undefined>;

  /**
   * Whole messages, exactly as the server has them, in one exchange;
   * those no longer there are left out, not an error. Never marks them read
   * (IMAP BODY.PEEK); parsing is the caller's business.
   */
  fetchMessages(folder: string, serverIds: string[]): Promise<FetchedMessages>;

  /** Requires `serverFlags`. */
  setFlags(folder: string, serverIds: string[], change: { add?: string[]; remove?: string[] }): Promise<void>;
  /**
   * Requires `serverFolders`. Returns the ids in the target folder when the server says (UIDPLUS).
   * A missing Archive, Sent, Drafts, Trash or Junk target is created (IMAP NO [TRYCREATE]);
   * any other missing target is MAILBOX_NOT_FOUND. The same holds for `copy` and `append`.
   */
  move(folder: string, serverIds: string[], target: string): Promise<Map<string, string>>;
  copy(folder: string, serverIds: string[], target: string): Promise<Map<string, string>>;
  /**
   * Deletes on the server. IMAP: to Trash, or expunged when `expunge` is set
   * or the folder is the Trash. POP3: DELE of exactly these UIDLs, committed
   * by QUIT; a connection lost before QUIT deletes nothing.
   */
  delete(folder: string, serverIds: string[], options?: { expunge?: boolean }): Promise<DeleteResult>;
  /**
   * Requires `append`. Returns the new message's id when the server says (UIDPLUS).
   * `internalDate`: when the message arrived (an import keeps the original's); the server's clock otherwise.
   */
  append(folder: string, raw: Uint8Array, flags: string[], internalDate?: Date): Promise<string | undefined>;
  /** Requires `serverSearch`. Ids of matching messages, newest first. */
  search(folder: string, query: SearchQuery): Promise<string[]>;
  /**
   * Folder management; each requires `serverFolders` (POP3: NOT_SUPPORTED, its
   * folders are this computer's). A folder is created under `parent`
   * (undefined: the top level) with the server's delimiter, and subscribed;
   * the result is its path. Special-use folders are refused with
   * FOLDER_PROTECTED, a name taken with FOLDER_EXISTS.
   */
  createFolder(parent: string | undefined, name: string): Promise<string>;
  /** Renames a folder or moves it under another parent; subscriptions follow. */
  renameFolder(path: string, place: { parent: string | undefined; name: string }): Promise<FolderRenamed>;
  /** Into the Trash with its mail (`trash`; for good when already there), or for good (`forever`). */
  deleteFolder(path: string, mode: 'trash' | 'forever'): Promise<FolderDeleted>;
  subscribe(path: string, subscribed: boolean): Promise<void>;
  /** Undefined when the server reports no quota (`capabilities.quota` is false). */
  quota(folder: string): Promise<QuotaInfo | undefined>;
  /**
   * Requires `push`. Watches a folder on a connection of its own (no
   * connect() needed first) and calls `onChange` for each change; the
   * returned function stops watching. A lost connection is reopened by the
   * watch itself; `onEnd` hears when it gives up (a refusal only new settings
   * can fix), never after the returned function was called.
   */
  watch(folder: string, onChange: (change: FolderChange) => void, onEnd?: (error: TwinboxError) => void): Promise<() => Promise<void>>;
}
