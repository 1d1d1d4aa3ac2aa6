import { afterEach, describe, expect, it } from 'vitest';
import { accountFor } from '../mailstack/fixtures';
import { leaseMailboxes } from '../mailstack';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * A mailto: link opened with Twinbox (main receives it from the system: a
 * first launch, a second one, or macOS's open-url) opens the composer filled
 * in from the link, and nothing the link may not set.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

describe('mailto: links', () => {
  it('open a new message filled in from the link, with the account’s own sender', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    session = await openTwinbox({
      beforeOpen: async (call) => {
        await call('accounts.save', { account: accountFor(context, user!, 'imap'), incomingPassword: user!.password });
      },
    });
    const page = session.page;
    await page.getByRole('navigation', { name: 'Accounts and folders' }).getByRole('button', { name: /^Inbox/ }).waitFor();

    expect(session.services.mailto.deliver('mailto:bo@example.org,%20cy@example.org?cc=dee@example.org&subject=Caf%C3%A9%20plans&body=Line%201%0D%0ALine%202&from=boss@example.org')).toBe(true);
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('To', { exact: true }).inputValue()).toBe('bo@example.org, cy@example.org');
    expect(await dialog.getByLabel('Cc', { exact: true }).inputValue()).toBe('dee@example.org');
    expect(await dialog.getByLabel('Subject', { exact: true }).inputValue()).toBe('Café plans');
    expect(await dialog.getByRole('textbox', { name: 'Message text' }).inputValue()).toBe('Line 1\nLine 2');
    // The sender is the account's, whatever the link said.
    expect(await dialog.getByText('boss@example.org').count()).toBe(0);

    // Two links, two composers; a link the page already took does not open again.
    session.services.mailto.deliver('mailto:eve@example.org?subject=Second');
    await expect.poll(() => page.getByRole('dialog', { name: 'New message' }).count()).toBe(2);
    expect(session.services.mailto.take()).toEqual([]);
  });
});
