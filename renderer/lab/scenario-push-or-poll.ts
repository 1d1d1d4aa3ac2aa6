/**
 * Scenario: new mail: push or poll. A message is sent to the mailbox, and
 * each side shows when it noticed it by itself: the Lab asks neither side to
 * sync, it only looks at each side's cache, at the server and at the
 * protocol log, until the IMAP side shows the message and the POP3 side's own
 * scheduled check has come (or the user asked for that check at once, which
 * the verdict then says).
 */
import type { ProtocolLogLine } from '../../shared/model';
import { accountMessages } from '../db/queries';
import { errorText, t } from '../i18n';
import { timeOfDay } from '../ui/format';
import { WAIT_FOR_SIDE_MS } from './lab-engine';
import type { LabEngine } from './lab-engine';
import type { ScenarioResult, Side, SideRun } from './lab-model';
import { diff, fromSnapshot } from './observe';
import type { Observation } from './observe';
import { summarize } from './traffic';
import { pushOrPollVerdict, seconds } from './verdicts';
import type { Pop3CheckKind } from './verdicts';

/** Beyond the POP3 side's interval: time for a check under way to finish, and for the one after it to run. */
const POP3_MARGIN_MS = 30_000;
/** How often the Lab looks at each side's cache: IMAP answers within a second, POP3 at checks minutes apart. */
const IMAP_LOOK_MS = 100;
const POP3_LOOK_MS = 250;
/** At most this long for a sync under way to finish (before sending, and before a side's log is closed). */
const SETTLE_MS = 30_000;
/** How long the IMAP side must have been without a sync before the mail is sent. */
const QUIET_MS = 2_000;
/** A check that began this much before its scheduled time was not the schedule's (the Lab sees a start within a look). */
const EARLY_MS = 1_000;
/** The engine's interval when an account names none (SyncEngine.pollDelay). */
const DEFAULT_POLL_MINUTES = 10;

/** What the view holds on to while the scenario runs. */
export interface PushOrPollControl {
  /** Set while the scenario waits for the POP3 side's own check: makes it check at once, and the verdict says so. */
  checkNow?: (() => void) | undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function clock(ms: number): string {
  return timeOfDay(ms, true);
}

/** The scenario's name, in the language of the moment it is said. */
function title(): string {
  return t('lab:scenarios.pushOrPoll.title');
}

/** Whether the side's Inbox shows the mail the Lab sent, found by its (unique) Message-ID. */
async function shows(lab: LabEngine, side: Side, messageId: string): Promise<boolean> {
  const found = await accountMessages(lab.db, side.account.id)
    .filter((row) => row.messageId === messageId && row.folder.toUpperCase() === 'INBOX')
    .first();
  return found !== undefined;
}

/**
 * Waits until the side has run no sync for `quietMs` (or the time is up):
 * before sending, so that no sync under way meets the mail by chance; after
 * it showed the mail, so that its log holds the whole of the sync that brought it.
 */
async function settled(lab: LabEngine, side: Side, quietMs = 0): Promise<void> {
  const until = Date.now() + SETTLE_MS;
  let quietSince = Date.now();
  while (Date.now() < until) {
    if (lab.engine.status.get(side.account.id).state === 'syncing') quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    await sleep(100);
  }
}

interface Watched {
  lines: ProtocolLogLine[];
  /** When the side showed the mail, or when the Lab stopped waiting for it. */
  endedAt: number;
}

export async function pushOrPoll(lab: LabEngine, control: PushOrPollControl = {}): Promise<ScenarioResult | undefined> {
  const { imap, pop3 } = lab;
  const pollMinutes = pop3.account.pop3?.pollMinutes ?? DEFAULT_POLL_MINUTES;
  if (!(await lab.mayChangeServer(t('lab:scenarios.pushOrPoll.willSend', { minutes: pollMinutes })))) return undefined;

  // A sync under way now would meet the mail by chance, not by push or by the schedule: it finishes first.
  lab.hooks.progress(t('lab:scenarios.pushOrPoll.settling', { title: title() }));
  await settled(lab, pop3);
  // The server's word of a change (a POP3 download marking mail read, say) may come a moment late and start one more.
  await settled(lab, imap, QUIET_MS);

  // The IMAP side's watch (IDLE) reports the server's word of new mail to every page: when it came is the push, measured.
  // (The log cannot tell it: a sync under way at the time has EXISTS in its replies too, and the log names no connection.)
  const told: { at?: number } = {};
  const stopListening = lab.client.on('mail.changed', (change) => {
    if (change.accountId === imap.account.id && change.folder.toUpperCase() === 'INBOX' && change.reason === 'new-mail') told.at ??= Date.now();
  });
  try {
    return await measure(lab, control, pollMinutes, told);
  } finally {
    stopListening();
  }
}

async function measure(lab: LabEngine, control: PushOrPollControl, pollMinutes: number, told: { at?: number }): Promise<ScenarioResult> {
  const { imap, pop3 } = lab;
  const serverBefore = fromSnapshot(await lab.snapshot());
  const cacheBefore = { imap: await lab.observe(imap), pop3: await lab.observe(pop3) };
  // Both logs start before sending: a side may hear of the mail the moment it lands.
  const windows = { imap: lab.recorder.window(imap.account.id, 'imap'), pop3: lab.recorder.window(pop3.account.id, 'pop3') };
  const subject = t('lab:scenarios.pushOrPoll.subject', { time: clock(Date.now()) });
  lab.hooks.progress(t('lab:scenarios.pushOrPoll.sending', { title: title() }));
  const sentAt = Date.now();
  let delivered: Awaited<ReturnType<LabEngine['deliver']>>;
  try {
    delivered = await lab.deliver([subject]);
  } catch (error) {
    await Promise.all([windows.imap.close(), windows.pop3.close()]);
    throw error;
  }
  const delivery = delivered.delivery;
  const messageId = delivered.messageIds[0];
  if (messageId === undefined) {
    await Promise.all([windows.imap.close(), windows.pop3.close()]);
    return {
      title: title(),
      verdict: pushOrPollVerdict({
        ...nothingSeen(pollMinutes),
        subject,
        delivery,
        deliveryProblem: delivered.problem ?? (delivered.failure ? errorText(delivered.failure) : undefined),
      }),
      evidence: [],
      measurements: await lab.measure({ pop3: [], imap: [] }),
    };
  }

  let serverSeenAt: number | undefined;
  // Set by the look below while the POP3 wait reads it: an object, so that it is read afresh each time.
  const server = { gaveUp: false };
  const serverLook = lab.waitForServer([messageId]).then(
    (found) => {
      if (found) serverSeenAt = Date.now();
      else server.gaveUp = true;
    },
    () => {
      server.gaveUp = true;
    },
  );
  // The earliest sign that it was on the server: the Lab's own look, the server's word to the IMAP side, or a side that already shows it.
  let imapSeenAt: number | undefined;
  let pop3SeenAt: number | undefined;
  const arrival = (): number | undefined => {
    const toldNow = told.at !== undefined && told.at >= sentAt ? told.at : undefined;
    const signs = [serverSeenAt, toldNow, imapSeenAt, pop3SeenAt].filter((at): at is number => at !== undefined);
    return signs.length === 0 ? undefined : Math.min(...signs);
  };

  let pop3EndedAt: number | undefined;
  const imapWatch = (async (): Promise<Watched> => {
    try {
      for (;;) {
        if (await shows(lab, imap, messageId)) {
          imapSeenAt = Date.now();
          break;
        }
        // IMAP is given at least as long as POP3, and never less than a push is allowed.
        const arrived = arrival();
        if (pop3EndedAt !== undefined && Date.now() >= Math.max(pop3EndedAt, (arrived ?? pop3EndedAt) + WAIT_FOR_SIDE_MS)) break;
        await sleep(IMAP_LOOK_MS);
      }
    } finally {
      if (imapSeenAt !== undefined) await settled(lab, imap);
    }
    const endedAt = imapSeenAt ?? Date.now();
    return { lines: await windows.imap.close(), endedAt };
  })();
  // Awaited below; should the POP3 wait fail first, its failure is the one reported.
  imapWatch.catch(() => undefined);

  // The POP3 side's schedule, as the engine has it: the check due last seen, and when a check was seen to begin.
  const pop3Id = pop3.account.id;
  let due = lab.engine.nextCheckAt(pop3Id);
  const dueAtSending = due;
  const deadline = sentAt + Math.max(pollMinutes * 60_000, (due ?? sentAt) - sentAt) + POP3_MARGIN_MS;
  let checkStartedAt: number | undefined;
  let askedAt: number | undefined;
  let dueWhenAsked: number | undefined;
  control.checkNow = () => {
    if (askedAt !== undefined) return;
    askedAt = Date.now();
    // Asked once: the button goes.
    control.checkNow = undefined;
    dueWhenAsked = lab.engine.nextCheckAt(pop3Id) ?? due;
    void lab.engine.syncNow(pop3Id);
  };
  let pop3Lines: ProtocolLogLine[];
  try {
    for (;;) {
      if (await shows(lab, pop3, messageId)) {
        pop3SeenAt = Date.now();
        break;
      }
      const now = Date.now();
      const next = lab.engine.nextCheckAt(pop3Id);
      if (next !== undefined) {
        due = next;
        checkStartedAt = undefined;
      } else checkStartedAt ??= now;
      if (now > deadline || (server.gaveUp && arrival() === undefined)) break;
      const imapWords =
        imapSeenAt === undefined
          ? t('lab:scenarios.pushOrPoll.imapNotYet')
          : t('lab:scenarios.pushOrPoll.imapNoticed', { time: seconds(imapSeenAt - (arrival() ?? imapSeenAt)) });
      const pop3Words =
        next === undefined
          ? t('lab:scenarios.pushOrPoll.pop3Checking')
          : t('lab:scenarios.pushOrPoll.pop3ChecksAt', { time: clock(next), seconds: Math.max(0, Math.ceil((next - now) / 1000)) });
      lab.hooks.progress(t('lab:scenarios.pushOrPoll.waiting', { title: title(), imap: imapWords, pop3: pop3Words }));
      await sleep(POP3_LOOK_MS);
    }
  } finally {
    control.checkNow = undefined;
    pop3EndedAt = Date.now();
    if (pop3SeenAt !== undefined) await settled(lab, pop3);
    pop3Lines = await windows.pop3.close();
  }
  lab.hooks.progress(t(imapSeenAt === undefined ? 'lab:scenarios.pushOrPoll.lastMoment' : 'lab:scenarios.pushOrPoll.measuring', { title: title() }));
  const imapWatched = await imapWatch;
  await serverLook;

  const arrivedAt = arrival();
  const checkAt = checkStartedAt ?? pop3SeenAt;
  let pop3Check: Pop3CheckKind | undefined;
  if (pop3SeenAt !== undefined) {
    if (askedAt !== undefined && pop3SeenAt >= askedAt) pop3Check = 'asked';
    else if (due !== undefined && checkAt !== undefined && checkAt < due - EARLY_MS) pop3Check = 'early';
    else pop3Check = 'scheduled';
  }
  const shownDue = pop3Check === 'asked' ? dueWhenAsked : due;
  const since = (at: number | undefined): number | undefined => (at === undefined || arrivedAt === undefined ? undefined : Math.max(0, at - arrivedAt));
  const imapAfterMs = since(imapSeenAt);
  const pop3AfterMs = since(pop3SeenAt);
  // Told before it showed it (or told, when it never did): a word that came after it showed the mail did not bring it.
  const toldAt = told.at !== undefined && told.at >= sentAt ? told.at : undefined;
  const imapPushSeen = toldAt !== undefined && (imapSeenAt === undefined || toldAt <= imapSeenAt);
  const pop3Problem = pop3SeenAt === undefined ? lab.syncProblem(pop3) : undefined;
  const start = arrivedAt ?? sentAt;

  const serverAfter = fromSnapshot(await lab.snapshot());
  const run = async (side: Side, lines: ProtocolLogLine[], afterMs: number | undefined, endedAt: number, before: Observation): Promise<SideRun<unknown>> => {
    const cacheAfter = await lab.observe(side);
    return {
      result: undefined,
      lines,
      traffic: summarize(lines),
      // The time the side took to show it, as the verdict says it; the whole wait when it did not.
      elapsedMs: afterMs ?? Math.max(0, endedAt - start),
      local: diff(before, cacheAfter),
      server: diff(serverBefore, serverAfter),
      cacheAfter,
      serverAfter,
    };
  };
  const imapRun = await run(imap, imapWatched.lines, imapAfterMs, imapWatched.endedAt, cacheBefore.imap);
  const pop3Run = await run(pop3, pop3Lines, pop3AfterMs, pop3EndedAt, cacheBefore.pop3);

  const evidence: string[] = [t('lab:scenarios.pushOrPoll.sent', { time: clock(sentAt), how: delivered.how })];
  if (serverSeenAt !== undefined)
    evidence.push(t('lab:scenarios.pushOrPoll.serverLook', { time: clock(serverSeenAt), after: seconds(serverSeenAt - sentAt) }));
  if (arrivedAt !== undefined && arrivedAt !== serverSeenAt) {
    const first =
      arrivedAt === toldAt
        ? 'lab:scenarios.pushOrPoll.beforeTold'
        : arrivedAt === imapSeenAt
          ? 'lab:scenarios.pushOrPoll.beforeImap'
          : 'lab:scenarios.pushOrPoll.beforePop3';
    evidence.push(t(first, { time: clock(arrivedAt) }));
  }
  // Command names are the protocol's own words.
  const commandNames = (run: SideRun<unknown>): string =>
    run.traffic.names.map((n) => (n.count > 1 ? `${n.name} ×${n.count}` : n.name)).join(', ') || t('lab:scenarios.pushOrPoll.noCommands');
  const during = (run: SideRun<unknown>): string => t('lab:scenarios.pushOrPoll.commandsDuringWait', { commands: commandNames(run) });
  const imapTold = toldAt === undefined ? t('lab:scenarios.pushOrPoll.imapNotTold') : t('lab:scenarios.pushOrPoll.imapTold', { time: clock(toldAt) });
  const imapShown =
    imapSeenAt === undefined
      ? t('lab:scenarios.pushOrPoll.imapNotShown', { time: clock(imapWatched.endedAt) })
      : t('lab:scenarios.pushOrPoll.imapShown', { time: clock(imapSeenAt) });
  evidence.push(`${t('lab:scenarios.pushOrPoll.imapEvidence', { told: imapTold, shown: imapShown })} ${during(imapRun)}`);
  const pop3Schedule =
    dueAtSending === undefined
      ? t('lab:scenarios.pushOrPoll.pop3Unscheduled', { minutes: pollMinutes })
      : t('lab:scenarios.pushOrPoll.pop3Scheduled', { minutes: pollMinutes, time: clock(dueAtSending) });
  const pop3Shown =
    pop3SeenAt === undefined
      ? t('lab:scenarios.pushOrPoll.pop3NotShown', { time: clock(pop3EndedAt) })
      : checkAt === undefined
        ? t('lab:scenarios.pushOrPoll.pop3Shown', { time: clock(pop3SeenAt) })
        : t('lab:scenarios.pushOrPoll.pop3ShownAtCheck', { time: clock(pop3SeenAt), check: clock(checkAt) });
  evidence.push(`${pop3Schedule} ${pop3Shown} ${during(pop3Run)}`);
  evidence.push(askedAt === undefined ? t('lab:scenarios.pushOrPoll.notAsked') : t('lab:scenarios.pushOrPoll.asked', { time: clock(askedAt) }));

  return {
    title: title(),
    verdict: pushOrPollVerdict({
      subject,
      delivery,
      deliveryProblem: delivered.problem,
      reachedServer: arrivedAt !== undefined,
      imapAfterMs,
      imapWaitedMs: Math.max(0, imapWatched.endedAt - start),
      imapPushSeen,
      pop3AfterMs,
      pop3WaitedMs: Math.max(0, pop3EndedAt - start),
      pop3Check,
      pollMinutes,
      pop3DueAt: shownDue === undefined ? undefined : clock(shownDue),
      pop3DueAfterMs: shownDue === undefined ? undefined : shownDue - start,
      pop3Problem,
    }),
    evidence,
    measurements: await lab.measure({ pop3: [pop3Run], imap: [imapRun] }),
  };
}

/** An observation for mail that never reached the server. */
function nothingSeen(pollMinutes: number): Omit<Parameters<typeof pushOrPollVerdict>[0], 'subject' | 'delivery' | 'deliveryProblem'> {
  return {
    reachedServer: false,
    imapAfterMs: undefined,
    imapWaitedMs: 0,
    imapPushSeen: false,
    pop3AfterMs: undefined,
    pop3WaitedMs: 0,
    pop3Check: undefined,
    pollMinutes,
    pop3DueAt: undefined,
    pop3DueAfterMs: undefined,
    pop3Problem: undefined,
  };
}
