/**
 * The scenarios' verdicts, in plain language, computed from what the Lab
 * observed, never from what the textbook says: a side that misbehaves gets a
 * verdict that says so. Pure, so each outcome (the expected one and the
 * broken ones) is tested on its own.
 */
import type { Change } from './observe';

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function examples(subjects: readonly string[], limit = 3): string {
  const shown = subjects.slice(0, limit).map((s) => `“${s || '(no subject)'}”`);
  return subjects.length > limit ? `${shown.join(', ')} and ${subjects.length - limit} more` : shown.join(', ');
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
  return `Downloading marked ${count(n, 'message')} read on the server: your other devices now see ${n === 1 ? 'it' : 'them'} as read. POP3 has no command for that; this server does it by itself when POP3 downloads a message.`;
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
  if (!o.serverReadAfter) parts.push(`The other device’s change did not take: the server still has “${o.subject}” as unread.`);
  if (o.imapReadBefore) parts.push('IMAP showed it as read before the other device did anything, so this run shows nothing about IMAP.');
  else if (o.imapReadAfterMs !== undefined)
    parts.push(`IMAP showed it as read within ${seconds(o.imapReadAfterMs)} because the flag lives on the server, and the server told Twinbox’s IMAP connection.`);
  else if (o.serverReadAfter) parts.push(`IMAP did not update: after ${seconds(o.waitedMs)} it still shows it unread, although the server has it as read.`);
  else parts.push(`IMAP still shows it unread after ${seconds(o.waitedMs)}, as the server does.`);

  const checked = o.pop3Checked ? ', even after checking the server' : '';
  if (o.pop3ReadBefore) parts.push('POP3 showed it as read already, because it was read on this computer; POP3 never learns about flags either way.');
  else if (!o.pop3ReadAfter) parts.push(`POP3 still shows it unread${checked}: POP3 never learns about flags.`);
  else parts.push('POP3 now shows it as read, which POP3 cannot learn from the server: something on this computer changed it.');
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
  if (imap.before === 0) parts.push('IMAP had nothing to lose: its cache was empty.');
  else if (imap.lost.length === 0 && imap.changed === 0)
    parts.push(
      `IMAP got everything back: all ${count(imap.before, 'message')}, with their folders and flags, because they live on the server.` +
        (o.imapReadBecausePop3 > 0
          ? ` ${o.imapReadBecausePop3 === 1 ? '1 of them now shows as read because the POP3 side’s download marked it' : `${o.imapReadBecausePop3} of them now show as read because the POP3 side’s download marked them`} read on the server, not because of anything IMAP did.`
          : ''),
    );
  else if (imap.lost.length === 0) parts.push(`IMAP got all ${count(imap.before, 'message')} back, but ${imap.changed} came back in another folder or with other flags.`);
  else parts.push(`IMAP did not get everything back: ${imap.lost.length} of ${imap.before} messages are missing after the resync (${examples(imap.lost)}).`);

  const back = pop3.before - pop3.lost.length;
  if (pop3.before === 0) parts.push('POP3 had nothing to lose: this computer held no mail.');
  else if (pop3.lost.length === 0)
    parts.push(`POP3 got back all ${count(pop3.before, 'message')}, because the server still keeps every one (policy: ${o.retention}).`);
  else
    parts.push(
      `POP3 got back only ${back} of ${pop3.before}: what the server still keeps under its retention policy (${o.retention}; the server’s Inbox holds ${o.serverKeeps}). ` +
        `The other ${pop3.lost.length} were only on this computer and are gone for good (${examples(pop3.lost)}).`,
    );
  if (pop3.changed > 0) parts.push(`${count(pop3.changed, 'message')} came back as new: read, flagged and folders set on this computer were lost with it.`);
  const effect = pop3ServerEffect(o.pop3MarkedRead);
  if (effect) parts.push(`POP3 also changed the server: ${effect.charAt(0).toLowerCase()}${effect.slice(1)}`);
  if (pop3.extra > 0) parts.push(`${count(pop3.extra, 'message')} deleted on this computer came back from the server.`);
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
  const next = o.nextDue === undefined ? 'Nothing else on the server is waiting to fall due.' : `The next ones fall due on ${o.nextDue}.`;
  if (o.due.length === 0)
    return `Nothing is due yet: after ${count(o.clockDays, 'day')} on the Lab clock, no message has been on this computer for ${count(o.days, 'day')}. ${next}`;
  if (o.cancelled)
    return `Nothing was deleted on the server: you cancelled. The ${count(o.due.length, 'message')} due stay there (the server’s Inbox holds ${o.serverAfter}) until you confirm.`;
  const parts = [
    `After ${count(o.clockDays, 'day')} on the Lab clock, the POP3 side deleted ${count(o.deletedOnServer, 'message')} on the server under “keep for ${count(o.days, 'day')}” (its Inbox held ${o.serverBefore}, now ${o.serverAfter}).`,
  ];
  if (o.stillOnServer > 0) parts.push(`The server still has ${o.stillOnServer} of them: the deletion did not take.`);
  parts.push(
    o.keptHere === o.due.length
      ? `This computer still has all ${o.due.length}: for POP3 they live here now.`
      : `This computer has only ${o.keptHere} of the ${o.due.length} deleted on the server.`,
  );
  if (o.imapBefore > 0)
    parts.push(
      o.imapAfter === 0
        ? 'The IMAP side no longer shows them: on the server they are gone for every device.'
        : `The IMAP side still shows ${o.imapAfter} of them.`,
    );
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
  if (o.arrived.length === 0) parts.push(`No new mail reached the server${o.deliveryProblem ? ` (${o.deliveryProblem})` : ''}, so the other computer had nothing new to take first.`);
  else if (o.neverSeen.length > 0)
    parts.push(
      `This computer never saw ${count(o.neverSeen.length, 'message')}: the other computer downloaded ${o.neverSeen.length === 1 ? 'it' : 'them'} first and deleted ${o.neverSeen.length === 1 ? 'it' : 'them'} from the server (delete after download), so when this computer checked, ${o.neverSeen.length === 1 ? 'it was' : 'they were'} gone: ${examples(o.neverSeen, 5)}.`,
    );
  else parts.push(`This computer saw all ${count(o.arrived.length, 'new message')}: the other computer did not take ${o.arrived.length === 1 ? 'it' : 'them'} away first.`);
  if (o.takenFromUnderUs > 0)
    parts.push(
      `The other computer also took the ${count(o.takenFromUnderUs, 'message')} this computer already had off the server: this computer keeps ${o.keptHere} of them, but the server no longer has them, and neither does the IMAP side (its Inbox shows ${o.imapShows}).`,
    );
  else if (o.taken === 0) parts.push('The other computer downloaded nothing.');
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
    return `The message never reached the server${o.deliveryProblem ? ` (${o.deliveryProblem})` : ''}, so neither side had anything to notice.`;
  if (o.delivery === 'append')
    parts.push('It was not delivered over SMTP: sending failed, so the Lab put it in the Inbox with IMAP APPEND instead.');

  if (o.imapAfterMs === undefined)
    parts.push(
      `IMAP did not notice it within ${seconds(o.imapWaitedMs)} although the server had it: ${o.imapPushSeen ? 'the server’s word of new mail came (IDLE), but no sync brought it' : 'no word of new mail came by IDLE, and no sync of its own found it'}.`,
    );
  else if (o.imapPushSeen)
    parts.push(`IMAP noticed it ${seconds(o.imapAfterMs)} after it reached the server, without being asked: the server announced it on the IMAP side’s waiting connection (IDLE).`);
  else
    parts.push(
      `IMAP noticed it ${seconds(o.imapAfterMs)} after it reached the server, but not because the server told it: no word of new mail came by IDLE before that; a sync found it.`,
    );

  const interval = `it checks every ${count(o.pollMinutes, 'minute')}`;
  const due = o.pop3DueAt === undefined || o.pop3DueAfterMs === undefined ? undefined : `${o.pop3DueAt}, ${seconds(Math.max(0, o.pop3DueAfterMs))} after the mail arrived`;
  if (o.pop3AfterMs === undefined)
    parts.push(
      `POP3 did not notice it within ${seconds(o.pop3WaitedMs)} (${interval})${o.pop3Problem ? `: its check failed: ${o.pop3Problem.replace(/\.$/, '')}` : due ? `; its next check was due at ${due}` : ''}.`,
    );
  else if (o.pop3Check === 'asked')
    parts.push(
      `POP3 noticed it ${seconds(o.pop3AfterMs)} after it reached the server, at a check you asked for (Check now)${due ? `; by itself it would have checked at ${due}` : ''} (${interval}).`,
    );
  else if (o.pop3Check === 'early')
    parts.push(
      `POP3 noticed it ${seconds(o.pop3AfterMs)} after it reached the server, at a check that came before its scheduled time (something other than the Lab asked for it)${due ? `; its own check was due at ${due}` : ''} (${interval}).`,
    );
  else parts.push(`POP3 noticed it ${seconds(o.pop3AfterMs)} after it reached the server, at its own scheduled check${o.pop3DueAt ? ` at ${o.pop3DueAt}` : ''} (${interval}).`);

  if (o.imapAfterMs !== undefined && o.pop3AfterMs !== undefined) {
    const gap = o.pop3AfterMs - o.imapAfterMs;
    if (Math.abs(gap) < SAME_TIME_MS) parts.push('Both noticed it at about the same time.');
    else parts.push(`${gap > 0 ? 'IMAP' : 'POP3'} was faster, by ${seconds(Math.abs(gap))}.`);
  } else if (o.imapAfterMs !== undefined) parts.push('Only IMAP noticed it while the Lab waited.');
  else if (o.pop3AfterMs !== undefined) parts.push('Only POP3 noticed it while the Lab waited.');
  return parts.join(' ');
}
