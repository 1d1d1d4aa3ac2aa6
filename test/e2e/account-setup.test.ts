import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { rawMessage } from '../mailstack/fixtures';
import { appendMessages, leaseMailboxes, requireEndpoint, skipBecause, uniqueTag } from '../mailstack';
import { dnsServerUnavailable, startDnsServer } from '../mailstack/dns-server';
import type { DnsRecords, DnsServer } from '../mailstack/dns-server';
import { startWebServer } from '../mailstack/web-server';
import type { WebServer } from '../mailstack/web-server';
import { CONFIG_PATH, discoveryOptions, openAddAccount, serverResult, stackConfigXml, stackFingerprint, trustAfterSeeing, waitConnected } from './account-dialog';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Adding an account from the address and password alone: Twinbox finds the
 * servers (here in the test's own DNS and autoconfig web server on loopback,
 * pointing at the test mail stack), says in words what it found and where,
 * and adds the account through the same test and save as the full form.
 * Names outside the test zones are refused by the DNS server, never
 * forwarded: nothing leaves 127.0.0.1.
 */
const DOMAIN = 'example.test';
const EMPTY_DOMAIN = 'nowhere.test';

let session: TwinboxSession | undefined;
let dns: DnsServer | undefined;
let web: WebServer | undefined;

afterEach(async () => {
  await session?.dispose();
  await dns?.stop();
  await web?.stop();
  session = undefined;
  dns = undefined;
  web = undefined;
});

/** The test's DNS and web servers, and Twinbox opened to look only there. */
async function openWithServers(context: TestContext, records: DnsRecords): Promise<{ page: Page; web: WebServer }> {
  const unavailable = dnsServerUnavailable();
  if (unavailable) skipBecause(context, unavailable);
  // The providers' domains too, so that the test's DNS server answers for them (with nothing) rather than refusing.
  dns = await startDnsServer([DOMAIN, EMPTY_DOMAIN, 'gmail.com', 'outlook.com'], records);
  web = await startWebServer([`autoconfig.${DOMAIN}`, DOMAIN]);
  session = await openTwinbox({ services: { discovery: discoveryOptions(dns, web) } });
  return { page: session.page, web };
}

/** The first screen, as a user fills it: name, address, password, and Enter. */
async function typeIdentity(page: Page, dialog: Locator, email: string, password: string): Promise<void> {
  // Focus starts on the first field; the rest is typing and Tab.
  await page.keyboard.type('Test User');
  expect(await dialog.getByLabel('Your name', { exact: true }).inputValue()).toBe('Test User');
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await dialog.getByLabel('Password', { exact: true }).fill(password);
  await dialog.getByLabel('Password', { exact: true }).press('Enter');
}

describe('adding an account from its address', () => {
  it('finds the servers in the domain’s own settings, says so in words, and adds the account the user picked', async (context) => {
    const fingerprint = stackFingerprint(context);
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1)]);
    const imaps = requireEndpoint(context, 'imaps');
    const smtps = requireEndpoint(context, 'smtps');
    const { page, web } = await openWithServers(context, { a: { [`autoconfig.${DOMAIN}`]: '127.0.0.1' } });
    // Slow enough to see the search going on.
    web.route(`autoconfig.${DOMAIN}`, CONFIG_PATH, { body: stackConfigXml(context, user!, { domain: DOMAIN, pop3: true, authentication: ['password-cleartext'] }), contentType: 'application/xml', delayMs: 2500 }, 'https');
    const email = `${user!.user}@${DOMAIN}`;

    const dialog = await openAddAccount(page);
    await typeIdentity(page, dialog, email, user!.password);
    await dialog.getByRole('status').getByText(`Looking for the mail servers of ${DOMAIN}…`).waitFor();
    expect(await dialog.getByRole('button', { name: 'Continue' }).isDisabled()).toBe(true);

    const proposal = dialog.getByRole('form', { name: `Found in ${DOMAIN}’s own settings (https://autoconfig.${DOMAIN}${CONFIG_PATH})`, exact: true });
    await proposal.waitFor();
    await proposal.getByText(`Incoming (IMAP): ${imaps.host}, port ${imaps.port}, encrypted (SSL/TLS), signing in as ${user!.user}`, { exact: true }).waitFor();
    await proposal.getByText(`Outgoing (SMTP): ${smtps.host}, port ${smtps.port}, encrypted (SSL/TLS), signing in as ${user!.user}`, { exact: true }).waitFor();
    // Both modes were found, each saying what it means; IMAP is proposed.
    const modes = proposal.getByRole('group', { name: 'How to keep your mail' });
    expect(await modes.getByRole('radio', { name: 'IMAP', exact: true }).isChecked()).toBe(true);
    await modes.getByText('every device sees the same folders and marks').waitFor();
    await modes.getByText('the server is only a drop box for new mail').waitFor();
    expect(await proposal.getByText('Use them anyway').count()).toBe(0);

    // Focus arrived on "Add account": Enter adds.
    await page.keyboard.press('Enter');
    // The full form's own test runs at once; the self-signed certificate is trusted as a user would, after seeing it.
    await trustAfterSeeing(serverResult(dialog, 'Incoming server (IMAP)'), fingerprint);
    await waitConnected(serverResult(dialog, 'Incoming server (IMAP)'));
    await trustAfterSeeing(serverResult(dialog, 'Outgoing server (SMTP)'), fingerprint);
    await waitConnected(serverResult(dialog, 'Outgoing server (SMTP)'));
    await waitConnected(serverResult(dialog, 'Incoming server (IMAP)'));
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('navigation', { name: 'Accounts and folders' }).getByRole('region', { name: email }).waitFor();
    await page.getByRole('listbox', { name: 'Messages' }).getByRole('option', { name: new RegExp(`${tag} message 1`) }).waitFor();
    const [saved] = await session!.call('accounts.list', {});
    expect(saved).toMatchObject({
      protocol: 'imap',
      email,
      displayName: 'Test User',
      incoming: { host: imaps.host, port: imaps.port, security: 'tls', username: user!.user },
      outgoing: { host: smtps.host, port: smtps.port, security: 'tls', username: user!.user },
    });
    expect(saved!.incoming.trustedCertificate?.fingerprint256).toBe(fingerprint);
    expect(web.requests.filter((request) => request.path.startsWith(CONFIG_PATH))).toContainEqual(
      expect.objectContaining({ scheme: 'https', host: `autoconfig.${DOMAIN}` }),
    );
    expect(session!.pageErrors).toEqual([]);
  });

  it('says when nothing was found and what was tried, and opens the form with what was typed', async (context) => {
    const { page } = await openWithServers(context, {});
    const email = `ann@${EMPTY_DOMAIN}`;
    const dialog = await openAddAccount(page);
    // Nothing is looked up without an address: the user is told, and focus goes to the field.
    await page.keyboard.press('Enter');
    await dialog.getByText('Enter an e-mail address such as you@example.com.').waitFor();
    await page.keyboard.type('ann');
    expect(await dialog.getByLabel('E-mail address', { exact: true }).inputValue()).toBe('ann');
    await dialog.getByLabel('E-mail address', { exact: true }).fill('');
    await dialog.getByLabel('Your name', { exact: true }).focus();
    await typeIdentity(page, dialog, email, 'typed-password');

    await dialog.getByRole('status').getByText(`Twinbox could not find the servers for ${EMPTY_DOMAIN}.`).waitFor();
    // Focus went to "Set up manually"; just before it, what was tried, folded.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await dialog.getByText(`The domain’s own settings, https://autoconfig.${EMPTY_DOMAIN}/mail/config-v1.1.xml`).waitFor();
    await dialog.getByText(/^The usual server names, /).first().waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    const incoming = dialog.getByRole('group', { name: 'Incoming server' });
    await incoming.waitFor();
    expect(await dialog.getByLabel('Your name', { exact: true }).inputValue()).toBe('Test User');
    expect(await dialog.getByLabel('E-mail address', { exact: true }).inputValue()).toBe(email);
    expect(await incoming.getByLabel('Password', { exact: true }).inputValue()).toBe('typed-password');
    expect(await incoming.getByLabel('User name', { exact: true }).inputValue()).toBe(email);
    // The host is what is missing: focus is there.
    await page.keyboard.type('mail.example.com');
    expect(await incoming.getByLabel('Host', { exact: true }).inputValue()).toBe('mail.example.com');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(session!.pageErrors).toEqual([]);
  });

  it('uses settings read over plain HTTP only once the user confirms them', async (context) => {
    const { page, web } = await openWithServers(context, { a: { [`autoconfig.${DOMAIN}`]: '127.0.0.1' } });
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="${DOMAIN}"><domain>${DOMAIN}</domain>
  <incomingServer type="imap"><hostname>imap.${DOMAIN}</hostname><port>993</port><socketType>SSL</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></incomingServer>
  <incomingServer type="pop3"><hostname>pop.${DOMAIN}</hostname><port>110</port><socketType>STARTTLS</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.${DOMAIN}</hostname><port>587</port><socketType>STARTTLS</socketType><authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>`;
    web.route(`autoconfig.${DOMAIN}`, CONFIG_PATH, { body: xml, contentType: 'application/xml' }, 'http');
    const email = `ann@${DOMAIN}`;
    const dialog = await openAddAccount(page);
    await typeIdentity(page, dialog, email, 'secret');

    const proposal = dialog.getByRole('form', { name: `Found in ${DOMAIN}’s own settings, read without encryption (http://autoconfig.${DOMAIN}${CONFIG_PATH})`, exact: true });
    await proposal.waitFor();
    await proposal.getByText('These settings came over an unencrypted connection: anyone on the way could have changed them').waitFor();
    await proposal.getByText(`Incoming (IMAP): imap.${DOMAIN}, port 993, encrypted (SSL/TLS)`).waitFor();
    await proposal.getByText(`Outgoing (SMTP): smtp.${DOMAIN}, port 587, encrypted after connecting (STARTTLS)`).waitFor();
    const add = proposal.getByRole('button', { name: 'Add account' });
    const change = proposal.getByRole('button', { name: 'Change…' });
    expect([await add.isDisabled(), await change.isDisabled()]).toEqual([true, true]);
    // Focus is on the confirmation, the one thing to do before going on.
    await page.keyboard.press('Space');
    expect(await proposal.getByRole('checkbox', { name: 'Use them anyway' }).isChecked()).toBe(true);
    expect([await add.isDisabled(), await change.isDisabled()]).toEqual([false, false]);
    // The servers shown follow the mode chosen.
    await proposal.getByRole('radio', { name: 'POP3', exact: true }).check();
    await proposal.getByText(`Incoming (POP3): pop.${DOMAIN}, port 110, encrypted after connecting (STARTTLS)`).waitFor();
    expect(await proposal.getByText(/^Incoming \(IMAP\)/).count()).toBe(0);
    await proposal.getByRole('radio', { name: 'IMAP', exact: true }).check();

    // Back keeps what was typed, with focus on the address; a new search asks for the confirmation again.
    await proposal.getByRole('button', { name: 'Back' }).click();
    expect(await dialog.getByLabel('Password', { exact: true }).inputValue()).toBe('secret');
    await page.keyboard.press('Enter');
    await proposal.waitFor();
    expect(await add.isDisabled()).toBe(true);
    await proposal.getByRole('checkbox', { name: 'Use them anyway' }).check();

    // Change… opens the full form with every value of the proposal, editable.
    await change.click();
    const incoming = dialog.getByRole('group', { name: 'Incoming server' });
    expect(await incoming.getByLabel('Host', { exact: true }).inputValue()).toBe(`imap.${DOMAIN}`);
    expect(await incoming.getByLabel('Password', { exact: true }).inputValue()).toBe('secret');
    const outgoing = dialog.getByRole('group', { name: 'Outgoing server' });
    expect(await outgoing.getByLabel('Port', { exact: true }).inputValue()).toBe('587');
    expect(await dialog.getByLabel('E-mail address', { exact: true }).inputValue()).toBe(email);
    expect(web.requests.map((request) => request.scheme)).toContain('http');
    expect(await session!.call('accounts.list', {})).toEqual([]);
    expect(session!.pageErrors).toEqual([]);
  });

  it('says how each known provider signs in without a client id here: an app password for Gmail, only its own sign-in page for Outlook.com', async (context) => {
    const { page } = await openWithServers(context, {});
    const dialog = await openAddAccount(page);
    await typeIdentity(page, dialog, 'ann@gmail.com', 'app-password');
    const gmail = dialog.getByRole('form', { name: 'Found in Twinbox’s list of providers: Gmail', exact: true });
    await gmail.waitFor();
    await gmail.getByText(/^Incoming \(IMAP\): imap\.gmail\.com, port 993, encrypted \(SSL\/TLS\)/).waitFor();
    await gmail.getByText(/^Gmail accepts an app password here/).waitFor();
    expect(await gmail.getByRole('button', { name: 'Add account' }).isDisabled()).toBe(false);

    await gmail.getByRole('button', { name: 'Back' }).click();
    await dialog.getByLabel('E-mail address', { exact: true }).fill('ann@outlook.com');
    await page.keyboard.press('Enter');
    const outlook = dialog.getByRole('form', { name: /^Found in Twinbox’s list of providers: / });
    // No client id is configured here: the sign-in cannot be offered, and the dialog says why.
    await outlook.getByText(/accepts only its own sign-in page, and this copy of Twinbox has no sign-in registration for .*: the README says how to add one\./).waitFor();
    // No way on that could not work: no "Add account", and no sign-in button that signs nobody in; manual setup instead.
    expect(await outlook.getByRole('button', { name: 'Add account' }).count()).toBe(0);
    expect(await outlook.getByRole('button', { name: /sign in/i }).count()).toBe(0);
    await page.keyboard.press('Enter');
    // The provider's servers come along, for an app password.
    const incoming = dialog.getByRole('group', { name: 'Incoming server' });
    expect(await incoming.getByLabel('Host', { exact: true }).inputValue()).not.toBe('');
    expect(await incoming.getByLabel('Password', { exact: true }).inputValue()).toBe('app-password');
    expect(await dialog.getByLabel('E-mail address', { exact: true }).inputValue()).toBe('ann@outlook.com');
    expect(session!.pageErrors).toEqual([]);
  });
});
