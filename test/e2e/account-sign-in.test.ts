import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { OAuthClients, OAuthProvider } from '../../main/accounts/oauth/providers';
import { ERROR_TEXT } from '../../shared/errors';
import { rawMessage } from '../mailstack/fixtures';
import { appendMessages, leaseMailboxes, mailStack, requireEndpoint, skipBecause, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { dnsServerUnavailable, startDnsServer } from '../mailstack/dns-server';
import type { DnsServer } from '../mailstack/dns-server';
import { startWebServer } from '../mailstack/web-server';
import type { WebServer } from '../mailstack/web-server';
import { CONFIG_PATH, discoveryOptions, openAddAccount, serverResult, stackConfigXml, stackFingerprint, trustAfterSeeing, waitConnected } from './account-dialog';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Adding an account that signs in on its provider's own page (OAuth2): the
 * domain's autoconfig names the test mail stack's servers with OAuth2 only,
 * Twinbox's directory of providers lists the tests' OpenID provider for
 * them, and "the system browser" is another page of the same browser, where
 * the test signs in and consents as a user would. Everything is on
 * 127.0.0.1: the test's DNS server refuses names outside its zones.
 */
const DOMAIN = 'example.test';
const PROVIDER_NAME = 'Test provider';

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

/** The stack's OpenID provider as Twinbox's directory lists it, for the stack's servers, with a client id there or not. */
function testProvider(context: TestContext, registered: boolean): { oauthProviders: OAuthProvider[]; oauthClients: OAuthClients } {
  const oauth = mailStack().oauth;
  if (!oauth) skipBecause(context, mailStack().missing.oauth ?? 'the mail stack has no OpenID provider');
  return {
    oauthProviders: [
      {
        issuer: oauth.issuer,
        name: PROVIDER_NAME,
        hosts: ['127.0.0.1'],
        authorizationUrl: oauth.authorizationUrl,
        tokenUrl: oauth.tokenUrl,
        scopes: oauth.scopes,
        // Without it a provider gives no refresh token (offline_access).
        extraParameters: { prompt: 'consent' },
      },
    ],
    oauthClients: registered ? { [oauth.issuer]: { clientId: oauth.clientId } } : {},
  };
}

/**
 * Twinbox with the test's DNS and web servers serving the domain's settings,
 * the test provider, and a browser: each page main opens arrives on
 * `providerPages`, a new page of the same browser context.
 */
async function openWithProvider(
  context: TestContext,
  user: TestUser,
  { registered, alsoPasswords = false }: { registered: boolean; alsoPasswords?: boolean },
): Promise<{ page: Page; web: WebServer; providerPages: Page[]; blocked: string[] }> {
  const unavailable = dnsServerUnavailable();
  if (unavailable) skipBecause(context, unavailable);
  const signIn = testProvider(context, registered);
  dns = await startDnsServer([DOMAIN], { a: { [`autoconfig.${DOMAIN}`]: '127.0.0.1' } });
  web = await startWebServer([`autoconfig.${DOMAIN}`, DOMAIN]);
  web.route(`autoconfig.${DOMAIN}`, CONFIG_PATH, { body: stackConfigXml(context, user, { domain: DOMAIN, pop3: false, authentication: alsoPasswords ? ['OAuth2', 'password-cleartext'] : ['OAuth2'] }), contentType: 'application/xml' }, 'https');
  const discovery = discoveryOptions(dns, web);
  const providerPages: Page[] = [];
  const openExternal = async (url: string): Promise<void> => {
    const page = await session!.page.context().newPage();
    await page.goto(url);
    providerPages.push(page);
  };
  session = await openTwinbox({ services: { discovery, openExternal, ...signIn } });
  // Nothing the browser asks for leaves the machine, whichever page asks.
  const blocked: string[] = [];
  await session.page.context().route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      blocked.push(route.request().url());
      return route.abort();
    },
  );
  return { page: session.page, web, providerPages, blocked };
}

/** The first screen without a password: the provider's page will ask for it. */
async function typeIdentity(page: Page, dialog: Locator, email: string): Promise<void> {
  await page.keyboard.type('Test User');
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await dialog.getByRole('button', { name: 'Continue' }).click();
}

async function nextPage(pages: Page[]): Promise<Page> {
  const deadline = Date.now() + 10_000;
  while (pages.length === 0) {
    if (Date.now() > deadline) throw new Error('Twinbox opened no page for the provider’s sign-in');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pages.shift()!;
}

describe('adding an account that signs in on its provider’s page', () => {
  it('signs in with the provider in the browser, tests the servers with the sign-in and saves the account without a password', async (context) => {
    const fingerprint = stackFingerprint(context);
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1)]);
    const imaps = requireEndpoint(context, 'imaps');
    const { page, web, providerPages, blocked } = await openWithProvider(context, user!, { registered: true });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const email = `${user!.user}@${DOMAIN}`;

    const dialog = await openAddAccount(page);
    await typeIdentity(page, dialog, email);
    const proposal = dialog.getByRole('form', { name: `Found in ${DOMAIN}’s own settings (https://autoconfig.${DOMAIN}${CONFIG_PATH})`, exact: true });
    await proposal.waitFor();
    await proposal.getByText(`${PROVIDER_NAME} signs you in on its own page, in your browser: Twinbox never sees your password.`, { exact: true }).waitFor();
    // Only the provider's page signs in to these servers: no password way, and the sign-in has focus.
    expect(await proposal.getByRole('button', { name: 'Add account' }).count()).toBe(0);
    expect(await proposal.getByRole('button', { name: 'Use a password instead' }).count()).toBe(0);
    await proposal.getByRole('button', { name: `Sign in with ${PROVIDER_NAME}`, exact: true }).waitFor();
    // Focus arrived on it: Enter signs in.
    await page.keyboard.press('Enter');
    await proposal.getByRole('status').getByText(`Waiting for you to sign in with ${PROVIDER_NAME} in your browser…`, { exact: true }).waitFor();

    // In "the browser": the provider's sign-in form (the address's login prefilled from the hint), then its consent.
    const provider = await nextPage(providerPages);
    await provider.locator('input[name=login]').fill(user!.user);
    await provider.locator('input[name=password]').fill(user!.password);
    await provider.getByRole('button', { name: 'Sign-in' }).click();
    await provider.getByRole('button', { name: 'Continue' }).click();
    await provider.getByText('You are signed in').waitFor();
    await provider.close();
    await page.bringToFront();

    // Back in Twinbox: the full form's own test runs with the sign-in; the self-signed certificate is trusted after seeing it.
    await dialog.getByRole('group', { name: 'Incoming server' }).getByText(`Signs in with ${PROVIDER_NAME}`, { exact: true }).waitFor();
    expect(await dialog.getByRole('group', { name: 'Incoming server' }).getByLabel('Password', { exact: true }).count()).toBe(0);
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
      incoming: { host: imaps.host, port: imaps.port, security: 'tls', username: user!.user, signIn: 'oauth2' },
      outgoing: { username: user!.user, signIn: 'oauth2' },
      oauth2: { clientId: mailStack().oauth!.clientId },
    });
    // The provider's refresh token is kept; no password is, for there was none.
    expect(session!.services.vault.get(saved!.id, 'incoming')).toBeUndefined();
    expect(session!.services.vault.get(saved!.id, 'oauth')).toBeTypeOf('string');

    // Renaming needs neither a password nor a new sign-in: main keeps the tokens with the servers unchanged.
    await page.getByRole('button', { name: `Settings for ${email}` }).click();
    const settings = page.getByRole('dialog', { name: `Settings for ${email}` });
    await settings.getByRole('group', { name: 'Incoming server' }).getByText('Signs in with your provider', { exact: true }).waitFor();
    await settings.getByLabel('Account name', { exact: true }).fill('Work mail');
    await settings.getByRole('button', { name: 'Save', exact: true }).click();
    await settings.waitFor({ state: 'detached' });
    expect(await session!.call('accounts.list', {})).toEqual([expect.objectContaining({ name: 'Work mail', oauth2: saved!.oauth2 })]);

    // Signing in again from the settings (what the "sign in again" error asks for): a new sign-in, tested, then kept.
    const firstRefreshToken = session!.services.vault.get(saved!.id, 'oauth');
    await page.getByRole('button', { name: 'Settings for Work mail' }).click();
    const again = page.getByRole('dialog', { name: 'Settings for Work mail' });
    await again.getByRole('button', { name: 'Sign in again', exact: true }).click();
    await again.getByRole('status').getByText('Waiting for you to sign in with your provider in your browser…', { exact: true }).waitFor();
    const providerAgain = await nextPage(providerPages);
    // The provider may remember the user from before; it asks for consent every time.
    if (await providerAgain.locator('input[name=login]').isVisible()) {
      await providerAgain.locator('input[name=password]').fill(user!.password);
      await providerAgain.getByRole('button', { name: 'Sign-in' }).click();
    }
    await providerAgain.getByRole('button', { name: 'Continue' }).click();
    await providerAgain.getByText('You are signed in').waitFor();
    await providerAgain.close();
    await again.getByRole('status').filter({ hasText: 'Waiting for you' }).waitFor({ state: 'detached' });
    await again.getByRole('button', { name: 'Save', exact: true }).click();
    await again.waitFor({ state: 'detached' });
    expect(session!.services.vault.get(saved!.id, 'oauth')).toBeTypeOf('string');
    expect(session!.services.vault.get(saved!.id, 'oauth')).not.toBe(firstRefreshToken);

    expect(requested.filter((url) => new URL(url).hostname !== '127.0.0.1')).toEqual([]);
    // oidc-provider's development sign-in page links a web font: kept from leaving, and not Twinbox's.
    expect(blocked.filter((url) => new URL(url).hostname !== 'fonts.googleapis.com')).toEqual([]);
    expect(web.requests.map((request) => request.host)).toEqual(expect.arrayContaining([`autoconfig.${DOMAIN}`]));
    expect(web.requests.filter((request) => !request.host.endsWith(DOMAIN))).toEqual([]);
    expect(session!.pageErrors).toEqual([]);
  });

  it('says plainly that this copy of Twinbox has no sign-in registration for the provider, with no button that could not work', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const { page, providerPages } = await openWithProvider(context, user!, { registered: false });
    const dialog = await openAddAccount(page);
    await typeIdentity(page, dialog, `${user!.user}@${DOMAIN}`);
    const proposal = dialog.getByRole('form', { name: /^Found in example\.test’s own settings/ });
    // The provider as the domain's settings name it, the sign-in as Twinbox's directory does.
    await proposal
      .getByText(`Example Mail accepts only its own sign-in page, and this copy of Twinbox has no sign-in registration for ${PROVIDER_NAME}: the README says how to add one.`)
      .waitFor();
    expect(await proposal.getByRole('button', { name: /sign in/i }).count()).toBe(0);
    expect(await proposal.getByRole('button', { name: 'Add account' }).count()).toBe(0);
    // Manual setup is the way on, with the servers found; focus is there.
    await proposal.getByRole('button', { name: 'Set up manually' }).waitFor();
    await page.keyboard.press('Enter');
    const incoming = dialog.getByRole('group', { name: 'Incoming server' });
    expect(await incoming.getByLabel('Host', { exact: true }).inputValue()).toBe(requireEndpoint(context, 'imaps').host);
    expect(providerPages).toEqual([]);
    expect(session!.pageErrors).toEqual([]);
  });

  it('keeps the password way beside the sign-in, stops waiting on Cancel, and says so when the user turns the provider down', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const { page, providerPages } = await openWithProvider(context, user!, { registered: true, alsoPasswords: true });
    const dialog = await openAddAccount(page);
    await typeIdentity(page, dialog, `${user!.user}@${DOMAIN}`);
    const proposal = dialog.getByRole('form', { name: /^Found in example\.test’s own settings/ });
    await proposal.getByText(`“Sign in with ${PROVIDER_NAME}” opens ${PROVIDER_NAME}’s sign-in page in your browser`, { exact: false }).waitFor();
    await proposal.getByText(/^Example Mail accepts an app password here/).waitFor();
    const signIn = proposal.getByRole('button', { name: `Sign in with ${PROVIDER_NAME}`, exact: true });
    const password = proposal.getByRole('button', { name: 'Use a password instead' });
    expect(await password.isDisabled()).toBe(false);

    // Cancel only stops waiting here; the page the browser got is simply left unanswered.
    await signIn.click();
    const waiting = proposal.getByRole('status').getByText(`Waiting for you to sign in with ${PROVIDER_NAME} in your browser…`, { exact: true });
    await waiting.waitFor();
    expect(await password.isDisabled()).toBe(true);
    await proposal.getByRole('button', { name: 'Cancel sign-in' }).click();
    await waiting.waitFor({ state: 'detached' });
    expect(await password.isDisabled()).toBe(false);
    await (await nextPage(providerPages)).close();

    // The user turns the provider down on its page: told in words, nothing saved, free to try again.
    await signIn.click();
    const provider = await nextPage(providerPages);
    await provider.getByRole('link', { name: '[ Cancel ]' }).click();
    await provider.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/);
    await provider.close();
    const alert = proposal.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(ERROR_TEXT.SIGN_IN_CANCELLED);
    expect(await signIn.isDisabled()).toBe(false);

    // The password way opens the form with the servers, asking for a password as for any account.
    await password.click();
    const incoming = dialog.getByRole('group', { name: 'Incoming server' });
    expect(await incoming.getByLabel('Password', { exact: true }).count()).toBe(1);
    expect(await incoming.getByText(/^Signs in with/).count()).toBe(0);
    expect(await session!.call('accounts.list', {})).toEqual([]);
    expect(session!.pageErrors).toEqual([]);
  });
});
