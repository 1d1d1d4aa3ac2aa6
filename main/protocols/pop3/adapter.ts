/**
 * POP3 behind the common adapter interface. POP3 has one folder (INBOX),
 * sees new mail only at login, and keeps nothing but the messages themselves
 * on the server, so every operation runs in a session of its own that ends
 * with QUIT, and everything else (flags, folders, search) is NOT_SUPPORTED.
 */
import { TwinboxError } from '../../../shared/errors';
import type { FolderDeleted, FolderRenamed } from '../../../shared/folder-names';
import type { AdapterCapabilities, Folder, FolderCounts, MessageSummary } from '../../../shared/model';
import { INBOX } from '../../../shared/model';
import { summarizeHeaders } from '../../mime/header-block';
import { messageIdentity } from '../../mime/identity';
import type {
  AdapterDelta,
  AdapterSyncState,
  DeleteResult,
  FetchedMessages,
  FolderChange,
  MailAdapter,
  MessageSource,
  QuotaInfo,
  SearchQuery,
  SyncOptions,
} from '../adapter';
import { toTwinboxError } from '../errors';
import type { MaildropEntry } from './responses';
import { Pop3Session } from './session';
import type { FetchedMessage, Pop3SessionOptions } from './session';

const DEFAULT_BATCH_SIZE = 50;
/** About one screen of a message list. */
const FIRST_SCREEN = 50;

const POP3_CAPABILITIES: AdapterCapabilities = {
  serverFolders: false,
  serverFlags: false,
  push: false,
  serverSearch: false,
  stableIds: true,
  // Known after connect(): TOP is optional in RFC 1939.
  partialFetch: false,
  changeTracking: false,
  vanishedTracking: false,
  atomicMove: false,
  quota: false,
  append: false,
};

/** The POP3 adapter: one INBOX, synced by UIDL, deleted only by named UIDLs. */
export class Pop3Adapter implements MailAdapter {
  readonly protocol = 'pop3' as const;
  private currentCapabilities: AdapterCapabilities = { ...POP3_CAPABILITIES };
  private isConnected = false;
  /** Sessions open right now, so close() can end them all. */
  private readonly sessions = new Set<Pop3Session>();

  constructor(private readonly options: Pop3SessionOptions) {}

  get capabilities(): AdapterCapabilities {
    return this.currentCapabilities;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  /**
   * Logs in once to check the settings and learn what the server offers.
   * That session is ended again: POP3 servers may lock the maildrop while a
   * session is open, and each operation opens its own anyway (POP3 sees new
   * mail only at login).
   */
  async connect(): Promise<void> {
    await this.withSession((session) => {
      this.currentCapabilities = { ...POP3_CAPABILITIES, partialFetch: session.supportsTop };
      return Promise.resolve();
    });
    this.isConnected = true;
  }

  /** Ends every open sync or fetch session with QUIT (drops it when replies are still due). Never throws. */
  async close(): Promise<void> {
    this.isConnected = false;
    const open = [...this.sessions];
    this.sessions.clear();
    await Promise.all(open.map((session) => session.end()));
  }

  /** The one folder POP3 has. */
  listFolders(): Promise<Folder[]> {
    return Promise.resolve([{ path: INBOX, name: INBOX, delimiter: '', specialUse: 'inbox', subscribed: true, selectable: true }]);
  }

  /**
   * Brings a cache that knows `state.knownUidls` up to the server's INBOX:
   * `vanished` for UIDLs gone from the server, then the new messages newest
   * first (highest message number first) in batches, each downloaded whole
   * (RETR) or as headers only (TOP n 0) when asked or when larger than
   * `maxMessageBytes`, with their bytes and a summary from their headers,
   * and last `done` with the UIDLs on the server now. The session ends with
   * QUIT and deletes nothing.
   */
  async *sync(folder: string, state: AdapterSyncState, options: SyncOptions = {}): AsyncGenerator<AdapterDelta, void, undefined> {
    requireInbox(folder);
    if (state.protocol !== 'pop3') throw new TwinboxError('INVALID_REQUEST', 'a POP3 sync needs a POP3 sync state');
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
    const session = await this.openSession();
    try {
      // UIDLs first, and sizes only of what is new: "no new mail" asks for nothing else.
      const uidls = await session.uidls();
      const known = state.knownUidls;
      const onServer = new Set(uidls.values());
      const vanished = [...known].filter((uidl) => !onServer.has(uidl));
      if (vanished.length > 0) yield { kind: 'vanished', serverIds: vanished };

      const freshNumbers = [...uidls].filter(([, uidl]) => !known.has(uidl)).map(([number]) => number);
      const sizes = freshNumbers.length === 0 ? new Map<number, number>() : await session.sizes(freshNumbers);
      const fresh = freshNumbers
        .flatMap((number): MaildropEntry[] => {
          const size = sizes.get(number);
          const uidl = uidls.get(number);
          return size === undefined || uidl === undefined ? [] : [{ number, uidl, size }];
        })
        .sort((a, b) => b.number - a.number);
      const fetchBatch = (entries: MaildropEntry[]): Promise<FetchedMessage[]> => {
        const batch = session.fetchMany(entries.map((entry) => ({ number: entry.number, headersOnly: this.wantsHeadersOnly(entry, options) })));
        // Awaited later, or never when the caller stops early; a failure then is the session's, not worth an unhandled rejection.
        batch.catch(() => undefined);
        return batch;
      };
      // The first batch is a screenful, so that the list shows before the rest is in; then full batches.
      const batches: MaildropEntry[][] = [];
      for (let start = 0, size = Math.min(FIRST_SCREEN, batchSize); start < fresh.length; start += size, size = batchSize) batches.push(fresh.slice(start, start + size));
      let done = 0;
      let next = batches[0] ? fetchBatch(batches[0]) : undefined;
      for (let index = 0; next !== undefined; index++) {
        const entries = batches[index] ?? [];
        const fetched = await next;
        // The next batch downloads while this one is stored and applied by the caller.
        const following = batches[index + 1];
        next = following ? fetchBatch(following) : undefined;
        const delta = await this.toDelta(entries, fetched);
        done += entries.length;
        yield { ...delta, progress: { done, total: fresh.length } };
      }
      yield { kind: 'done', state: { protocol: 'pop3' }, total: uidls.size, onServer: [...onServer] };
      await this.endSession(session);
    } catch (error) {
      this.abandon(session);
      throw toTwinboxError(error);
    } finally {
      // Reached without an error when the caller stops early (return() on the generator).
      await this.endSession(session);
    }
  }

  /** Messages by UIDL in one session (pipelined where the server allows), whole; those gone are left out. */
  async fetchMessages(folder: string, serverIds: string[]): Promise<FetchedMessages> {
    requireInbox(folder);
    if (serverIds.length === 0) return { messages: [] };
    const messages = await this.withSession(async (session) => {
      const byUidl = new Map([...(await session.uidls())].map(([number, uidl]) => [uidl, number]));
      const wanted = serverIds.flatMap((uidl) => {
        const number = byUidl.get(uidl);
        return number === undefined ? [] : [{ uidl, number }];
      });
      const results = await session.fetchMany(wanted.map(({ number }) => ({ number, headersOnly: false })));
      return results.flatMap((result, i): MessageSource[] =>
        'bytes' in result && wanted[i] ? [{ serverId: wanted[i].uidl, bytes: result.bytes, partial: false }] : [],
      );
    });
    return { messages };
  }

  /**
   * Deletes exactly the messages with these UIDLs, in one session committed
   * by QUIT. Rejects (and reports nothing deleted) when the server did not
   * confirm the QUIT; the server then deleted nothing.
   */
  async delete(folder: string, serverIds: string[]): Promise<DeleteResult> {
    requireInbox(folder);
    if (serverIds.length === 0) return { deleted: [], missing: [] };
    // Not tracked for close(): a QUIT from there would commit the marks behind this call's back. It ends itself.
    const session = await Pop3Session.open(this.options);
    return session.deleteUidlsAndQuit(serverIds);
  }

  // What follows needs what POP3 does not have; each rejects with NOT_SUPPORTED.

  folderCounts(_paths: string[]): Promise<FolderCounts[]> {
    return notSupported('folder counts');
  }

  setFlags(_folder: string, _serverIds: string[], _change: { add?: string[]; remove?: string[] }): Promise<void> {
    return notSupported('flags on the server');
  }

  move(_folder: string, _serverIds: string[], _target: string): Promise<Map<string, string>> {
    return notSupported('folders on the server');
  }

  copy(_folder: string, _serverIds: string[], _target: string): Promise<Map<string, string>> {
    return notSupported('folders on the server');
  }

  append(_folder: string, _raw: Uint8Array, _flags: string[]): Promise<string | undefined> {
    return notSupported('storing messages on the server');
  }

  search(_folder: string, _query: SearchQuery): Promise<string[]> {
    return notSupported('searching on the server');
  }

  createFolder(_parent: string | undefined, _name: string): Promise<string> {
    return notSupported('folders on the server (its folders are this computer’s)');
  }

  renameFolder(_path: string, _place: { parent: string | undefined; name: string }): Promise<FolderRenamed> {
    return notSupported('folders on the server (its folders are this computer’s)');
  }

  deleteFolder(_path: string, _mode: 'trash' | 'forever'): Promise<FolderDeleted> {
    return notSupported('folders on the server (its folders are this computer’s)');
  }

  subscribe(_path: string, _subscribed: boolean): Promise<void> {
    return notSupported('folder subscriptions');
  }

  quota(_folder: string): Promise<QuotaInfo | undefined> {
    return notSupported('quota');
  }

  watch(_folder: string, _onChange: (change: FolderChange) => void): Promise<() => Promise<void>> {
    return notSupported('push (new mail is found by polling)');
  }

  private wantsHeadersOnly(entry: MaildropEntry, options: SyncOptions): boolean {
    const limit = options.maxMessageBytes ?? 0;
    return options.headersOnly === true || (limit > 0 && entry.size > limit);
  }

  private async toDelta(
    entries: MaildropEntry[],
    fetched: FetchedMessage[],
  ): Promise<{ kind: 'messages'; summaries: MessageSummary[]; partial: string[]; sources: MessageSource[] }> {
    const summaries: MessageSummary[] = [];
    const partial: string[] = [];
    const sources: MessageSource[] = [];
    for (const [index, entry] of entries.entries()) {
      const message = fetched[index];
      // Gone since the listing (another client expunged it) or refused: not stored, so tried again next time.
      if (!message || !('bytes' in message)) continue;
      // The header block only: the body is parsed when the message is opened, or by background indexing.
      summaries.push({ ...(await summarizeHeaders(message.bytes)), identity: messageIdentity(message.bytes, entry.size), serverId: entry.uidl, size: entry.size, flags: [] });
      if (message.headersOnly) partial.push(entry.uidl);
      // Written to the store and dropped: never cloned across IPC, so no copy of its own is needed.
      sources.push({ serverId: entry.uidl, bytes: message.bytes, partial: message.headersOnly });
    }
    return { kind: 'messages', summaries, partial, sources };
  }

  private async openSession(): Promise<Pop3Session> {
    const session = await Pop3Session.open(this.options);
    this.sessions.add(session);
    return session;
  }

  private async withSession<T>(work: (session: Pop3Session) => Promise<T>): Promise<T> {
    const session = await this.openSession().catch((error: unknown) => Promise.reject(toTwinboxError(error)));
    try {
      const result = await work(session);
      await this.endSession(session);
      return result;
    } catch (error) {
      this.abandon(session);
      throw toTwinboxError(error);
    }
  }

  private async endSession(session: Pop3Session): Promise<void> {
    if (!this.sessions.delete(session)) return;
    await session.end();
  }

  private abandon(session: Pop3Session): void {
    this.sessions.delete(session);
    session.abort();
  }
}

function requireInbox(folder: string): void {
  if (folder.toUpperCase() !== INBOX) throw new TwinboxError('MAILBOX_NOT_FOUND', `POP3 has only INBOX, not ${folder}`);
}

function notSupported(what: string): Promise<never> {
  return Promise.reject(new TwinboxError('NOT_SUPPORTED', `POP3 has no ${what}`));
}
