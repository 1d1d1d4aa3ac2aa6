import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import PostalMime from 'postal-mime';
import type { Email } from 'postal-mime';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { ERROR_TEXT } from '../../shared/errors';
import type { Account } from '../../shared/model';
import { accountFor, serverFolder } from '../mailstack/fixtures';
import { appendMessage, eventually, leaseMailboxes, openImap, requireEndpoint, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Writing mail in the real page (Chromium, the built renderer) against real
 * Dovecot and Postfix: what the recipient receives, what the server keeps in
 * Sent and Drafts (IMAP), what this computer keeps (POP3), driven by roles,
 * labels and keys only.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

interface AccountSetup {
  user: TestUser;
  protocol: 'imap' | 'pop3';
  extra?: Partial<Account>;
  outgoingPassword?: string;
}

async function open(context: TestContext, ...accounts: AccountSetup[]): Promise<Page> {
  // Every test here sends.
  requireEndpoint(context, 'smtp');
  session = await openTwinbox({
    beforeOpen: async (call) => {
      for (const { user, protocol, extra, outgoingPassword } of accounts) {
        await call('accounts.save', {
          account: accountFor(context, user, protocol, extra),
          incomingPassword: user.password,
          ...(outgoingPassword === undefined ? {} : { outgoingPassword }),
        });
      }
    },
  });
  return session.page;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function message(page: Page, subject: string): Locator {
  return page.getByRole('listbox', { name: 'Messages' }).getByRole('option', { name: new RegExp(escapeRegExp(subject)) });
}

function toolbarButton(page: Page, name: string): Locator {
  return page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name, exact: true });
}

function folderButton(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Accounts and folders' }).getByRole('button', { name: new RegExp(`^${name}(, \\d+ unread)?$`) });
}

function field(dialog: Locator, label: string): Locator {
  return dialog.getByLabel(label, { exact: true });
}

async function sentNotice(page: Page): Promise<void> {
  await page.getByRole('status', { name: 'Outbox' }).getByText('Message sent.').waitFor({ timeout: 20_000 });
}

interface ServerMessage {
  uid: number;
  flags: string[];
  email: Email;
}

/** What the server holds in a folder, parsed, as another device would see it. */
async function serverMessages(user: TestUser, folder: string): Promise<ServerMessage[]> {
  const client = await openImap(user);
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const raw: { uid: number; flags: string[]; source: Buffer }[] = [];
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const item of client.fetch('1:*', { uid: true, flags: true, source: true })) {
          if (item.source) raw.push({ uid: item.uid, flags: [...(item.flags ?? [])].map((f) => f.toLowerCase()), source: item.source });
        }
      }
      return await Promise.all(raw.map(async ({ uid, flags, source }) => ({ uid, flags, email: await PostalMime.parse(source, { attachmentEncoding: 'arraybuffer' }) })));
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/** Waits until the folder holds a message with this subject, and returns it. */
async function arrived(user: TestUser, subject: string, folder = 'INBOX'): Promise<ServerMessage> {
  return eventually(async () => (await serverMessages(user, folder)).find((m) => m.email.subject === subject), 20_000);
}

function bytesOf(content: ArrayBuffer | Uint8Array | string): Buffer {
  return typeof content === 'string' ? Buffer.from(content) : Buffer.from(content instanceof Uint8Array ? content : new Uint8Array(content));
}

describe('writing mail from an IMAP account', () => {
  it('replies: the recipient gets the threaded answer with the quote, Sent has the copy, the original is answered', async (context) => {
    const [me, them] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    const original = [
      `From: Their Name <${them!.address}>`,
      `To: ${me!.address}`,
      `Subject: ${tag} question`,
      `Message-ID: <${tag}.question@twinbox.test>`,
      `References: <${tag}.root@twinbox.test>`,
      `In-Reply-To: <${tag}.root@twinbox.test>`,
      `Date: ${new Date(Date.UTC(2026, 0, 2, 9, 30)).toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Line one of the question.',
      'Line two of the question.',
      '',
    ].join('\r\n');
    const uid = await appendMessage(me!, original);
    const page = await open(context, { user: me!, protocol: 'imap' });

    await message(page, `${tag} question`).click();
    await toolbarButton(page, 'Reply').click();
    const dialog = page.getByRole('dialog', { name: 'Reply' });
    const body = dialog.getByRole('textbox', { name: 'Message text' });
    await body.waitFor();
    expect(await field(dialog, 'To').inputValue()).toBe(`Their Name <${them!.address}>`);
    expect(await field(dialog, 'Subject').inputValue()).toBe(`Re: ${tag} question`);
    expect(await body.inputValue()).toContain('> Line one of the question.');

    // Typing starts above the quote; Ctrl+Enter sends.
    await page.keyboard.type('Thanks, that answers it.');
    await page.keyboard.press('Control+Enter');
    await sentNotice(page);
    await dialog.waitFor({ state: 'detached' });

    const received = await arrived(them!, `Re: ${tag} question`);
    expect(received.email.inReplyTo).toBe(`<${tag}.question@twinbox.test>`);
    expect(received.email.references?.split(/\s+/)).toEqual([`<${tag}.root@twinbox.test>`, `<${tag}.question@twinbox.test>`]);
    const text = received.email.text ?? '';
    expect(text.startsWith('Thanks, that answers it.')).toBe(true);
    expect(text).toMatch(/Their Name <[^>]+> wrote:\r?\n> Line one of the question\.\r?\n> Line two of the question\./);

    // The copy in Sent on the server, read; the original answered there, for every device.
    const copy = await arrived(me!, `Re: ${tag} question`, 'Sent');
    expect(copy.flags).toContain('\\seen');
    expect(copy.email.inReplyTo).toBe(`<${tag}.question@twinbox.test>`);
    await eventually(async () => ((await serverFolder(me!)).get(String(uid))?.includes('\\answered') ? true : undefined));
    expect(session!.pageErrors).toEqual([]);
  });

  it('replies to all but oneself, in rich text with the original in a blockquote', async (context) => {
    const [me, them, third] = await leaseMailboxes(context, 3);
    const tag = uniqueTag();
    const original = [
      `From: Their Name <${them!.address}>`,
      `To: ${me!.address}`,
      `Cc: Third <${third!.address}>, Me Again <${me!.address.toUpperCase()}>`,
      `Subject: ${tag} plans`,
      `Message-ID: <${tag}.plans@twinbox.test>`,
      `Date: ${new Date(Date.UTC(2026, 0, 4, 8, 0)).toUTCString()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Shall we meet on Monday?',
      '',
    ].join('\r\n');
    await appendMessage(me!, original);
    const page = await open(context, { user: me!, protocol: 'imap' });

    await message(page, `${tag} plans`).click();
    await toolbarButton(page, 'Reply all').click();
    const dialog = page.getByRole('dialog', { name: 'Reply all' });
    await dialog.getByRole('textbox', { name: 'Message text' }).waitFor();
    expect(await field(dialog, 'To').inputValue()).toBe(`Their Name <${them!.address}>`);
    expect(await field(dialog, 'Cc').inputValue()).toBe(`Third <${third!.address}>`);

    await dialog.getByRole('radio', { name: 'Rich text' }).check();
    const editor = dialog.getByRole('textbox', { name: 'Message text' });
    await editor.getByRole('blockquote').getByText('Shall we meet on Monday?').waitFor();
    await editor.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('Monday suits me.');
    await page.keyboard.press('Control+Enter');
    await sentNotice(page);

    const received = await arrived(third!, `Re: ${tag} plans`);
    expect(received.email.html).toMatch(/<blockquote>[^]*Shall we meet on Monday\?[^]*<\/blockquote>/);
    const text = received.email.text ?? '';
    expect(text.startsWith('Monday suits me.')).toBe(true);
    expect(text).toMatch(/wrote:\r?\n> Shall we meet on Monday\?/);
    expect(received.email.inReplyTo).toBe(`<${tag}.plans@twinbox.test>`);
    await arrived(them!, `Re: ${tag} plans`);
    expect(session!.pageErrors).toEqual([]);
  });

  it('forwards with the original attachment, byte for byte', async (context) => {
    const [me, them] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    // Every byte value, so that any re-encoding on the way shows.
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1'), randomBytes(6000), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\n%%EOF\n')]);
    const boundary = `b-${tag}`;
    const original = [
      'From: Sender <sender@example.org>',
      `To: ${me!.address}`,
      `Subject: ${tag} report`,
      `Message-ID: <${tag}.report@twinbox.test>`,
      `Date: ${new Date(Date.UTC(2026, 0, 3, 12, 0)).toUTCString()}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The quarterly report is attached.',
      `--${boundary}`,
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(pdf.toString('base64').match(/.{1,76}/g) ?? []),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await appendMessage(me!, original);
    const page = await open(context, { user: me!, protocol: 'imap' });

    await message(page, `${tag} report`).click();
    await toolbarButton(page, 'Forward').click();
    const dialog = page.getByRole('dialog', { name: 'Forward' });
    await dialog.getByRole('list', { name: 'Attachments' }).getByRole('listitem').filter({ hasText: 'report.pdf' }).waitFor();
    expect(await field(dialog, 'Subject').inputValue()).toBe(`Fwd: ${tag} report`);
    await field(dialog, 'To').fill(them!.address);
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await sentNotice(page);

    const received = await arrived(them!, `Fwd: ${tag} report`);
    const text = received.email.text ?? '';
    expect(text).toContain('---------- Forwarded message ----------');
    expect(text).toContain(`Subject: ${tag} report`);
    expect(text).toContain('The quarterly report is attached.');
    expect(received.email.attachments.map((a) => a.filename)).toEqual(['report.pdf']);
    const attachment = received.email.attachments[0]!;
    expect(attachment.mimeType).toBe('application/pdf');
    expect(bytesOf(attachment.content).equals(pdf)).toBe(true);
    expect(session!.pageErrors).toEqual([]);
  });

  it('writes a new rich-text message with a file from the picker, after reporting a bad address', async (context) => {
    const [me, them] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    const page = await open(context, { user: me!, protocol: 'imap' });
    await folderButton(page, 'Inbox').waitFor();

    await toolbarButton(page, 'New message').click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await field(dialog, 'To').fill(`Them <${them!.address}>, not-an-address@`);
    await field(dialog, 'Subject').fill(`${tag} with a file`);
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await dialog.getByRole('alert').getByText('“not-an-address@” is not an e-mail address.').waitFor();
    await field(dialog, 'To').fill(`Them <${them!.address}>`);
    await expect.poll(() => dialog.getByRole('alert').count()).toBe(0);

    await dialog.getByRole('radio', { name: 'Rich text' }).check();
    const editor = dialog.getByRole('textbox', { name: 'Message text' });
    await editor.click();
    await page.keyboard.type('Hello ');
    await page.keyboard.press('Control+B');
    await page.keyboard.type('bold');
    await page.keyboard.press('Control+B');
    await page.keyboard.type(' world.');
    expect(await dialog.getByRole('button', { name: 'Bold' }).getAttribute('aria-pressed')).toBe('false');

    const notes = Buffer.from(`Notes for ${tag}\r\nline 2\r\n`);
    await dialog.getByLabel('Attach files').setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
      { name: 'unwanted.bin', mimeType: 'application/octet-stream', buffer: randomBytes(100) },
    ]);
    const attachments = dialog.getByRole('list', { name: 'Attachments' });
    await attachments.getByRole('listitem').filter({ hasText: 'unwanted.bin' }).waitFor();
    await attachments.getByRole('button', { name: 'Remove unwanted.bin' }).click();
    await expect.poll(() => attachments.getByRole('listitem').count()).toBe(1);
    await attachments.getByRole('listitem').filter({ hasText: `notes.txt (${notes.length} B)` }).waitFor();

    // A file dragged from the desktop and dropped on the text becomes an attachment, not part of the text.
    // A string, not a function: this file is typed for Node, the code runs in the page.
    const files = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['dropped on the composer'], 'dropped.txt', { type: 'text/plain' }));
      return transfer;
    })()`);
    await editor.dispatchEvent('dragenter', { dataTransfer: files });
    await editor.dispatchEvent('dragover', { dataTransfer: files });
    await editor.dispatchEvent('drop', { dataTransfer: files });
    await attachments.getByRole('listitem').filter({ hasText: 'dropped.txt' }).waitFor();
    expect((await editor.innerText()).replace(/\u00a0/g, ' ')).toBe('Hello bold world.');

    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await sentNotice(page);

    const received = await arrived(them!, `${tag} with a file`);
    expect(received.email.html).toMatch(/Hello(?: |&nbsp;)<b>bold<\/b>(?: |&nbsp;)world\./);
    expect(received.email.text?.trim()).toBe('Hello bold world.');
    expect(received.email.attachments.map((a) => a.filename)).toEqual(['notes.txt', 'dropped.txt']);
    expect(bytesOf(received.email.attachments[0]!.content).equals(notes)).toBe(true);
    expect(bytesOf(received.email.attachments[1]!.content).toString()).toBe('dropped on the composer');
    expect(session!.pageErrors).toEqual([]);
  });

  it('keeps the message and says why when sending fails, and sends it once that is fixed', async (context) => {
    const [me, them] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    const page = await open(context, { user: me!, protocol: 'imap', outgoingPassword: 'not the password' });
    await folderButton(page, 'Inbox').waitFor();

    await toolbarButton(page, 'New message').click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await field(dialog, 'To').fill(them!.address);
    await field(dialog, 'Subject').fill(`${tag} important`);
    const body = dialog.getByRole('textbox', { name: 'Message text' });
    await body.fill('Text that must not be lost.');
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();

    await dialog.getByRole('alert').getByText(ERROR_TEXT.AUTH_FAILED).waitFor({ timeout: 20_000 });
    expect(await body.inputValue()).toBe('Text that must not be lost.');
    expect(await field(dialog, 'To').inputValue()).toBe(them!.address);
    expect(await dialog.getByRole('button', { name: 'Send', exact: true }).isEnabled()).toBe(true);

    // Escape asks before anything is thrown away; keeping on editing keeps it all.
    await body.press('Escape');
    const confirm = page.getByRole('alertdialog', { name: 'Discard this message?' });
    await confirm.getByRole('button', { name: 'Keep editing' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await body.inputValue()).toBe('Text that must not be lost.');

    const [account] = await session!.call('accounts.list', {});
    await session!.call('accounts.save', { account: account!, outgoingPassword: me!.password });
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await sentNotice(page);
    expect((await arrived(them!, `${tag} important`)).email.text?.trim()).toBe('Text that must not be lost.');
    expect(session!.pageErrors).toEqual([]);
  });
});

describe('drafts', () => {
  it('IMAP: saved to the server’s Drafts (each version replacing the last), resumed, and gone once sent', async (context) => {
    const [me, them] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    const page = await open(context, { user: me!, protocol: 'imap' });
    await folderButton(page, 'Inbox').waitFor();

    await toolbarButton(page, 'New message').click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await field(dialog, 'To').fill(them!.address);
    await field(dialog, 'Bcc').fill(me!.address);
    await field(dialog, 'Subject').fill(`${tag} draft`);
    const body = dialog.getByRole('textbox', { name: 'Message text' });
    await body.fill('First version.');
    await dialog.getByRole('button', { name: 'Save draft' }).click();
    const first = await arrived(me!, `${tag} draft`, 'Drafts');
    expect(first.flags).toEqual(expect.arrayContaining(['\\draft', '\\seen']));
    expect(first.email.text?.trim()).toBe('First version.');

    // Saved again by itself once typing stops, replacing the first version.
    await body.fill('Second version.');
    const second = await eventually(async () => {
      const drafts = await serverMessages(me!, 'Drafts');
      return drafts.length === 1 && drafts[0]!.email.text?.trim() === 'Second version.' ? drafts[0] : undefined;
    }, 20_000);
    expect(second.uid).not.toBe(first.uid);

    // Nothing unsaved: Escape closes without asking.
    await body.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await folderButton(page, 'Drafts').click();
    await message(page, `${tag} draft`).click();
    // The reader offers to go on writing a message in Drafts.
    await page.getByRole('article', { name: 'Message' }).getByRole('button', { name: 'Edit draft' }).click({ timeout: 10_000 });
    const resumed = page.getByRole('dialog', { name: 'Draft' });
    const resumedBody = resumed.getByRole('textbox', { name: 'Message text' });
    await resumedBody.waitFor();
    expect(await resumedBody.inputValue()).toBe('Second version.');
    expect(await field(resumed, 'To').inputValue()).toBe(them!.address);
    expect(await field(resumed, 'Bcc').inputValue()).toBe(me!.address);
    await resumedBody.press('End');
    await page.keyboard.type(' Final.');
    await resumed.getByRole('button', { name: 'Send', exact: true }).click();
    await sentNotice(page);

    expect((await arrived(them!, `${tag} draft`)).email.text?.trim()).toBe('Second version. Final.');
    await eventually(async () => ((await serverMessages(me!, 'Drafts')).length === 0 ? true : undefined));
    await arrived(me!, `${tag} draft`, 'Sent');
    await expect.poll(() => message(page, `${tag} draft`).count(), { timeout: 15_000 }).toBe(0);
    expect(session!.pageErrors).toEqual([]);
  });

  it('POP3: saved in this computer’s Drafts, resumed, sent, and kept in this computer’s Sent', async (context) => {
    const [me, them] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    const page = await open(context, {
      user: me!,
      protocol: 'pop3',
      extra: { pop3: { retention: { kind: 'keep' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } },
    });
    await folderButton(page, 'Drafts').waitFor();

    await toolbarButton(page, 'New message').click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await field(dialog, 'To').fill(them!.address);
    await field(dialog, 'Subject').fill(`${tag} local draft`);
    await dialog.getByRole('textbox', { name: 'Message text' }).fill('Kept on this computer.');
    const notes = Buffer.from('attached to a local draft\n');
    await dialog.getByLabel('Attach files').setInputFiles({ name: 'local.txt', mimeType: 'text/plain', buffer: notes });
    await dialog.getByRole('button', { name: 'Save draft' }).click();
    await dialog.getByRole('status').getByText(/^Draft saved at/).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    await folderButton(page, 'Drafts').click();
    await message(page, `${tag} local draft`).click();
    // POP3 has no server folders: nothing of the draft reached the server.
    expect((await serverFolder(me!, 'Drafts')).size).toBe(0);
    // The reader offers to go on writing a message in Drafts.
    await page.getByRole('article', { name: 'Message' }).getByRole('button', { name: 'Edit draft' }).click({ timeout: 10_000 });
    const resumed = page.getByRole('dialog', { name: 'Draft' });
    const body = resumed.getByRole('textbox', { name: 'Message text' });
    await body.waitFor();
    expect(await body.inputValue()).toBe('Kept on this computer.');
    await resumed.getByRole('list', { name: 'Attachments' }).getByRole('listitem').filter({ hasText: 'local.txt' }).waitFor();
    await resumed.getByRole('button', { name: 'Send', exact: true }).click();
    await sentNotice(page);

    const received = await arrived(them!, `${tag} local draft`);
    expect(received.email.text?.trim()).toBe('Kept on this computer.');
    expect(bytesOf(received.email.attachments[0]!.content).equals(notes)).toBe(true);
    await expect.poll(() => message(page, `${tag} local draft`).count()).toBe(0);
    await folderButton(page, 'Sent').click();
    await message(page, `${tag} local draft`).waitFor();
    expect((await serverFolder(me!, 'Sent')).size).toBe(0);
    expect(session!.pageErrors).toEqual([]);
  });
});

describe('writing as one of several identities', () => {
  it('answers as the identity the message was sent to, with its signature, swaps the signature with the identity, and sends as it', async (context) => {
    const [me, them] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    const sales = 'sales@example.org';
    await appendMessage(
      me!,
      [
        `From: Their Name <${them!.address}>`,
        `To: Example Sales <${sales}>`,
        `Subject: ${tag} order`,
        `Message-ID: <${tag}.order@twinbox.test>`,
        `Date: ${new Date(Date.UTC(2026, 0, 3, 10, 0)).toUTCString()}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Ten boxes, please.',
        '',
      ].join('\r\n'),
    );
    const page = await open(context, {
      user: me!,
      protocol: 'imap',
      extra: {
        displayName: 'Ana Lima',
        signature: { text: 'Ana Lima' },
        signaturePlacement: 'below',
        identities: [{ id: 'sales', name: 'Example Sales', address: sales, replyTo: 'orders@example.org', signature: { text: 'The sales team\nExample Ltd' } }],
      },
    });

    await message(page, `${tag} order`).click();
    await toolbarButton(page, 'Reply').click();
    const dialog = page.getByRole('dialog', { name: 'Reply' });
    const body = dialog.getByRole('textbox', { name: 'Message text' });
    await body.waitFor();
    const from = field(dialog, 'From');
    expect(await from.locator('option:checked').innerText()).toMatch(new RegExp(`^Example Sales <${escapeRegExp(sales)}> — `));
    // Below the quoted message, behind the "-- " line.
    expect(await body.inputValue()).toMatch(/> Ten boxes, please\.\n\n-- \nThe sales team\nExample Ltd\n$/);

    // Written as the account's own address: its signature takes the place of the other.
    await from.selectOption({ label: (await from.locator('option').first().innerText()).trim() });
    expect(await body.inputValue()).toMatch(/> Ten boxes, please\.\n\n-- \nAna Lima\n$/);
    expect(await body.inputValue()).not.toContain('The sales team');
    await from.selectOption({ index: 1 });
    expect(await body.inputValue()).toMatch(/\n-- \nThe sales team\nExample Ltd\n$/);

    await body.press('Control+Home');
    await page.keyboard.type('On their way.');
    await page.keyboard.press('Control+Enter');
    await sentNotice(page);

    const received = await arrived(them!, `Re: ${tag} order`);
    expect(received.email.from).toEqual({ name: 'Example Sales', address: sales });
    expect(received.email.replyTo).toEqual([{ name: '', address: 'orders@example.org' }]);
    expect(received.email.text).toMatch(/^On their way\./);
    expect(received.email.text).toMatch(/-- \r?\nThe sales team\r?\nExample Ltd/);
    // The copy in Sent keeps who wrote it.
    const copy = await arrived(me!, `Re: ${tag} order`, 'Sent');
    expect(copy.email.from).toEqual({ name: 'Example Sales', address: sales });
    expect(session!.pageErrors).toEqual([]);
  });

  it('adds an identity with a rich-text signature in the account’s settings, and offers it in a new message', async (context) => {
    const [me] = await leaseMailboxes(context, 1);
    const page = await open(context, { user: me!, protocol: 'imap' });
    const settingsButton = page.getByRole('button', { name: /^Settings for / }).first();
    const accountName = ((await settingsButton.getAttribute('aria-label')) ?? '').replace(/^Settings for /, '');
    await settingsButton.click();
    const settings = page.getByRole('dialog', { name: `Settings for ${accountName}` });
    await settings.getByRole('button', { name: 'Add an identity' }).click();
    const identity = settings.getByRole('group', { name: /^Identity 1/ });
    await identity.getByLabel('Name', { exact: true }).fill('Support Desk');
    await identity.getByLabel('Address', { exact: true }).fill('not an address');
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await settings.getByRole('alert').getByText('Identity 1 address: Enter the address this identity writes from, such as sales@example.com.').waitFor();
    await identity.getByLabel('Address', { exact: true }).fill('support@example.org');
    await identity.getByRole('checkbox', { name: 'Rich text (bold, italic, links)' }).check();
    await identity.getByRole('textbox').last().fill('The support desk');
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await settings.waitFor({ state: 'detached' });

    await toolbarButton(page, 'New message').click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await field(dialog, 'From').selectOption({ label: `Support Desk <support@example.org> — ${accountName} (IMAP)` });
    expect(await dialog.getByRole('textbox', { name: 'Message text' }).inputValue()).toBe('\n\n-- \nThe support desk\n');
  });
});
