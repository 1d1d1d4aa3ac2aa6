/**
 * Writing mail, as each mode keeps it. Where the server keeps folders and
 * takes messages (IMAP APPEND), drafts and sent copies live on the server, so
 * every device sees them; otherwise (POP3) they live in this computer's
 * Drafts and Sent folders. Which is decided by the account's capabilities,
 * never by protocol name.
 *
 * A draft is saved as exact MIME bytes (`mail.compose`), the same bytes a
 * send would produce, and each new version replaces the previous one: the new
 * one is stored first and the old one removed after, so a failure in between
 * leaves two versions rather than none.
 */
import { TwinboxError } from '../../shared/errors';
import type { AdapterCapabilities, OutgoingMessage, SentMessage, SpecialUse } from '../../shared/model';
import { threadMembers } from '../db/queries';
import type { CacheWriter } from '../db/writer';
import type { MessageKey } from '../db/rows';
import { errorText, t } from '../i18n';
import type { TwinboxClient } from '../ipc/twinbox-client';

/** The parts of the engine the outbox works through. */
export interface OutboxEngine {
  readonly writer: CacheWriter;
  readonly runner: { run(accountId: string): Promise<unknown> };
  capabilities(accountId: string): Promise<AdapterCapabilities>;
  syncNow(accountId: string, folders?: string[]): Promise<void>;
}

/** Where the current version of a draft is kept. */
export interface DraftRef {
  accountId: string;
  folder: string;
  /** On the server: `server` (IMAP UID, or null when the server did not say); here: `local` (`local-<uuid>`). */
  where: 'server' | 'local';
  serverId: string | null;
  /** Earlier versions still on the server because removing them failed; tried again at the next save. */
  stale: string[];
}

export interface SendOptions {
  /** The draft this message was written in, removed once it is sent. */
  draft?: DraftRef;
  /** The message answered, flagged \Answered once sent; found by In-Reply-To when not given. */
  answering?: MessageKey;
}

export interface SendOutcome {
  sent: SentMessage;
  /** Where the sent copy was stored, or undefined when that failed. */
  copy: { folder: string; where: 'server' | 'local' } | undefined;
  /** What went wrong after the message was sent, in the user's words (the message is sent regardless). */
  problems: string[];
}


export class Outbox {
  constructor(
    private readonly client: TwinboxClient,
    private readonly engine: OutboxEngine,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a new version of a draft and removes the previous one; returns where the new one is. */
  async saveDraft(accountId: string, message: OutgoingMessage, previous: DraftRef | undefined): Promise<DraftRef> {
    const { raw } = await this.client.call('mail.compose', { message: wireMessage(message) });
    let saved: DraftRef;
    if (await this.onServer(accountId)) {
      const folder = await this.serverFolder(accountId, 'drafts');
      const { serverId } = await this.client.call('mail.append', { accountId, folder, raw: ownBytes(raw), flags: ['\\Draft', '\\Seen'] });
      saved = { accountId, folder, where: 'server', serverId, stale: [] };
    } else {
      const folder = await this.localFolder(accountId, 'drafts');
      const [, , serverId] = await this.storeLocal(accountId, folder, raw, ['\\Draft', '\\Seen']);
      saved = { accountId, folder, where: 'local', serverId, stale: [] };
    }
    if (previous) {
      const { left } = await this.removeDraft(previous);
      // Versions that could not be removed now are tried again with the next save.
      if (left.length > 0 && previous.accountId === accountId && previous.folder === saved.folder) saved.stale = left;
    }
    if (saved.where === 'server') this.refresh(accountId, [saved.folder]);
    // Written from another account before the user changed From.
    if (previous?.where === 'server' && (previous.accountId !== accountId || previous.folder !== saved.folder)) this.refresh(previous.accountId, [previous.folder]);
    return saved;
  }

  /** Deletes every stored version of a draft (the user discarded it, or it was sent). */
  async discardDraft(draft: DraftRef): Promise<void> {
    const { left, error } = await this.removeDraft(draft);
    if (draft.where === 'server') this.refresh(draft.accountId, [draft.folder]);
    if (left.length > 0) throw error;
  }

  /**
   * Sends, then keeps the copy as the mode does, removes the draft and marks
   * the original answered. Rejects (with the send's error) only when the
   * message was not sent; what fails after that is reported in `problems`.
   */
  async send(accountId: string, message: OutgoingMessage, options: SendOptions = {}): Promise<SendOutcome> {
    const sent = await this.client.call('mail.send', { accountId, message: wireMessage(message) });
    const outcome: SendOutcome = { sent, copy: undefined, problems: [] };
    // Completion learns whom the user writes to; a failure here is no failure of the send.
    await this.engine.writer.learnSent([...message.to, ...message.cc, ...message.bcc]).catch(() => undefined);
    const problem = (what: string, error: unknown): void => {
      outcome.problems.push(t('mail:outbox.problem', { problem: what, error: errorText(error) }));
    };

    try {
      outcome.copy = await this.keepSentCopy(accountId, message, sent);
    } catch (error) {
      problem(t('mail:outbox.noSentCopy'), error);
    }
    if (options.draft) {
      const { left, error } = await this.removeDraft(options.draft);
      if (left.length > 0) problem(t('mail:outbox.draftKept'), error);
    }
    const draft = options.draft;
    const changed = [
      ...(outcome.copy?.where === 'server' ? [outcome.copy.folder] : []),
      ...(draft?.where === 'server' && draft.accountId === accountId ? [draft.folder] : []),
    ];
    if (changed.length > 0) this.refresh(accountId, changed);
    if (draft?.where === 'server' && draft.accountId !== accountId) this.refresh(draft.accountId, [draft.folder]);
    try {
      await this.markAnswered(accountId, message, options.answering);
    } catch (error) {
      problem(t('mail:outbox.notAnswered'), error);
    }
    return outcome;
  }

  private async keepSentCopy(accountId: string, message: OutgoingMessage, sent: SentMessage): Promise<SendOutcome['copy']> {
    if (await this.onServer(accountId)) {
      const folder = await this.serverFolder(accountId, 'sent');
      await this.client.call('mail.append', { accountId, folder, raw: ownBytes(sent.raw), flags: ['\\Seen'] });
      return { folder, where: 'server' };
    }
    const folder = await this.localFolder(accountId, 'sent');
    await this.storeLocal(accountId, folder, sent.raw, ['\\Seen']);
    return { folder, where: 'local' };
  }

  /**
   * \Answered on the original, through the writer like any flag change: queued
   * for the server where the server keeps flags, this computer's alone otherwise.
   */
  private async markAnswered(accountId: string, message: OutgoingMessage, answering: MessageKey | undefined): Promise<void> {
    const db = this.engine.writer.db;
    let keys: MessageKey[] = answering ? [answering] : [];
    if (keys.length === 0 && message.inReplyTo !== undefined) {
      const unanswerable = new Set(
        (await db.folders.where('accountId').equals(accountId).toArray()).filter((f) => f.specialUse === 'drafts').map((f) => f.path),
      );
      // The original is in the reply's conversation: its References start where the original's did.
      const rows = await threadMembers(db, accountId, message.references[0] ?? message.inReplyTo);
      keys = rows.filter((row) => row.messageId === message.inReplyTo && !unanswerable.has(row.folder)).map((row): MessageKey => [row.accountId, row.folder, row.serverId]);
    }
    const rows = (await db.messages.bulkGet(keys)).filter((row) => row !== undefined && !row.flags.some((f) => f.toLowerCase() === '\\answered'));
    if (rows.length === 0) return;
    const { serverFlags } = await this.engine.capabilities(accountId);
    for (const row of rows) {
      if (!row) continue;
      await this.engine.writer.changeFlags([[row.accountId, row.folder, row.serverId]], { add: ['\\Answered'] }, serverFlags);
    }
    if (serverFlags) void this.engine.runner.run(accountId).catch(() => undefined);
  }

  /** Removes a draft's current and stale versions; says which are still there, and why. */
  private async removeDraft(draft: DraftRef): Promise<{ left: string[]; error?: unknown }> {
    if (draft.where === 'local') {
      if (draft.serverId === null) return { left: [] };
      try {
        await this.engine.writer.removeLocalMessage([draft.accountId, draft.folder, draft.serverId]);
        await this.client.call('store.remove', { accountId: draft.accountId, folder: draft.folder, serverIds: [draft.serverId], deletedHere: false });
        return { left: [] };
      } catch (error) {
        return { left: [draft.serverId], error };
      }
    }
    const ids = [...new Set([...draft.stale, ...(draft.serverId === null ? [] : [draft.serverId])])];
    if (ids.length === 0) return { left: [] };
    try {
      // Expunged at once: an old version of a draft is not something to find in the Trash.
      await this.client.call('mail.delete', { accountId: draft.accountId, folder: draft.folder, serverIds: ids, expunge: true });
      return { left: [] };
    } catch (error) {
      if (error instanceof TwinboxError && error.code === 'MESSAGE_GONE') return { left: [] };
      return { left: ids, error };
    }
  }

  private async onServer(accountId: string): Promise<boolean> {
    const capabilities = await this.engine.capabilities(accountId);
    return capabilities.serverFolders && capabilities.append;
  }

  /** The server's folder for this use: as the cache knows it, else as the server lists it now. */
  private async serverFolder(accountId: string, use: SpecialUse): Promise<string> {
    const cached = await this.engine.writer.db.folders.where('accountId').equals(accountId).toArray();
    const folders = cached.length > 0 ? cached : await this.client.call('mail.listFolders', { accountId });
    const named = use === 'drafts' ? /^drafts$/i : /^sent( items| mail)?$/i;
    const folder = folders.find((f) => f.specialUse === use) ?? folders.find((f) => f.selectable && named.test(f.name));
    if (!folder) throw new TwinboxError('MAILBOX_NOT_FOUND', `the account has no ${use} folder`);
    return folder.path;
  }

  private async localFolder(accountId: string, use: SpecialUse): Promise<string> {
    const writer = this.engine.writer;
    await writer.ensureLocalFolders(accountId);
    const folder = await writer.db.folders
      .where('accountId')
      .equals(accountId)
      .filter((f) => f.specialUse === use)
      .first();
    if (!folder) throw new TwinboxError('MAILBOX_NOT_FOUND', `this computer has no ${use} folder for the account`);
    return folder.path;
  }

  /**
   * A message made here, kept in this computer's folder: its bytes in main's
   * message store (flushed), then its row in the index, then the store told
   * the index has it.
   */
  private async storeLocal(accountId: string, folder: string, raw: Uint8Array, flags: string[]): Promise<MessageKey> {
    const { summary } = await this.client.call('store.putLocal', { accountId, folder, raw: ownBytes(raw), flags });
    const key = await this.engine.writer.storeLocalMessage(accountId, folder, summary);
    await this.client.call('store.settle', { accountId, folder, indexed: [summary.serverId], discard: [] });
    return key;
  }

  /**
   * Lets the list show the server's folders as they now are. A request made
   * while the account syncs joins that sync, which may be of other folders,
   * so it is repeated (a few times at most) until these folders have synced
   * since it was made. A failure shows in the sync status, not here.
   */
  private refresh(accountId: string, folders: string[]): void {
    const wanted = [...new Set(folders)];
    const askedAt = this.now();
    const synced = async (): Promise<boolean> => {
      const states = await this.engine.writer.db.syncState.bulkGet(wanted.map((folder): [string, string] => [accountId, folder]));
      return states.every((state) => (state?.completedAt ?? 0) >= askedAt);
    };
    void (async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        await this.engine.syncNow(accountId, wanted);
        if (await synced()) return;
      }
    })().catch(() => undefined);
  }
}

/**
 * The same bytes typed as the contract's schema types them (backed by an
 * ArrayBuffer, not possibly shared memory); copied only when they are not.
 */
export function ownBytes(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return data.buffer instanceof ArrayBuffer ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

function wireMessage(message: OutgoingMessage): OutgoingMessage & { attachments: { filename: string; contentType: string; content: Uint8Array<ArrayBuffer> }[] } {
  return { ...message, attachments: message.attachments.map((a) => ({ ...a, content: ownBytes(a.content) })) };
}
