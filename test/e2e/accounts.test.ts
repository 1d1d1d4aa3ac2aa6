import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { ERROR_TEXT } from '../../shared/errors';
import type { Account } from '../../shared/model';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';
import { appendMessages, eventually, leaseMailboxes, requireEndpoint, uniqueTag } from '../mailstack';
import type { EndpointName, TestUser } from '../mailstack';
import { openAddAccount, serverResult, stackFingerprint, trustAfterSeeing, waitConnected } from './account-dialog';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Adding, changing and removing accounts in the real page, against the real
 * Dovecot and Postfix: what the user fills in and reads, and what main then
 * holds. The stack's certificate is self-signed, so every account set up
 * through the form meets the untrusted-certificate path first.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

async function open(beforeOpen?: (call: TwinboxSession['call']) => Promise<void>): Promise<Page> {
  session = await openTwinbox(beforeOpen ? { beforeOpen } : {});
  return session.page;
}

async function openSetup(page: Page): Promise<Locator> {
  const dialog = await openAddAccount(page);
  // These tests are about the full form: past the address-first screen (test/e2e/account-setup.test.ts).
  await dialog.getByRole('button', { name: 'Set up manually' }).click();
  await dialog.getByRole('group', { name: 'Incoming server' }).waitFor();
  return dialog;
}

const SECURITY_LABEL = { tls: 'TLS', starttls: 'STARTTLS' } as const;

/** Fills one server's fields as a user would; the user name is left alone when it already says the right thing. */
async function fillServer(
  context: TestContext,
  dialog: Locator,
  group: 'Incoming server' | 'Outgoing server',
  endpointName: EndpointName,
  user: TestUser,
  password?: string,
): Promise<void> {
  const { host, port } = requireEndpoint(context, endpointName);
  const fields = dialog.getByRole('group', { name: group });
  await fields.getByLabel('Host', { exact: true }).fill(host);
  await fields.getByLabel('Security', { exact: true }).selectOption({ label: SECURITY_LABEL[endpointName.endsWith('s') ? 'tls' : 'starttls'] });
  await fields.getByLabel('Port', { exact: true }).fill(String(port));
  const username = fields.getByLabel('User name', { exact: true });
  if ((await username.inputValue()) !== user.user) await username.fill(user.user);
  if (password !== undefined) await fields.getByLabel('Password', { exact: true }).fill(password);
}

async function fillAccount(context: TestContext, dialog: Locator, user: TestUser, protocol: 'imap' | 'pop3', password = user.password): Promise<void> {
  await dialog.getByLabel('Your name', { exact: true }).fill('Test User');
  await dialog.getByLabel('E-mail address', { exact: true }).fill(user.address);
  await dialog.getByRole('radio', { name: protocol === 'imap' ? 'IMAP' : 'POP3', exact: true }).check();
  await fillServer(context, dialog, 'Incoming server', protocol === 'imap' ? 'imaps' : 'pop3s', user, password);
  // The outgoing user name and password are left to follow the incoming ones.
  await fillServer(context, dialog, 'Outgoing server', 'smtps', user);
}

function messageList(page: Page): Locator {
  return page.getByRole('listbox', { name: 'Messages' });
}

function message(page: Page, subject: string): Locator {
  return messageList(page).getByRole('option', { name: new RegExp(subject) });
}

function sidebarAccount(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Accounts and folders' }).getByRole('region', { name });
}

describe('setting up an account', () => {
  it('IMAP: refuses the untrusted certificate, trusts it only when asked, then saves and shows the mail', async (context) => {
    const fingerprint = stackFingerprint(context);
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2].map((i) => rawMessage(tag, i)));
    const page = await open();
    const dialog = await openSetup(page);
    await fillAccount(context, dialog, user!, 'imap');
    // Filled in from the address and the incoming server, until the user types otherwise.
    expect(await dialog.getByLabel('Account name', { exact: true }).inputValue()).toBe(user!.address);
    expect(await dialog.getByRole('group', { name: 'Outgoing server' }).getByLabel('User name', { exact: true }).inputValue()).toBe(user!.user);
    // The web host has no keychain: the user is told the password lasts only this session.
    await dialog.getByText('Passwords are kept only until Twinbox closes').waitFor();

    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await trustAfterSeeing(serverResult(dialog, 'Incoming server (IMAP)'), fingerprint);
    const offered = await waitConnected(serverResult(dialog, 'Incoming server (IMAP)'));
    expect(offered).toContain('new mail announced at once (IDLE)');
    // Trusting the incoming server's certificate did not trust the outgoing server's.
    await trustAfterSeeing(serverResult(dialog, 'Outgoing server (SMTP)'), fingerprint);
    await waitConnected(serverResult(dialog, 'Outgoing server (SMTP)'));
    await waitConnected(serverResult(dialog, 'Incoming server (IMAP)'));

    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await sidebarAccount(page, user!.address).waitFor();
    await message(page, `${tag} message 2`).waitFor();
    await message(page, `${tag} message 1`).waitFor();

    const [saved] = await session!.call('accounts.list', {});
    expect(saved).toMatchObject({ protocol: 'imap', email: user!.address, name: user!.address, displayName: 'Test User' });
    expect(saved!.incoming.trustedCertificate?.fingerprint256).toBe(fingerprint);
    expect(saved!.outgoing.trustedCertificate?.fingerprint256).toBe(fingerprint);
    expect(session!.pageErrors).toEqual([]);
  });

  it('POP3: saves the retention chosen, after the test Save ran itself, and downloads the mail', async (context) => {
    const fingerprint = stackFingerprint(context);
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2].map((i) => rawMessage(tag, i)));
    const page = await open();
    const dialog = await openSetup(page);
    await fillAccount(context, dialog, user!, 'pop3');
    const policies = dialog.getByRole('group', { name: 'The server’s copy of your mail' });
    await policies.getByText('The server’s copy is deleted as soon as the message is safely stored here').waitFor();
    await policies.getByRole('radio', { name: 'Keep on the server for a number of days' }).check();
    await policies.getByLabel('Days to keep on the server').fill('30');
    await dialog.getByLabel('Check for new mail every (minutes)').fill('20');

    // Save tests first, and stops there when the test fails.
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await trustAfterSeeing(serverResult(dialog, 'Incoming server (POP3)'), fingerprint);
    await waitConnected(serverResult(dialog, 'Incoming server (POP3)'));
    await trustAfterSeeing(serverResult(dialog, 'Outgoing server (SMTP)'), fingerprint);
    await waitConnected(serverResult(dialog, 'Outgoing server (SMTP)'));
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    await message(page, `${tag} message 2`).waitFor();
    const [saved] = await session!.call('accounts.list', {});
    expect(saved!.protocol).toBe('pop3');
    expect(saved!.pop3).toEqual({ retention: { kind: 'days', days: 30 }, pollMinutes: 20, headersOnly: false, maxMessageBytes: 0 });
    // Kept for 30 days: the server still has both.
    expect((await serverFolder(user!)).size).toBe(2);
  });

  it('shows the sentence for a wrong password, not the server’s reply, and offers Save anyway', async (context) => {
    const fingerprint = stackFingerprint(context);
    const [user] = await leaseMailboxes(context, 1);
    const page = await open();
    const dialog = await openSetup(page);
    await fillAccount(context, dialog, user!, 'imap', 'not-the-password');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const incoming = serverResult(dialog, 'Incoming server (IMAP)');
    await trustAfterSeeing(incoming, fingerprint);
    const alert = incoming.getByRole('alert').filter({ hasText: ERROR_TEXT.AUTH_FAILED });
    await alert.waitFor();
    expect(await alert.textContent()).toBe(ERROR_TEXT.AUTH_FAILED);
    await dialog.getByRole('button', { name: 'Save anyway' }).waitFor();

    // The right password: the failure no longer applies, and the test passes.
    await dialog.getByRole('group', { name: 'Incoming server' }).getByLabel('Password', { exact: true }).fill(user!.password);
    expect(await dialog.getByRole('button', { name: 'Save anyway' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await waitConnected(incoming);
    expect(await session!.call('accounts.list', {})).toEqual([]);
  });

  it('moves the port with the security choice until a port is typed, and names the fields still missing', async () => {
    const page = await open();
    const dialog = await openSetup(page);
    const incoming = dialog.getByRole('group', { name: 'Incoming server' });
    const outgoing = dialog.getByRole('group', { name: 'Outgoing server' });
    const port = (group: Locator): Promise<string> => group.getByLabel('Port', { exact: true }).inputValue();
    const security = (group: Locator, label: string): Promise<string[]> => group.getByLabel('Security', { exact: true }).selectOption({ label });

    expect([await port(incoming), await port(outgoing)]).toEqual(['993', '465']);
    await security(incoming, 'STARTTLS');
    await security(outgoing, 'STARTTLS');
    expect([await port(incoming), await port(outgoing)]).toEqual(['143', '587']);
    await dialog.getByRole('radio', { name: 'POP3', exact: true }).check();
    await security(outgoing, 'None');
    expect([await port(incoming), await port(outgoing)]).toEqual(['110', '25']);
    await security(incoming, 'TLS');
    expect(await port(incoming)).toBe('995');

    // Typed by the user: it stays.
    const incomingPort = incoming.getByLabel('Port', { exact: true });
    await incomingPort.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('1995');
    await security(incoming, 'STARTTLS');
    await dialog.getByRole('radio', { name: 'IMAP', exact: true }).check();
    expect(await port(incoming)).toBe('1995');

    // Nothing sent with the servers missing: the problems are announced and focus goes to the first.
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const summary = dialog.getByRole('alert').filter({ hasText: 'Some settings need your attention' });
    await summary.getByText('Incoming server host').waitFor();
    // Typing goes to the first field to fix.
    await page.keyboard.type('mail.example.com');
    expect(await incoming.getByLabel('Host', { exact: true }).inputValue()).toBe('mail.example.com');
    await expect.poll(() => summary.getByText('Incoming server host').count()).toBe(0);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});

describe('changing and removing an account', () => {
  it('renames an account from its settings, keeping its password and protocol', async (context) => {
    // The kept password is shown to work by a connection test, which signs in to the outgoing server too.
    requireEndpoint(context, 'smtp');
    const [user] = await leaseMailboxes(context, 1);
    const original = accountFor(context, user!, 'imap');
    const page = await open(async (call) => {
      await call('accounts.save', { account: original, incomingPassword: user!.password });
    });
    await page.getByRole('button', { name: `Settings for ${original.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Settings for ${original.name}` });
    const incoming = dialog.getByRole('group', { name: 'Incoming server' });
    expect(await incoming.getByLabel('Host', { exact: true }).inputValue()).toBe(original.incoming.host);
    expect(await incoming.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await incoming.getByText('Leave empty to keep the current password.').waitFor();
    expect(await dialog.getByRole('radio', { name: 'POP3', exact: true }).isDisabled()).toBe(true);
    await dialog.getByText('The protocol of an account cannot be changed').waitFor();

    const name = dialog.getByLabel('Account name', { exact: true });
    await name.fill('Work mail');
    await name.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await sidebarAccount(page, 'Work mail').waitFor();
    await page.getByRole('button', { name: 'Settings for Work mail' }).waitFor();
    const [saved] = await session!.call('accounts.list', {});
    expect(saved).toMatchObject({ name: 'Work mail', protocol: 'imap', incoming: original.incoming });
    // The stored password was kept: a test with the password field left empty signs in.
    await page.getByRole('button', { name: 'Settings for Work mail' }).click();
    const again = page.getByRole('dialog', { name: 'Settings for Work mail' });
    await again.getByRole('button', { name: 'Test connection' }).click();
    await waitConnected(serverResult(again, 'Incoming server (IMAP)'));
    await waitConnected(serverResult(again, 'Outgoing server (SMTP)'));
  });

  it('asks for the password again when a saved server changes, and sends nothing until it is typed', async (context) => {
    // The connection test signs in to the outgoing server too.
    requireEndpoint(context, 'smtp');
    const [user] = await leaseMailboxes(context, 1);
    const original = accountFor(context, user!, 'imap');
    const starttlsPort = requireEndpoint(context, 'imap').port;
    const page = await open(async (call) => {
      await call('accounts.save', { account: original, incomingPassword: user!.password });
    });
    await page.getByRole('button', { name: `Settings for ${original.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Settings for ${original.name}` });
    const incoming = dialog.getByRole('group', { name: 'Incoming server' });
    const password = incoming.getByLabel('Password', { exact: true });
    expect(await password.getAttribute('required')).toBeNull();

    // Another port and security: the stored password stays with the server it was saved for.
    await incoming.getByLabel('Security', { exact: true }).selectOption({ label: 'STARTTLS' });
    await incoming.getByLabel('Port', { exact: true }).fill(String(starttlsPort));
    await incoming.getByText('Enter the password again: the server changed').waitFor();
    expect(await password.getAttribute('required')).not.toBeNull();
    // The outgoing server did not change: it still needs nothing typed.
    await dialog.getByRole('group', { name: 'Outgoing server' }).getByText('Leave empty to keep the current password.').waitFor();

    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const summary = dialog.getByRole('alert').filter({ hasText: 'Some settings need your attention' });
    await summary.getByText('Incoming server password').waitFor();
    expect(await serverResult(dialog, 'Incoming server (IMAP)').count()).toBe(0);

    await password.fill(user!.password);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await waitConnected(serverResult(dialog, 'Incoming server (IMAP)'));
    await waitConnected(serverResult(dialog, 'Outgoing server (SMTP)'));
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const [saved] = await session!.call('accounts.list', {});
    expect(saved!.incoming).toMatchObject({ port: starttlsPort, security: 'starttls' });
  });

  it('says what happens to the local mail in each mode, and removes only that account and its mail', async (context) => {
    const [imapUser, popUser] = await leaseMailboxes(context, 2);
    const tag = uniqueTag();
    await appendMessages(imapUser!, [1, 2, 3].map((i) => rawMessage(`${tag}-imap`, i)));
    await appendMessages(popUser!, [1, 2].map((i) => rawMessage(`${tag}-pop`, i)));
    const imap = accountFor(context, imapUser!, 'imap');
    const pop: Omit<Account, 'id'> = {
      ...accountFor(context, popUser!, 'pop3'),
      pop3: { retention: { kind: 'delete-after-download' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 },
    };
    const page = await open(async (call) => {
      await call('accounts.save', { account: imap, incomingPassword: imapUser!.password });
      await call('accounts.save', { account: pop, incomingPassword: popUser!.password });
    });
    await sidebarAccount(page, pop.name).getByRole('button', { name: /^Inbox/ }).click();
    await message(page, `${tag}-pop message 2`).waitFor();
    // The policy deleted the server's copies: this computer has the only ones.
    await eventually(async () => ((await serverFolder(popUser!)).size === 0 ? true : undefined), 20_000);
    await sidebarAccount(page, imap.name).getByRole('button', { name: /^Inbox/ }).click();
    await message(page, `${tag}-imap message 3`).waitFor();

    await page.getByRole('button', { name: `Settings for ${imap.name}`, exact: true }).click();
    await page.getByRole('dialog', { name: `Settings for ${imap.name}` }).getByRole('button', { name: 'Remove account…' }).click();
    const confirmImap = page.getByRole('alertdialog', { name: `Remove ${imap.name}?` });
    await confirmImap.getByText('The copy of this account’s mail on this computer (3 messages) is deleted.').waitFor();
    await confirmImap.getByText('The mail stays on the server, and comes back if you add the account again.').waitFor();
    await confirmImap.getByRole('button', { name: 'Remove account and its local mail' }).click();
    await sidebarAccount(page, imap.name).waitFor({ state: 'detached' });
    await expect.poll(() => message(page, `${tag}-imap`).count()).toBe(0);
    expect((await serverFolder(imapUser!)).size).toBe(3);

    await sidebarAccount(page, pop.name).getByRole('button', { name: /^Inbox/ }).click();
    await message(page, `${tag}-pop message 1`).waitFor();
    await page.getByRole('button', { name: `Settings for ${pop.name}`, exact: true }).click();
    await page.getByRole('dialog', { name: `Settings for ${pop.name}` }).getByRole('button', { name: 'Remove account…' }).click();
    const confirmPop = page.getByRole('alertdialog', { name: `Remove ${pop.name}?` });
    await confirmPop.getByText('The mail of this account on this computer is deleted: 2 messages.').waitFor();
    await confirmPop.getByText('this computer had the only copy, and they are lost').waitFor();
    await confirmPop.getByText('At the last check the server no longer had 2 messages of them.').waitFor();
    await confirmPop.getByRole('button', { name: 'Remove account and its local mail' }).click();
    await sidebarAccount(page, pop.name).waitFor({ state: 'detached' });
    await expect.poll(() => message(page, `${tag}-pop`).count()).toBe(0);

    expect(await session!.call('accounts.list', {})).toEqual([]);
    await page.getByRole('navigation', { name: 'Accounts and folders' }).getByText('No accounts yet.').waitFor();
    expect(session!.pageErrors).toEqual([]);
  });
});
