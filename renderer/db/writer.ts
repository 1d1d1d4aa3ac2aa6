/**
 * The only code that writes to the cache. Each sync delta is applied together
 * with the sync state it leads to in one transaction, so the cache and its
 * state cannot disagree; each user action writes its optimistic change and
 * the pending operation that will carry it to the server in one transaction,
 * so a reload can neither lose the change nor forget to send it.
 */
import type { Account, AdapterCapabilities, Folder, MessageBody, MessageSummary, SpecialUse, SyncDelta } from '../../shared/model';
import { searchWords, senderKeyOf, textWords } from './schema';
import { takeNumbers, writePostings } from './search-index';
import { putWithThreads, refreshThreads, subjectKey, threadRefOf } from './threads';
import type { Bit, CachedBody, CachedMessage, FolderSyncState, LedgerEntry, PendingOperation, TwinboxDatabase } from './schema';

export type MessageKey = [accountId: string, folder: string, serverId: string];

export const POP3_FOLDER = 'INBOX';

const SNIPPET_LENGTH = 200;

/** A POP3 account's folders, on this computer only. */
const LOCAL_FOLDERS: readonly { path: string; name: string; specialUse: SpecialUse }[] = [
  { path: POP3_FOLDER, name: 'Inbox', specialUse: 'inbox' },
  { path: 'Drafts', name: 'Drafts', specialUse: 'drafts' },
  { path: 'Sent', name: 'Sent', specialUse: 'sent' },
  { path: 'Archive', name: 'Archive', specialUse: 'archive' },
  { path: 'Trash', name: 'Trash', specialUse: 'trash' },
];

export function keyOf(message: Pick<CachedMessage, 'accountId' | 'folder' | 'serverId'>): MessageKey {
  return [message.accountId, message.folder, message.serverId];
}

function hasFlag(flags: readonly string[], flag: string): Bit {
  const wanted = flag.toLowerCase();
  return flags.some((f) => f.toLowerCase() === wanted) ? 1 : 0;
}

/** The row the list shows for a summary the server sent. */
export function toCachedMessage(accountId: string, folder: string, summary: MessageSummary, previous?: CachedMessage): CachedMessage {
  const dated = summary.date ?? summary.receivedAt;
  const sortDate = dated === undefined ? 0 : Date.parse(dated);
  return {
    ...summary,
    accountId,
    folder,
    sortDate: Number.isNaN(sortDate) ? 0 : sortDate,
    seen: hasFlag(summary.flags, '\\Seen'),
    flagged: hasFlag(summary.flags, '\\Flagged'),
    threadId: summary.references[0] ?? summary.inReplyTo ?? summary.messageId ?? `${accountId}/${folder}/${summary.serverId}`,
    hasBody: previous?.hasBody ?? 0,
    partial: previous?.partial ?? 0,
    // 0 until the writer numbers it (a new message); a message the cache has keeps its number.
    docId: previous?.docId ?? 0,
    // Corrected for the whole thread when the row is written (putWithThreads, refreshThreads).
    threadHead: previous?.threadHead ?? 1,
    threadDate: previous?.threadDate ?? (Number.isNaN(sortDate) ? 0 : sortDate),
    threadSize: previous?.threadSize ?? 1,
    senderKey: senderKeyOf(summary),
    subjectKey: subjectKey(summary.subject),
  };
}

function bodyRow(accountId: string, folder: string, body: MessageBody, keepRaw: boolean, now: number): CachedBody {
  const size =
    (body.text?.length ?? 0) * 2 + (body.html?.length ?? 0) * 2 + (keepRaw && body.raw ? body.raw.byteLength : 0) + body.attachments.length * 200;
  return {
    accountId,
    folder,
    serverId: body.serverId,
    ...(body.text === undefined ? {} : { text: body.text }),
    ...(body.html === undefined ? {} : { html: body.html }),
    attachments: body.attachments,
    headers: body.headers,
    ...(keepRaw && body.raw ? { raw: body.raw } : {}),
    warnings: body.warnings,
    size,
    lastAccess: now,
  };
}

export interface Pop3Applied {
  /** UIDLs committed by this delta (summary, body and ledger entry together). */
  committed: string[];
  /** UIDLs offered again that the ledger already had: skipped, never shown twice. */
  skipped: string[];
}

export class CacheWriter {
  constructor(
    readonly db: TwinboxDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  // ---- accounts and folders ---------------------------------------------------

  /** Mirrors main's account list (settings only, never secrets). */
  async replaceAccounts(accounts: Account[]): Promise<void> {
    await this.db.transaction('rw', this.db.accounts, async () => {
      await this.db.accounts.clear();
      await this.db.accounts.bulkPut(accounts);
    });
  }

  /** The server's folder list (IMAP) or the local INBOX (POP3); folders gone from it take their cache with them. */
  async replaceFolders(accountId: string, folders: Folder[]): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.folders, db.messages, db.bodies, db.syncState, db.pending], async () => {
      const existing = await db.folders.where('accountId').equals(accountId).toArray();
      const keep = new Set(folders.map((f) => f.path));
      for (const gone of existing.filter((f) => !keep.has(f.path))) await this.dropFolder(accountId, gone.path);
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

  /** Everything this computer holds for an account: mail, ledger, sync state, queue. */
  async removeAccountData(accountId: string): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.accounts, db.capabilities, db.folders, db.messages, db.bodies, db.syncState, db.ledger, db.pending, db.postings], async () => {
      await db.accounts.delete(accountId);
      await db.capabilities.delete(accountId);
      for (const table of [db.folders, db.messages, db.bodies, db.syncState, db.ledger, db.pending, db.postings]) {
        await table.where('accountId').equals(accountId).delete();
      }
    });
  }

  /**
   * "The computer died": the cache of an account is gone, sync state and
   * ledger with it. The account's settings stay, so a resync can begin.
   */
  async wipeAccountCache(accountId: string): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.folders, db.messages, db.bodies, db.syncState, db.ledger, db.pending, db.postings], async () => {
      for (const table of [db.folders, db.messages, db.bodies, db.syncState, db.ledger, db.pending, db.postings]) {
        await table.where('accountId').equals(accountId).delete();
      }
    });
  }

  async rememberCapabilities(accountId: string, capabilities: AdapterCapabilities): Promise<void> {
    await this.db.capabilities.put({ accountId, capabilities, updatedAt: this.now() });
  }

  // ---- IMAP: the cache mirrors the server ----------------------------------------

  /** Applies one IMAP sync delta and the state it leads to, atomically. */
  async applyImapDelta(accountId: string, folder: string, delta: SyncDelta): Promise<void> {
    const db = this.db;
    // Only the tables each kind touches: a write waits for every reader of the tables it names (the
    // views' live queries re-run after each commit), so the last delta of a resync, which writes only
    // the sync state, does not queue behind a count of the whole folder.
    const tables = {
      reset: [db.messages, db.bodies, db.syncState, db.pending],
      vanished: [db.messages, db.bodies, db.syncState],
      flags: [db.messages, db.pending],
      messages: [db.messages, db.syncState, db.pending, db.counters, db.postings],
      done: [db.syncState],
    }[delta.kind];
    await db.transaction('rw', tables, async () => {
      switch (delta.kind) {
        case 'reset': {
          await this.dropFolderMessages(accountId, folder);
          // UIDs of the old UIDVALIDITY mean nothing now, and neither do operations on them.
          await db.pending.where('accountId').equals(accountId).filter((op) => op.folder === folder).delete();
          await db.syncState.put({ accountId, folder, protocol: 'imap', uidValidity: delta.uidValidity, serverTotal: 0 });
          return;
        }
        case 'vanished': {
          const keys = delta.serverIds.map((id): MessageKey => [accountId, folder, id]);
          const gone = (await db.messages.bulkGet(keys)).filter((row): row is CachedMessage => row !== undefined);
          await db.messages.bulkDelete(keys);
          await db.bodies.bulkDelete(keys);
          await refreshThreads(db, gone.map(threadRefOf));
          await this.forgetKnownIds(accountId, [folder]);
          return;
        }
        case 'flags': {
          const held = await this.heldByPending(accountId, folder, ['setFlags', 'delete', 'move']);
          const rows = await db.messages.bulkGet(delta.changes.map((c): MessageKey => [accountId, folder, c.serverId]));
          const updated: CachedMessage[] = [];
          delta.changes.forEach((change, i) => {
            const row = rows[i];
            // A change the user made here and the server has not confirmed yet wins until it is.
            if (!row || held.has(change.serverId)) return;
            updated.push({
              ...row,
              flags: change.flags,
              seen: hasFlag(change.flags, '\\Seen'),
              flagged: hasFlag(change.flags, '\\Flagged'),
              ...(change.modseq === undefined ? {} : { modseq: change.modseq }),
            });
          });
          await db.messages.bulkPut(updated);
          return;
        }
        case 'messages': {
          const held = await this.heldByPending(accountId, folder, ['delete', 'move']);
          const fresh = delta.summaries.filter((s) => !held.has(s.serverId));
          const previous = await db.messages.bulkGet(fresh.map((s): MessageKey => [accountId, folder, s.serverId]));
          const rows = fresh.map((summary, i) => toCachedMessage(accountId, folder, summary, previous[i]));
          // A message the cache had is indexed already; a new one by its summary (its body, when it comes).
          await this.addToSearch(rows.flatMap((row, i) => (row.docId === 0 ? [{ row, words: searchWords(fresh[i] ?? row) }] : [])));
          await putWithThreads(db, rows, previous);
          await this.forgetKnownIds(accountId, [folder]);
          return;
        }
        case 'done': {
          if (delta.state.protocol !== 'imap') return;
          await db.syncState.put({
            accountId,
            folder,
            protocol: 'imap',
            ...(delta.state.uidValidity === undefined ? {} : { uidValidity: delta.state.uidValidity }),
            ...(delta.state.highestModseq === undefined ? {} : { highestModseq: delta.state.highestModseq }),
            ...(delta.uidNext === undefined ? {} : { uidNext: delta.uidNext }),
            serverTotal: delta.total,
            completedAt: this.now(),
            // What main now counts as known: the rows here, plus any a pending deletion or move holds back
            // (those come back through failPending or undoPending, which forget this).
            knownUids: delta.state.knownUids,
          });
          return;
        }
      }
    });
  }

  // ---- POP3: the cache is the mail --------------------------------------------------

  /**
   * Applies one POP3 sync delta. New messages are committed with their body
   * and ledger entry in one transaction; nothing is asked of the server until
   * this has returned. Messages the server no longer has stay here: on POP3
   * this computer holds the only copy.
   */
  async applyPop3Delta(accountId: string, delta: SyncDelta): Promise<Pop3Applied> {
    const db = this.db;
    const now = this.now();
    const applied: Pop3Applied = { committed: [], skipped: [] };
    await db.transaction('rw', [db.messages, db.bodies, db.syncState, db.ledger, db.counters, db.postings], async () => {
      switch (delta.kind) {
        case 'vanished': {
          const entries = await db.ledger.bulkGet(delta.serverIds.map((uidl): [string, string] => [accountId, uidl]));
          await db.ledger.bulkPut(entries.filter((e) => e !== undefined).map((e) => ({ ...e, deletedOnServerAt: e.deletedOnServerAt ?? now })));
          return;
        }
        case 'messages': {
          const bodies = new Map(delta.bodies.map((b) => [b.serverId, b]));
          const partial = new Set(delta.partial);
          const entries = await db.ledger.bulkGet(delta.summaries.map((s): [string, string] => [accountId, s.serverId]));
          const rows: CachedMessage[] = [];
          const bodyRows: CachedBody[] = [];
          const ledgerRows: LedgerEntry[] = [];
          const searchable: { row: CachedMessage; words: string[] }[] = [];
          delta.summaries.forEach((summary, i) => {
            const entry = entries[i];
            // The ledger, not the server, decides: committed or deleted here means never again.
            if (entry?.committedAt !== undefined || entry?.deletedHereAt !== undefined) {
              applied.skipped.push(summary.serverId);
              return;
            }
            const body = bodies.get(summary.serverId);
            const row = toCachedMessage(accountId, POP3_FOLDER, summary);
            row.partial = partial.has(summary.serverId) ? 1 : 0;
            const whole = body !== undefined && row.partial === 0;
            if (whole) {
              row.hasBody = 1;
              bodyRows.push(bodyRow(accountId, POP3_FOLDER, body, true, now));
            }
            searchable.push({ row, words: searchWords(summary, whole ? body.text : undefined) });
            rows.push(row);
            ledgerRows.push({
              accountId,
              uidl: summary.serverId,
              size: summary.size,
              firstSeenAt: entry?.firstSeenAt ?? now,
              ...(row.partial === 0 ? { downloadedAt: now } : {}),
              committedAt: now,
            });
            applied.committed.push(summary.serverId);
          });
          await this.addToSearch(searchable);
          await putWithThreads(db, rows);
          await db.bodies.bulkPut(bodyRows);
          await db.ledger.bulkPut(ledgerRows);
          const state = await db.syncState.get([accountId, POP3_FOLDER]);
          if (state?.knownUidls && applied.committed.length > 0) {
            await db.syncState.put({ ...state, knownUidls: [...state.knownUidls, ...applied.committed] });
          }
          return;
        }
        case 'done': {
          const knownUidls = await this.knownUidls(accountId);
          await db.syncState.put({ accountId, folder: POP3_FOLDER, protocol: 'pop3', serverTotal: delta.total, completedAt: now, knownUidls });
          return;
        }
        case 'reset':
        case 'flags':
          // POP3 has neither UIDVALIDITY nor server flags.
          return;
      }
    });
    return applied;
  }

  /**
   * The UIDLs a POP3 check must not download again: committed here, or
   * deleted here. Read from the sync state when it has them, else from the
   * whole ledger.
   */
  async knownUidls(accountId: string): Promise<string[]> {
    const state = await this.db.syncState.get([accountId, POP3_FOLDER]);
    if (state?.knownUidls) return state.knownUidls;
    // By primary key range rather than the accountId index: a scan, without a lookup per entry.
    const ledger = await this.db.ledger.where('[accountId+uidl]').between([accountId, ''], [accountId, '\uffff'], true, true).toArray();
    return ledger.filter((e) => e.committedAt !== undefined || e.deletedHereAt !== undefined).map((e) => e.uidl);
  }

  /** The server confirmed these deletions (QUIT after DELE), or no longer had them. */
  async recordServerDeletions(accountId: string, uidls: string[]): Promise<void> {
    const now = this.now();
    await this.db.transaction('rw', this.db.ledger, async () => {
      const entries = await this.db.ledger.bulkGet(uidls.map((uidl): [string, string] => [accountId, uidl]));
      await this.db.ledger.bulkPut(entries.filter((e) => e !== undefined).map((e) => ({ ...e, deletedOnServerAt: e.deletedOnServerAt ?? now })));
    });
  }

  // ---- messages made here (POP3 drafts and sent copies) ----------------------------

  /**
   * Stores a message that exists only on this computer (a POP3 account's
   * draft or sent copy), whole: summary, body and raw bytes. Returns its key.
   */
  async storeLocalMessage(accountId: string, folder: string, summary: MessageSummary, body: MessageBody): Promise<MessageKey> {
    const db = this.db;
    const now = this.now();
    await db.transaction('rw', [db.messages, db.bodies, db.syncState, db.counters, db.postings], async () => {
      const row = toCachedMessage(accountId, folder, summary);
      row.hasBody = 1;
      await this.addToSearch([{ row, words: searchWords(summary, body.text) }]);
      await db.messages.put(row);
      await db.bodies.put(bodyRow(accountId, folder, body, true, now));
      await refreshThreads(db, [threadRefOf(row)]);
      await this.forgetKnownIds(accountId, [folder]);
    });
    return [accountId, folder, summary.serverId];
  }

  /** Removes a message made here (a draft that was sent or discarded). */
  async removeLocalMessage(key: MessageKey): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.messages, db.bodies, db.syncState], async () => {
      const row = await db.messages.get(key);
      await db.messages.delete(key);
      await db.bodies.delete(key);
      if (row) await refreshThreads(db, [threadRefOf(row)]);
      await this.forgetKnownIds(key[0], [key[1]]);
    });
  }

  /** The user allowed remote content for every message from this sender. */
  async allowRemoteContent(address: string, allow: boolean): Promise<void> {
    await this.db.senders.put({ address: address.toLowerCase(), allowRemoteContent: allow });
  }

  // ---- bodies -----------------------------------------------------------------------

  /** Stores a body fetched when the message was opened (or prefetched), and makes its words searchable. */
  async storeBody(accountId: string, folder: string, body: MessageBody, options: { keepRaw: boolean }): Promise<void> {
    await this.storeBodies(accountId, folder, [body], options);
  }

  /** Stores bodies fetched together, in one transaction (a folder read for offline use). */
  async storeBodies(accountId: string, folder: string, bodies: MessageBody[], options: { keepRaw: boolean }): Promise<void> {
    const db = this.db;
    const now = this.now();
    await db.transaction('rw', [db.messages, db.bodies, db.ledger, db.counters, db.postings], async () => {
      const rows = await db.messages.bulkGet(bodies.map((body): MessageKey => [accountId, folder, body.serverId]));
      const searchable: { row: CachedMessage; words: string[] }[] = [];
      const bodyRows: CachedBody[] = [];
      const messageRows: CachedMessage[] = [];
      const completed: string[] = [];
      bodies.forEach((body, i) => {
        const row = rows[i];
        // The message went away (deleted, vanished) while its body was on the way: do not resurrect it.
        if (!row) return;
        bodyRows.push(bodyRow(accountId, folder, body, options.keepRaw, now));
        const updated: CachedMessage = {
          ...row,
          hasBody: 1,
          partial: 0,
          // IMAP summaries come without a preview; the body gives one.
          ...(row.snippet === undefined && body.text !== undefined ? { snippet: body.text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_LENGTH) } : {}),
        };
        messageRows.push(updated);
        // Its summary is indexed already; a body fetched again after eviction adds nothing new, and costs only a few rows.
        searchable.push({ row: updated, words: textWords(body.text) });
        if (row.partial === 1) completed.push(body.serverId);
      });
      await db.bodies.bulkPut(bodyRows);
      await this.addToSearch(searchable);
      await db.messages.bulkPut(messageRows);
      if (completed.length > 0) {
        const entries = await db.ledger.bulkGet(completed.map((uidl): [string, string] => [accountId, uidl]));
        await db.ledger.bulkPut(entries.filter((e): e is LedgerEntry => e !== undefined).map((e) => ({ ...e, downloadedAt: now })));
      }
    });
  }

  async touchBody(key: MessageKey): Promise<void> {
    await this.db.bodies.update(key, { lastAccess: this.now() });
  }

  /**
   * Keeps an IMAP account's bodies under `limitBytes`, evicting the least
   * recently opened first. Summaries stay, so the list is unchanged; an
   * evicted body is fetched again when opened. Never used for POP3.
   */
  async evictBodies(accountId: string, limitBytes: number): Promise<number> {
    const db = this.db;
    return db.transaction('rw', [db.messages, db.bodies], async () => {
      const bodies = await db.bodies.where('[accountId+lastAccess]').between([accountId, -Infinity], [accountId, Infinity]).toArray();
      let total = bodies.reduce((sum, b) => sum + b.size, 0);
      let evicted = 0;
      // The message opened last stays, whatever the limit: it is the one on screen.
      for (const body of bodies.slice(0, -1)) {
        if (total <= limitBytes) break;
        const key: MessageKey = [body.accountId, body.folder, body.serverId];
        await db.bodies.delete(key);
        await db.messages.update(key, { hasBody: 0 });
        total -= body.size;
        evicted++;
      }
      return evicted;
    });
  }

  // ---- user actions -------------------------------------------------------------------

  /**
   * Changes flags here at once. With `serverBacked`, a pending operation
   * records the change (and how to undo it) for the server, in the same
   * transaction; without it (POP3), the change is this computer's alone.
   */
  async changeFlags(keys: MessageKey[], change: { add?: string[]; remove?: string[] }, serverBacked: boolean): Promise<number | undefined> {
    const db = this.db;
    return db.transaction('rw', [db.messages, db.pending], async () => {
      const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
      const lower = (list: string[] | undefined): Set<string> => new Set((list ?? []).map((f) => f.toLowerCase()));
      const adding = lower(change.add);
      const removing = lower(change.remove);
      const updated = rows.map((row) => {
        const flags = row.flags.filter((f) => !removing.has(f.toLowerCase()) && !adding.has(f.toLowerCase()));
        flags.push(...(change.add ?? []));
        return { ...row, flags, seen: hasFlag(flags, '\\Seen'), flagged: hasFlag(flags, '\\Flagged') };
      });
      await db.messages.bulkPut(updated);
      return serverBacked ? this.queue(rows, { kind: 'setFlags', ...change }) : undefined;
    });
  }

  /**
   * Deletes on the server (IMAP): the rows leave this view at once and the
   * deletion is queued, to be sent after `delayMs` (the undo window).
   */
  async deleteOnServer(keys: MessageKey[], options: { expunge?: boolean; delayMs?: number } = {}): Promise<number | undefined> {
    const db = this.db;
    return db.transaction('rw', [db.messages, db.pending, db.syncState], async () => {
      const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
      await db.messages.bulkDelete(rows.map(keyOf));
      await refreshThreads(db, rows.map(threadRefOf));
      await this.forgetKnownIdsOf(rows);
      return this.queue(rows, { kind: 'delete', ...(options.expunge === undefined ? {} : { expunge: options.expunge }) }, options.delayMs);
    });
  }

  /** Moves on the server (IMAP): out of this folder here at once; the target shows them after its next sync. */
  async moveOnServer(keys: MessageKey[], target: string, options: { delayMs?: number } = {}): Promise<number | undefined> {
    const db = this.db;
    return db.transaction('rw', [db.messages, db.pending, db.syncState], async () => {
      const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
      await db.messages.bulkDelete(rows.map(keyOf));
      await refreshThreads(db, rows.map(threadRefOf));
      await this.forgetKnownIdsOf(rows);
      return this.queue(rows, { kind: 'move', target }, options.delayMs);
    });
  }

  /**
   * Moves between this computer's folders (POP3): the message, its body and
   * its place in the ledger go together; the server is not involved.
   * Returns the keys in the target folder.
   */
  async moveLocal(keys: MessageKey[], target: string): Promise<MessageKey[]> {
    const db = this.db;
    return db.transaction('rw', [db.messages, db.bodies, db.syncState], async () => {
      const rows = (await db.messages.bulkGet(keys)).filter((r): r is CachedMessage => r !== undefined && r.folder !== target);
      const bodies = await db.bodies.bulkGet(rows.map(keyOf));
      await db.messages.bulkDelete(rows.map(keyOf));
      await db.bodies.bulkDelete(rows.map(keyOf));
      const moved = rows.map((row) => ({ ...row, folder: target }));
      await db.messages.bulkPut(moved);
      await db.bodies.bulkPut(bodies.filter((b) => b !== undefined).map((body) => ({ ...body, folder: target })));
      await refreshThreads(db, [...rows, ...moved].map(threadRefOf));
      await this.forgetKnownIdsOf([...rows, ...moved]);
      return rows.map((row): MessageKey => [row.accountId, target, row.serverId]);
    });
  }

  /**
   * Deletes here (POP3): to this computer's Trash, or for good from the
   * Trash. Either way the ledger remembers that the user deleted it, so the
   * next check does not download it again and the retention policy may
   * delete the server's copy. Returns the keys now in the Trash.
   */
  async deleteLocal(keys: MessageKey[], trash: string): Promise<MessageKey[]> {
    const db = this.db;
    const now = this.now();
    return db.transaction('rw', [db.messages, db.bodies, db.ledger, db.syncState], async () => {
      const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
      const entries = await db.ledger.bulkGet(rows.map((r): [string, string] => [r.accountId, r.serverId]));
      // The ledger changes: what the next check counts as known is read from it again.
      await this.forgetKnownIdsOf(rows.map((row) => ({ accountId: row.accountId, folder: POP3_FOLDER })));
      await db.ledger.bulkPut(
        rows.map((row, i) => {
          const entry = entries[i];
          return entry
            ? { ...entry, deletedHereAt: entry.deletedHereAt ?? now }
            : { accountId: row.accountId, uidl: row.serverId, size: row.size, firstSeenAt: now, deletedHereAt: now };
        }),
      );
      const forGood = rows.filter((row) => row.folder === trash);
      await db.messages.bulkDelete(forGood.map(keyOf));
      await db.bodies.bulkDelete(forGood.map(keyOf));
      await refreshThreads(db, forGood.map(threadRefOf));
      return this.moveLocal(rows.filter((row) => row.folder !== trash).map(keyOf), trash);
    });
  }

  /** Undoes a local deletion: back from the Trash, and no longer marked as deleted here. */
  async restoreLocal(keys: MessageKey[], target: string): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.messages, db.bodies, db.ledger, db.syncState], async () => {
      const rows = (await db.messages.bulkGet(keys)).filter((r) => r !== undefined);
      const entries = await db.ledger.bulkGet(rows.map((r): [string, string] => [r.accountId, r.serverId]));
      await this.forgetKnownIdsOf(rows.map((row) => ({ accountId: row.accountId, folder: POP3_FOLDER })));
      await db.ledger.bulkPut(
        entries
          .filter((e): e is LedgerEntry => e !== undefined && e.deletedOnServerAt === undefined)
          .map(({ deletedHereAt: _gone, ...entry }) => entry),
      );
      await this.moveLocal(keys, target);
    });
  }

  // ---- the pending queue ----------------------------------------------------------------

  async markPendingRunning(id: number): Promise<void> {
    await this.db.pending.update(id, { status: 'running' });
  }

  /** The server did it: the optimistic change is now simply true. */
  async completePending(id: number): Promise<void> {
    await this.db.pending.delete(id);
  }

  /** The connection failed, not the operation: try again later. */
  async requeuePending(id: number): Promise<void> {
    await this.db.transaction('rw', this.db.pending, async () => {
      const op = await this.db.pending.get(id);
      if (op) await this.db.pending.put({ ...op, status: 'queued', attempts: op.attempts + 1 });
    });
  }

  /**
   * The server refused: put back what the user saw before (unless a sync has
   * since replaced those rows), and keep the operation as failed with the
   * reason, for the UI to show.
   */
  async failPending(id: number, error: { code: string; text: string }): Promise<void> {
    const db = this.db;
    await db.transaction('rw', [db.messages, db.pending, db.syncState], async () => {
      const op = await db.pending.get(id);
      if (!op) return;
      await this.forgetKnownIds(op.accountId, [op.folder]);
      if (op.kind === 'setFlags') {
        const current = await db.messages.bulkGet(op.undo.map(keyOf));
        await db.messages.bulkPut(
          op.undo
            .map((before, i) => {
              const now = current[i];
              return now ? { ...now, flags: before.flags, seen: before.seen, flagged: before.flagged } : undefined;
            })
            .filter((row) => row !== undefined),
        );
      } else {
        await db.messages.bulkPut(op.undo);
        await refreshThreads(db, op.undo.map(threadRefOf));
      }
      await db.pending.put({ ...op, status: 'failed', error, attempts: op.attempts + 1 });
    });
  }

  async dismissFailed(id: number): Promise<void> {
    await this.db.pending.delete(id);
  }

  /**
   * Takes back a change the server has not been sent yet: the rows return as
   * they were and the operation is dropped. False when it is too late.
   */
  async undoPending(id: number): Promise<boolean> {
    const db = this.db;
    return db.transaction('rw', [db.messages, db.pending, db.syncState], async () => {
      const op = await db.pending.get(id);
      if (op?.status !== 'queued') return false;
      await this.forgetKnownIds(op.accountId, [op.folder]);
      if (op.kind === 'setFlags') {
        const current = await db.messages.bulkGet(op.undo.map(keyOf));
        await db.messages.bulkPut(
          op.undo.flatMap((before, i) => {
            const now = current[i];
            return now ? [{ ...now, flags: before.flags, seen: before.seen, flagged: before.flagged }] : [];
          }),
        );
      } else {
        await db.messages.bulkPut(op.undo);
        await refreshThreads(db, op.undo.map(threadRefOf));
      }
      await db.pending.delete(id);
      return true;
    });
  }

  private async queue(
    rows: CachedMessage[],
    what: Pick<PendingOperation, 'kind' | 'add' | 'remove' | 'target' | 'expunge'>,
    delayMs = 0,
  ): Promise<number | undefined> {
    const first = rows[0];
    if (!first) return undefined;
    const now = this.now();
    return this.db.pending.add({
      accountId: first.accountId,
      folder: first.folder,
      serverIds: rows.map((r) => r.serverId),
      ...what,
      undo: rows,
      status: 'queued',
      createdAt: now,
      ...(delayMs > 0 ? { notBefore: now + delayMs } : {}),
      attempts: 0,
    });
  }

  /**
   * Numbers the new rows among these (docId 0) and makes the given words
   * find them. Runs inside the caller's transaction, which must name the
   * counters and postings tables.
   */
  private async addToSearch(entries: readonly { row: CachedMessage; words: readonly string[] }[]): Promise<void> {
    if (entries.length === 0) return;
    const fresh = entries.filter((entry) => entry.row.docId === 0);
    const accounts = new Set(entries.map((entry) => entry.row.accountId)).size;
    // One number per new row, then one per account for this write's postings.
    const first = await takeNumbers(this.db.counters, fresh.length + accounts);
    fresh.forEach((entry, i) => (entry.row.docId = first + i));
    const indexed = entries
      .filter((entry) => entry.words.length > 0)
      .map(({ row, words }) => ({ accountId: row.accountId, docId: row.docId, sortDate: row.sortDate, words }));
    await writePostings(this.db.postings, indexed, first + fresh.length);
  }

  /**
   * Rows of these folders were added or removed outside a sync (or a sync is
   * under way): the ids remembered at the last sync no longer say what the
   * cache holds, so the next sync reads them from the cache itself.
   */
  private async forgetKnownIds(accountId: string, folders: Iterable<string>): Promise<void> {
    const keys = [...new Set(folders)].map((folder): [string, string] => [accountId, folder]);
    const states = await this.db.syncState.bulkGet(keys);
    const stale = states.filter((s): s is FolderSyncState => s !== undefined && (s.knownUids !== undefined || s.knownUidls !== undefined));
    if (stale.length > 0) await this.db.syncState.bulkPut(stale.map(({ knownUids: _uids, knownUidls: _uidls, ...state }) => state));
  }

  private async forgetKnownIdsOf(rows: readonly Pick<CachedMessage, 'accountId' | 'folder'>[]): Promise<void> {
    const byAccount = new Map<string, Set<string>>();
    for (const row of rows) byAccount.set(row.accountId, (byAccount.get(row.accountId) ?? new Set()).add(row.folder));
    for (const [accountId, folders] of byAccount) await this.forgetKnownIds(accountId, folders);
  }

  /** Server ids with an operation of these kinds still waiting for the server. */
  private async heldByPending(accountId: string, folder: string, kinds: PendingOperation['kind'][]): Promise<Set<string>> {
    const ops = await this.db.pending
      .where('accountId')
      .equals(accountId)
      .filter((op) => op.folder === folder && op.status !== 'failed' && kinds.includes(op.kind))
      .toArray();
    return new Set(ops.flatMap((op) => op.serverIds));
  }

  private async dropFolderMessages(accountId: string, folder: string): Promise<void> {
    const range: [MessageKey, MessageKey] = [
      [accountId, folder, ''],
      [accountId, folder, '\uffff'],
    ];
    await this.db.messages.where('[accountId+folder+serverId]').between(range[0], range[1], true, true).delete();
    await this.db.bodies.where('[accountId+folder+serverId]').between(range[0], range[1], true, true).delete();
  }

  private async dropFolder(accountId: string, folder: string): Promise<void> {
    await this.dropFolderMessages(accountId, folder);
    await this.db.syncState.delete([accountId, folder]);
    await this.db.pending.where('accountId').equals(accountId).filter((op) => op.folder === folder).delete();
    await this.db.folders.delete([accountId, folder]);
  }
}
