import { describe, expect, it } from 'vitest';
import type { ProtocolLogLine, ServerSnapshot } from '../../shared/model';
import { describeChanges, diff, fromSnapshot } from './observe';
import { commandName, summarize } from './traffic';
import { computerDiedVerdict, otherDeviceReadVerdict, pop3ServerEffect, retentionVerdict, twoDevicesVerdict } from './verdicts';

/** The Lab's counting, diffing and verdicts: the same observations must give the same words, and broken ones other words. */

function line(direction: 'in' | 'out', text: string, bytes = 10, protocol: 'imap' | 'pop3' = 'pop3'): ProtocolLogLine {
  return { accountId: 'a', protocol, direction, text, bytes, at: 0 };
}

describe('traffic from the protocol log', () => {
  it('counts a pipelined run of commands as one round trip, and commands sent one by one as one each', () => {
    const pipelined = [line('in', '+OK ready'), ...[1, 2, 3].map((n) => line('out', `RETR ${n}`, 8)), ...[1, 2, 3].map((n) => line('in', `+OK message ${n}`, 100))];
    expect(summarize(pipelined)).toMatchObject({ commands: 3, roundTrips: 1, bytesOut: 24, bytesIn: 310, names: [{ name: 'RETR', count: 3 }] });
    const oneByOne = [1, 2, 3].flatMap((n) => [line('out', `RETR ${n}`, 8), line('in', '+OK', 100)]);
    expect(summarize(oneByOne).roundTrips).toBe(3);
  });

  it('names IMAP commands without their tag and arguments', () => {
    expect(commandName(line('out', '7 UID STORE 3 +FLAGS (\\Seen)', 1, 'imap'))).toBe('UID STORE');
    expect(commandName(line('out', 'A12 select INBOX', 1, 'imap'))).toBe('SELECT');
    expect(commandName(line('out', 'DONE', 1, 'imap'))).toBe('DONE');
    expect(commandName(line('out', 'DELE 4'))).toBe('DELE');
  });
});

function snapshot(folders: Record<string, [id: string, flags: string[]][]>): ServerSnapshot {
  return {
    observedAt: 0,
    folders: Object.entries(folders).map(([path, messages]) => ({
      path,
      messages: messages.map(([id, flags], uid) => ({ uid: uid + 1, messageId: id, identity: `identity-${id}`, subject: `Subject ${id}`, flags, size: 100 })),
    })),
  };
}

describe('what changed between two looks', () => {
  it('finds flags set, moves, removals and arrivals, ignoring the session-only \\Recent', () => {
    const before = fromSnapshot(snapshot({ INBOX: [['a', []], ['b', ['\\Recent']], ['c', []]], Trash: [] }));
    const after = fromSnapshot(snapshot({ INBOX: [['a', ['\\Seen']], ['b', []], ['d', []]], Trash: [['c', []]] }));
    const changes = diff(before, after);
    expect(changes).toEqual(
      expect.arrayContaining([
        { kind: 'flags', id: 'identity-a', subject: 'Subject a', folder: 'INBOX', added: ['\\Seen'], removed: [] },
        { kind: 'moved', id: 'identity-c', subject: 'Subject c', folder: 'INBOX', to: 'Trash' },
        { kind: 'added', id: 'identity-d', subject: 'Subject d', folder: 'INBOX' },
      ]),
    );
    expect(changes).toHaveLength(3);
    expect(describeChanges(changes.slice(0, 1), { raw: true })).toBe('“Subject a” marked read (\\Seen set) in Inbox.');
    expect(describeChanges([])).toBe('nothing changed.');
  });

  it('counts alike changes once there are many', () => {
    const before = fromSnapshot(snapshot({ INBOX: [['a', []], ['b', []], ['c', []], ['d', []]] }));
    const after = fromSnapshot(snapshot({ INBOX: [] }));
    expect(describeChanges(diff(before, after))).toBe('4 messages removed from Inbox.');
  });
});

describe('verdicts', () => {
  const read = {
    subject: 'Lunch?',
    serverReadAfter: true,
    imapReadBefore: false,
    imapReadAfterMs: 400,
    waitedMs: 10_000,
    pop3ReadBefore: false,
    pop3ReadAfter: false,
    pop3Checked: true,
  };

  it('another device reads: says what each side did, and says so when IMAP missed it', () => {
    expect(otherDeviceReadVerdict(read)).toBe(
      'IMAP showed it as read within 0.4 s because the flag lives on the server, and the server told Twinbox’s IMAP connection. POP3 still shows it unread, even after checking the server: POP3 never learns about flags.',
    );
    expect(otherDeviceReadVerdict({ ...read, imapReadAfterMs: undefined })).toMatch(/^IMAP did not update: after 10 s it still shows it unread, although the server has it as read\./);
    expect(otherDeviceReadVerdict({ ...read, serverReadAfter: false, imapReadAfterMs: undefined })).toMatch(/^The other device’s change did not take/);
    expect(otherDeviceReadVerdict({ ...read, pop3ReadAfter: true })).toMatch(/POP3 now shows it as read, which POP3 cannot learn from the server/);
  });

  it('this computer died: everything back for IMAP, only what the server kept for POP3, and a lossy IMAP is called out', () => {
    const whole = { before: 10, after: 10, lost: [], changed: 0, extra: 0 };
    const observed = {
      imap: whole,
      pop3: { before: 10, after: 8, lost: ['Old news', 'Receipt'], changed: 1, extra: 0 },
      pop3MarkedRead: 0,
      imapReadBecausePop3: 0,
      retention: 'keep on the server for 7 days',
      serverKeeps: 8,
    };
    const verdict = computerDiedVerdict(observed);
    expect(verdict).toContain('IMAP got everything back: all 10 messages');
    expect(verdict).toContain('POP3 got back only 8 of 10: what the server still keeps under its retention policy (keep on the server for 7 days; the server’s Inbox holds 8).');
    expect(verdict).toContain('“Old news”, “Receipt”');
    expect(verdict).toContain('1 message came back as new');
    expect(computerDiedVerdict({ ...observed, imap: { ...whole, after: 9, lost: ['Lunch?'] } })).toMatch(/^IMAP did not get everything back: 1 of 10 messages are missing after the resync \(“Lunch\?”\)\./);
    expect(verdict).not.toContain('read on the server');
  });

  it('this computer died: what POP3’s download did to the server is POP3’s, not IMAP’s', () => {
    const verdict = computerDiedVerdict({
      imap: { before: 52, after: 52, lost: [], changed: 0, extra: 0 },
      pop3: { before: 52, after: 52, lost: [], changed: 0, extra: 0 },
      pop3MarkedRead: 52,
      imapReadBecausePop3: 1,
      retention: 'keep a copy on the server',
      serverKeeps: 52,
    });
    expect(verdict).toContain('IMAP got everything back: all 52 messages, with their folders and flags, because they live on the server. 1 of them now shows as read because the POP3 side’s download marked it read on the server');
    expect(verdict).toContain('POP3 also changed the server: downloading marked 52 messages read on the server: your other devices now see them as read.');
    expect(pop3ServerEffect(0)).toBeUndefined();
    expect(pop3ServerEffect(1)).toMatch(/^Downloading marked 1 message read on the server: your other devices now see it as read\./);
  });

  it('leave on server: nothing due, cancelled, deleted, and a deletion that did not take', () => {
    const base = { days: 7, clockDays: 7, due: ['a', 'b'], cancelled: false, deletedOnServer: 2, serverBefore: 5, serverAfter: 3, stillOnServer: 0, keptHere: 2, imapBefore: 2, imapAfter: 0, nextDue: undefined };
    expect(retentionVerdict(base)).toBe(
      'After 7 days on the Lab clock, the POP3 side deleted 2 messages on the server under “keep for 7 days” (its Inbox held 5, now 3). This computer still has all 2: for POP3 they live here now. The IMAP side no longer shows them: on the server they are gone for every device. Nothing else on the server is waiting to fall due.',
    );
    expect(retentionVerdict({ ...base, due: [] })).toMatch(/^Nothing is due yet/);
    expect(retentionVerdict({ ...base, cancelled: true, serverAfter: 5 })).toMatch(/^Nothing was deleted on the server: you cancelled\./);
    expect(retentionVerdict({ ...base, deletedOnServer: 0, serverAfter: 5, stillOnServer: 2, imapAfter: 2 })).toContain('The server still has 2 of them: the deletion did not take.');
  });

  it('two devices: what this computer never saw, or that it saw everything', () => {
    const base = { arrived: ['A', 'B'], deliveryProblem: undefined, taken: 5, neverSeen: ['A', 'B'], takenFromUnderUs: 3, keptHere: 3, serverAfter: 0, imapShows: 0 };
    expect(twoDevicesVerdict(base)).toMatch(/^This computer never saw 2 messages: .* “A”, “B”\. The other computer also took the 3 messages this computer already had off the server/);
    expect(twoDevicesVerdict({ ...base, neverSeen: [] })).toMatch(/^This computer saw all 2 new messages/);
    expect(twoDevicesVerdict({ ...base, arrived: [], neverSeen: [], deliveryProblem: 'sending failed' })).toMatch(/^No new mail reached the server \(sending failed\)/);
  });
});
