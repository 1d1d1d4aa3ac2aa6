import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Printing a message in the browser host (the desktop app prints the same
 * document in a window of its own): the print view holds the message's
 * headers and its sanitised body, and printing leaves nothing else on paper.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

async function open(context: TestContext, user: TestUser): Promise<Page> {
  session = await openTwinbox({
    beforeOpen: async (call) => {
      await call('accounts.save', { account: accountFor(context, user, 'imap'), incomingPassword: user.password });
    },
  });
  // Headless Chromium has no print dialog to show: the test counts the calls that would open it.
  await session.page.evaluate(() => {
    const page = globalThis as unknown as { printCalls: number; print: () => void };
    page.printCalls = 0;
    page.print = () => {
      page.printCalls += 1;
    };
  });
  return session.page;
}

function mail(tag: string, subject: string, contentType: string, body: string): string {
  return [
    'From: Ana Lima <ana@example.org>',
    'To: Bo Berg <bo@example.org>',
    'Cc: Cy <cy@example.org>',
    `Subject: ${subject}`,
    `Message-ID: <${tag}.${subject.length}@twinbox.test>`,
    'Date: Tue, 01 Dec 2026 09:30:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
    '',
    body,
    '',
  ].join('\r\n');
}

async function printPreview(page: Page, subject: string): Promise<ReturnType<Page['frameLocator']>> {
  await page.getByRole('listbox', { name: 'Messages' }).getByRole('option', { name: new RegExp(subject) }).click();
  const article = page.getByRole('article', { name: 'Message' });
  await article.getByRole('heading', { name: subject }).waitFor();
  await article.getByRole('group', { name: 'Message view' }).getByRole('button', { name: 'Print…' }).click();
  await page.getByRole('dialog', { name: 'Print preview' }).waitFor();
  return page.frameLocator('iframe[title="Message to print"]');
}

describe('printing a message', () => {
  it('prints the headers and the sanitised HTML, and nothing else of the window', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const subject = `${tag} quarterly report`;
    const html =
      '<html><body><h2>Quarterly numbers</h2><p>Revenue <b>up</b>.</p>' +
      '<script>document.body.append("ran")</script><img src="http://127.0.0.1:9/track.png" alt="tracker" onerror="document.title=\'ran\'"></body></html>';
    await appendMessages(user!, [mail(tag, subject, 'text/html; charset=utf-8', html)]);
    const page = await open(context, user!);
    const printout = await printPreview(page, subject);

    await printout.getByRole('heading', { name: subject, level: 1 }).waitFor();
    const header = await printout.locator('header').innerText();
    for (const line of ['From', 'Ana Lima <ana@example.org>', 'To', 'Bo Berg <bo@example.org>', 'Cc', 'Cy <cy@example.org>', 'Date']) expect(header).toContain(line);
    expect(header).toMatch(/2026/);
    await printout.getByRole('heading', { name: 'Quarterly numbers' }).waitFor();
    expect(await printout.locator('body').innerText()).toContain('Revenue up.');
    // Sanitised as in the reader: no script, no handler, no address to fetch.
    expect(await printout.locator('script').count()).toBe(0);
    expect(await printout.locator('[onerror]').count()).toBe(0);
    expect(await printout.locator('img[src^="http"]').count()).toBe(0);
    expect(await printout.locator('body').innerText()).not.toContain('ran');

    // On paper: the preview's frame alone.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Accounts and folders' }).isVisible()).toBe(false);
    expect(await page.locator('iframe[title="Message to print"]').isVisible()).toBe(true);
    expect(await page.getByRole('dialog', { name: 'Print preview' }).getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });

    await page.getByRole('dialog', { name: 'Print preview' }).getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as { printCalls: number }).printCalls)).toBe(1);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Print preview' }).waitFor({ state: 'detached' });
    expect(await page.getByRole('navigation', { name: 'Accounts and folders' }).isVisible()).toBe(true);
  });

  it('prints a text message as its text, under its headers', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const subject = `${tag} plain note`;
    await appendMessages(user!, [mail(tag, subject, 'text/plain; charset=utf-8', 'Line one <b>not bold</b>\r\n  indented line two')]);
    const page = await open(context, user!);
    const printout = await printPreview(page, subject);
    await printout.getByRole('heading', { name: subject, level: 1 }).waitFor();
    expect((await printout.locator('pre').innerText()).trimEnd()).toBe('Line one <b>not bold</b>\n  indented line two');
    expect(await printout.locator('b').count()).toBe(0);
  });
});
