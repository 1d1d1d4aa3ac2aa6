import type { Locator } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { EventPayloads } from '../../shared/contract';
import { appendMessages, leaseMailboxes, mailStack, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { rawMessage, serverFolder } from '../mailstack/fixtures';
import { closeLab, openLab, row } from './lab-harness';

/**
 * The Lab's "New mail: push or poll" in Chromium against the real Dovecot
 * (and Postfix, when the stack has SMTP): the POP3 side checks every minute,
 * so its own check comes within the test; the verdict's numbers are read
 * back and checked against each other and against the columns.
 */
afterEach(closeLab);

/**
 * One mailbox opened as POP3 (checking every `pollMinutes`) and as IMAP, the
 * Lab open, both sides holding `expected` messages, and the IMAP side's watch
 * waiting in IDLE: until then the server has no way to tell it of new mail.
 */
async function openWatchedLab(context: TestContext, user: TestUser, expected: number, pollMinutes: number): Promise<Locator> {
  let imapId = '';
  let idling = false;
  const { lab } = await openLab(context, user, expected, {
    pollMinutes,
    beforeOpen: async (call, { imap }) => {
      imapId = imap.id;
      // Logged from the start (the Lab turns it on only when opened), to see IDLE begin.
      await call('app.setProtocolLog', { enabled: true });
    },
    afterOpen: (session) => {
      session.services.events.subscribe((event, payload) => {
        if (event !== 'protocol.log') return;
        const line = payload as EventPayloads['protocol.log'];
        if (line.accountId === imapId && line.direction === 'out' && /^\S+ IDLE$/i.test(line.text.trim())) idling = true;
      });
    },
  });
  await expect.poll(() => idling, { timeout: 45_000 }).toBe(true);
  return lab;
}

/** A number of seconds as the verdict writes it ("0.4 s", "42 s"). */
function secondsIn(text: string, pattern: RegExp): number {
  const found = pattern.exec(text);
  if (!found?.[1]) throw new Error(`${String(pattern)} is not in the verdict: ${text}`);
  return Number(found[1]);
}

describe('the Protocol Lab: new mail, push or poll', () => {
  it('measures IMAP noticing at once by IDLE and POP3 at its own check, a minute apart at most', { timeout: 150_000 }, async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1)]);
    const lab = await openWatchedLab(context, user!, 1, 1);

    await lab.getByRole('button', { name: 'New mail: push or poll' }).click();
    // While the Lab waits for POP3's own check, it counts down to it.
    await lab.getByRole('status', { name: 'Lab progress' }).getByText(/POP3 checks at [\d:]+.*, in \d+ s…|POP3 is checking…/).waitFor({ timeout: 30_000 });
    const status = lab.getByRole('region', { name: 'Scenario result' }).getByRole('status', { name: 'Verdict' });
    await status.waitFor({ timeout: 120_000 });
    const said = await status.innerText();

    // How the mail got there is said as it happened: over SMTP when the stack has it, else by IMAP APPEND.
    if (mailStack().smtp) expect(said).not.toContain('not delivered over SMTP');
    else expect(said).toMatch(/^It was not delivered over SMTP: sending failed, so the Lab put it in the Inbox with IMAP APPEND instead\./);

    const imap = secondsIn(said, /IMAP noticed it ([\d.]+) s after it reached the server, without being asked: the server announced it on the IMAP side’s waiting connection \(IDLE\)\./);
    expect(imap).toBeLessThan(5);
    const pop3 = secondsIn(said, /POP3 noticed it ([\d.]+) s after it reached the server, at its own scheduled check at [\d:]+.* \(it checks every 1 minute\)\./);
    // At most one interval (and the check's own time) after the mail arrived; never before IMAP, which was told at once.
    expect(pop3).toBeLessThanOrEqual(75);
    expect(pop3).toBeGreaterThanOrEqual(imap);
    const gap = secondsIn(said, /IMAP was faster, by ([\d.]+) s\./);
    // Each figure is rounded on its own (to whole seconds from 10 s on).
    expect(Math.abs(gap - (pop3 - imap))).toBeLessThanOrEqual(1);

    const result = lab.getByRole('region', { name: 'Scenario result' });
    await result.getByText('The Lab asked neither side to sync: each found the mail by itself.').waitFor();
    // Each side's own traffic during the wait: the POP3 check, the IMAP sync the push set off.
    const commands = await result.getByRole('table', { name: 'Measurements' }).getByRole('row', { name: /^Commands/ }).getByRole('cell').allInnerTexts();
    expect(commands.map(Number).every((n) => n > 0)).toBe(true);

    // The message is in both columns, and on the server.
    await row(lab, 'POP3 side', 'Lab: push or poll').waitFor();
    await row(lab, 'IMAP side', 'Lab: push or poll').waitFor();
    expect((await serverFolder(user!)).size).toBe(2);
  });

  it('lets the user stop waiting with “Check now”, and then says the check was asked for, and when its own would have come', { timeout: 90_000 }, async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    await appendMessages(user!, [rawMessage(uniqueTag(), 1)]);
    const lab = await openWatchedLab(context, user!, 1, 10);

    await lab.getByRole('button', { name: 'New mail: push or poll' }).click();
    const progress = lab.getByRole('status', { name: 'Lab progress' });
    await progress.getByText(/IMAP noticed it after [\d.]+ s; POP3 checks at [\d:]+.*, in \d+ s…/).waitFor({ timeout: 30_000 });
    await lab.getByRole('region', { name: 'Scenarios' }).getByRole('button', { name: 'Check now' }).click();

    const status = lab.getByRole('region', { name: 'Scenario result' }).getByRole('status', { name: 'Verdict' });
    await status.waitFor({ timeout: 60_000 });
    const said = await status.innerText();
    const imap = secondsIn(said, /IMAP noticed it ([\d.]+) s after it reached the server, without being asked/);
    const pop3 = secondsIn(said, /POP3 noticed it ([\d.]+) s after it reached the server, at a check you asked for \(Check now\); by itself it would have checked at [\d:]+/);
    // Its own check was ten minutes after the last one, at the app's start: most of ten minutes away still.
    const due = secondsIn(said, /by itself it would have checked at [\d:]+.*, (\d+) s after the mail arrived \(it checks every 10 minutes\)\./);
    expect(due).toBeGreaterThan(400);
    expect(pop3).toBeLessThan(due);
    expect(pop3).toBeGreaterThanOrEqual(imap);
    await lab.getByRole('region', { name: 'Scenario result' }).getByText(/^The Lab asked neither side to sync; you asked the POP3 side to check at [\d:]+.* \(Check now\)\.$/).waitFor();
    await row(lab, 'POP3 side', 'Lab: push or poll').waitFor();
  });
});
