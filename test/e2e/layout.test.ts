import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import { accountFor } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * The window's layout under hostile content: a message whose subject,
 * sender and attachment name run to 2,000 characters (words, and one run
 * with no place to break) must not widen a pane, push the window into
 * horizontal scrolling, or hide a button, in the list or in the reader.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

const crlf = (lines: string[]): string => lines.join('\r\n');

function hostileMail(tag: string): string {
  const words = Array.from({ length: 220 }, (_, i) => `word${i}`).join(' ');
  const unbroken = 'x'.repeat(2000);
  const fileName = `${'report-'.repeat(290)}.pdf`;
  return crlf([
    // A 2,000-character display name, folded between its words (a quoted string may be).
    `From: "${'Very Long Sender Name '.repeat(30)}`,
    ` ${'Very Long Sender Name '.repeat(30)}`,
    ` ${'Very Long Sender Name '.repeat(30)}" <${'a'.repeat(60)}@${'b'.repeat(60)}.example.org>`,
    'To: reader@example.org',
    // Folded so that no header line is over 998 characters; unfolded, the subject is 2,000 and more.
    `Subject: ${tag} ${words.slice(0, 900)}`,
    ` ${words.slice(900)}`,
    ` ${unbroken.slice(0, 990)}`,
    ` ${unbroken.slice(990)}`,
    `Message-ID: <${tag}.hostile@twinbox.test>`,
    'Date: Sat, 03 Jan 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed"',
    '',
    '--mixed',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `A body with a long line too: ${unbroken.slice(0, 900)}`,
    '--mixed',
    'Content-Type: application/pdf',
    'Content-Disposition: attachment;',
    ...Array.from({ length: Math.ceil(fileName.length / 60) }, (_, i) => ` filename*${i}="${fileName.slice(i * 60, i * 60 + 60)}"${(i + 1) * 60 < fileName.length ? ';' : ''}`),
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 not really').toString('base64'),
    '--mixed--',
    '',
  ]);
}

function plainMail(tag: string): string {
  return crlf([
    'From: Colleague <colleague@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} short`,
    `Message-ID: <${tag}.short@twinbox.test>`,
    'Date: Fri, 02 Jan 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Nothing unusual.',
    '',
  ]);
}

interface Box {
  x: number;
  width: number;
}

async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not laid out');
  return { x: Math.round(box.x), width: Math.round(box.width) };
}

/** The panes as laid out now: folders, the list and the reader. */
async function panes(page: Page): Promise<{ folders: Box; list: Box; reader: Box }> {
  return {
    folders: await boxOf(page.getByRole('navigation', { name: 'Accounts and folders' })),
    list: await boxOf(page.getByRole('listbox', { name: 'Messages' })),
    reader: await boxOf(page.locator('.reader')),
  };
}

/** Every visible button wholly inside the window, none of it cut off at the right. */
async function buttonsOutsideTheWindow(page: Page): Promise<string[]> {
  const width = page.viewportSize()?.width ?? 0;
  const outside: string[] = [];
  for (const button of await page.getByRole('button').all()) {
    if (!(await button.isVisible())) continue;
    const box = await button.boundingBox();
    if (!box || (box.width === 0 && box.height === 0)) continue;
    if (box.x < 0 || box.x + box.width > width + 1) {
      outside.push(`${((await button.textContent()) ?? '').slice(0, 40)} at ${Math.round(box.x)}..${Math.round(box.x + box.width)} of ${width}`);
    }
  }
  return outside;
}

/** Whether the window scrolls sideways (its content wider than it). */
async function scrollsSideways(page: Page): Promise<unknown> {
  // A string, evaluated in the page: these tests compile without the DOM's types.
  return page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
}

describe('layout under hostile content', () => {
  it('a 2,000-character subject, sender and attachment name widen no pane and hide no button', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [plainMail(tag), hostileMail(tag)]);
    session = await openTwinbox({
      beforeOpen: async (call) => {
        await call('accounts.save', { account: accountFor(context, user!, 'imap'), incomingPassword: user!.password });
      },
    });
    const page = session.page;
    await page.setViewportSize({ width: 1280, height: 800 });
    const list = page.getByRole('listbox', { name: 'Messages' });
    const short = list.getByRole('option', { name: new RegExp(`${tag} short`) });
    await short.click();
    await page.getByRole('article', { name: 'Message' }).getByRole('heading', { name: `${tag} short` }).waitFor();
    const before = await panes(page);
    expect(await buttonsOutsideTheWindow(page)).toEqual([]);

    // The hostile message in the list, then open.
    const hostile = list.getByRole('option', { name: new RegExp(`${tag} word0 word1`) });
    await hostile.waitFor();
    expect(await panes(page)).toEqual(before);
    await hostile.click();
    const article = page.getByRole('article', { name: 'Message' });
    await article.getByRole('heading', { name: new RegExp(`^${tag} word0`) }).waitFor();
    await article.getByRole('region', { name: 'Attachments' }).getByRole('listitem').first().waitFor();

    expect(await panes(page)).toEqual(before);
    expect(await scrollsSideways(page)).toBe(false);
    expect(await buttonsOutsideTheWindow(page)).toEqual([]);
    // The reader's own actions stay where they can be pressed.
    const attachments = article.getByRole('region', { name: 'Attachments' });
    for (const button of [
      article.getByRole('button', { name: 'View source' }),
      article.getByRole('button', { name: 'Print…' }),
      article.getByRole('button', { name: 'Save as .eml' }),
      attachments.getByRole('button', { name: /^Save / }),
    ]) {
      const box = await boxOf(button);
      expect(box.x + box.width).toBeLessThanOrEqual(before.reader.x + before.reader.width + 1);
    }
    expect(session.pageErrors).toEqual([]);
  });
});
