/**
 * Mail as main serves it to the page: through the message store first, the
 * server only for what the store lacks. A POP3 account's store holds the only
 * copy, so everything written for it is flushed before anyone hears of it;
 * an IMAP account's store is a cache of bodies, kept under the account's size
 * limit, least recently used out first, and tied to each folder's UIDVALIDITY.
 *
 * Parsing happens here, when a message is opened or indexed, never while a
 * folder downloads: a download stores bytes and reads only header blocks.
 */
import { randomUUID } from 'node:crypto';
import { TwinboxError } from '../../shared/errors';
import type { Account, MessageBody, MessageSummary, MessageText, StoredSummary, StoreUsage, SyncDelta, SyncOptions, SyncState } from '../../shared/model';
import { INBOX } from '../../shared/model';
import { crashPoint } from '../crash-points';
import { summarizeHeaders } from '../mime/header-block';
import { messageIdentity } from '../mime/identity';
import { toMessageBody } from '../mime/message-body';
import { parseMessage, searchableText } from '../mime/parse';
import type { FetchedMessages, MailAdapter } from '../protocols/adapter';
import type { MessageStore, PutItem, ReadBuffer, StoredMessage } from './message-store';

export interface StoredMailDeps {
  store: MessageStore;
  account(accountId: string): Account;
  /** Runs work on the account's pooled connection. */
  withAdapter<T>(accountId: string, work: (adapter: MailAdapter) => Promise<T>): Promise<T>;
}

/** Text a search index keeps of one message; the index itself keeps at most a few hundred words. */
const TEXT_FOR_SEARCH = 4 * 1024;
const POP3_FOLDER = INBOX;
const MEGABYTE = 1024 * 1024;

/**
 * Whether this computer holds the only copy of the account's mail (POP3),
 * as opposed to a cache of what the server keeps (IMAP).
 */
export function keepsOnlyCopy(account: Account): boolean {
  return account.protocol === 'pop3';
}

export class StoredMail {
  constructor(private readonly deps: StoredMailDeps) {}

  private get store(): MessageStore {
    return this.deps.store;
  }

  /** A message parsed from the store; what the store lacks is fetched, kept, then parsed. */
  async open(accountId: string, folder: string, serverId: string): Promise<MessageBody> {
    const bytes = await this.bytesOf(accountId, folder, serverId, { trim: true });
    return toMessageBody(await parseMessage(bytes), { accountId, folder, serverId });
  }

  /** The exact bytes of a message, from the store, or fetched and kept. */
  async source(accountId: string, folder: string, serverId: string): Promise<Uint8Array> {
    return this.bytesOf(accountId, folder, serverId, { trim: true });
  }

  /** Fetches messages into the store, without parsing them (a folder read for offline use). */
  async download(accountId: string, folder: string, serverIds: readonly string[]): Promise<{ stored: string[]; missing: string[] }> {
    const fetched = await this.deps.withAdapter(accountId, (adapter) => adapter.fetchMessages(this.serverFolder(accountId, folder), [...serverIds]));
    await this.keep(accountId, folder, fetched);
    const stored = new Set(fetched.messages.map((m) => m.serverId));
    return { stored: serverIds.filter((id) => stored.has(id)), missing: serverIds.filter((id) => !stored.has(id)) };
  }

  /** What local search needs of stored bodies (text, snippet, attachments); messages not stored whole are left out. */
  async texts(accountId: string, items: readonly { folder: string; serverId: string }[]): Promise<MessageText[]> {
    const texts: MessageText[] = [];
    // One buffer for the lot: each message is read, reduced to text at once, and its bytes are not needed again.
    const scratch: ReadBuffer = { buffer: Buffer.alloc(0) };
    for (const { folder, serverId } of items) {
      const bytes = await this.store.read(accountId, folder, serverId, { into: scratch });
      if (!bytes) continue;
      const read = searchableText(bytes);
      texts.push({ folder, serverId, text: read.text.slice(0, TEXT_FOR_SEARCH), ...(read.snippet === undefined ? {} : { snippet: read.snippet }), hasAttachments: read.hasAttachments });
    }
    return texts;
  }

  /** List rows for stored messages, from their header blocks: an index rebuilt, or a file adopted after a crash. */
  async summaries(accountId: string, items: readonly { folder: string; serverId: string }[]): Promise<StoredSummary[]> {
    const listed = new Map((await this.store.list(accountId)).map((m) => [`${m.folder}\u0000${m.id}`, m]));
    const result: StoredSummary[] = [];
    for (const { folder, serverId } of items) {
      const info = listed.get(`${folder}\u0000${serverId}`);
      const header = info ? await this.store.readHeader(accountId, folder, serverId) : undefined;
      if (!info || !header) continue;
      const summary = { ...(await summarizeHeaders(header)), identity: messageIdentity(header, info.size), serverId, size: info.size, flags: info.flags };
      result.push({ ...describe(info), summary });
    }
    return result;
  }

  /**
   * A folder sync with the store in the middle. POP3: every batch is written
   * and flushed before its summaries go to the page, and the UIDLs known are
   * the store's. IMAP: a new UIDVALIDITY empties the folder's cache, and
   * vanished messages leave it.
   */
  async *sync(adapter: MailAdapter, accountId: string, folder: string, state: SyncState, options: SyncOptions): AsyncGenerator<SyncDelta> {
    const account = this.deps.account(accountId);
    if (state.protocol === 'pop3') {
      // A sync abandoned by a page that went away may still be writing: what it wrote counts too.
      await this.store.settled(accountId);
      // Stored, but the index never confirmed them (the page went away first): offered again from the store, not the server.
      const unconfirmed = (await this.store.list(accountId, { unindexedOnly: true })).filter((message) => message.folder === folder && message.kind === 'server');
      if (unconfirmed.length > 0) {
        const stored = await this.summaries(accountId, unconfirmed.map((message) => ({ folder, serverId: message.id })));
        yield {
          kind: 'messages',
          summaries: stored.map((item) => item.summary),
          partial: stored.filter((item) => item.partial).map((item) => item.serverId),
          progress: { done: stored.length, total: stored.length },
        };
      }
      const knownUidls = await this.store.knownServerIds(accountId);
      for await (const delta of adapter.sync(folder, { protocol: 'pop3', knownUidls }, options)) {
        if (delta.kind !== 'messages') {
          yield delta;
          continue;
        }
        const { sources, ...summaries } = delta;
        await this.store.put(
          accountId,
          folder,
          sources.map((source): PutItem => ({ id: source.serverId, bytes: source.bytes, partial: source.partial })),
          { durable: keepsOnlyCopy(account), indexed: false, keepHeld: true },
        );
        crashPoint('pop3-stored');
        yield summaries;
      }
      return;
    }
    for await (const delta of adapter.sync(folder, state, options)) {
      if (delta.kind === 'reset') await this.store.setUidValidity(accountId, folder, delta.uidValidity);
      if (delta.kind === 'vanished') await this.store.remove(accountId, folder, delta.serverIds);
      if (delta.kind === 'messages') {
        const { sources: _none, ...summaries } = delta;
        yield summaries;
      } else {
        yield delta;
      }
    }
  }

  /** Keeps a message made here (a POP3 draft or sent copy), flushed, and describes it for the list. */
  async putLocal(accountId: string, folder: string, raw: Uint8Array, flags: string[], now = Date.now()): Promise<{ serverId: string; summary: MessageSummary }> {
    const serverId = `local-${randomUUID()}`;
    await this.store.put(accountId, folder, [{ id: serverId, kind: 'local', bytes: raw, flags }], { durable: true, indexed: false });
    const parsed = await parseMessage(raw);
    const at = new Date(now).toISOString();
    return {
      serverId,
      summary: { ...parsed.summary, identity: messageIdentity(raw, raw.byteLength), date: parsed.summary.date ?? at, receivedAt: at, serverId, size: raw.byteLength, flags },
    };
  }

  async usage(accountId: string): Promise<StoreUsage> {
    const account = this.deps.account(accountId);
    const stats = await this.store.stats(accountId);
    return { ...stats, limitBytes: account.imap ? account.imap.cacheLimitMegabytes * MEGABYTE : null };
  }

  /**
   * Refuses to let a POP3 server delete what is not safely here: every UIDL
   * named must be in the store (flushed) or recorded as deleted here.
   */
  async assertSafeToDelete(accountId: string, uidls: readonly string[]): Promise<void> {
    const known = await this.store.knownServerIds(accountId);
    const unsafe = uidls.filter((uidl) => !known.has(uidl));
    if (unsafe.length > 0) {
      throw new TwinboxError('INVALID_REQUEST', `${unsafe.length} of the messages to delete on the server are not stored on this computer (${unsafe.slice(0, 3).join(', ')})`);
    }
  }

  private async bytesOf(accountId: string, folder: string, serverId: string, options: { trim: boolean }): Promise<Uint8Array> {
    const stored = await this.store.read(accountId, folder, serverId);
    if (stored) return stored;
    if (keepsOnlyCopy(this.deps.account(accountId))) {
      // A move between this computer's folders that reached the index but not yet the files.
      const elsewhere = await this.store.locate(accountId, serverId);
      const found = elsewhere === undefined || elsewhere === folder ? undefined : await this.store.read(accountId, elsewhere, serverId);
      if (found) return found;
    }
    const fetched = await this.deps.withAdapter(accountId, (adapter) => adapter.fetchMessages(this.serverFolder(accountId, folder), [serverId]));
    const found = fetched.messages.find((message) => message.serverId === serverId);
    if (!found) throw new TwinboxError('MESSAGE_GONE', `message ${serverId} is neither on this computer nor on the server`);
    await this.keep(accountId, folder, fetched);
    const account = this.deps.account(accountId);
    if (options.trim && account.imap) await this.store.trim(accountId, account.imap.cacheLimitMegabytes * MEGABYTE, [{ folder, id: serverId }]);
    return found.bytes;
  }

  /** Stores what a server sent, under the UIDVALIDITY it was sent with, flushed when this is the only copy. */
  private async keep(accountId: string, folder: string, fetched: FetchedMessages): Promise<void> {
    if (fetched.messages.length === 0) return;
    const account = this.deps.account(accountId);
    if (fetched.uidValidity !== undefined) await this.store.setUidValidity(accountId, folder, fetched.uidValidity);
    await this.store.put(
      accountId,
      folder,
      fetched.messages.map((message): PutItem => ({ id: message.serverId, bytes: message.bytes })),
      { durable: keepsOnlyCopy(account), indexed: true },
    );
  }

  /** POP3 has one folder on the server; a message moved to a local folder is still asked for there. */
  private serverFolder(accountId: string, folder: string): string {
    return keepsOnlyCopy(this.deps.account(accountId)) ? POP3_FOLDER : folder;
  }
}

export function describe(info: StoredMessage): Omit<StoredSummary, 'summary'> {
  return { folder: info.folder, serverId: info.id, kind: info.kind, size: info.size, partial: info.partial, flags: info.flags, indexed: info.indexed };
}
