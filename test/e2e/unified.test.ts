import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { appendMessages, eventually, leaseMailboxes, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * The unified views (all inboxes, unread, flagged) and search across
 * accounts, with a POP3 and an IMAP account side by side in Chromium against
 * the real servers: rows say whose they are, and each action goes the way of
 * its own account.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function list(page: Page, name = 'Messages') {
  return page.getByRole('listbox', { name });
}

function row(page: Page, subject: string, listName = 'Messages') {
  return list(page, listName).getByRole('option', { name: new RegExp(`${escape(subject)}\\b`) });
}

function sidebar(page: Page) {
  return page.getByRole('navigation', { name: 'Accounts and folders' });
}

function unifiedFolder(page: Page, name: string) {
  return sidebar(page).getByRole('list', { name: 'Unified folders' }).getByRole('button', { name: new RegExp(`^${name}`) });
}

function toolbar(page: Page) {
  return page.getByRole('toolbar', { name: 'Message actions' });
}

/** The rows of this test's messages, as the list names them, in order. */
async function rowNames(page: Page, tag: string, listName = 'Messages'): Promise<string[]> {
  const options = await list(page, listName).getByRole('option').all();
  const names = await Promise.all(options.map(async (option) => (await option.getAttribute('aria-label')) ?? ''));
  return names.filter((name) => name.includes(tag));
}

/** "message 3 in Home (POP3)" for each row: which message and whose. */
async function shownAs(page: Page, tag: string, listName = 'Messages'): Promise<string[]> {
  return (await rowNames(page, tag, listName)).map((name) => {
    const number = new RegExp(`${escape(tag)} message (\\d+)`).exec(name)?.[1] ?? '?';
    const account = / — in (.+)$/.exec(name)?.[1] ?? 'no account';
    return `${number} in ${account}`;
  });
}

async function open(context: Parameters<typeof accountFor>[0], home: TestUser, work: TestUser): Promise<Page> {
  session = await openTwinbox({
    beforeOpen: async (call) => {
      await call('accounts.save', { account: accountFor(context, home, 'pop3', { name: 'Home' }), incomingPassword: home.password });
      await call('accounts.save', { account: accountFor(context, work, 'imap', { name: 'Work' }), incomingPassword: work.password });
    },
  });
  return session.page;
}

describe('unified views across a POP3 and an IMAP account', () => {
  it('lists every Inbox by date with each row’s account, acts through each account’s mode, and follows new mail', async (context) => {
    const [home, work] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    // Interleaved dates: the merge has to alternate between the accounts.
    await appendMessages(home!, [rawMessage(tag, 1), rawMessage(tag, 3)]);
    const workUids = await appendMessages(work!, [rawMessage(tag, 2), rawMessage(tag, 4)]);
    const page = await open(context, home!, work!);

    await unifiedFolder(page, 'All inboxes').click();
    await expect.poll(() => shownAs(page, tag)).toEqual(['4 in Work (IMAP)', '3 in Home (POP3)', '2 in Work (IMAP)', '1 in Home (POP3)']);
    await expect.poll(() => unifiedFolder(page, 'All inboxes').getAttribute('aria-label')).toBe('All inboxes, 4 unread');
    await expect.poll(() => unifiedFolder(page, 'All inboxes').getAttribute('aria-current')).toBe('true');
    await expect.poll(() => page.getByRole('status', { name: 'Sync status' }).getByText(/Up to date/).count()).toBe(2);
    const homeOnServer = await serverFolder(home!);
    expect(homeOnServer.size).toBe(2);

    // Reading and flagging a POP3 row: this computer only.
    await row(page, `${tag} message 3`).click();
    await page.getByRole('article', { name: 'Message' }).getByRole('heading', { name: `${tag} message 3` }).waitFor();
    await expect.poll(async () => (await row(page, `${tag} message 3`).getAttribute('aria-label')) ?? '').not.toMatch(/^Unread/);
    await toolbar(page).getByRole('button', { name: 'Flag', exact: true }).click();
    await expect.poll(async () => (await row(page, `${tag} message 3`).getAttribute('aria-label')) ?? '').toMatch(/^Flagged/);

    // Reading and flagging an IMAP row: the server has it.
    await row(page, `${tag} message 4`).click();
    await page.getByRole('article', { name: 'Message' }).getByRole('heading', { name: `${tag} message 4` }).waitFor();
    await expect.poll(async () => (await row(page, `${tag} message 4`).getAttribute('aria-label')) ?? '').not.toMatch(/^Unread/);
    await toolbar(page).getByRole('button', { name: 'Flag', exact: true }).click();
    await eventually(async () => {
      const flags = (await serverFolder(work!)).get(String(workUids[1]));
      return flags?.includes('\\seen') && flags.includes('\\flagged') ? true : undefined;
    });
    await expect.poll(() => unifiedFolder(page, 'All inboxes').getAttribute('aria-label')).toBe('All inboxes, 2 unread');
    expect(await serverFolder(home!)).toEqual(homeOnServer);

    // Flagged and Unread gather both accounts' mail.
    await expect.poll(() => unifiedFolder(page, 'Flagged').getAttribute('aria-label')).toBe('Flagged, 2 flagged');
    await unifiedFolder(page, 'Flagged').click();
    await expect.poll(() => shownAs(page, tag)).toEqual(['4 in Work (IMAP)', '3 in Home (POP3)']);
    await expect.poll(() => unifiedFolder(page, 'Unread').getAttribute('aria-label')).toBe('Unread, 2 unread');
    await unifiedFolder(page, 'Unread').click();
    await expect.poll(() => shownAs(page, tag)).toEqual(['2 in Work (IMAP)', '1 in Home (POP3)']);
    // A message read here stays listed until the view is left, so the rows do not move under the reader.
    await row(page, `${tag} message 2`).click();
    await expect.poll(() => unifiedFolder(page, 'Unread').getAttribute('aria-label')).toBe('Unread, 1 unread');
    await expect.poll(async () => (await row(page, `${tag} message 2`).getAttribute('aria-label')) ?? '').not.toMatch(/^Unread/);
    expect(await shownAs(page, tag)).toEqual(['2 in Work (IMAP)', '1 in Home (POP3)']);
    await unifiedFolder(page, 'Flagged').click();
    await unifiedFolder(page, 'Unread').click();
    await expect.poll(() => shownAs(page, tag)).toEqual(['1 in Home (POP3)']);

    // Archiving a selection from both accounts: each to its own Archive, the IMAP one on the server.
    await unifiedFolder(page, 'All inboxes').click();
    await row(page, `${tag} message 2`).click();
    await row(page, `${tag} message 1`).click({ modifiers: ['ControlOrMeta'] });
    await expect.poll(() => list(page).getByRole('option', { selected: true }).count()).toBe(2);
    await toolbar(page).getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => shownAs(page, tag)).toEqual(['4 in Work (IMAP)', '3 in Home (POP3)']);
    await eventually(async () => ((await serverFolder(work!, 'Archive')).size === 1 ? true : undefined), 15_000);
    expect(await serverFolder(home!)).toEqual(homeOnServer);
    await sidebar(page).getByRole('region', { name: /^Home/ }).getByRole('button', { name: /^Archive/ }).click();
    await row(page, `${tag} message 1`).waitFor();
    await unifiedFolder(page, 'All inboxes').click();

    // New mail: the IMAP account hears of it by itself, the POP3 one when asked; the list and the counts follow.
    await appendMessages(work!, [rawMessage(tag, 5)]);
    await expect.poll(() => shownAs(page, tag), { timeout: 20_000 }).toEqual(['5 in Work (IMAP)', '4 in Work (IMAP)', '3 in Home (POP3)']);
    await expect.poll(() => unifiedFolder(page, 'All inboxes').getAttribute('aria-label')).toBe('All inboxes, 1 unread');
    await appendMessages(home!, [rawMessage(tag, 6)]);
    await toolbar(page).getByRole('button', { name: 'Get mail' }).click();
    await expect.poll(() => shownAs(page, tag), { timeout: 20_000 }).toEqual(['6 in Home (POP3)', '5 in Work (IMAP)', '4 in Work (IMAP)', '3 in Home (POP3)']);
    await expect.poll(() => unifiedFolder(page, 'All inboxes').getAttribute('aria-label')).toBe('All inboxes, 2 unread');
    expect(session?.pageErrors).toEqual([]);
  });

  it('searches every account from the search field, saying whose each result is', async (context) => {
    const [home, work] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    await appendMessages(home!, [rawMessage(tag, 1), rawMessage(tag, 3)]);
    await appendMessages(work!, [rawMessage(tag, 2)]);
    const page = await open(context, home!, work!);
    await unifiedFolder(page, 'All inboxes').click();
    await expect.poll(() => shownAs(page, tag)).toHaveLength(3);

    // From a unified view, search covers every account.
    const search = page.getByRole('searchbox', { name: 'Search mail' });
    await search.fill(tag);
    await expect.poll(() => shownAs(page, tag, 'Search results')).toEqual(['3 in Home (POP3)', '2 in Work (IMAP)', '1 in Home (POP3)']);
    expect(await page.getByRole('checkbox', { name: 'All accounts' }).isChecked()).toBe(true);
    await page.getByRole('status', { name: 'Search results' }).getByText('3 messages found in every account.').waitFor();

    // From an account's folder, its own account, or every account when asked.
    await sidebar(page).getByRole('region', { name: /^Work/ }).getByRole('button', { name: /^Inbox/ }).click();
    await search.fill(tag);
    await expect.poll(() => shownAs(page, tag, 'Search results')).toEqual(['2 in no account']);
    await page.getByRole('checkbox', { name: 'All accounts' }).check();
    await expect.poll(() => shownAs(page, tag, 'Search results')).toEqual(['3 in Home (POP3)', '2 in Work (IMAP)', '1 in Home (POP3)']);
    expect(session?.pageErrors).toEqual([]);
  });
});
