import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account, RetentionPolicy } from '../../shared/model';
import { appendMessages, deliverBySmtpOrAppend, eventually, leaseMailboxes, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * The two cache modes in the real page (Chromium, real IndexedDB, the built
 * renderer), against real Dovecot and Postfix, driven through roles and
 * names only: what the user sees, and what the server then holds.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

async function open(context: Parameters<typeof accountFor>[0], user: TestUser, protocol: 'imap' | 'pop3', extra: Partial<Account> = {}): Promise<Page> {
  session = await openTwinbox({
    beforeOpen: async (call) => {
      await call('accounts.save', { account: accountFor(context, user, protocol, extra), incomingPassword: user.password });
    },
  });
  return session.page;
}

function list(page: Page) {
  return page.getByRole('listbox', { name: 'Messages' });
}

function message(page: Page, subject: string) {
  return list(page).getByRole('option', { name: new RegExp(subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
}

/** How many messages the list holds (the virtualised list renders only some of them). */
async function listed(page: Page): Promise<number> {
  const first = list(page).getByRole('option').first();
  await first.waitFor();
  return Number(await first.getAttribute('aria-setsize'));
}

async function waitForUpToDate(page: Page): Promise<void> {
  await page.getByRole('status', { name: 'Sync status' }).getByText(/Up to date/).waitFor({ timeout: 30_000 });
}

const pop3 = (retention: RetentionPolicy): Partial<Account> => ({ pop3: { retention, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } });

describe('IMAP mode in the page', () => {
  it('syncs, shows new mail pushed by the server, and marks read on the server', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i)));
    const page = await open(context, user!, 'imap');
    await message(page, `${tag} message 3`).waitFor();
    expect(await listed(page)).toBe(3);
    // Newest first.
    expect(await list(page).getByRole('option').first().getAttribute('aria-label')).toContain(`${tag} message 3`);
    await page.getByRole('button', { name: /^Inbox, 3 unread$/ }).waitFor();

    // New mail appears without the user doing anything (IDLE).
    await deliverBySmtpOrAppend(user!, { subject: `${tag} pushed`, text: 'Hello from outside' });
    await message(page, `${tag} pushed`).waitFor({ timeout: 15_000 });

    // Opening marks read; the server, and so every other device, sees it.
    await message(page, `${tag} message 1`).click();
    await page.getByRole('article', { name: 'Message' }).getByText(`Body of message 1, about ${tag}.`).waitFor();
    await eventually(async () => ((await serverFolder(user!)).get('1')?.includes('\\seen') ? true : undefined));
    await page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'Mark as unread' }).click();
    await eventually(async () => ((await serverFolder(user!)).get('1')?.includes('\\seen') ? undefined : true));
    expect(session!.pageErrors).toEqual([]);
  });

  it('deletes on the server, survives a reload mid-sync, and comes back whole after the cache is wiped', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    // Enough for a first screen and two full batches after it: a sync long enough to be caught under way.
    const count = 2400;
    await appendMessages(user!, Array.from({ length: count }, (_, i) => rawMessage(tag, i + 1)));
    const page = await open(context, user!, 'imap');
    // Reload while the first sync is under way (its progress bar is showing).
    await page.getByRole('progressbar', { name: /^Syncing/ }).first().waitFor();
    await page.reload();
    await waitForUpToDate(page);
    expect(await listed(page)).toBe(count);

    await message(page, `${tag} message ${count}`).click();
    await page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => listed(page)).toBe(count - 1);
    await eventually(async () => ((await serverFolder(user!)).has(String(count)) ? undefined : true));

    await page.getByRole('button', { name: 'Forget local copy…' }).click();
    await page.getByRole('dialog', { name: /Forget this computer’s copy/ }).getByRole('button', { name: 'Forget and resync' }).click();
    await waitForUpToDate(page);
    await expect.poll(() => listed(page), { timeout: 30_000 }).toBe(count - 1);
    expect(await message(page, `${tag} message ${count}`).count()).toBe(0);
  });
});

describe('POP3 mode in the page', () => {
  it('downloads, marks read here only, and never brings back what was deleted here', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i)));
    const page = await open(context, user!, 'pop3', pop3({ kind: 'keep' }));
    await message(page, `${tag} message 3`).waitFor();
    const serverBefore = await serverFolder(user!);

    await message(page, `${tag} message 2`).click();
    await page.getByRole('article', { name: 'Message' }).getByText(`Body of message 2, about ${tag}.`).waitFor();
    await page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'Flag' }).click();
    await expect.poll(async () => (await message(page, `${tag} message 2`).getAttribute('aria-label')) ?? '').toMatch(/Flagged/);
    // Nothing of it reached the server.
    expect(await serverFolder(user!)).toEqual(serverBefore);

    await page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => listed(page)).toBe(2);
    // A new check: the server still has it ("keep"), but it does not come back.
    await deliverBySmtpOrAppend(user!, { subject: `${tag} later`, text: 'later' });
    await eventually(async () => ((await serverFolder(user!)).size === 4 ? true : undefined));
    await page.getByRole('button', { name: 'Get mail' }).click();
    await message(page, `${tag} later`).waitFor({ timeout: 15_000 });
    expect(await listed(page)).toBe(3);
    expect(await message(page, `${tag} message 2`).count()).toBe(0);
    expect((await serverFolder(user!)).size).toBe(4);
  });

  it('after a reload mid-download has no duplicates, and after a wipe has only what the server kept', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    // Enough for a first screen and more than one full batch after it, so that there is a download to interrupt.
    const count = 1200;
    await appendMessages(user!, Array.from({ length: count }, (_, i) => rawMessage(tag, i + 1)));
    const page = await open(context, user!, 'pop3', pop3({ kind: 'until-deleted-here' }));
    await page.getByRole('progressbar', { name: /^Syncing/ }).first().waitFor();
    await page.reload();
    await waitForUpToDate(page);
    await expect.poll(() => listed(page)).toBe(count);

    await message(page, `${tag} message ${count}`).click();
    await page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => listed(page)).toBe(count - 1);
    // The next check deletes it on the server, as the policy says.
    await page.getByRole('button', { name: 'Get mail' }).click();
    await eventually(async () => ((await serverFolder(user!)).size === count - 1 ? true : undefined));

    await page.getByRole('button', { name: 'Forget local copy…' }).click();
    await page.getByRole('dialog', { name: /Forget this computer’s copy/ }).getByRole('button', { name: 'Forget and resync' }).click();
    await expect.poll(() => listed(page), { timeout: 30_000 }).toBe(count - 1);
    expect(await message(page, `${tag} message ${count}`).count()).toBe(0);
  });
});
