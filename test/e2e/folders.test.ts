import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { appendMessages, eventually, leaseMailboxes, openImap, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor, rawMessage } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Folder management in Chromium against the real servers, driven by roles
 * and names: on an IMAP account the folders change on the server (read back
 * by another client, with the delimiter the server lists); on a POP3 account
 * they are this computer's alone.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

async function open(context: Parameters<typeof accountFor>[0], user: TestUser, protocol: 'imap' | 'pop3'): Promise<Page> {
  session = await openTwinbox({
    beforeOpen: async (call) => {
      await call('accounts.save', { account: accountFor(context, user, protocol), incomingPassword: user.password });
    },
  });
  return session.page;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function sidebar(page: Page) {
  return page.getByRole('navigation', { name: 'Accounts and folders' });
}

/** A folder in the sidebar, by its name (with or without an unread count). */
function folder(page: Page, name: string) {
  return sidebar(page).getByRole('button', { name: new RegExp(`^${escape(name)}(, \\d+ unread)?$`) });
}

function row(page: Page, subject: string) {
  return page.getByRole('listbox', { name: 'Messages' }).getByRole('option', { name: new RegExp(escape(subject)) });
}

async function folderAction(page: Page, name: string, action: 'New subfolder…' | 'Rename…' | 'Move to…' | 'Delete…'): Promise<void> {
  await sidebar(page).getByRole('button', { name: `Folder actions for ${name}` }).click();
  await page.getByRole('menu', { name: `Folder actions for ${name}` }).getByRole('menuitem', { name: action }).click();
}

interface ServerFolder {
  path: string;
  subscribed: boolean;
  specialUse?: string;
}

/** The folders as another client sees them on the server, with the delimiter it lists. */
async function serverFolders(user: TestUser): Promise<{ delimiter: string; prefix: string; folders: ServerFolder[] }> {
  const client = await openImap(user);
  try {
    const entries = await client.list();
    return {
      delimiter: entries.find((e) => e.path.toUpperCase() === 'INBOX')?.delimiter ?? '',
      prefix: client.namespace?.prefix ?? '',
      folders: entries.map((e) => ({ path: e.path, subscribed: (e as { subscribed?: boolean }).subscribed === true, ...(e.specialUse ? { specialUse: e.specialUse } : {}) })),
    };
  } finally {
    await client.logout();
  }
}

async function messageCount(user: TestUser, path: string): Promise<number | undefined> {
  const client = await openImap(user);
  try {
    const status = await client.status(path, { messages: true });
    return status === false ? undefined : status.messages;
  } catch {
    return undefined;
  } finally {
    await client.logout();
  }
}

describe('folders', () => {
  it('creates, renames, moves and deletes IMAP folders on the server, asking before a folder with mail goes', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const { delimiter, prefix } = await serverFolders(user!);
    if (delimiter === '') context.skip();
    const setup = await openImap(user!);
    await setup.mailboxCreate(`${prefix}Old`);
    await setup.mailboxCreate(`${prefix}Parent`);
    await setup.logout();
    await appendMessages(user!, [rawMessage(tag, 1), rawMessage(tag, 2)], { folder: `${prefix}Old` });
    const page = await open(context, user!, 'imap');
    await folder(page, 'Old').waitFor();

    // A new folder at the top level; a name with the server's delimiter is refused before anything is sent.
    await sidebar(page).getByRole('button', { name: /^New folder in / }).click();
    const create = page.getByRole('dialog', { name: 'New folder' });
    await create.getByRole('textbox', { name: 'Name' }).fill(`Pro${delimiter}jects`);
    await create.getByRole('status').getByText(/cannot contain/).waitFor();
    await create.getByRole('textbox', { name: 'Name' }).fill('Projects');
    await create.getByRole('button', { name: 'Create' }).click();
    await create.waitFor({ state: 'detached' });
    await folder(page, 'Projects').waitFor();
    await eventually(async () => ((await serverFolders(user!)).folders.find((f) => f.path === `${prefix}Projects`)?.subscribed === true ? true : undefined));

    // A subfolder, joined with the server's delimiter.
    await folderAction(page, 'Projects', 'New subfolder…');
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('textbox', { name: 'Name' }).fill('Alpha');
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('button', { name: 'Create' }).click();
    await page.getByRole('dialog', { name: 'New folder' }).waitFor({ state: 'detached' });
    await folder(page, 'Alpha').waitFor();
    expect((await serverFolders(user!)).folders.map((f) => f.path)).toContain(`${prefix}Projects${delimiter}Alpha`);

    // A name a sibling has is refused in the dialog.
    await folderAction(page, 'Old', 'Rename…');
    const rename = page.getByRole('dialog', { name: 'Rename “Old”' });
    await rename.getByRole('textbox', { name: 'Name' }).fill('Projects');
    await rename.getByRole('status').getByText(/already there/).waitFor();
    // Renamed with its mail.
    await rename.getByRole('textbox', { name: 'Name' }).fill('Renamed');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await rename.waitFor({ state: 'detached' });
    await folder(page, 'Renamed').waitFor();
    await expect.poll(() => folder(page, 'Old').count()).toBe(0);
    expect(await messageCount(user!, `${prefix}Renamed`)).toBe(2);
    expect(await messageCount(user!, `${prefix}Old`)).toBeUndefined();
    await folder(page, 'Renamed').click();
    await row(page, `${tag} message 2`).waitFor();

    // Moved under another parent; the folder shown follows it.
    await folderAction(page, 'Renamed', 'Move to…');
    const move = page.getByRole('dialog', { name: 'Move “Renamed”' });
    await move.getByRole('combobox', { name: 'Move into' }).selectOption({ label: 'Parent' });
    await move.getByRole('button', { name: 'Move' }).click();
    await move.waitFor({ state: 'detached' });
    await expect.poll(() => messageCount(user!, `${prefix}Parent${delimiter}Renamed`)).toBe(2);
    await expect.poll(() => folder(page, 'Renamed').getAttribute('aria-current')).toBe('true');
    await row(page, `${tag} message 1`).waitFor();

    // The special folders keep their name and place.
    await sidebar(page).getByRole('button', { name: 'Folder actions for Trash' }).click();
    const trashMenu = page.getByRole('menu', { name: 'Folder actions for Trash' });
    await expect(trashMenu.getByRole('menuitem', { name: 'Delete…' }).isDisabled()).resolves.toBe(true);
    await expect(trashMenu.getByRole('menuitem', { name: 'Rename…' }).isDisabled()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => trashMenu.count()).toBe(0);

    // Deleted: the dialog says how much mail and where it goes; it goes into the Trash.
    const trash = (await serverFolders(user!)).folders.find((f) => f.specialUse === '\\Trash')?.path ?? 'Trash';
    await folderAction(page, 'Renamed', 'Delete…');
    const confirm = page.getByRole('alertdialog', { name: 'Delete “Renamed”?' });
    await confirm.getByText(/moves to Trash with 2 messages/).waitFor();
    await confirm.getByRole('button', { name: 'Move to Trash' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => messageCount(user!, `${trash}${delimiter}Renamed`)).toBe(2);
    expect(await messageCount(user!, `${prefix}Parent${delimiter}Renamed`)).toBeUndefined();
    await folder(page, 'Renamed').waitFor();

    // Deleted from the Trash: for good, and said so.
    await folderAction(page, 'Renamed', 'Delete…');
    const forGood = page.getByRole('alertdialog', { name: 'Delete “Renamed”?' });
    await forGood.getByText(/deleted for good/).waitFor();
    await forGood.getByRole('button', { name: 'Delete for good' }).click();
    await expect.poll(() => folder(page, 'Renamed').count()).toBe(0);
    const after = await serverFolders(user!);
    expect(after.folders.some((f) => f.path.endsWith('Renamed'))).toBe(false);
  });

  it('keeps a POP3 account’s folders on this computer: created, filled, renamed and deleted into the local Trash', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1)]);
    const page = await open(context, user!, 'pop3');
    await row(page, `${tag} message 1`).waitFor();

    await sidebar(page).getByRole('button', { name: /^New folder in / }).click();
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('textbox', { name: 'Name' }).fill('Receipts');
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('button', { name: 'Create' }).click();
    await folder(page, 'Receipts').waitFor();

    // Mail moves into it as into any folder.
    await folder(page, 'Inbox').click();
    await row(page, `${tag} message 1`).click();
    await page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'Move to…' }).click();
    await page.getByRole('menu', { name: 'Move to folder' }).getByRole('menuitem', { name: 'Receipts' }).click();
    await expect.poll(() => row(page, `${tag} message 1`).count()).toBe(0);

    // Renamed with its mail, by keyboard from the folder's menu.
    await sidebar(page).getByRole('button', { name: 'Folder actions for Receipts' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu', { name: 'Folder actions for Receipts' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const rename = page.getByRole('dialog', { name: 'Rename “Receipts”' });
    await rename.getByRole('textbox', { name: 'Name' }).fill('Bills');
    await page.keyboard.press('Enter');
    await folder(page, 'Bills').click();
    await row(page, `${tag} message 1`).waitFor();

    // The keyboard's context-menu key opens the same menu from the folder itself.
    await folder(page, 'Bills').focus();
    await page.keyboard.press('Shift+F10');
    await page.getByRole('menu', { name: 'Folder actions for Bills' }).getByRole('menuitem', { name: 'New subfolder…' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('menu', { name: 'Folder actions for Bills' }).count()).toBe(0);

    await folderAction(page, 'Bills', 'Delete…');
    const confirm = page.getByRole('alertdialog', { name: 'Delete “Bills”?' });
    await confirm.getByText(/moves to Trash with 1 message/).waitFor();
    await confirm.getByRole('button', { name: 'Move to Trash' }).click();
    await folder(page, 'Bills').click();
    await row(page, `${tag} message 1`).waitFor();

    await folderAction(page, 'Bills', 'Delete…');
    await page.getByRole('alertdialog', { name: 'Delete “Bills”?' }).getByText(/deleted for good with 1 message/).waitFor();
    await page.getByRole('alertdialog', { name: 'Delete “Bills”?' }).getByRole('button', { name: 'Delete for good' }).click();
    await expect.poll(() => folder(page, 'Bills').count()).toBe(0);

    // None of it reached the server, which still keeps the message in its one mailbox.
    const server = await serverFolders(user!);
    expect(server.folders.some((f) => /Receipts|Bills/.test(f.path))).toBe(false);
    expect(await messageCount(user!, 'INBOX')).toBe(1);
  });
});
