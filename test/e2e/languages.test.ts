import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogs } from '../../renderer/i18n/resources';
import type { Namespace } from '../../renderer/i18n/resources';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * The interface in the user's language: German when the system says German,
 * the user's choice over the system's (kept across restarts), dates and sizes
 * written the German way, a layout that holds German's longer words, and
 * right-to-left mail shown right to left inside a left-to-right window.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

/** The German for an English text of the interface, found through the English catalog (so the test names what a user reads). */
function german(namespace: Namespace, english: string): string {
  const find = (tree: object, path: string[]): string[] | undefined => {
    for (const [key, value] of Object.entries(tree)) {
      if (value === english) return [...path, key];
      if (typeof value === 'object' && value !== null) {
        const found = find(value as object, [...path, key]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const path = find(catalogs.en[namespace], []);
  if (!path) throw new Error(`"${english}" is not in the English ${namespace} catalog`);
  const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], catalogs.de[namespace]);
  if (typeof value !== 'string') throw new Error(`no German for "${english}"`);
  return value;
}

const crlf = (lines: string[]): string => lines.join('\r\n');
/** A date this year (the list shows day and month for those), at noon UTC so that no time zone moves its day. */
const SENT = new Date(Date.UTC(new Date().getUTCFullYear(), 0, 2, 12, 0));

function messageWithAttachment(tag: string): string {
  return crlf([
    'From: Anna Berger <anna@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} Quartalsbericht`,
    `Message-ID: <${tag}.report@twinbox.test>`,
    `Date: ${SENT.toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Der Bericht hängt an.',
    '--b',
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename="bericht.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.alloc(1536, 7).toString('base64'),
    '--b--',
    '',
  ]);
}

async function openWith(context: Parameters<typeof accountFor>[0], user: TestUser, locale: string): Promise<Page> {
  session = await openTwinbox({
    locale,
    beforeOpen: async (call) => {
      await call('accounts.save', { account: accountFor(context, user, 'imap'), incomingPassword: user.password });
    },
  });
  await session.page.setViewportSize({ width: 1280, height: 800 });
  return session.page;
}

const pageLanguage = (page: Page): Promise<unknown> => page.evaluate('[document.documentElement.lang, document.documentElement.dir]');

/**
 * Labels and headings whose text runs out of their box (spilling over a
 * neighbour, or cut off), toolbar buttons laid over one another, and a window
 * that scrolls sideways. A string, run in the page: these tests compile without the DOM's types.
 */
const LAYOUT_PROBLEMS = `(root) => {
  const problems = [];
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  for (const element of root.querySelectorAll('button, label, h1, h2, h3, th, legend, summary, [role="tab"], [role="menuitem"]')) {
    if (!visible(element) || getComputedStyle(element).display === 'inline') continue;
    if (element.scrollWidth > element.clientWidth + 1) problems.push('"' + element.textContent.trim().slice(0, 40) + '" needs ' + element.scrollWidth + ' px, has ' + element.clientWidth);
  }
  for (const bar of root.querySelectorAll('[role="toolbar"], header')) {
    const boxes = [...bar.querySelectorAll(':scope > button, :scope > * > button')].filter(visible).map((button) => ({ text: button.textContent.trim(), box: button.getBoundingClientRect() }));
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
      if (a.box.left < b.box.right - 1 && b.box.left < a.box.right - 1 && a.box.top < b.box.bottom - 1 && b.box.top < a.box.bottom - 1) problems.push('"' + a.text + '" and "' + b.text + '" overlap');
    }));
  }
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth) problems.push('the window scrolls sideways');
  return problems;
}`;

async function layoutProblems(page: Page, selector: string): Promise<unknown> {
  return page.evaluate(`(${LAYOUT_PROBLEMS})(document.querySelector(${JSON.stringify(selector)}))`);
}

/** What the page offers to code run in it, typed here because these tests compile without the DOM's types. */
interface PageGlobals {
  getComputedStyle(element: unknown): { direction: string };
}

/** The writing direction an element's text is laid out in. */
async function direction(locator: Locator): Promise<string> {
  return locator.evaluate((element) => (globalThis as unknown as PageGlobals).getComputedStyle(element).direction);
}

describe('languages', () => {
  it('follows a German system, writes dates and sizes the German way, and keeps the language the user picks', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [messageWithAttachment(tag)]);
    const page = await openWith(context, user!, 'de-DE');
    expect(await pageLanguage(page)).toEqual(['de', 'ltr']);

    const getMail = page.getByRole('button', { name: german('mail', 'Get mail') });
    await getMail.waitFor();
    const list = page.getByRole('listbox', { name: german('mail', 'Messages') });
    const row = list.getByRole('option', { name: new RegExp(tag) });
    await expect.poll(() => row.textContent()).toContain(new Intl.DateTimeFormat('de', { day: 'numeric', month: 'short' }).format(SENT));

    await row.click();
    const article = page.getByRole('article', { name: german('mail', 'Message') });
    await article.getByRole('heading', { name: `${tag} Quartalsbericht` }).waitFor();
    await expect.poll(() => article.textContent()).toContain(new Intl.DateTimeFormat('de', { dateStyle: 'full', timeStyle: 'short' }).format(SENT));
    // 1,536 bytes: "1,5 KB" with the German decimal comma.
    await expect.poll(() => article.textContent()).toContain('1,5 KB');

    // The user's choice wins over the system's at once, without a reload, and is kept for the next start.
    await page.getByRole('combobox', { name: german('common', 'Language') }).selectOption('en');
    await page.getByRole('button', { name: 'Get mail' }).waitFor();
    expect(await pageLanguage(page)).toEqual(['en', 'ltr']);
    await expect.poll(() => page.getByRole('article', { name: 'Message' }).textContent()).toContain('1.5 KB');
    const restarted = await session!.restart();
    await restarted.getByRole('button', { name: 'Get mail' }).waitFor();
    expect(await pageLanguage(restarted)).toEqual(['en', 'ltr']);

    // Back to the system's language.
    await restarted.getByRole('combobox', { name: 'Language' }).selectOption('system');
    await restarted.getByRole('button', { name: german('mail', 'Get mail') }).waitFor();
    expect(session!.pageErrors).toEqual([]);
  });

  it('holds its layout in German: nothing cut off, spilling or overlapping in the main window, the composer and the Lab', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [messageWithAttachment(tag)]);
    const page = await openWith(context, user!, 'de-DE');
    const list = page.getByRole('listbox', { name: german('mail', 'Messages') });
    await list.getByRole('option', { name: new RegExp(tag) }).click();
    await page.getByRole('article', { name: german('mail', 'Message') }).getByRole('heading', { name: `${tag} Quartalsbericht` }).waitFor();
    expect(await layoutProblems(page, 'body')).toEqual([]);

    await page.getByRole('button', { name: german('mail', 'New message') }).click();
    const composer = page.getByRole('dialog', { name: german('compose', 'New message') });
    await composer.waitFor();
    expect(await layoutProblems(page, 'dialog.composer')).toEqual([]);
    await composer.getByRole('button', { name: german('common', 'Close') }).click();

    await page.getByRole('button', { name: german('mail', 'Protocol Lab') }).click();
    const lab = page.getByRole('region', { name: german('lab', 'Protocol Lab') });
    await lab.waitFor();
    expect(await layoutProblems(page, 'section.lab')).toEqual([]);

    // The check sees a label cut off when there is one.
    await page.evaluate(`document.querySelector('section.lab').append(Object.assign(document.createElement('button'), { textContent: 'Eine viel zu lange Beschriftung', style: 'width: 40px; white-space: nowrap; overflow: hidden' }))`);
    expect(await layoutProblems(page, 'section.lab')).toEqual([expect.stringContaining('Eine viel zu lange')]);
    expect(session!.pageErrors).toEqual([]);
  });

  it('shows right-to-left mail right to left inside the left-to-right window', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const arabicSubject = 'دعوة إلى اجتماع الفريق';
    const hebrewText = 'שלום, נתראה בישיבה מחר בבוקר.';
    await appendMessages(user!, [
      crlf([
        `From: =?UTF-8?B?${Buffer.from('سارة أحمد').toString('base64')}?= <sara@example.org>`,
        'To: reader@example.org',
        `Subject: =?UTF-8?B?${Buffer.from(`${arabicSubject} ${tag}`).toString('base64')}?=`,
        `Message-ID: <${tag}.ar@twinbox.test>`,
        `Date: ${SENT.toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'مرحبا، نلتقي غدا في الساعة العاشرة.',
        '',
      ]),
      crlf([
        'From: Dana <dana@example.org>',
        'To: reader@example.org',
        `Subject: =?UTF-8?B?${Buffer.from(`ישיבה ${tag}`).toString('base64')}?=`,
        `Message-ID: <${tag}.he@twinbox.test>`,
        `Date: ${SENT.toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        `<html><body><p>${hebrewText}</p></body></html>`,
        '',
      ]),
    ]);
    const page = await openWith(context, user!, 'en-US');
    const list = page.getByRole('listbox', { name: 'Messages' });

    const arabicRow = list.getByRole('option', { name: new RegExp(tag) }).filter({ hasText: arabicSubject });
    await arabicRow.waitFor();
    expect(await direction(arabicRow.getByText(arabicSubject))).toBe('rtl');
    expect(await direction(arabicRow.getByText('سارة أحمد'))).toBe('rtl');
    await arabicRow.click();
    const article = page.getByRole('article', { name: 'Message' });
    expect(await direction(article.getByRole('heading', { name: new RegExp(arabicSubject) }))).toBe('rtl');
    expect(await direction(article.getByText('مرحبا، نلتقي غدا'))).toBe('rtl');

    await list.getByRole('option', { name: new RegExp(tag) }).filter({ hasText: 'ישיבה' }).click();
    const body = article.frameLocator('iframe').locator('p', { hasText: 'שלום' });
    await body.waitFor();
    expect(await direction(body)).toBe('rtl');

    // The interface around the mail stays left to right.
    expect(await pageLanguage(page)).toEqual(['en', 'ltr']);
    expect(await direction(page.getByRole('toolbar', { name: 'Message actions' }))).toBe('ltr');
    expect(await layoutProblems(page, 'body')).toEqual([]);
    expect(session!.pageErrors).toEqual([]);
  });
});
