import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account } from '../../shared/model';
import { appendMessages, deliverBySmtpOrAppend, eventually, leaseMailboxes, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { OpenOptions, TwinboxSession } from './harness';

/**
 * The main window's everyday actions in Chromium against the real servers,
 * driven by roles, names and keys: move (menu and drag and drop), archive,
 * delete and undo, keyboard navigation and shortcuts, sorting and
 * conversations, local and server search, and the new-mail notification.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

async function open(context: Parameters<typeof accountFor>[0], user: TestUser, protocol: 'imap' | 'pop3', options: OpenOptions & { extra?: Partial<Account> } = {}): Promise<Page> {
  session = await openTwinbox({
    ...options,
    beforeOpen: async (call) => {
      await call('accounts.save', { account: accountFor(context, user, protocol, options.extra ?? {}), incomingPassword: user.password });
    },
  });
  return session.page;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function list(page: Page, name = 'Messages') {
  return page.getByRole('listbox', { name });
}

function row(page: Page, subject: string, listName = 'Messages') {
  return list(page, listName).getByRole('option', { name: new RegExp(escape(subject)) });
}

function toolbar(page: Page) {
  return page.getByRole('toolbar', { name: 'Message actions' });
}

describe('everyday actions in the main window', () => {
  it('moves by menu and by drag and drop, archives, and undoes a delete before the server hears of it', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3, 4, 5].map((i) => rawMessage(tag, i)));
    const page = await open(context, user!, 'imap');
    await row(page, `${tag} message 5`).waitFor();

    // Move through the menu.
    await row(page, `${tag} message 4`).click();
    await toolbar(page).getByRole('button', { name: 'Move to…' }).click();
    await page.getByRole('menu', { name: 'Move to folder' }).getByRole('menuitem', { name: 'Junk' }).click();
    await expect.poll(() => row(page, `${tag} message 4`).count()).toBe(0);
    await eventually(async () => ((await serverFolder(user!, 'Junk')).size === 1 ? true : undefined));

    // Drag a message onto a folder.
    await row(page, `${tag} message 3`).dragTo(page.getByRole('navigation', { name: 'Accounts and folders' }).getByRole('button', { name: /^Trash/ }));
    await eventually(async () => ((await serverFolder(user!, 'Trash')).size === 1 ? true : undefined));

    // Archive by keyboard shortcut.
    await row(page, `${tag} message 2`).click();
    await page.keyboard.press('a');
    await eventually(async () => ((await serverFolder(user!, 'Archive')).size === 1 ? true : undefined));

    // Delete, then undo at once: the message is back and the server never lost it.
    await row(page, `${tag} message 1`).click();
    await toolbar(page).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row(page, `${tag} message 1`).count()).toBe(0);
    await page.getByRole('status', { name: 'Last action' }).getByRole('button', { name: 'Undo delete' }).click();
    await row(page, `${tag} message 1`).waitFor();
    // A delete made after the undo reaches the server once its own undo window is over; the undone one's window
    // ended before that, so had it still been queued, it would have been sent by then too.
    await row(page, `${tag} message 5`).click();
    await toolbar(page).getByRole('button', { name: 'Delete' }).click();
    await eventually(async () => ((await serverFolder(user!, 'Trash')).size === 2 ? true : undefined), 20_000);
    expect([...(await serverFolder(user!)).keys()]).toHaveLength(1);
    await row(page, `${tag} message 1`).waitFor();
  });

  it('navigates and acts by keyboard, selects several with Shift, and lists the shortcuts', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3, 4].map((i) => rawMessage(tag, i)));
    const page = await open(context, user!, 'imap');
    await row(page, `${tag} message 4`).waitFor();
    await list(page).focus();
    await page.keyboard.press('ArrowDown');
    await page.getByRole('article', { name: 'Message' }).getByRole('heading', { name: `${tag} message 4` }).waitFor();
    await page.keyboard.press('j');
    await page.getByRole('article', { name: 'Message' }).getByRole('heading', { name: `${tag} message 3` }).waitFor();
    // M marks unread again what opening marked read (once that has landed); the server follows.
    await expect.poll(async () => (await row(page, `${tag} message 3`).getAttribute('aria-label')) ?? '').not.toMatch(/^Unread/);
    await page.keyboard.press('m');
    await expect.poll(async () => (await row(page, `${tag} message 3`).getAttribute('aria-label')) ?? '').toMatch(/^Unread/);
    await eventually(async () => ((await serverFolder(user!)).get('3')?.includes('\\seen') ? undefined : true));
    // S flags.
    await page.keyboard.press('s');
    await eventually(async () => ((await serverFolder(user!)).get('3')?.includes('\\flagged') ? true : undefined));

    // Shift+Down selects a second message; Delete removes both.
    await list(page).focus();
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => list(page).getByRole('option', { selected: true }).count()).toBe(2);
    await page.keyboard.press('Delete');
    await page.getByRole('status', { name: 'Last action' }).getByText('Deleted 2 messages.').waitFor();
    await expect.poll(async () => Number(await list(page).getByRole('option').first().getAttribute('aria-setsize'))).toBe(2);

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const does of ['Next message', 'Previous message', 'Reply', 'Reply all', 'Forward', 'Delete', 'Search']) {
      await help.getByRole('cell', { name: does, exact: true }).last().waitFor();
    }
    await help.getByRole('button', { name: 'Close' }).click();
  });

  it('sorts by sender and groups a conversation into one row', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const root = `${tag}.1@twinbox.test`;
    await appendMessages(user!, [
      rawMessage(tag, 1),
      rawMessage(tag, 2, { references: [root] }),
      rawMessage(tag, 3, { references: [root, `${tag}.2@twinbox.test`] }),
      rawMessage(tag, 4),
    ]);
    const page = await open(context, user!, 'imap');
    await row(page, `${tag} message 4`).waitFor();
    await page.getByRole('group', { name: 'List view' }).getByLabel('Sort by').selectOption('sender');
    await expect.poll(async () => (await list(page).getByRole('option').first().getAttribute('aria-label')) ?? '').toMatch(/Sender 1,/);

    await page.getByRole('group', { name: 'List view' }).getByLabel('Sort by').selectOption('date');
    await page.getByRole('group', { name: 'List view' }).getByLabel('Conversations').check();
    await expect.poll(async () => Number(await list(page).getByRole('option').first().getAttribute('aria-setsize'))).toBe(2);
    await row(page, 'conversation of 3').click();
    const conversation = page.getByRole('navigation', { name: 'Conversation, 3 messages' });
    await conversation.getByRole('button', { name: /^Sender 1/ }).click();
    await page.getByRole('article', { name: 'Message' }).getByRole('heading', { name: `${tag} message 1` }).waitFor();
  });

  it('searches here at once, and on the server for text that is not here', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [
      rawMessage(tag, 1, { body: 'The quarterly zebrafinch report is attached.' }),
      rawMessage(tag, 2, { body: 'Nothing to see.' }),
      rawMessage(`other-${tag}`, 3, { body: 'Lunch?' }),
    ]);
    const page = await open(context, user!, 'imap', { extra: { imap: { deleteMode: 'trash', cacheLimitMegabytes: 0 } } });
    await row(page, `${tag} message 2`).waitFor();

    // By subject, at once.
    await page.getByRole('searchbox', { name: 'Search mail' }).fill(`${tag} message`);
    await row(page, `${tag} message 1`, 'Search results').waitFor();
    await expect.poll(() => list(page, 'Search results').getByRole('option').count()).toBe(2);

    // A word only in a body that is not on this computer: the page says results may be incomplete; the server finds it.
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('zebrafinch');
    const note = page.getByRole('status', { name: 'Search results' });
    await note.getByText(/No messages found/).waitFor();
    await note.getByText(/may be incomplete/).waitFor();
    await note.getByRole('button', { name: 'Search on the server' }).click();
    await row(page, `${tag} message 1`, 'Search results').waitFor();
    await note.getByText(/Includes what the server found in Inbox/).waitFor();

    // Once the body is here, local search finds it too.
    await row(page, `${tag} message 1`, 'Search results').click();
    await page.getByRole('article', { name: 'Message' }).getByText(/zebrafinch/).waitFor();
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('');
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('zebrafinch');
    await row(page, `${tag} message 1`, 'Search results').waitFor();
  });

  it('says that a POP3 search is complete, and finds by body text at once', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1, { body: 'Pelican migration notes.' }), rawMessage(tag, 2)]);
    const page = await open(context, user!, 'pop3');
    await row(page, `${tag} message 2`).waitFor();
    await page.getByRole('searchbox', { name: 'Search mail' }).fill('pelican');
    await row(page, `${tag} message 1`, 'Search results').waitFor();
    await page.getByRole('status', { name: 'Search results' }).getByText(/All of this account’s mail is on this computer/).waitFor();
  });

  it('shows a desktop notification for new mail', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1)]);
    const page = await open(context, user!, 'imap', {
      permissions: ['notifications'],
      // Records what the page shows, as the system would display it.
      initScript: `(() => {
        const Real = window.Notification;
        window.shownNotifications = [];
        class Recording extends Real {
          constructor(title, options) { super(title, options); window.shownNotifications.push({ title, body: options && options.body }); }
        }
        Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
        window.Notification = Recording;
      })()`,
    });
    await row(page, `${tag} message 1`).waitFor();
    await page.getByRole('status', { name: 'Sync status' }).getByText(/Up to date/).waitFor();
    await deliverBySmtpOrAppend(user!, { subject: `${tag} fresh news`, text: 'new' });
    await row(page, `${tag} fresh news`).waitFor({ timeout: 15_000 });
    await expect
      .poll(async () => JSON.stringify(await page.evaluate('window.shownNotifications')))
      .toContain(`${tag} fresh news`);
  });
});
