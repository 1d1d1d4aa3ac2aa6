/**
 * The Lab's engine room: it performs an action or a scenario on each side of
 * one mailbox, one side at a time, and observes what changed on this
 * computer (the side's cache, before and after) and on the server (a
 * snapshot read by a connection of its own, before and after), with the
 * protocol log of that side in between. One side at a time, so that a change
 * on the server is the doing of the side that was running.
 *
 * It writes nothing itself: actions go through MailActions and the sync
 * modes, which write through the cache writer as everywhere else.
 */
import { TwinboxError } from '../../../shared/errors';
import type { MethodInput } from '../../../shared/contract';
import type { Account, ProtocolLogLine, ServerSnapshot } from '../../../shared/model';
import type { CachedMessage, TwinboxDatabase } from '../../db/schema';
import { POP3_FOLDER } from '../../db/writer';
import type { TwinboxClient } from '../../ipc/twinbox-client';
import { MailActions } from '../../sync/actions';
import type { SyncEngine } from '../../sync/engine';
import { Pop3Mode } from '../../sync/pop3-mode';
import { serverDeletionsDue } from '../../sync/retention';
import { StoreMirror } from '../../sync/store-mirror';
import type { LogRecorder } from './log-recorder';
import { describeChanges, diff, folderName, fromSnapshot, hasFlag, inInbox, keyOfRow, observationId, observeCache } from './observe';
import type { Change, Observation } from './observe';
import type { LabPair } from './pairing';
import { retentionWords } from './pairing';
import { addTraffic, NO_TRAFFIC, summarize } from './traffic';
import type { Traffic } from './traffic';
import { computerDiedVerdict, otherDeviceReadVerdict, retentionVerdict, seconds, twoDevicesVerdict } from './verdicts';
import type { WipeObservation } from './verdicts';
import { accountMessages } from '../../db/rows';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a side is given to show a change the server made (a push normally takes well under a second). */
const WAIT_FOR_SIDE_MS = 10_000;
/** How long mail sent to the mailbox may take to reach it. */
const WAIT_FOR_DELIVERY_MS = 20_000;

export type SideKind = 'pop3' | 'imap';

export interface LocalStorageUse {
  /** Rows in the index. */
  messages: number;
  /** Messages in main's message store (their files). */
  bodies: number;
  /** What those files take on disk. */
  bodyBytes: number;
}

export interface SideMeasure {
  traffic: Traffic;
  elapsedMs: number;
  storage: LocalStorageUse;
}

export interface Measurements {
  pop3: SideMeasure;
  imap: SideMeasure;
  /** `navigator.storage.estimate()` for the whole page (both sides share one database). */
  estimate: { usage: number; quota: number } | undefined;
}

/** What one action did on one side. */
export interface SideExplanation {
  side: SideKind;
  /** After "On this computer:". */
  local: string;
  /** After "On the server:". */
  server: string;
  notes: string[];
  traffic: Traffic;
  elapsedMs: number;
  lines: ProtocolLogLine[];
}

export interface ActionExplanation {
  title: string;
  sides: SideExplanation[];
}

export interface ScenarioResult {
  title: string;
  /** The user said no to what the scenario would have done. */
  cancelled?: boolean;
  verdict: string;
  evidence: string[];
  measurements: Measurements;
}

export interface ConfirmRequest {
  title: string;
  body: string;
  items?: string[];
  confirmLabel: string;
}

export interface LabHooks {
  /** Asks the user; resolves true only when they confirmed. */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** What the Lab is doing now, for the progress line. */
  progress(step: string): void;
  /** A fresh view of the server, for the middle column. */
  snapshot(snapshot: ServerSnapshot): void;
}

/** What the N-days scenario found after advancing the clock, before anything is deleted. */
export interface RetentionPlan {
  days: number;
  clockDays: number;
  labNow: number;
  /** Due for deletion on the server now. */
  due: { uidl: string; subject: string; messageId: string | undefined }[];
  /** On the server and not due yet, soonest first. */
  upcoming: { subject: string; dueAt: number }[];
  nextDueAt: number | undefined;
  onServer: string[];
  check: SideRun<unknown>;
}

interface Side {
  kind: SideKind;
  account: Account;
}

interface SideRun<T> {
  result: T;
  lines: ProtocolLogLine[];
  traffic: Traffic;
  elapsedMs: number;
  local: Change[];
  server: Change[];
  cacheAfter: Observation;
  serverAfter: Observation;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatLabDate(ms: number): string {
  return dateTime.format(new Date(ms));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` gives a value or the time is up; returns the value and when it came. */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<{ value: T; afterMs: number } | undefined> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    const afterMs = performance.now() - started;
    if (value !== undefined) return { value, afterMs };
    if (afterMs > timeoutMs) return undefined;
    await sleep(everyMs);
  }
}

function isRead(row: CachedMessage | undefined): boolean {
  return row?.seen === 1;
}

export class LabRuntime {
  readonly pop3: Side;
  readonly imap: Side;
  /** The Lab's own actions: the same as the main window's, but without the undo delay, so each action's traffic happens while the Lab watches. */
  private readonly actions: MailActions;
  private clockOffsetMs = 0;
  /** POP3 mode on the Lab's clock, for the retention scenario. */
  private readonly labPop3: Pop3Mode;

  constructor(
    private readonly client: TwinboxClient,
    private readonly db: TwinboxDatabase,
    private readonly engine: SyncEngine,
    pair: LabPair,
    private readonly demo: boolean,
    private readonly recorder: LogRecorder,
    private readonly hooks: LabHooks,
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

  /** The server now, as another device sees it; also shown in the middle column. */
  async snapshot(): Promise<ServerSnapshot> {
    const snapshot = await this.client.call('lab.serverState', { accountId: this.imap.account.id });
    this.hooks.snapshot(snapshot);
    return snapshot;
  }

  // ---- observing one side --------------------------------------------------------------

  private async runSide<T>(side: Side, work: () => Promise<T>): Promise<SideRun<T>> {
    const serverBefore = fromSnapshot(await this.snapshot());
    const cacheBefore = await observeCache(this.db, side.account.id);
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
    const cacheAfter = await observeCache(this.db, side.account.id);
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
  private syncProblem(side: Side): string | undefined {
    const status = this.engine.status.get(side.account.id);
    return status.state === 'error' || status.state === 'offline' ? status.error?.text : undefined;
  }

  /** Changes the server refused since `since` (rolled back here by the queue). */
  private async refusals(side: Side, since: number): Promise<string[]> {
    const failed = await this.db.pending
      .where('accountId')
      .equals(side.account.id)
      .filter((op) => op.status === 'failed' && op.createdAt >= since)
      .toArray();
    return failed.map((op) => `The server refused it and it was put back: ${op.error?.text ?? 'no reason given'}`);
  }

  private explain(side: Side, run: SideRun<unknown>, notes: string[] = []): SideExplanation {
    const serverNotes = [...notes];
    // Observed, not assumed: some servers (Dovecot by default) mark mail read when POP3 downloads it.
    if (side.kind === 'pop3' && run.server.some((c) => c.kind === 'flags' && c.added.some((f) => f.toLowerCase() === '\\seen'))) {
      serverNotes.push('This server marks a message read when POP3 downloads it, so every other device sees it as read.');
    }
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

  private async rowOf(side: Side, messageId: string): Promise<CachedMessage | undefined> {
    // The Lab's mailboxes are small: a scan of the side's rows (the cache keeps no index by Message-ID).
    const mine = await accountMessages(this.db, side.account.id).filter((row) => row.messageId === messageId).toArray();
    return mine.find((row) => row.folder.toUpperCase() === 'INBOX') ?? mine[0];
  }

  private async inboxRow(side: Side, messageId: string): Promise<CachedMessage | undefined> {
    const row = await this.rowOf(side, messageId);
    return row && row.folder.toUpperCase() === 'INBOX' ? row : undefined;
  }

  // ---- actions on one message -----------------------------------------------------------

  /** Mark read or unread on both sides, one after the other. */
  async setRead(messageId: string, read: boolean): Promise<ActionExplanation> {
    return this.onBothSides(read ? 'Mark read' : 'Mark unread', messageId, (side, row) => this.changeOn(side, () => this.actions.setRead([keyOfRow(row)], read)));
  }

  async setFlagged(messageId: string, flagged: boolean): Promise<ActionExplanation> {
    return this.onBothSides(flagged ? 'Flag' : 'Unflag', messageId, (side, row) => this.changeOn(side, () => this.actions.setFlagged([keyOfRow(row)], flagged)));
  }

  async remove(messageId: string): Promise<ActionExplanation> {
    return this.onBothSides('Delete', messageId, async (side, row) => {
      if (side.kind === 'imap') return this.changeOn(side, () => this.actions.delete([keyOfRow(row)]), true);
      return this.deleteOnPop3(row);
    });
  }

  async move(messageId: string, target: string): Promise<ActionExplanation> {
    const imapTarget = await this.db.folders.get([this.imap.account.id, target]);
    return this.onBothSides(`Move to ${folderName(target)}`, messageId, async (side, row) => {
      let to = target;
      if (side.kind === 'pop3') {
        await this.engine.writer.ensureLocalFolders(side.account.id);
        const local = await this.db.folders.where('accountId').equals(side.account.id).toArray();
        const match =
          local.find((f) => imapTarget?.specialUse !== undefined && f.specialUse === imapTarget.specialUse) ??
          local.find((f) => f.path.toLowerCase() === target.toLowerCase() || f.name.toLowerCase() === target.toLowerCase());
        if (!match) {
          return {
            side: side.kind,
            local: `nothing changed: this computer has no folder like ${folderName(target)} (POP3 folders exist only here: Inbox, Drafts, Sent, Archive, Trash).`,
            server: 'nothing changed.',
            notes: [],
            traffic: NO_TRAFFIC,
            elapsedMs: 0,
            lines: [],
          };
        }
        to = match.path;
      }
      return this.changeOn(side, () => this.actions.move([keyOfRow(row)], to), side.kind === 'imap');
    });
  }

  private async onBothSides(title: string, messageId: string, act: (side: Side, row: CachedMessage) => Promise<SideExplanation>): Promise<ActionExplanation> {
    const subject = (await this.rowOf(this.pop3, messageId))?.subject ?? (await this.rowOf(this.imap, messageId))?.subject;
    const sides: SideExplanation[] = [];
    for (const side of [this.pop3, this.imap]) {
      this.hooks.progress(`${title}: ${side.kind === 'pop3' ? 'POP3' : 'IMAP'} side…`);
      const row = await this.rowOf(side, messageId);
      if (!row) {
        sides.push({
          side: side.kind,
          local: 'nothing changed: this side does not have the message.',
          server: 'nothing changed.',
          notes: [],
          traffic: NO_TRAFFIC,
          elapsedMs: 0,
          lines: [],
        });
        continue;
      }
      sides.push(await act(side, row));
    }
    return { title: subject === undefined ? title : `${title}: “${subject || '(no subject)'}”`, sides };
  }

  /** A change through MailActions; where the server keeps the change, it is sent before the side counts as done. */
  private async changeOn(side: Side, change: () => Promise<unknown>, movesOut = false): Promise<SideExplanation> {
    const since = Date.now();
    const run = await this.runSide(side, async () => {
      await change();
      if ((await this.engine.capabilities(side.account.id)).serverFolders) await this.engine.runner.run(side.account.id);
    });
    const notes = await this.refusals(side, since);
    if (run.local.length === 0 && run.traffic.commands === 0) notes.push('It was already that way on this side: there was nothing to change.');
    else if (side.kind === 'pop3' && run.server.length === 0) notes.push('POP3 has nowhere on the server to keep this: it stays on this computer.');
    if (side.kind === 'imap' && movesOut && run.local.length > 0) notes.push('It left this folder here at once; the folder it went to shows it at that folder’s next sync.');
    return this.explain(side, run, notes);
  }

  /**
   * Deletes here (to this computer's Trash); the server copy goes only if the
   * account's retention policy says so now, and then only after the user says
   * yes for this deletion.
   */
  private async deleteOnPop3(row: CachedMessage): Promise<SideExplanation> {
    const side = this.pop3;
    const local = await this.runSide(side, () => this.actions.delete([keyOfRow(row)]));
    const policy = side.account.pop3?.retention ?? { kind: 'keep' as const };
    const ledger = await this.db.ledger.where('accountId').equals(side.account.id).toArray();
    const onServer = new Set(ledger.filter((e) => e.deletedOnServerAt === undefined).map((e) => e.uidl));
    const due = serverDeletionsDue(policy, ledger, onServer, Date.now()).deleteNow;
    if (due.length === 0) {
      return this.explain(side, local, [`The account’s policy (${retentionWords(side.account)}) leaves the server copy alone.`]);
    }
    const subjects = await this.subjectsOf(side, due);
    const yes = await this.hooks.confirm({
      title: `Delete ${due.length === 1 ? 'this message' : `${due.length} messages`} on the server too?`,
      body: `The POP3 account’s policy (${retentionWords(side.account)}) would now delete ${due.length === 1 ? 'it' : 'them'} on the server. This computer keeps ${due.length === 1 ? 'its copy' : 'its copies'}; the IMAP side and every other device lose ${due.length === 1 ? 'it' : 'them'}. The Lab never deletes on the server without asking.`,
      items: subjects,
      confirmLabel: 'Delete on the server',
    });
    if (!yes) {
      return this.explain(side, local, [
        'You chose to keep the server copy: nothing was deleted there. Once the Lab is closed, this account’s own checks follow its policy again.',
      ]);
    }
    const server = await this.runSide(side, () => this.engine.pop3.applyRetention(side.account.id, policy, onServer));
    return {
      ...this.explain(side, { ...server, local: [...local.local, ...server.local], server: [...local.server, ...server.server] }),
      traffic: addTraffic(local.traffic, server.traffic),
      elapsedMs: local.elapsedMs + server.elapsedMs,
      lines: [...local.lines, ...server.lines],
    };
  }

  private async subjectsOf(side: Side, serverIds: readonly string[]): Promise<string[]> {
    const wanted = new Set(serverIds);
    const rows = await accountMessages(this.db, side.account.id).filter((row) => wanted.has(row.serverId)).toArray();
    return rows.map((row) => row.subject || '(no subject)');
  }

  // ---- new mail ------------------------------------------------------------------------------

  /**
   * Sends mail to the mailbox's own address and waits until the server has
   * it. Without an SMTP server (the demo as a normal user), it is put there
   * with IMAP APPEND instead.
   */
  private async deliver(subjects: readonly string[]): Promise<{ messageIds: string[]; how: string; problem: string | undefined; failure: TwinboxError | undefined }> {
    const account = this.imap.account;
    const messageIds: string[] = [];
    let how = 'sent by SMTP to the mailbox’s own address';
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
        text: `Sent by the Protocol Lab at ${new Date().toLocaleTimeString()}, to see how each side learns of new mail.`,
        references: [],
        attachments: [],
      };
      try {
        messageIds.push((await this.client.call('mail.send', { accountId: account.id, message })).messageId);
      } catch (error) {
        failure = error instanceof TwinboxError ? error : new TwinboxError('INTERNAL', String(error));
        try {
          const composed = await this.client.call('mail.compose', { message });
          await this.client.call('mail.append', { accountId: account.id, folder: 'INBOX', raw: new Uint8Array(composed.raw), flags: [] });
          messageIds.push(composed.messageId);
          how = 'put in the Inbox with IMAP APPEND (sending failed), so that APPEND shows in the IMAP log';
        } catch {
          problem = `sending failed: ${failure.userText}`;
        }
      }
    }
    const ids = messageIds.map((id) => id.replace(/^<|>$/g, ''));
    return { messageIds: ids, how, problem, failure: ids.length === 0 ? failure : undefined };
  }

  private async waitForServer(messageIds: readonly string[]): Promise<Observation | undefined> {
    const arrived = await waitFor(
      async () => {
        const observation = fromSnapshot(await this.snapshot());
        return messageIds.every((id) => inInbox(observation, id)) ? observation : undefined;
      },
      WAIT_FOR_DELIVERY_MS,
      300,
    );
    return arrived?.value;
  }

  /** New mail arrives: the IMAP side is told by the server; the POP3 side finds it when it checks. */
  async newMail(): Promise<ActionExplanation> {
    const subject = `Lab: new mail at ${new Date().toLocaleTimeString()}`;
    const imap = this.imap;
    this.hooks.progress('New mail: sending it to the mailbox…');
    // The IMAP side may hear of the mail the moment it lands, so its log and its "before" start now.
    const imapBefore = await observeCache(this.db, imap.account.id);
    const window = this.recorder.window(imap.account.id, 'imap');
    const started = performance.now();
    let lines: ProtocolLogLine[] = [];
    let delivered: Awaited<ReturnType<LabRuntime['deliver']>>;
    let serverAtArrival: Observation | undefined;
    let shown: { value: CachedMessage; afterMs: number } | undefined;
    try {
      delivered = await this.deliver([subject]);
      const id = delivered.messageIds[0];
      // Said in the words of the failure that stopped it (a refused connection, a login the server did not accept).
      if (id === undefined) throw delivered.failure ?? new TwinboxError('INTERNAL', 'the mail could not be delivered');
      serverAtArrival = await this.waitForServer([id]);
      this.hooks.progress('New mail: waiting for the IMAP side…');
      shown = await waitFor(() => this.inboxRow(imap, id), WAIT_FOR_SIDE_MS);
      if (!shown) await this.engine.syncNow(imap.account.id, ['INBOX']);
    } finally {
      lines = await window.close();
    }
    const elapsedMs = performance.now() - started;
    const serverAfterImap = fromSnapshot(await this.snapshot());
    const imapAfter = await observeCache(this.db, imap.account.id);
    const imapNotes = [
      shown
        ? `It appeared ${seconds(shown.afterMs)} after the Lab saw it on the server, without Twinbox asking: the server pushed it (IDLE).`
        : `It did not appear by itself within ${seconds(WAIT_FOR_SIDE_MS)}; Twinbox then asked the server, and that sync brought it.`,
      `The mail was ${delivered.how}.`,
    ];
    const imapSide = this.explain(
      imap,
      {
        result: undefined,
        lines,
        traffic: summarize(lines),
        elapsedMs,
        local: diff(imapBefore, imapAfter),
        server: serverAtArrival ? diff(serverAtArrival, serverAfterImap) : [],
        cacheAfter: imapAfter,
        serverAfter: serverAfterImap,
      },
      imapNotes,
    );

    this.hooks.progress('New mail: the POP3 side checks…');
    const pop3Run = await this.runSide(this.pop3, () => this.engine.syncNow(this.pop3.account.id));
    const problem = this.syncProblem(this.pop3);
    const pop3Side = this.explain(this.pop3, pop3Run, [
      'POP3 learns of new mail only when it checks (here: now; otherwise every few minutes), and downloads each new message whole.',
      ...(problem ? [`The check failed: ${problem}`] : []),
    ]);
    return { title: `New mail arrives: “${subject}”`, sides: [pop3Side, imapSide] };
  }

  // ---- measurements ---------------------------------------------------------------------------

  async storageOf(side: Side): Promise<LocalStorageUse> {
    const messages = await accountMessages(this.db, side.account.id).count();
    // The messages themselves are in main's message store, not in IndexedDB.
    const stored = await this.client.call('store.usage', { accountId: side.account.id });
    return { messages, bodies: stored.messages, bodyBytes: stored.bytes };
  }

  private async measure(runs: { pop3: SideRun<unknown>[]; imap: SideRun<unknown>[] }): Promise<Measurements> {
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
  private async mayChangeServer(what: string): Promise<boolean> {
    if (this.demo) return true;
    return this.hooks.confirm({
      title: 'Change your real mailbox?',
      body: `This is a real mailbox, not the demo server. ${what}`,
      confirmLabel: 'Run it on this mailbox',
    });
  }

  // ---- scenario: another device reads a message --------------------------------------------------

  /** A message to try things on: the chosen one, else the newest that is unread on the POP3 side and in both Inboxes and on the server. */
  private async pickTarget(preferred: string | undefined, server: Observation): Promise<CachedMessage | undefined> {
    const everywhere = async (row: CachedMessage): Promise<boolean> =>
      row.messageId !== undefined && inInbox(server, row.messageId) !== undefined && (await this.inboxRow(this.imap, row.messageId)) !== undefined;
    if (preferred !== undefined) {
      const row = await this.inboxRow(this.pop3, preferred);
      if (row && (await everywhere(row))) return row;
    }
    const rows = await this.db.messages
      .where('[accountId+folder+sortDate]')
      .between([this.pop3.account.id, POP3_FOLDER, -Infinity], [this.pop3.account.id, POP3_FOLDER, Infinity])
      .reverse()
      .toArray();
    let fallback: CachedMessage | undefined;
    for (const row of rows) {
      if (!(await everywhere(row))) continue;
      if (row.seen === 0) return row;
      fallback ??= row;
    }
    return fallback;
  }

  async otherDeviceReads(preferred: string | undefined): Promise<ScenarioResult | undefined> {
    const title = 'Another device reads a message';
    this.hooks.progress(`${title}: choosing a message…`);
    const server = fromSnapshot(await this.snapshot());
    const target = await this.pickTarget(preferred, server);
    const messageId = target?.messageId;
    if (!target || messageId === undefined) {
      return {
        title,
        verdict: 'There is nothing to try this on: no message is in the Inbox of both sides and on the server. Let new mail arrive first.',
        evidence: [],
        measurements: await this.measure({ pop3: [], imap: [] }),
      };
    }
    if (!(await this.mayChangeServer(`Another device will mark “${target.subject}” as read on the server.`))) return undefined;
    const evidence: string[] = [];
    const imapRuns: SideRun<unknown>[] = [];
    const popRuns: SideRun<unknown>[] = [];
    if (hasFlag(inInbox(server, messageId)?.flags ?? [], '\\Seen')) {
      // It must be unread on the server first, or there is no change for the sides to learn.
      this.hooks.progress(`${title}: the other device first marks it unread…`);
      const prelude = await this.runSide(this.imap, async () => {
        await this.client.call('lab.otherDevice', { accountId: this.imap.account.id, action: 'unread', messageId });
        return waitFor(async () => ((await this.inboxRow(this.imap, messageId))?.seen === 0 ? true : undefined), WAIT_FOR_SIDE_MS);
      });
      imapRuns.push(prelude);
      evidence.push(
        `The server had “${target.subject}” as read already, so the other device first marked it unread; the IMAP side ${prelude.result ? `showed that within ${seconds(prelude.result.afterMs)}` : 'did not show that'}.`,
      );
    }
    const imapReadBefore = isRead(await this.inboxRow(this.imap, messageId));
    const pop3ReadBefore = isRead(await this.inboxRow(this.pop3, messageId));

    this.hooks.progress(`${title}: the other device reads it…`);
    const imapRun = await this.runSide(this.imap, async () => {
      await this.client.call('lab.otherDevice', { accountId: this.imap.account.id, action: 'read', messageId });
      return waitFor(async () => (isRead(await this.inboxRow(this.imap, messageId)) ? true : undefined), WAIT_FOR_SIDE_MS);
    });
    imapRuns.push(imapRun);
    const serverReadAfter = hasFlag(inInbox(imapRun.serverAfter, messageId)?.flags ?? [], '\\Seen');
    evidence.push(`On the server: ${describeChanges(imapRun.server, { raw: true })} (by the other device, on a connection of its own)`);
    evidence.push(`IMAP side: ${imapReadBefore ? 'read' : 'unread'} before; ${imapRun.result ? `read ${seconds(imapRun.result.afterMs)} later` : `still unread after ${seconds(WAIT_FOR_SIDE_MS)}`}.`);

    this.hooks.progress(`${title}: the POP3 side checks the server…`);
    const popRun = await this.runSide(this.pop3, () => this.engine.syncNow(this.pop3.account.id));
    popRuns.push(popRun);
    const pop3Problem = this.syncProblem(this.pop3);
    const pop3ReadAfter = isRead(await this.inboxRow(this.pop3, messageId));
    evidence.push(
      `POP3 side: ${pop3ReadBefore ? 'read' : 'unread'} before; ${pop3ReadAfter ? 'read' : 'unread'} after checking the server (${popRun.traffic.commands} commands, none of which can carry a flag)${pop3Problem ? `; the check failed: ${pop3Problem}` : ''}.`,
    );
    return {
      title,
      verdict: otherDeviceReadVerdict({
        subject: target.subject,
        serverReadAfter,
        imapReadBefore,
        imapReadAfterMs: imapRun.result?.afterMs,
        waitedMs: WAIT_FOR_SIDE_MS,
        pop3ReadBefore,
        pop3ReadAfter,
        pop3Checked: pop3Problem === undefined,
      }),
      evidence,
      measurements: await this.measure({ pop3: popRuns, imap: imapRuns }),
    };
  }

  // ---- scenario: this computer died --------------------------------------------------------------

  async computerDied(): Promise<ScenarioResult> {
    const title = 'This computer died';
    const evidence: string[] = [];
    const runs: { pop3: SideRun<unknown>[]; imap: SideRun<unknown>[] } = { pop3: [], imap: [] };
    const observed = new Map<SideKind, WipeObservation>();
    for (const side of [this.pop3, this.imap]) {
      const name = side.kind === 'pop3' ? 'POP3' : 'IMAP';
      this.hooks.progress(`${title}: wiping the ${name} side’s cache and syncing again…`);
      const before = await observeCache(this.db, side.account.id);
      const run = await this.runSide(side, () => this.engine.wipeAndResync(side.account.id));
      runs[side.kind].push(run);
      const after = run.cacheAfter;
      const lost: string[] = [];
      let changed = 0;
      for (const [id, copies] of before) {
        const now = after.get(id);
        if (!now) {
          lost.push(copies[0]?.subject ?? id);
          continue;
        }
        const state = (list: typeof copies): string =>
          list
            .map((c) => `${c.folder}:${hasFlag(c.flags, '\\Seen') ? 'r' : 'u'}${hasFlag(c.flags, '\\Flagged') ? 'f' : ''}`)
            .sort()
            .join(',');
        if (state(copies) !== state(now)) changed++;
      }
      const extra = [...after.keys()].filter((id) => !before.has(id)).length;
      const problem = this.syncProblem(side);
      observed.set(side.kind, { before: count(before), after: count(after), lost, changed, extra });
      evidence.push(
        `${name} side: ${count(before)} messages before; ${count(after)} after the resync (${run.traffic.commands} commands, ${seconds(run.elapsedMs)})${problem ? `; the sync failed: ${problem}` : ''}.`,
      );
    }
    const snapshot = fromSnapshot(await this.snapshot());
    const serverKeeps = [...snapshot.values()].filter((copies) => copies.some((c) => c.folder.toUpperCase() === 'INBOX')).length;
    evidence.push(`The server’s Inbox holds ${serverKeeps} messages.`);
    const pop3 = observed.get('pop3') ?? { before: 0, after: 0, lost: [], changed: 0, extra: 0 };
    const imap = observed.get('imap') ?? { before: 0, after: 0, lost: [], changed: 0, extra: 0 };
    return {
      title,
      verdict: computerDiedVerdict({ imap, pop3, retention: retentionWords(this.pop3.account), serverKeeps }),
      evidence,
      measurements: await this.measure(runs),
    };
  }

  // ---- scenario: leave on server for N days ----------------------------------------------------------

  /**
   * Moves the Lab clock on, checks the server (which deletes nothing while
   * the Lab is open) and works out what "keep for N days" would delete now,
   * and when the rest falls due.
   */
  async advanceClock(step: number, days: number): Promise<RetentionPlan> {
    this.clockOffsetMs += step * DAY_MS;
    return this.planRetention(days);
  }

  async planRetention(days: number): Promise<RetentionPlan> {
    const side = this.pop3;
    this.hooks.progress('Leave on server: the POP3 side checks what the server holds…');
    const check = await this.runSide(side, () => this.engine.syncNow(side.account.id));
    // After a check the ledger knows which of its messages the server no longer has.
    const ledger = await this.db.ledger.where('accountId').equals(side.account.id).toArray();
    const onServer = ledger.filter((e) => e.deletedOnServerAt === undefined).map((e) => e.uidl);
    const now = this.labNow();
    const decision = serverDeletionsDue({ kind: 'days', days }, ledger, new Set(onServer), now);
    const rows = await accountMessages(this.db, side.account.id).toArray();
    const byUidl = new Map(rows.map((row) => [row.serverId, row]));
    const due = decision.deleteNow.map((uidl) => ({ uidl, subject: byUidl.get(uidl)?.subject ?? '(not on this computer)', messageId: byUidl.get(uidl)?.messageId }));
    const dueSet = new Set(decision.deleteNow);
    const upcoming = ledger
      .filter((e) => e.deletedOnServerAt === undefined && e.committedAt !== undefined && !dueSet.has(e.uidl))
      .map((e) => ({ subject: byUidl.get(e.uidl)?.subject ?? '(not on this computer)', dueAt: (e.committedAt ?? now) + days * DAY_MS }))
      .sort((a, b) => a.dueAt - b.dueAt);
    return { days, clockDays: this.clockDays, labNow: now, due, upcoming, nextDueAt: decision.nextDueAt, onServer, check };
  }

  /** Deletes on the server what the plan named, after the user confirmed it; reports either way. */
  async deleteDue(plan: RetentionPlan): Promise<ScenarioResult> {
    const title = 'Leave on server for N days';
    const side = this.pop3;
    const serverBefore = fromSnapshot(await this.snapshot());
    const inboxCount = (observation: Observation): number => [...observation.values()].filter((copies) => copies.some((c) => c.folder.toUpperCase() === 'INBOX')).length;
    const base = {
      days: plan.days,
      clockDays: plan.clockDays,
      due: plan.due.map((d) => d.subject),
      serverBefore: inboxCount(serverBefore),
      nextDue: plan.nextDueAt === undefined ? undefined : formatLabDate(plan.nextDueAt),
    };
    const evidence = [`Lab clock: ${formatLabDate(plan.labNow)} (${plan.clockDays} days ahead of real time).`];
    if (plan.due.length === 0) {
      return {
        title,
        verdict: retentionVerdict({ ...base, cancelled: false, deletedOnServer: 0, serverAfter: base.serverBefore, stillOnServer: 0, keptHere: 0, imapBefore: 0, imapAfter: 0 }),
        evidence,
        measurements: await this.measure({ pop3: [plan.check], imap: [] }),
      };
    }
    const yes = await this.hooks.confirm({
      title: `Delete ${plan.due.length} message${plan.due.length === 1 ? '' : 's'} on the server?`,
      body: `Under “keep on the server for ${plan.days} days”, with the Lab clock at ${formatLabDate(plan.labNow)}, the POP3 side would now delete these on the server. This computer keeps its copies; the IMAP side and every other device lose them.`,
      items: plan.due.map((d) => d.subject),
      confirmLabel: 'Delete on the server',
    });
    if (!yes) {
      const after = fromSnapshot(await this.snapshot());
      return {
        title,
        cancelled: true,
        verdict: retentionVerdict({ ...base, cancelled: true, deletedOnServer: 0, serverAfter: inboxCount(after), stillOnServer: plan.due.length, keptHere: 0, imapBefore: 0, imapAfter: 0 }),
        evidence,
        measurements: await this.measure({ pop3: [plan.check], imap: [] }),
      };
    }
    const ids = plan.due.map((d) => d.messageId).filter((id): id is string => id !== undefined);
    const imapBefore = await observeCache(this.db, this.imap.account.id);
    this.hooks.progress('Leave on server: the POP3 side deletes on the server…');
    const popRun = await this.runSide(side, () => this.labPop3.applyRetention(side.account.id, { kind: 'days', days: plan.days }, new Set(plan.onServer)));
    this.hooks.progress('Leave on server: the IMAP side syncs…');
    const imapRun = await this.runSide(this.imap, () => this.engine.syncNow(this.imap.account.id, ['INBOX']));
    const inImapInbox = (observation: Observation): number => ids.filter((id) => inInbox(observation, id) !== undefined).length;
    evidence.push(`On the server: ${describeChanges(popRun.server, { raw: true })}`);
    evidence.push(`On this computer (POP3): ${describeChanges(popRun.local)}`);
    evidence.push(`IMAP side: ${describeChanges(imapRun.local)}`);
    return {
      title,
      verdict: retentionVerdict({
        ...base,
        cancelled: false,
        deletedOnServer: popRun.result.deleted.length,
        serverAfter: inboxCount(imapRun.serverAfter),
        stillOnServer: ids.filter((id) => inInbox(imapRun.serverAfter, id) !== undefined).length,
        keptHere: ids.filter((id) => popRun.cacheAfter.has(id)).length,
        imapBefore: inImapInbox(imapBefore),
        imapAfter: inImapInbox(imapRun.cacheAfter),
        nextDue: popRun.result.nextDueAt === undefined ? base.nextDue : formatLabDate(popRun.result.nextDueAt),
      }),
      evidence,
      measurements: await this.measure({ pop3: [plan.check, popRun], imap: [imapRun] }),
    };
  }

  // ---- scenario: two devices on POP3 -----------------------------------------------------------------

  async twoDevices(): Promise<ScenarioResult | undefined> {
    const title = 'Two devices on POP3';
    if (!(await this.mayChangeServer('Another POP3 computer will download every message and delete it from the server.'))) return undefined;
    const evidence: string[] = [];
    this.hooks.progress(`${title}: this computer checks first…`);
    const first = await this.runSide(this.pop3, () => this.engine.syncNow(this.pop3.account.id));
    const hadBefore = first.cacheAfter;

    this.hooks.progress(`${title}: new mail arrives while this computer is not looking…`);
    const stamp = new Date().toLocaleTimeString();
    const subjects = [1, 2, 3].map((i) => `Lab: arrived at ${stamp} while this computer was away (${i} of 3)`);
    const delivered = await this.deliver(subjects);
    const arrivedObservation = delivered.messageIds.length > 0 ? await this.waitForServer(delivered.messageIds) : undefined;
    const arrived = arrivedObservation ? delivered.messageIds.filter((id) => inInbox(arrivedObservation, id)) : [];
    evidence.push(`${arrived.length} new messages reached the server (${delivered.how}).`);

    this.hooks.progress(`${title}: the other computer downloads everything, deleting it…`);
    const taken = await this.client.call('lab.otherPop3Device', { accountId: this.pop3.account.id, deleteAfterDownload: true });
    evidence.push(`The other computer downloaded ${taken.messages.length} messages and deleted them from the server.`);

    this.hooks.progress(`${title}: this computer checks again…`);
    const second = await this.runSide(this.pop3, () => this.engine.syncNow(this.pop3.account.id));
    this.hooks.progress(`${title}: the IMAP side syncs…`);
    const imapRun = await this.runSide(this.imap, () => this.engine.syncNow(this.imap.account.id, ['INBOX']));

    const subjectOf = new Map(subjects.map((s, i) => [delivered.messageIds[i] ?? s, s]));
    const neverSeen = arrived.filter((id) => !second.cacheAfter.has(id)).map((id) => subjectOf.get(id) ?? id);
    const takenIds = taken.messages.map((m, i) => observationId(m.messageId, `taken ${i}`));
    const fromUnderUs = takenIds.filter((id) => hadBefore.has(id));
    evidence.push(`This computer’s second check: ${describeChanges(second.local)}`);
    const serverAfter = [...imapRun.serverAfter.values()].filter((copies) => copies.some((c) => c.folder.toUpperCase() === 'INBOX')).length;
    const imapShows = [...imapRun.cacheAfter.values()].filter((copies) => copies.some((c) => c.folder.toUpperCase() === 'INBOX')).length;
    evidence.push(`The server’s Inbox now holds ${serverAfter}; the IMAP side’s Inbox shows ${imapShows}.`);
    return {
      title,
      verdict: twoDevicesVerdict({
        arrived: arrived.map((id) => subjectOf.get(id) ?? id),
        deliveryProblem: delivered.problem,
        taken: taken.messages.length,
        neverSeen,
        takenFromUnderUs: fromUnderUs.length,
        keptHere: fromUnderUs.filter((id) => second.cacheAfter.has(id)).length,
        serverAfter,
        imapShows,
      }),
      evidence,
      measurements: await this.measure({ pop3: [first, second], imap: [imapRun] }),
    };
  }
}

function count(observation: Observation): number {
  return observation.size;
}
