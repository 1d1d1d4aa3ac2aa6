import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { demoMessages, seedMailbox } from '../../demo/seed';
import { leaseMailboxes } from '../mailstack';
import { accountFor } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';
import { column, seedTarget, verdict } from './lab-harness';

/**
 * The README's screenshots, taken from the app as it is: the main window with
 * a message open, the Protocol Lab after a scenario, a reply being written,
 * and the main window in German, on the demo mailbox opened as IMAP and as POP3. Every run walks
 * the same steps and checks what each view shows; only with
 * TWINBOX_SCREENSHOTS=1 are the pictures written to docs/screenshots/ (so a
 * test run leaves the tree as it was):
 *
 *   TWINBOX_SCREENSHOTS=1 npx vitest run --project e2e test/e2e/screenshots.test.ts
 */
const SAVE = process.env.TWINBOX_SCREENSHOTS === '1';
const DIR = resolve(import.meta.dirname, '../../docs/screenshots');
/** A common laptop window: what the README's pictures show, and small enough to commit. */
const VIEWPORT = { width: 1280, height: 800 };

let session: TwinboxSession | undefined;

afterEach(async () => {
  const pageErrors = session?.pageErrors ?? [];
  await session?.dispose();
  session = undefined;
  expect(pageErrors).toEqual([]);
});

/** The window as it is now, at the fixed size; written only when asked for. */
async function shoot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ type: 'png', fullPage: false, animations: 'disabled', caret: 'hide' });
  // The picture is what the README shows: a PNG of exactly the window's size.
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([VIEWPORT.width, VIEWPORT.height]);
  if (!SAVE) return;
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, name), png);
}

/** A row's lines are all inside it: none cut off at its bottom edge. */
function fitsItsBox(row: { scrollHeight: number; clientHeight: number }): boolean {
  return row.scrollHeight <= row.clientHeight;
}

/** Nothing moving in the status bar: every account synced, nothing left to index. */
async function settled(page: Page): Promise<void> {
  const status = page.getByRole('status', { name: 'Sync status' });
  await expect.poll(() => status.getByText(/Up to date/).count(), { timeout: 60_000 }).toBe(2);
  await expect.poll(() => status.getByRole('progressbar').count(), { timeout: 60_000 }).toBe(0);
}

describe('the README’s screenshots', () => {
  it('the main window, the Protocol Lab and the composer, on the demo mailbox', { timeout: 240_000 }, async (context) => {
    // A mailbox whose server leaves flags alone when POP3 downloads (most mark what POP3 takes read, for every device):
    // the IMAP side shows the demo's read, unread, flagged and answered messages as the demo made them.
    const [user] = await leaseMailboxes(context, 1, { special: 'pop3KeepsFlags' });
    // Remote images point nowhere: the newsletter shows them blocked, as it would before the user allows them.
    // Less the few whose subject needs a CJK or emoji font: the test machines' Chromium has only DejaVu, which would draw
    // them as empty boxes, a fault of the machine and not of Twinbox (on a desktop, the system's fonts draw them).
    const messages = demoMessages({ owner: { name: 'Demo User', address: user!.address }, imageOrigin: 'http://127.0.0.1:9' }).filter(
      (message) => !/\p{Extended_Pictographic}|\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}/u.test(message.subject),
    );
    await seedMailbox(seedTarget(user!), messages);
    session = await openTwinbox({
      demo: true,
      beforeOpen: async (call) => {
        await call('accounts.save', {
          account: accountFor(context, user!, 'imap', { name: 'Demo (IMAP)', displayName: 'Demo User' }),
          incomingPassword: user!.password,
        });
        await call('accounts.save', {
          account: accountFor(context, user!, 'pop3', {
            name: 'Demo (POP3)',
            displayName: 'Demo User',
            pop3: { retention: { kind: 'keep' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 },
          }),
          incomingPassword: user!.password,
        });
      },
    });
    const page = session.page;
    await page.setViewportSize(VIEWPORT);

    // The main window: a conversation's first message open, flagged and with an attachment.
    const list = page.getByRole('listbox', { name: 'Messages' });
    // The list draws only the rows on screen; each says how many there are.
    await expect.poll(async () => Number(await list.getByRole('option').first().getAttribute('aria-setsize')), { timeout: 60_000 }).toBe(messages.length);
    await settled(page);
    const unread = messages.filter((message) => !message.flags.includes('\\Seen'));
    const inbox = page.getByRole('list', { name: 'Folders of Demo (IMAP)' }).getByRole('button', { name: /^Inbox/ });
    await expect.poll(() => inbox.getAttribute('aria-label')).toBe(`Inbox, ${unread.length} unread`);
    // Which account comes first in the sidebar is the order of their ids: the IMAP Inbox is chosen, not assumed.
    await inbox.click();
    await expect.poll(async () => Number(await list.getByRole('option').first().getAttribute('aria-setsize'))).toBe(messages.length);
    // Twelve days old, it is further down than the window shows: scrolled to as a user would, with the wheel.
    const chosen = list.getByRole('option', { name: /, Quarterly report draft, / });
    await list.hover();
    for (let turn = 0; turn < 30 && (await chosen.count()) === 0; turn++) await page.mouse.wheel(0, 200);
    await chosen.click();
    const article = page.getByRole('article', { name: 'Message' });
    await article.getByRole('heading', { name: 'Quarterly report draft' }).waitFor();
    await article.getByRole('region', { name: 'Attachments' }).getByRole('button', { name: 'Save q1-numbers.csv' }).waitFor();
    await settled(page);
    await shoot(page, 'main-window.png');

    // Compact rows: 40 pixels (renderer/ui/density.ts), with both their lines whole; then back to the default.
    const density = page.getByRole('group', { name: 'List view' }).getByRole('combobox', { name: 'Density' });
    await density.selectOption('compact');
    await expect.poll(async () => (await chosen.boundingBox())?.height).toBe(40);
    expect(await chosen.evaluate(fitsItsBox)).toBe(true);
    await density.selectOption('comfortable');
    await expect.poll(async () => (await chosen.boundingBox())?.height).toBe(56);
    expect(await chosen.evaluate(fitsItsBox)).toBe(true);

    // The Protocol Lab, after "Another device reads a message" on the newest message, at the top of every column: read on
    // the server and on the IMAP side, still unread on the POP3 side.
    await page.getByRole('button', { name: 'Protocol Lab' }).click();
    const lab = page.getByRole('region', { name: 'Protocol Lab' });
    await expect.poll(() => column(lab, 'POP3 side').getByRole('option').count(), { timeout: 60_000 }).toBe(messages.length);
    await expect.poll(() => column(lab, 'IMAP side').getByRole('option').count(), { timeout: 60_000 }).toBe(messages.length);
    await column(lab, 'POP3 side')
      .getByRole('option', { name: /Re: фотографии/ })
      .click();
    await lab.getByRole('button', { name: 'Another device reads a message' }).click();
    await verdict(lab, /POP3 still shows it unread/);
    await lab.getByRole('region', { name: 'Scenario result' }).getByRole('table', { name: 'Measurements' }).waitFor();
    await expect.poll(async () => (await column(lab, 'IMAP side').getByRole('option', { name: /Re: фотографии/ }).getAttribute('aria-label')) ?? '').toMatch(/^Read/);
    expect(await column(lab, 'POP3 side').getByRole('option', { name: /Re: фотографии/ }).getAttribute('aria-label')).toMatch(/^Unread/);
    // The report scrolled itself into view; the picture is of the three columns above it.
    await lab.hover();
    await page.mouse.wheel(0, -20_000);
    const heading = lab.getByRole('heading', { name: 'Protocol Lab', level: 2 });
    await expect.poll(async () => ((await heading.boundingBox())?.y ?? 0) > 0 && ((await heading.boundingBox())?.y ?? 0) < VIEWPORT.height / 2).toBe(true);
    await shoot(page, 'lab.png');

    // The composer: a reply to the message open in the main window.
    await page.getByRole('button', { name: 'Protocol Lab' }).click();
    await article.getByRole('heading', { name: 'Quarterly report draft' }).waitFor();
    await page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'Reply', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Reply' });
    const body = dialog.getByRole('textbox', { name: 'Message text' });
    await body.waitFor();
    expect(await body.inputValue()).toContain('> Attached are the numbers for Q1');
    // The reply starts above the quote, where the composer put the caret.
    await page.keyboard.type('Thanks, Priya: the totals add up. See you on Friday.');
    await shoot(page, 'composer.png');

    // The same window in German, chosen from the language menu: the words change, the mail does not.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('alertdialog', { name: 'Discard this message?' }).getByRole('button', { name: 'Discard' }).click();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('de');
    await page.getByRole('toolbar', { name: 'Nachrichtenaktionen' }).getByRole('button', { name: 'Antworten', exact: true }).waitFor();
    await page.getByRole('article', { name: 'Nachricht' }).getByRole('heading', { name: 'Quarterly report draft' }).waitFor();
    await shoot(page, 'main-window-de.png');
  });
});
