/**
 * The scenarios' verdicts, in plain language, computed from what the Lab
 * observed, never from what the textbook says: a side that misbehaves gets a
 * verdict that says so. Pure, so each outcome (the expected one and the
 * broken ones) is tested on its own.
 */
import { t } from '../i18n';
import { formatNumber } from '../ui/format';
import type { Change } from './observe';

/** A duration as the Lab says it: "0.4 s" under ten seconds, whole seconds above. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  const digits = s < 10 ? 1 : 0;
  return t('lab:seconds', { value: formatNumber(s < 10 ? s : Math.round(s), { minimumFractionDigits: digits, maximumFractionDigits: digits }) });
}

/** A subject in the quotation marks of the interface's language. */
export function quoted(subject: string): string {
  return t('lab:quoted', { text: subject || t('common:noSubject') });
}

function examples(subjects: readonly string[], limit = 3): string {
  const list = subjects.slice(0, limit).map(quoted).join(', ');
  return subjects.length > limit ? t('lab:examplesMore', { list, count: subjects.length - limit }) : list;
}

// ---- what POP3 does to the server by downloading ------------------------------------

/** Copies the changes marked read (\Seen set) on the server. */
export function markedRead(changes: readonly Change[]): number {
  return changes.filter((change) => change.kind === 'flags' && change.added.some((flag) => flag.toLowerCase() === '\\seen')).length;
}

/**
 * POP3 has no command that sets a flag, yet some servers (Dovecot by
 * default) mark a message read when POP3 downloads it: said only when the
 * server's own view shows it happened during the POP3 side's run (`n`
 * copies marked read, from markedRead()).
 */
export function pop3ServerEffect(n: number): string | undefined {
  if (n === 0) return undefined;
  return t('lab:verdicts.pop3Effect', { count: n });
}

// ---- another device reads a message --------------------------------------------

export interface OtherDeviceReadObservation {
  subject: string;
  /** The server has it as read after the other device's change. */
  serverReadAfter: boolean;
  /** The IMAP side showed it as read before the other device acted. */
  imapReadBefore: boolean;
  /** How long until the IMAP side showed it as read; undefined when it did not within `waitedMs`. */
  imapReadAfterMs: number | undefined;
  waitedMs: number;
  pop3ReadBefore: boolean;
  pop3ReadAfter: boolean;
  /** The POP3 side checked the server after the change (so it had every chance to learn). */
  pop3Checked: boolean;
}

export function otherDeviceReadVerdict(o: OtherDeviceReadObservation): string {
  const parts: string[] = [];
  if (!o.serverReadAfter) parts.push(t('lab:verdicts.otherDevice.serverNotRead', { subject: o.subject }));
  if (o.imapReadBefore) parts.push(t('lab:verdicts.otherDevice.imapReadBefore'));
  else if (o.imapReadAfterMs !== undefined) parts.push(t('lab:verdicts.otherDevice.imapReadWithin', { time: seconds(o.imapReadAfterMs) }));
  else if (o.serverReadAfter) parts.push(t('lab:verdicts.otherDevice.imapNotUpdated', { time: seconds(o.waitedMs) }));
  else parts.push(t('lab:verdicts.otherDevice.imapStillUnread', { time: seconds(o.waitedMs) }));

  if (o.pop3ReadBefore) parts.push(t('lab:verdicts.otherDevice.pop3ReadBefore'));
  else if (!o.pop3ReadAfter) parts.push(t(o.pop3Checked ? 'lab:verdicts.otherDevice.pop3StillUnreadChecked' : 'lab:verdicts.otherDevice.pop3StillUnread'));
  else parts.push(t('lab:verdicts.otherDevice.pop3NowRead'));
  return parts.join(' ');
}

// ---- this computer died ---------------------------------------------------------

export interface WipeObservation {
  /** Messages the side held before its cache was wiped, and after the resync. */
  before: number;
  after: number;
  /** Subjects of messages held before and not after. */
  lost: string[];
  /** Back, but in another folder or with other flags than before, not explained by the other side's doing. */
  changed: number;
  /** Not held before the wipe, held after (deleted here, then brought back by the server). */
  extra: number;
}

export interface ComputerDiedObservation {
  imap: WipeObservation;
  pop3: WipeObservation;
  /** Copies the POP3 side's download marked read on the server (seen there, during its run). */
  pop3MarkedRead: number;
  /** Of those, copies that came back to the IMAP side read for that reason alone. */
  imapReadBecausePop3: number;
  /** The POP3 account's retention policy, in words. */
  retention: string;
  /** Messages the server's Inbox holds after the resync. */
  serverKeeps: number;
}

export function computerDiedVerdict(o: ComputerDiedObservation): string {
  const parts: string[] = [];
  const { imap, pop3 } = o;
  if (imap.before === 0) parts.push(t('lab:verdicts.computerDied.imapNothing'));
  else if (imap.lost.length === 0 && imap.changed === 0) {
    parts.push(t('lab:verdicts.computerDied.imapAllBack', { count: imap.before }));
    if (o.imapReadBecausePop3 > 0) parts.push(t('lab:verdicts.computerDied.imapReadBecausePop3', { count: o.imapReadBecausePop3 }));
  } else if (imap.lost.length === 0) parts.push(t('lab:verdicts.computerDied.imapChanged', { count: imap.before, changed: imap.changed }));
  else parts.push(t('lab:verdicts.computerDied.imapLost', { lost: imap.lost.length, before: imap.before, examples: examples(imap.lost) }));

  const back = pop3.before - pop3.lost.length;
  if (pop3.before === 0) parts.push(t('lab:verdicts.computerDied.pop3Nothing'));
  else if (pop3.lost.length === 0) parts.push(t('lab:verdicts.computerDied.pop3AllBack', { count: pop3.before, policy: o.retention }));
  else {
    parts.push(t('lab:verdicts.computerDied.pop3OnlySome', { back, before: pop3.before, policy: o.retention, serverKeeps: o.serverKeeps }));
    parts.push(t('lab:verdicts.computerDied.pop3GoneForGood', { count: pop3.lost.length, examples: examples(pop3.lost) }));
  }
  if (pop3.changed > 0) parts.push(t('lab:verdicts.computerDied.pop3CameBackNew', { count: pop3.changed }));
  if (o.pop3MarkedRead > 0) parts.push(t('lab:verdicts.computerDied.pop3ChangedServer', { count: o.pop3MarkedRead }));
  if (pop3.extra > 0) parts.push(t('lab:verdicts.computerDied.pop3Extra', { count: pop3.extra }));
  return parts.join(' ');
}

// ---- leave on server for N days ---------------------------------------------------

export interface RetentionObservation {
  /** The policy: keep on the server for this many days. */
  days: number;
  /** How far the Lab clock is ahead of real time. */
  clockDays: number;
  /** Subjects the policy named for deletion. */
  due: string[];
  /** The user said no in the confirmation dialog. */
  cancelled: boolean;
  /** What the POP3 side reported deleted (the server confirmed QUIT). */
  deletedOnServer: number;
  serverBefore: number;
  serverAfter: number;
  /** Of the due messages: still on the server, still on this computer, and shown by the IMAP side before and after. */
  stillOnServer: number;
  keptHere: number;
  imapBefore: number;
  imapAfter: number;
  /** When the next ones fall due, already formatted; undefined when none wait. */
  nextDue: string | undefined;
}

export function retentionVerdict(o: RetentionObservation): string {
  const next = o.nextDue === undefined ? t('lab:verdicts.retention.nothingElseDue') : t('lab:verdicts.retention.nextDue', { date: o.nextDue });
  // Each count in a form of its own: German declines "days" differently after "after" and in "keep for".
  const clock = t('lab:verdicts.retention.clockDays', { count: o.clockDays });
  const keep = t('lab:verdicts.retention.keepDays', { count: o.days });
  if (o.due.length === 0) return `${t('lab:verdicts.retention.nothingDue', { clock, keep })} ${next}`;
  if (o.cancelled) return t('lab:verdicts.retention.cancelled', { count: o.due.length, held: o.serverAfter });
  const parts = [
    t('lab:verdicts.retention.deleted', {
      clock,
      keep,
      deleted: t('lab:verdicts.retention.messages', { count: o.deletedOnServer }),
      before: o.serverBefore,
      after: o.serverAfter,
    }),
  ];
  if (o.stillOnServer > 0) parts.push(t('lab:verdicts.retention.stillOnServer', { count: o.stillOnServer }));
  parts.push(
    o.keptHere === o.due.length
      ? t('lab:verdicts.retention.keptAll', { count: o.due.length })
      : t('lab:verdicts.retention.keptSome', { kept: o.keptHere, count: o.due.length }),
  );
  if (o.imapBefore > 0)
    parts.push(o.imapAfter === 0 ? t('lab:verdicts.retention.imapGone') : t('lab:verdicts.retention.imapStillShows', { count: o.imapAfter }));
  parts.push(next);
  return parts.join(' ');
}

// ---- two devices on POP3 --------------------------------------------------------------

export interface TwoDevicesObservation {
  /** Subjects of the new mail that reached the server before the other computer checked. */
  arrived: string[];
  /** Why no new mail arrived, when it did not. */
  deliveryProblem: string | undefined;
  /** Messages the other computer downloaded. */
  taken: number;
  /** Subjects of messages that reached the server and that this computer never got. */
  neverSeen: string[];
  /** Messages this computer had before that the other computer removed from the server. */
  takenFromUnderUs: number;
  /** Of those, how many this computer still has. */
  keptHere: number;
  serverAfter: number;
  /** Messages the IMAP side's Inbox shows after its sync. */
  imapShows: number;
}

export function twoDevicesVerdict(o: TwoDevicesObservation): string {
  const parts: string[] = [];
  if (o.arrived.length === 0)
    parts.push(o.deliveryProblem ? t('lab:verdicts.twoDevices.noneArrivedWhy', { problem: o.deliveryProblem }) : t('lab:verdicts.twoDevices.noneArrived'));
  else if (o.neverSeen.length > 0) parts.push(t('lab:verdicts.twoDevices.neverSaw', { count: o.neverSeen.length, examples: examples(o.neverSeen, 5) }));
  else parts.push(t('lab:verdicts.twoDevices.sawAll', { count: o.arrived.length }));
  if (o.takenFromUnderUs > 0)
    parts.push(t('lab:verdicts.twoDevices.takenFromUnderUs', { count: o.takenFromUnderUs, kept: o.keptHere, imapShows: o.imapShows }));
  else if (o.taken === 0) parts.push(t('lab:verdicts.twoDevices.nothingTaken'));
  return parts.join(' ');
}

// ---- new mail: push or poll -------------------------------------------------------------

/** How the POP3 side's check that brought the message came about. */
export type Pop3CheckKind =
  /** Its own timer, at the time it had scheduled. */
  | 'scheduled'
  /** The user pressed "Check now" while the Lab waited. */
  | 'asked'
  /** Before its scheduled time, asked for by something other than the Lab. */
  | 'early';

export interface PushOrPollObservation {
  subject: string;
  /** Sent over SMTP, or put in the Inbox with IMAP APPEND because sending failed. */
  delivery: 'smtp' | 'append';
  /** Why nothing reached the server, when nothing did. */
  deliveryProblem: string | undefined;
  reachedServer: boolean;
  /** From its arrival on the server until the IMAP side showed it; undefined when it did not within `imapWaitedMs`. */
  imapAfterMs: number | undefined;
  imapWaitedMs: number;
  /** The server's word of new mail (IDLE, through the IMAP side's watch) came before the IMAP side showed it (or at all, when it never did). */
  imapPushSeen: boolean;
  /** From its arrival on the server until the POP3 side showed it; undefined when it did not within `pop3WaitedMs`. */
  pop3AfterMs: number | undefined;
  pop3WaitedMs: number;
  /** The check that brought it; undefined when none did. */
  pop3Check: Pop3CheckKind | undefined;
  /** The POP3 side's check interval, from its settings. */
  pollMinutes: number;
  /** When its own check was (or would have been) due, as a time of day and in ms after the arrival; undefined when none was scheduled. */
  pop3DueAt: string | undefined;
  pop3DueAfterMs: number | undefined;
  /** Why its last check failed, when it did. */
  pop3Problem: string | undefined;
}

/** Within this, neither side is said to be faster: the Lab looks at each side's cache only a few times a second. */
const SAME_TIME_MS = 500;

export function pushOrPollVerdict(o: PushOrPollObservation): string {
  const parts: string[] = [];
  if (!o.reachedServer)
    return o.deliveryProblem ? t('lab:verdicts.pushOrPoll.neverReachedWhy', { problem: o.deliveryProblem }) : t('lab:verdicts.pushOrPoll.neverReached');
  if (o.delivery === 'append') parts.push(t('lab:verdicts.pushOrPoll.appended'));

  if (o.imapAfterMs === undefined)
    parts.push(t(o.imapPushSeen ? 'lab:verdicts.pushOrPoll.imapMissedTold' : 'lab:verdicts.pushOrPoll.imapMissedSilent', { time: seconds(o.imapWaitedMs) }));
  else parts.push(t(o.imapPushSeen ? 'lab:verdicts.pushOrPoll.imapPushed' : 'lab:verdicts.pushOrPoll.imapSynced', { time: seconds(o.imapAfterMs) }));

  const interval = t('lab:verdicts.pushOrPoll.interval', { count: o.pollMinutes });
  const due =
    o.pop3DueAt === undefined || o.pop3DueAfterMs === undefined
      ? undefined
      : t('lab:verdicts.pushOrPoll.due', { at: o.pop3DueAt, after: seconds(Math.max(0, o.pop3DueAfterMs)) });
  if (o.pop3AfterMs === undefined) {
    const time = seconds(o.pop3WaitedMs);
    if (o.pop3Problem) parts.push(t('lab:verdicts.pushOrPoll.pop3MissedFailed', { time, interval, problem: o.pop3Problem.replace(/\.$/, '') }));
    else if (due) parts.push(t('lab:verdicts.pushOrPoll.pop3MissedDue', { time, interval, due }));
    else parts.push(t('lab:verdicts.pushOrPoll.pop3Missed', { time, interval }));
  } else {
    const time = seconds(o.pop3AfterMs);
    if (o.pop3Check === 'asked') parts.push(due ? t('lab:verdicts.pushOrPoll.pop3AskedDue', { time, due, interval }) : t('lab:verdicts.pushOrPoll.pop3Asked', { time, interval }));
    else if (o.pop3Check === 'early')
      parts.push(due ? t('lab:verdicts.pushOrPoll.pop3EarlyDue', { time, due, interval }) : t('lab:verdicts.pushOrPoll.pop3Early', { time, interval }));
    else
      parts.push(
        o.pop3DueAt ? t('lab:verdicts.pushOrPoll.pop3ScheduledAt', { time, at: o.pop3DueAt, interval }) : t('lab:verdicts.pushOrPoll.pop3Scheduled', { time, interval }),
      );
  }

  if (o.imapAfterMs !== undefined && o.pop3AfterMs !== undefined) {
    const gap = o.pop3AfterMs - o.imapAfterMs;
    if (Math.abs(gap) < SAME_TIME_MS) parts.push(t('lab:verdicts.pushOrPoll.sameTime'));
    else parts.push(t('lab:verdicts.pushOrPoll.faster', { protocol: gap > 0 ? 'IMAP' : 'POP3', time: seconds(Math.abs(gap)) }));
  } else if (o.imapAfterMs !== undefined) parts.push(t('lab:verdicts.pushOrPoll.onlyImap'));
  else if (o.pop3AfterMs !== undefined) parts.push(t('lab:verdicts.pushOrPoll.onlyPop3'));
  return parts.join(' ');
}
