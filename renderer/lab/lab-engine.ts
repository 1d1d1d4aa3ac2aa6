/**
 * The Lab's engine room: it performs an action or a scenario on each side of
 * one mailbox, one side at a time, and observes what changed on this
 * computer (the side's cache, before and after) and on the server (a
 * snapshot read by a connection of its own, before and after), with the
 * protocol log of that side in between. One side at a time, so that a change
 * on the server is the doing of the side that was running. The actions are
 * in message-actions.ts and new-mail.ts, each scenario in a file of its own.
 *
 * It writes nothing itself: actions go through MailActions and the sync
 * modes, which write through the cache writer as everywhere else.
 */
import type { TwinboxError } from '../../shared/errors';
import { asTwinboxError, isErrorCode } from '../../shared/errors';
import type { MethodInput } from '../../shared/contract';
import type { ProtocolLogLine, ServerSnapshot } from '../../shared/model';
import type { CachedMessage } from '../db/rows';
import type { CacheReader } from '../db/schema';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { MailActions } from '../sync/actions';
import type { SyncEngine } from '../sync/engine';
import { Pop3Mode } from '../sync/pop3-mode';
import { StoreMirror } from '../sync/store-mirror';
import { accountMessages } from '../db/queries';
import { DAY_MS } from '../sync/retention';
import { errorText, t } from '../i18n';
import { timeOfDay } from '../ui/format';
import type { LabHooks, LocalStorageUse, Measurements, Side, SideExplanation, SideRun } from './lab-model';
import type { LogRecorder } from './log-recorder';
import { describeChanges, diff, fromSnapshot, identityOf, isInbox, observeCache, rowPlace, withMessageId } from './observe';
import type { Observation } from './observe';
import type { LabPair } from './pairing';
import { addTraffic, NO_TRAFFIC, summarize } from './traffic';
import { markedRead, pop3ServerEffect } from './verdicts';
import type { Traffic } from './traffic';

/** How long a side is given to show a change the server made (a push normally takes well under a second). */
export const WAIT_FOR_SIDE_MS = 10_000;
/** How long mail sent to the mailbox may take to reach it. */
const WAIT_FOR_DELIVERY_MS = 20_000;
/** Rows named in one call to main's store (the contract's cap). */
const STORE_BATCH = 1000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` gives a value or the time is up; returns the value and when it came. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<{ value: T; afterMs: number } | undefined> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    const afterMs = performance.now() - started;
    if (value !== undefined) return { value, afterMs };
    if (afterMs > timeoutMs) return undefined;
    await sleep(everyMs);
  }
}

/** A failure the engine or the queue recorded, in the interface's language (by its code; the stored text is English). */
export function recordedProblem(error: { code: string; text: string }): string {
  return isErrorCode(error.code) ? t(`errors:${error.code}`) : error.text;
}

export function isRead(row: CachedMessage | undefined): boolean {
  return row?.seen === 1;
}

export class LabEngine {
  readonly pop3: Side;
  readonly imap: Side;
  /** The Lab's own actions: the same as the main window's, but without the undo delay, so each action's traffic happens while the Lab watches. */
  readonly actions: MailActions;
  private clockOffsetMs = 0;
  private readonly book = new Map<string, string>();
  /** Naming the rows cached before rows carried an identity: once, and every snapshot waits for it. */
  private learning: Promise<void> | undefined;
  /** POP3 mode on the Lab's clock, for the retention scenario. */
  readonly labPop3: Pop3Mode;

  constructor(
    readonly client: TwinboxClient,
    readonly db: CacheReader,
    readonly engine: SyncEngine,
    pair: LabPair,
    private readonly demo: boolean,
    readonly recorder: LogRecorder,
    readonly hooks: LabHooks,
  ) {
    this.pop3 = { kind: 'pop3', account: pair.pop3 };
    this.imap = { kind: 'imap', account: pair.imap };
    this.actions = new MailActions(engine.writer, engine.runner, (id) => engine.capabilities(id), (id) => db.accounts.get(id), new StoreMirror(client), 0);
    this.labPop3 = new Pop3Mode(client, engine.writer, () => this.labNow());
  }

  labNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  get clockDays(): number {
    return Math.round(this.clockOffsetMs / DAY_MS);
  }

  resetClock(): void {
    this.clockOffsetMs = 0;
  }

  /** Moves the Lab clock on (the N-days scenario). */
  moveClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** The server now, as another device sees it; also shown in the middle column. */
  async snapshot(): Promise<ServerSnapshot> {
    const snapshot = await this.client.call('lab.serverState', { accountId: this.imap.account.id });
    // A failure leaves old rows unnamed (they then match nothing), never the server view unshown.
    await (this.learning ??= this.learnIdentities(snapshot).catch(() => undefined));
    this.hooks.snapshot(snapshot);
    return snapshot;
  }

  /**
   * Names the rows cached before rows carried an identity, once (every row
   * written since carries one): the IMAP side's by folder and UID from the
   * server's own view, the rest (all of POP3's) from the header blocks in
   * main's message store. A row neither has stays unnamed and matches nothing.
   */
  private async learnIdentities(snapshot: ServerSnapshot): Promise<void> {
    const onServer = new Map<string, string>(snapshot.folders.flatMap((folder) => folder.messages.map((m) => [`${folder.path}\u0000${m.uid}`, m.identity])));
    for (const side of [this.pop3, this.imap]) {
      const unnamed = await accountMessages(this.db, side.account.id)
        .filter((row) => row.identity === undefined)
        .toArray();
      const rest: CachedMessage[] = [];
      for (const row of unnamed) {
        const found = side.kind === 'imap' ? onServer.get(`${row.folder}\u0000${row.serverId}`) : undefined;
        if (found === undefined) rest.push(row);
        else this.book.set(rowPlace(row), found);
      }
      for (let at = 0; at < rest.length; at += STORE_BATCH) {
        const items = rest.slice(at, at + STORE_BATCH).map((row) => ({ folder: row.folder, serverId: row.serverId }));
        try {
          for (const stored of await this.client.call('store.summaries', { accountId: side.account.id, items })) {
            if (stored.summary.identity !== undefined) this.book.set(rowPlace({ accountId: side.account.id, ...stored }), stored.summary.identity);
          }
        } catch {
          // Left unnamed: such a row then shows as on this side only, which the Lab says of rows it cannot match.
        }
      }
    }
  }

  async runSide<T>(side: Side, work: () => Promise<T>): Promise<SideRun<T>> {
    const serverBefore = fromSnapshot(await this.snapshot());
    const cacheBefore = await this.observe(side);
    const window = this.recorder.window(side.account.id, side.kind);
    const started = performance.now();
    let lines: ProtocolLogLine[] = [];
    let elapsedMs = 0;
    let result: T;
    try {
      result = await work();
    } finally {
      elapsedMs = performance.now() - started;
      // Closed on failure too, or the window would keep collecting.
      lines = await window.close();
    }
    const serverAfter = fromSnapshot(await this.snapshot());
    const cacheAfter = await this.observe(side);
    return {
      result,
      lines,
      traffic: summarize(lines),
      elapsedMs,
      local: diff(cacheBefore, cacheAfter),
      server: diff(serverBefore, serverAfter),
      cacheAfter,
      serverAfter,
    };
  }

  /** The engine records sync failures in its status rather than throwing; the Lab says them. */
  syncProblem(side: Side): string | undefined {
    const status = this.engine.status.get(side.account.id);
    return (status.state === 'error' || status.state === 'offline') && status.error ? recordedProblem(status.error) : undefined;
  }

  /** Changes the server refused since `since` (rolled back here by the queue). */
  async refusals(side: Side, since: number): Promise<string[]> {
    const failed = await this.db.pending
      .where('accountId')
      .equals(side.account.id)
      .filter((op) => op.status === 'failed' && op.createdAt >= since)
      .toArray();
    return failed.map((op) => t('lab:engine.refused', { reason: op.error ? recordedProblem(op.error) : t('lab:engine.noReason') }));
  }

  explain(side: Side, run: SideRun<unknown>, notes: string[] = []): SideExplanation {
    const serverNotes = [...notes];
    // Observed, not assumed: some servers (Dovecot by default) mark mail read when POP3 downloads it, others do not.
    const effect = side.kind === 'pop3' ? pop3ServerEffect(markedRead(run.server)) : undefined;
    if (effect) serverNotes.push(effect);
    return {
      side: side.kind,
      local: describeChanges(run.local),
      server: describeChanges(run.server, { raw: true }),
      notes: serverNotes,
      traffic: run.traffic,
      elapsedMs: run.elapsedMs,
      lines: run.lines,
    };
  }

  /** What a side's cache holds now, every folder. */
  observe(side: Side): Promise<Observation> {
    return observeCache(this.db, side.account.id, this.book);
  }

  identityOf(row: CachedMessage): string {
    return identityOf(row, this.book);
  }

  /** The side's copy of a message, its Inbox copy first. */
  async rowOf(side: Side, identity: string): Promise<CachedMessage | undefined> {
    // The Lab's mailboxes are small: a scan of the side's rows (the cache keeps no index by identity).
    const mine = await accountMessages(this.db, side.account.id)
      .filter((row) => identityOf(row, this.book) === identity)
      .toArray();
    return mine.find(isInbox) ?? mine[0];
  }

  async inboxRow(side: Side, identity: string): Promise<CachedMessage | undefined> {
    const row = await this.rowOf(side, identity);
    return row && isInbox(row) ? row : undefined;
  }

  /** The side's Inbox copy of mail the Lab sent itself, by its (unique) Message-ID. */
  async inboxRowWithMessageId(side: Side, messageId: string): Promise<CachedMessage | undefined> {
    return accountMessages(this.db, side.account.id)
      .filter((row) => row.messageId === messageId && isInbox(row))
      .first();
  }

  /**
   * Sends mail to the mailbox's own address and waits until the server has
   * it. Without an SMTP server (the demo as a normal user), it is put there
   * with IMAP APPEND instead.
   */
  async deliver(
    subjects: readonly string[],
  ): Promise<{ messageIds: string[]; delivery: 'smtp' | 'append'; how: string; problem: string | undefined; failure: TwinboxError | undefined }> {
    const account = this.imap.account;
    const messageIds: string[] = [];
    let delivery: 'smtp' | 'append' = 'smtp';
    let problem: string | undefined;
    let failure: TwinboxError | undefined;
    for (const subject of subjects) {
      const message: MethodInput<'mail.send'>['message'] = {
        from: { name: account.displayName, address: account.email },
        to: [{ name: account.displayName, address: account.email }],
        cc: [],
        bcc: [],
        replyTo: [],
        subject,
        text: t('lab:engine.mailBody', { time: timeOfDay(Date.now(), true) }),
        references: [],
        attachments: [],
      };
      try {
        messageIds.push((await this.client.call('mail.send', { accountId: account.id, message })).messageId);
      } catch (error) {
        failure = asTwinboxError(error);
        try {
          const composed = await this.client.call('mail.compose', { message });
          await this.client.call('mail.append', { accountId: account.id, folder: 'INBOX', raw: new Uint8Array(composed.raw), flags: [] });
          messageIds.push(composed.messageId);
          delivery = 'append';
        } catch {
          problem = t('lab:engine.sendingFailed', { reason: errorText(failure) });
        }
      }
    }
    const ids = messageIds.map((id) => id.replace(/^<|>$/g, ''));
    const how = delivery === 'append' ? t('lab:engine.appended') : t('lab:engine.sentBySmtp');
    return { messageIds: ids, delivery, how, problem, failure: ids.length === 0 ? failure : undefined };
  }

  async waitForServer(messageIds: readonly string[]): Promise<Observation | undefined> {
    const arrived = await waitFor(
      async () => {
        const observation = fromSnapshot(await this.snapshot());
        return messageIds.every((id) => withMessageId(observation, id, isInbox) !== undefined) ? observation : undefined;
      },
      WAIT_FOR_DELIVERY_MS,
      300,
    );
    return arrived?.value;
  }

  async storageOf(side: Side): Promise<LocalStorageUse> {
    const messages = await accountMessages(this.db, side.account.id).count();
    // The messages themselves are in main's message store, not in IndexedDB.
    const stored = await this.client.call('store.usage', { accountId: side.account.id });
    return { messages, bodies: stored.messages, bodyBytes: stored.bytes };
  }

  async measure(runs: { pop3: SideRun<unknown>[]; imap: SideRun<unknown>[] }): Promise<Measurements> {
    const total = (list: SideRun<unknown>[]): { traffic: Traffic; elapsedMs: number } => ({
      traffic: list.reduce((sum, run) => addTraffic(sum, run.traffic), NO_TRAFFIC),
      elapsedMs: list.reduce((sum, run) => sum + run.elapsedMs, 0),
    });
    let estimate: Measurements['estimate'];
    try {
      const found = await navigator.storage.estimate();
      estimate = { usage: found.usage ?? 0, quota: found.quota ?? 0 };
    } catch {
      // Not every page (a file: page, say) may ask.
      estimate = undefined;
    }
    return {
      pop3: { ...total(runs.pop3), storage: await this.storageOf(this.pop3) },
      imap: { ...total(runs.imap), storage: await this.storageOf(this.imap) },
      estimate,
    };
  }

  /** On a real mailbox, a scenario that changes the server asks first. */
  async mayChangeServer(what: string): Promise<boolean> {
    if (this.demo) return true;
    return this.hooks.confirm({
      title: t('lab:engine.realTitle'),
      body: t('lab:engine.realBody', { what }),
      confirmLabel: t('lab:engine.realConfirm'),
    });
  }
}
