import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { accountFor } from '../mailstack/fixtures';
import { appendMessage, leaseMailboxes, requireEndpoint, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * The address book in the real page against real Dovecot and Postfix: the
 * people written to are completed in To, Cc and Bcc by keyboard, and the
 * address book goes out and comes in as vCard. Driven by roles, labels and keys.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

async function open(context: TestContext, me: TestUser): Promise<Page> {
  requireEndpoint(context, 'smtp');
  session = await openTwinbox({
    beforeOpen: async (call) => {
      await call('accounts.save', { account: accountFor(context, me, 'imap'), incomingPassword: me.password });
    },
  });
  return session.page;
}

function toolbarButton(page: Page, name: string): Locator {
  return page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name, exact: true });
}

async function newMessage(page: Page): Promise<Locator> {
  await toolbarButton(page, 'New message').click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  await dialog.getByRole('textbox', { name: 'Message text' }).waitFor();
  return dialog;
}

describe('contacts and completion', () => {
  it('completes the people written to by keyboard, exports them as vCard, and completes an imported one', async (context) => {
    const [me, ann, bob] = await leaseMailboxes(context, 3);
    const tag = uniqueTag();
    const page = await open(context, me!);
    await page.getByRole('navigation', { name: 'Accounts and folders' }).getByRole('button', { name: /^Inbox/ }).waitFor();

    // Written to once: both become contacts, with the names they were written to under.
    let dialog = await newMessage(page);
    await dialog.getByLabel('To', { exact: true }).fill(`Annika Tester <${ann!.address}>`);
    await dialog.getByLabel('Cc', { exact: true }).fill(`Bertram Other <${bob!.address}>`);
    await dialog.getByLabel('Subject', { exact: true }).fill(`${tag} hello`);
    await dialog.getByRole('textbox', { name: 'Message text' }).fill('Hello both.');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('status', { name: 'Outbox' }).getByText('Message sent.').waitFor({ timeout: 20_000 });

    // A new message: the start of a name, a key, and the next one.
    dialog = await newMessage(page);
    const to = dialog.getByRole('combobox', { name: 'To', exact: true });
    await to.focus();
    await to.pressSequentially('ann');
    const suggestions = dialog.getByRole('listbox', { name: 'Suggested recipients' });
    await expect.poll(() => suggestions.getByRole('option').allTextContents()).toEqual([`Annika Tester <${ann!.address}>`]);
    expect(await to.getAttribute('aria-expanded')).toBe('true');
    expect(await to.getAttribute('aria-activedescendant')).toBe(await suggestions.getByRole('option').first().getAttribute('id'));
    await to.press('Enter');
    await expect.poll(() => to.inputValue()).toBe(`Annika Tester <${ann!.address}>, `);
    await expect.poll(() => to.getAttribute('aria-expanded')).toBe('false');

    // The one already written is not offered again; Escape closes the list and leaves the message open.
    await to.pressSequentially('oth');
    await expect.poll(() => suggestions.getByRole('option').allTextContents()).toEqual([`Bertram Other <${bob!.address}>`]);
    await to.press('Escape');
    await expect.poll(() => to.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await to.press('ArrowDown');
    await expect.poll(() => to.getAttribute('aria-expanded')).toBe('true');
    await to.press('Tab');
    await expect.poll(() => to.inputValue()).toBe(`Annika Tester <${ann!.address}>, Bertram Other <${bob!.address}>, `);

    // Completion works in Bcc too.
    const bcc = dialog.getByRole('combobox', { name: 'Bcc', exact: true });
    await bcc.focus();
    await bcc.pressSequentially('bert');
    await expect.poll(() => suggestions.getByRole('option').allTextContents()).toEqual([`Bertram Other <${bob!.address}>`]);
    await bcc.press('Enter');
    await expect.poll(() => bcc.inputValue()).toBe(`Bertram Other <${bob!.address}>, `);
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    const ask = page.getByRole('button', { name: /^Discard/ });
    if (await ask.isVisible()) await ask.click();
    await dialog.waitFor({ state: 'hidden' });

    // The address book: both people, exported as vCard.
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    const book = page.getByRole('dialog', { name: 'Contacts' });
    const list = book.getByRole('list', { name: 'Contacts' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    const download = page.waitForEvent('download');
    await book.getByRole('button', { name: 'Export vCard…' }).click();
    const exported = await readFile((await (await download).path()));
    const cards = exported.toString('utf8');
    expect(cards.match(/BEGIN:VCARD/g)).toHaveLength(2);
    expect(cards).toContain('VERSION:4.0');
    expect(cards).toContain('FN:Annika Tester');
    expect(cards).toContain(`EMAIL:${ann!.address}`);
    expect(cards).toContain('FN:Bertram Other');
    expect(cards).toContain(`EMAIL:${bob!.address}`);

    // A renamed contact keeps the name given here.
    await book.getByRole('button', { name: `Edit ${bob!.address}` }).click();
    const name = book.getByRole('textbox', { name: `Name for ${bob!.address}` });
    await name.fill('Bertie Renamed');
    await name.press('Enter');
    await list.getByText('Bertie Renamed').waitFor();

    // A card from elsewhere: a new person, and one without an address, reported as skipped.
    const vcf = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Dörte Zürcher',
      'N:Zürcher;Dörte;;;',
      'EMAIL;TYPE=INTERNET:doerte@example.org',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Phone Only',
      'TEL:+1 555 0100',
      'END:VCARD',
      '',
    ].join('\r\n');
    await book.getByLabel('Import vCard').setInputFiles({ name: 'friends.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcf, 'utf8') });
    await expect.poll(() => book.getByRole('status').textContent()).toContain('Imported friends.vcf: 1 new contact, 0 names updated, 1 card skipped.');
    expect(await book.getByRole('list', { name: 'Skipped cards' }).textContent()).toContain('“Phone Only”: it has no e-mail address.');
    await expect.poll(() => list.getByRole('listitem').count()).toBe(3);
    await book.getByRole('button', { name: 'Close', exact: true }).click();
    await book.waitFor({ state: 'hidden' });

    dialog = await newMessage(page);
    const next = dialog.getByRole('combobox', { name: 'To', exact: true });
    await next.focus();
    await next.pressSequentially('zü');
    await expect.poll(() => suggestions.getByRole('option').allTextContents()).toEqual(['Dörte Zürcher <doerte@example.org>']);
    await next.press('Enter');
    await next.pressSequentially('bert');
    await expect.poll(() => suggestions.getByRole('option').allTextContents()).toEqual([`Bertie Renamed <${bob!.address}>`]);
    await next.press('ArrowDown');
    await next.press('Enter');
    await expect.poll(() => next.inputValue()).toBe(`Dörte Zürcher <doerte@example.org>, Bertie Renamed <${bob!.address}>, `);
    expect(session!.pageErrors).toEqual([]);
  });

  it('knows the people of mail already in Sent at once, and the senders of mail read only when asked to', async (context) => {
    const [me] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const message = (headers: string[], n: number): string =>
      [...headers, `Subject: ${tag} ${n}`, `Message-ID: <${tag}.${n}@twinbox.test>`, `Date: ${new Date(Date.UTC(2026, 0, n)).toUTCString()}`, '', 'Text.', ''].join('\r\n');
    await appendMessage(me!, message([`From: ${me!.address}`, 'To: Quentin Oldfriend <quentin@example.org>', 'Cc: Wanda Cc <wanda@example.org>'], 1), { folder: 'Sent', flags: ['\\Seen'] });
    await appendMessage(me!, message(['From: Ruth Reader <ruth@example.org>', `To: ${me!.address}`], 2));
    await appendMessage(me!, message(['From: Ruth Reader <ruth@example.org>', `To: ${me!.address}`], 3));
    const page = await open(context, me!);
    const messages = page.getByRole('listbox', { name: 'Messages' });
    await messages.getByRole('option', { name: new RegExp(`${tag} 2`) }).waitFor();

    // Sent was read into the address book once its first sync was complete.
    const dialog = await newMessage(page);
    const to = dialog.getByRole('combobox', { name: 'To', exact: true });
    await to.focus();
    await to.pressSequentially('quen');
    const suggestions = dialog.getByRole('listbox', { name: 'Suggested recipients' });
    await expect.poll(() => suggestions.getByRole('option').allTextContents()).toEqual(['Quentin Oldfriend <quentin@example.org>']);
    await to.press('Enter');
    await expect.poll(() => to.inputValue()).toBe('Quentin Oldfriend <quentin@example.org>, ');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    const ask = page.getByRole('button', { name: /^Discard/ });
    if (await ask.isVisible()) await ask.click();
    await dialog.waitFor({ state: 'hidden' });

    // Read with the setting off (its default): not learnt.
    await messages.getByRole('option', { name: new RegExp(`${tag} 2`) }).click();
    await page.getByRole('article', { name: 'Message' }).getByText('Text.').waitFor();
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    const book = page.getByRole('dialog', { name: 'Contacts' });
    const list = book.getByRole('list', { name: 'Contacts' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    const learn = book.getByRole('checkbox', { name: 'Also add the senders of mail I read' });
    expect(await learn.isChecked()).toBe(false);
    await learn.check();
    await book.getByRole('button', { name: 'Close', exact: true }).click();
    await book.waitFor({ state: 'hidden' });

    // Read with it on: learnt, counted once.
    await messages.getByRole('option', { name: new RegExp(`${tag} 3`) }).click();
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(3);
    await list.getByRole('listitem').filter({ hasText: 'ruth@example.org' }).getByText('read from 1 time').waitFor();
    expect(session!.pageErrors).toEqual([]);
  });
});
