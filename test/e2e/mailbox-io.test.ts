import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account } from '../../shared/model';
import { mboxrdEntry } from '../../main/mailbox-io/mbox';
import deAccounts from '../../renderer/i18n/de/accounts.json';
import deFolders from '../../renderer/i18n/de/folders.json';
import { accountFor, rawMessage } from '../mailstack/fixtures';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Export and import in the real page, served by the browser host: files
 * picked in the page go to main piece by piece, the result names the
 * messages left out, imported POP3 mail gets its rows in the list, an export
 * lands under the profile's Exports folder, and "Save as .eml" downloads the
 * message's exact bytes.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

describe('export and import in the page', () => {
  it('imports an mbox into a POP3 account with a malformed entry skipped and named, exports the account, and saves one message as .eml', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1)]);
    let account: Account | undefined;
    session = await openTwinbox({
      beforeOpen: async (call) => {
        account = await call('accounts.save', { account: accountFor(context, user!, 'pop3', { name: 'Home mail' }), incomingPassword: user!.password });
      },
    });
    const { page } = session;
    const list = page.getByRole('listbox', { name: 'Messages' });
    await list.getByRole('option', { name: new RegExp(`${tag} message 1`) }).waitFor();

    const imported = [2, 3].map((n) => Buffer.from(rawMessage(tag, n).replace(/\r?\n/g, '\r\n'), 'utf8'));
    const mbox = Buffer.concat([
      mboxrdEntry(imported[0]!, new Date('2020-01-01T00:00:00Z')),
      Buffer.from('From MAILER-DAEMON Wed Jan  1 00:00:00 2020\r\n\r\n', 'latin1'),
      mboxrdEntry(imported[1]!, new Date('2020-01-02T00:00:00Z')),
    ]);

    await page.getByRole('button', { name: 'Settings for Home mail' }).click();
    await page.getByRole('button', { name: 'Export or import mail…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export or import mail: Home mail' });
    await dialog.getByRole('radio', { name: 'Import' }).check();
    await dialog.getByLabel('Files to import').setInputFiles({ name: 'old.mbox', mimeType: 'application/mbox', buffer: mbox });
    await dialog.getByRole('button', { name: 'Import…' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain('Imported 2 messages; 1 message skipped');
    await expect(dialog.getByRole('list', { name: 'Skipped messages' }).textContent()).resolves.toContain('old.mbox, message 2 (From MAILER-DAEMON Wed Jan  1 00:00:00 2020): empty message');

    await dialog.getByRole('radio', { name: 'Export' }).check();
    await dialog.getByRole('radio', { name: /^mbox/ }).check();
    await dialog.getByRole('combobox').selectOption({ label: 'INBOX' });
    await dialog.getByRole('button', { name: 'Export…' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toMatch(/Exported 3 messages to /);
    const path = /Exported 3 messages to (.*)\.$/.exec((await dialog.getByRole('status').textContent()) ?? '')?.[1] ?? '';
    const exported = await readFile(path);
    for (const raw of imported) expect(exported.includes(raw)).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('dialog', { name: 'Settings for Home mail' }).getByRole('button', { name: 'Cancel' }).click();

    await list.getByRole('option', { name: new RegExp(`${tag} message 3`) }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save as .eml' }).click();
    const file = await (await download).path();
    expect((await readFile(file)).equals(imported[1]!)).toBe(true);
    expect(account?.protocol).toBe('pop3');
  });

  it('says why entries were skipped in the user’s language: main sends a code, the page words it', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    session = await openTwinbox({
      locale: 'de-DE',
      beforeOpen: async (call) => {
        await call('accounts.save', { account: accountFor(context, user!, 'pop3', { name: 'Home mail' }), incomingPassword: user!.password });
      },
    });
    const { page } = session;
    const transfer = deFolders.transfer;
    await page.getByRole('button', { name: deAccounts.menu.settingsFor.replace('{{name}}', 'Home mail') }).click();
    await page.getByRole('button', { name: deAccounts.form.transfer }).click();
    const dialog = page.getByRole('dialog', { name: transfer.title.replace('{{account}}', 'Home mail') });
    await dialog.getByRole('radio', { name: transfer.import, exact: true }).check();
    await dialog.getByLabel(transfer.pickFiles).setInputFiles([
      { name: 'Inbox.msf', mimeType: 'application/octet-stream', buffer: Buffer.from('// <!-- <mdb:mork:z v="1.4"/> -->') },
      { name: 'old.mbox', mimeType: 'application/mbox', buffer: Buffer.from('From MAILER-DAEMON Wed Jan  1 00:00:00 2020\r\n\r\n', 'latin1') },
    ]);
    await dialog.getByRole('button', { name: transfer.startImport }).click();
    const skipped = dialog.getByRole('list', { name: transfer.skippedList });
    const entry = (source: string, label: string, reason: string): string =>
      transfer.skippedEntryLabelled.replace('{{source}}', source).replace('{{index}}', '1').replace('{{label}}', label).replace('{{reason}}', reason);
    await expect.poll(() => skipped.textContent()).toContain(entry('Inbox.msf', 'Inbox.msf', deFolders.skipReason['thunderbird-summary']));
    await expect(skipped.textContent()).resolves.toContain(entry('old.mbox', 'From MAILER-DAEMON Wed Jan  1 00:00:00 2020', deFolders.skipReason['empty-message']));
  });
});
