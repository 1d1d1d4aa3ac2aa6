import { describe, expect, it } from 'vitest';
import { pushOrPollVerdict } from './verdicts';
import type { PushOrPollObservation } from './verdicts';

/** "New mail: push or poll": the verdict follows the measured times and what the server told, whatever they are. */

/** IMAP told by the server within a second, POP3 at its own check 42 s later. */
const measured: PushOrPollObservation = {
  subject: 'Lab: push or poll',
  delivery: 'smtp',
  deliveryProblem: undefined,
  reachedServer: true,
  imapAfterMs: 400,
  imapWaitedMs: 400,
  imapPushSeen: true,
  pop3AfterMs: 42_300,
  pop3WaitedMs: 42_300,
  pop3Check: 'scheduled',
  pollMinutes: 1,
  pop3DueAt: '10:42:10',
  pop3DueAfterMs: 42_000,
  pop3Problem: undefined,
};

describe('the push-or-poll verdict', () => {
  it('says when each side noticed, how, and who was faster by how much', () => {
    expect(pushOrPollVerdict(measured)).toBe(
      'IMAP noticed it 0.4 s after it reached the server, without being asked: the server announced it on the IMAP side’s waiting connection (IDLE). ' +
        'POP3 noticed it 42 s after it reached the server, at its own scheduled check at 10:42:10 (it checks every 1 minute). IMAP was faster, by 42 s.',
    );
  });

  it('says so when the mail was not delivered over SMTP', () => {
    expect(pushOrPollVerdict({ ...measured, delivery: 'append' })).toMatch(/^It was not delivered over SMTP: sending failed, so the Lab put it in the Inbox with IMAP APPEND instead\. IMAP noticed/);
  });

  it('does not credit IDLE when no push was seen, and says when IMAP did not notice at all', () => {
    expect(pushOrPollVerdict({ ...measured, imapPushSeen: false, imapAfterMs: 61_000 })).toContain(
      'IMAP noticed it 61 s after it reached the server, but not because the server told it: no word of new mail came by IDLE before that; a sync found it.',
    );
    const silent = pushOrPollVerdict({ ...measured, imapPushSeen: false, imapAfterMs: undefined, imapWaitedMs: 52_000 });
    expect(silent).toContain('IMAP did not notice it within 52 s although the server had it: no word of new mail came by IDLE, and no sync of its own found it.');
    expect(silent).toMatch(/Only POP3 noticed it while the Lab waited\.$/);
    expect(silent).not.toContain('faster');
    expect(pushOrPollVerdict({ ...measured, imapAfterMs: undefined, imapWaitedMs: 52_000 })).toContain('the server’s word of new mail came (IDLE), but no sync brought it.');
  });

  it('names POP3 the faster when it measured faster', () => {
    expect(pushOrPollVerdict({ ...measured, imapAfterMs: 9_000, pop3AfterMs: 2_000 })).toMatch(/POP3 was faster, by 7\.0 s\.$/);
    expect(pushOrPollVerdict({ ...measured, imapAfterMs: 2_000, pop3AfterMs: 2_300 })).toMatch(/Both noticed it at about the same time\.$/);
  });

  it('says a check the user asked for was not the schedule’s, and when the schedule’s would have come', () => {
    expect(pushOrPollVerdict({ ...measured, pop3Check: 'asked', pop3AfterMs: 5_000, pop3DueAt: '10:51:00', pop3DueAfterMs: 540_000, pollMinutes: 10 })).toContain(
      'POP3 noticed it 5.0 s after it reached the server, at a check you asked for (Check now); by itself it would have checked at 10:51:00, 540 s after the mail arrived (it checks every 10 minutes).',
    );
    expect(pushOrPollVerdict({ ...measured, pop3Check: 'early', pop3AfterMs: 3_000 })).toContain('at a check that came before its scheduled time (something other than the Lab asked for it); its own check was due at 10:42:10');
  });

  it('says when POP3 did not notice within the wait, and why when its check failed', () => {
    const waited = { ...measured, pop3AfterMs: undefined, pop3Check: undefined, pop3WaitedMs: 90_000 };
    expect(pushOrPollVerdict(waited)).toContain('POP3 did not notice it within 90 s (it checks every 1 minute); its next check was due at 10:42:10, 42 s after the mail arrived.');
    expect(pushOrPollVerdict(waited)).toMatch(/Only IMAP noticed it while the Lab waited\.$/);
    expect(pushOrPollVerdict({ ...waited, pop3Problem: 'The server refused the password.' })).toContain(
      'POP3 did not notice it within 90 s (it checks every 1 minute): its check failed: The server refused the password.',
    );
  });

  it('says nothing reached the server when nothing did', () => {
    expect(pushOrPollVerdict({ ...measured, reachedServer: false, deliveryProblem: 'sending failed: no connection' })).toBe(
      'The message never reached the server (sending failed: no connection), so neither side had anything to notice.',
    );
  });
});
