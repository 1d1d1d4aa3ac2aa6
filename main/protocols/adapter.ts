/**
 * The plug point: one interface that the IMAP and POP3 adapters implement.
 * Callers decide what to offer by `capabilities`, never by protocol name; an
 * operation the protocol cannot do rejects with NOT_SUPPORTED.
 *
 * Every method rejects only with a TwinboxError (see ./errors.ts), so the code
 * survives the IPC boundary and the user sees the sentence for it.
 */
import type {
  AdapterCapabilities,
  Folder,
  FolderCounts,
  MessageBody,
  MessageSummary,
  Protocol,
  ProtocolLogLine,
  ServerSettings,
} from '../../shared/model';

export interface AdapterOptions {
  accountId: string;
  server: ServerSettings;
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

/**
 * What the caller's cache knows about a folder. IMAP keys on UIDVALIDITY and
 * UIDs; POP3 on UIDLs. `knownUids` is an IMAP sequence set ("1:40,42") so a
 * large folder costs a few bytes when its UIDs are contiguous.
 */
export type SyncState =
  | { protocol: 'imap'; uidValidity?: string; highestModseq?: string; knownUids: string }
  | { protocol: 'pop3'; knownUidls: string[] };

export interface SyncOptions {
  /** Summaries per `messages` delta. The first delta is the first screen (newest first). */
  batchSize?: number;
  /** POP3: download headers only (TOP n 0) for every message. */
  headersOnly?: boolean;
  /** POP3: download headers only for messages larger than this (0: no limit). */
  maxMessageBytes?: number;
}

/**
 * One step of a folder sync. Applying the deltas in order to a cache that
 * held `state` leaves it equal to the server's folder. `done` comes last and
 * carries the state to store for the next sync.
 */
export type SyncDelta =
  /** UIDVALIDITY changed (or the folder was recreated): drop the folder's cache; deltas that follow rebuild it. */
  | { kind: 'reset'; uidValidity: string }
  /** Messages no longer on the server. */
  | { kind: 'vanished'; serverIds: string[] }
  /** Flags that changed on the server for messages the cache holds. */
  | { kind: 'flags'; changes: { serverId: string; flags: string[]; modseq?: string }[] }
  /**
   * New messages, newest first. POP3 includes each message's body (with
   * `raw`) unless it was fetched as headers only (`partial` lists those).
   */
  | {
      kind: 'messages';
      summaries: MessageSummary[];
      bodies: MessageBody[];
      partial: string[];
      progress: { done: number; total: number };
    }
  | { kind: 'done'; state: SyncState; total: number; uidNext?: number };

export interface FetchBodyOptions {
  /** Also return the exact message bytes. */
  raw?: boolean;
}

export interface SearchQuery {
  /** Words to find in subject, addresses or body text. */
  text: string;
}

export interface QuotaInfo {
  usedBytes: number;
  limitBytes: number;
}

/** Something changed on the server while watching a folder (IMAP IDLE). */
export interface FolderChange {
  folder: string;
  reason: 'new-mail' | 'expunged' | 'flags';
}

export interface DeleteResult {
  /** Ids now gone from the folder (or moved to Trash). */
  deleted: string[];
  /** Ids that were not there any more; not an error. */
  missing: string[];
}

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
  sync(folder: string, state: SyncState, options?: SyncOptions): AsyncGenerator<SyncDelta, void, undefined>;

  /** The whole message, parsed; MESSAGE_GONE when it is no longer there. */
  fetchBody(folder: string, serverId: string, options?: FetchBodyOptions): Promise<MessageBody>;

  /** Requires `serverFlags`. */
  setFlags(folder: string, serverIds: string[], change: { add?: string[]; remove?: string[] }): Promise<void>;
  /** Requires `serverFolders`. Returns the ids in the target folder when the server says (UIDPLUS). */
  move(folder: string, serverIds: string[], target: string): Promise<Map<string, string>>;
  copy(folder: string, serverIds: string[], target: string): Promise<Map<string, string>>;
  /**
   * Deletes on the server. IMAP: to Trash, or expunged when `expunge` is set
   * or the folder is the Trash. POP3: DELE of exactly these UIDLs, committed
   * by QUIT; a connection lost before QUIT deletes nothing.
   */
  delete(folder: string, serverIds: string[], options?: { expunge?: boolean }): Promise<DeleteResult>;
  /** Requires `append`. Returns the new message's id when the server says (UIDPLUS). */
  append(folder: string, raw: Uint8Array, flags: string[]): Promise<string | undefined>;
  /** Requires `serverSearch`. Ids of matching messages, newest first. */
  search(folder: string, query: SearchQuery): Promise<string[]>;
  /** Requires `quota`. */
  quota(folder: string): Promise<QuotaInfo | undefined>;
  /**
   * Requires `push`. Watches a folder on a connection of its own and calls
   * `onChange` for each change; the returned function stops watching.
   */
  watch(folder: string, onChange: (change: FolderChange) => void): Promise<() => Promise<void>>;
}
