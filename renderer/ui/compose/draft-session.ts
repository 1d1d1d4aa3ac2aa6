/**
 * The life of one message being written, apart from how it is shown: which
 * version of it is saved, saving by itself once typing pauses, one save at a
 * time (each replaces the last draft, so two at once would leave two), and
 * sending or discarding only after the save under way. The composer tells it
 * each change and asks it what closing should do.
 */
import type { OutgoingMessage } from '../../../shared/model';
import type { MessageKey } from '../../db/rows';
import { errorText, t } from '../../i18n';
import type { DraftRef, Outbox, SendOutcome } from '../../sync/outbox';

/** How long typing must pause before the draft is saved by itself. */
export const AUTOSAVE_DELAY_MS = 3_000;

export type DraftStatus = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: number } | { kind: 'failed'; text: string };

/** The message as it stands and the account it is written from; undefined while no account is chosen. */
export type DraftSnapshot = { accountId: string; message: OutgoingMessage } | undefined;

/** What closing the composer should do now. */
export type CloseDecision = 'ask' | 'saved' | 'closed';

export class DraftSession {
  private version = 0;
  private savedVersion = 0;
  /** The version a save under way is writing. */
  private savingVersion = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private held = false;
  private draftRef: DraftRef | undefined;

  constructor(
    private readonly outbox: Pick<Outbox, 'saveDraft' | 'send' | 'discardDraft'>,
    /** Reads the message as it stands, when a save or a send needs it. */
    private readonly snapshot: () => DraftSnapshot,
    private readonly onStatus: (status: DraftStatus) => void,
    options: { draft?: DraftRef; answering?: MessageKey; autosaveMs?: number; now?: () => number } = {},
  ) {
    this.draftRef = options.draft;
    this.answering = options.answering;
    this.autosaveMs = options.autosaveMs ?? AUTOSAVE_DELAY_MS;
    this.now = options.now ?? Date.now;
  }

  private readonly answering: MessageKey | undefined;
  private readonly autosaveMs: number;
  private readonly now: () => number;

  /** The saved draft, once there is one. */
  get draft(): DraftRef | undefined {
    return this.draftRef;
  }

  /** Changed since it was last saved. */
  get unsaved(): boolean {
    return this.version !== this.savedVersion;
  }

  /** Something changed: it is saved by itself once changes pause (unless held). */
  changed(): void {
    this.version += 1;
    this.schedule();
  }

  /** No saving by itself while sending or while the user is asked whether to discard. */
  hold(held: boolean): void {
    this.held = held;
    if (held) this.cancelTimer();
    else this.schedule();
  }

  /** Saves the message as it stands, after any save under way; false when it could not be saved (the status says why). */
  save(): Promise<boolean> {
    this.cancelTimer();
    const snapshot = this.snapshot();
    if (!snapshot) {
      this.onStatus({ kind: 'failed', text: t('compose:draft.chooseAccount') });
      return Promise.resolve(false);
    }
    const version = this.version;
    this.savingVersion = version;
    const run = this.chain.then(async () => {
      this.onStatus({ kind: 'saving' });
      try {
        this.draftRef = await this.outbox.saveDraft(snapshot.accountId, snapshot.message, this.draftRef);
        this.savedVersion = Math.max(this.savedVersion, version);
        this.onStatus({ kind: 'saved', at: this.now() });
        return true;
      } catch (error) {
        this.onStatus({ kind: 'failed', text: errorText(error) });
        return false;
      }
    });
    this.chain = run;
    return run;
  }

  /** Sends, once a save under way is done, so that the draft removed after sending is its latest version. */
  async send(accountId: string, message: OutgoingMessage): Promise<SendOutcome> {
    this.cancelTimer();
    await this.chain;
    return this.outbox.send(accountId, message, {
      ...(this.draftRef ? { draft: this.draftRef } : {}),
      ...(this.answering ? { answering: this.answering } : {}),
    });
  }

  /** Throws the message away, with its saved draft; returns what went wrong doing so. */
  async discard(): Promise<string[]> {
    this.cancelTimer();
    await this.chain;
    if (!this.draftRef) return [];
    try {
      await this.outbox.discardDraft(this.draftRef);
      return [];
    } catch (error) {
      return [t('compose:draft.notRemoved', { reason: errorText(error) })];
    }
  }

  /**
   * Whether closing loses anything: 'ask' when there are unsaved changes;
   * otherwise, once the save under way is done, 'saved' (a draft holds what
   * was written) or 'closed' (nothing was).
   */
  async closeDecision(): Promise<CloseDecision> {
    const asked = this.version;
    // Nothing changed since the last save, or since the one under way began: nothing to lose once it is done.
    if (asked !== this.savedVersion && asked !== this.savingVersion) return 'ask';
    await this.chain;
    if (this.version !== this.savedVersion) return 'ask';
    return this.draftRef && asked > 0 ? 'saved' : 'closed';
  }

  /** Stops the timer for good (the composer is gone). */
  dispose(): void {
    this.cancelTimer();
    this.held = true;
  }

  private schedule(): void {
    this.cancelTimer();
    if (this.held || !this.unsaved) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.autosaveMs);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
