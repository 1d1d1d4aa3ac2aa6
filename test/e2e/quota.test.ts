import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_TEXT } from '../../shared/errors';
import { accountFor } from '../mailstack/fixtures';
import { appendMessages, leaseMailboxes, SMALL_QUOTA_KB, uniqueTag } from '../mailstack';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * How full the mailbox is on the server (IMAP QUOTA, RFC 9208), against a
 * real Dovecot mailbox with a small quota: the sidebar shows it and warns
 * from 90 %, and a change the full mailbox refuses says what to do, losing
 * nothing.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

describe('the server’s storage quota', () => {
  it('shows beside the account, warns when nearly full, and a refused draft says what to do and keeps the text', async (context) => {
    const [user] = await leaseMailboxes(context, 1, { special: 'smallQuota' });
    const tag = uniqueTag();
    // Three messages of a little over 30 % of the quota each: about 93 % full.
    const third = Math.ceil((SMALL_QUOTA_KB * 1024 * 0.31) / 78);
    const line = `${'x'.repeat(76)}\r\n`;
    await appendMessages(
      user!,
      [1, 2, 3].map((i) => `From: a@example.org\r\nSubject: ${tag} filler ${i}\r\nMessage-ID: <${tag}.${i}@twinbox.test>\r\n\r\n${line.repeat(third)}`),
    );
    let accountName = '';
    session = await openTwinbox({
      beforeOpen: async (call) => {
        accountName = (await call('accounts.save', { account: accountFor(context, user!, 'imap'), incomingPassword: user!.password })).name;
      },
    });
    const page = session.page;
    const sidebar = page.getByRole('navigation', { name: 'Accounts and folders' });
    const meter = sidebar.getByRole('meter', { name: `Server storage of ${accountName}` });
    await meter.waitFor({ timeout: 20_000 });
    const words = (await meter.getAttribute('aria-valuetext')) ?? '';
    const percent = Number(/\((\d+)%\)$/.exec(words)?.[1]);
    expect(percent).toBeGreaterThanOrEqual(90);
    expect(percent).toBeLessThan(100);
    expect(words).toMatch(new RegExp(`of ${SMALL_QUOTA_KB}(\\.0)? KB used`));
    await sidebar.getByRole('alert').getByText(`${accountName} is almost full on the server.`, { exact: false }).waitFor();

    // A draft larger than the space left: the server refuses to store it (APPEND, NO [OVERQUOTA]).
    await page.getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'New message', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await dialog.getByLabel('Subject', { exact: true }).fill(`${tag} too big`);
    const text = 'A long draft. '.repeat(1500);
    await dialog.getByRole('textbox', { name: 'Message text' }).fill(text);
    await dialog.getByRole('button', { name: 'Save draft' }).click();
    await dialog.getByRole('alert').getByText(`The draft could not be saved. ${ERROR_TEXT.QUOTA_EXCEEDED}`).waitFor({ timeout: 20_000 });
    expect(await dialog.getByRole('textbox', { name: 'Message text' }).inputValue()).toBe(text);
  });
});
