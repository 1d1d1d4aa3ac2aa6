import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { Account, ServerSettings } from '../../shared/model';
import type { OAuthClients, OAuthProvider } from '../../main/accounts/oauth/providers';
import { SyncEngine } from '../../renderer/sync/engine';
import { appendMessages, eventually, leaseMailboxes, mailStack, requireEndpoint, skipBecause, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { revoke, setAccessTokenTtl } from '../mailstack/oidc-provider';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/harness';
import { cachedFolder, clientHarness } from './client-harness';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';
import type { ClientHarness } from './client-harness';

/**
 * Signing in with a provider, below the UI: main opens the provider's page in
 * "the system browser" (here Chromium, driven as a user would: the sign-in
 * form, consent), gets the answer on its loopback port, and then reads and
 * sends mail with the tokens. All real: oidc-provider issues the tokens,
 * Dovecot checks each by asking it, Postfix asks Dovecot.
 */
let browser: Browser | undefined;
let harness: ClientHarness | undefined;
let engine: SyncEngine | undefined;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});

/**
 * A page in a browser of the user's own (its own cookies: each test's user signs in afresh), from
 * which nothing leaves this machine (the provider's development pages link a web font).
 */
async function userPage(): Promise<Page> {
  if (!browser) throw new Error('the browser did not start');
  const context = await browser.newContext();
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => route.abort(),
  );
  return context.newPage();
}

afterAll(async () => {
  await browser?.close();
});

/** What the user does at the provider, each time main opens its page; finished (or failed) before the test ends. */
let atTheProvider: Promise<void>[] = [];

afterEach(async () => {
  const flows = atTheProvider;
  atTheProvider = [];
  await Promise.all(flows);
  await engine?.stop();
  engine = undefined;
  await harness?.close();
  harness = undefined;
});

/** What the user does on the provider's pages: signs in (when the provider asks), then consents. */
function userAtTheProvider(user: TestUser, pagesOpened: string[]): (url: string) => Promise<void> {
  return async (url) => {
    pagesOpened.push(url);
    const page = await userPage();
    // Not awaited by main: the sign-in finishes when the browser comes back to the loopback port.
    const flow = (async () => {
      try {
        await page.goto(url);
        const login = page.locator('input[name=login]');
        if (await login.isVisible()) {
          await login.fill(user.user);
          await page.locator('input[name=password]').fill(user.password);
          await page.locator('button.login-submit').click();
        }
        await page.locator('button.login-submit').click();
        await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/);
        await page.getByText('You are signed in').waitFor();
      } finally {
        await page.context().close();
      }
    })();
    atTheProvider.push(flow);
    return Promise.resolve();
  };
}

interface TestProvider {
  issuer: string;
  signIn: { oauthProviders: OAuthProvider[]; oauthClients: OAuthClients };
}

/** The stack's OpenID provider, as the directory of providers Twinbox signs in with would list it, with a client id there. */
function providerFor(context: TestContext): TestProvider {
  const oauth = mailStack().oauth;
  if (!oauth) skipBecause(context, mailStack().missing.oauth ?? 'the mail stack has no OpenID provider');
  return {
    issuer: oauth.issuer,
    signIn: {
      oauthProviders: [
        {
          issuer: oauth.issuer,
          name: 'Test provider',
          hosts: ['127.0.0.1', 'localhost'],
          authorizationUrl: oauth.authorizationUrl,
          tokenUrl: oauth.tokenUrl,
          scopes: oauth.scopes,
          // Without it a provider gives no refresh token (offline_access).
          extraParameters: { prompt: 'consent' },
        },
      ],
      oauthClients: { [oauth.issuer]: { clientId: oauth.clientId } },
    },
  };
}

const withToken = (server: ServerSettings): ServerSettings => ({ ...server, signIn: 'oauth2' });

async function signedInAccount(context: TestContext, user: TestUser, protocol: 'imap' | 'pop3', provider: TestProvider): Promise<Account> {
  const client = harness!.client;
  const { signInId } = await client.call('accounts.signIn', { email: user.address, issuer: provider.issuer });
  const draft = accountFor(context, user, protocol);
  const account = { ...draft, incoming: withToken(draft.incoming), outgoing: withToken(draft.outgoing) };
  const tested = await client.call('accounts.test', { protocol, incoming: account.incoming, outgoing: account.outgoing, signInId });
  expect(tested.incoming).toMatchObject({ ok: true });
  // Without SMTP here (the stack as a normal user), the outgoing server is a placeholder nobody answers on.
  if (mailStack().smtp) expect(tested.outgoing).toMatchObject({ ok: true });
  return client.call('accounts.save', { account, signInId });
}

describe('signing in with a provider (OAuth2)', () => {
  it('signs in on the provider’s page, then syncs IMAP, downloads POP3 and sends SMTP with the tokens alone', async (context) => {
    const provider = providerFor(context);
    requireEndpoint(context, 'smtp');
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i)));
    const opened: string[] = [];
    harness = clientHarness({ signIn: { ...provider.signIn, openExternal: userAtTheProvider(user!, opened) } });

    const imap = await signedInAccount(context, user!, 'imap', provider);
    // The browser was sent to the provider with PKCE and a loopback redirect; no password was stored.
    const asked = new URL(opened[0]!);
    expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
    expect(asked.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(harness.services.vault.get(imap.id, 'incoming')).toBeUndefined();
    expect(harness.services.vault.get(imap.id, 'oauth')).toBeTypeOf('string');

    const db = harness.openDatabase();
    engine = new SyncEngine(harness.client, db);
    await engine.writer.replaceAccounts([imap]);
    await engine.imap.syncFolder(imap, 'INBOX');
    expect(await cachedFolder(db, imap.id)).toEqual(await serverFolder(user!));

    await harness.client.call('mail.send', {
      accountId: imap.id,
      message: { from: { name: '', address: user!.address }, to: [{ name: '', address: user!.address }], cc: [], bcc: [], replyTo: [], references: [], subject: `${tag} sent with a token`, text: 'hello', attachments: [] },
    });
    await eventually(async () => ((await serverFolder(user!)).size === 4 ? true : undefined), 15_000);

    const pop3 = await signedInAccount(context, user!, 'pop3', provider);
    const pop3Account = { ...pop3, pop3: { retention: { kind: 'keep' as const }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } };
    await engine.writer.replaceAccounts([imap, pop3Account]);
    const result = await engine.pop3.check(pop3Account, { allowServerDeletes: false });
    expect(result.downloaded).toBe(4);
  });

  it('renews an expired access token without the user noticing, and asks to sign in again once the provider withdrew the sign-in', async (context) => {
    const provider = providerFor(context);
    const [user] = await leaseMailboxes(context, 1);
    // Tokens that live 2 seconds: every new connection needs a renewed one.
    await setAccessTokenTtl(user!, 2);
    harness = clientHarness({ signIn: { ...provider.signIn, openExternal: userAtTheProvider(user!, []) } });
    const account = await signedInAccount(context, user!, 'imap', provider);
    const { services, client } = harness;

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await services.pool.invalidate(account.id);
    // Two connections at once, one renewal: the provider rotates refresh tokens, and a second renewal with the
    // same one would end the sign-in.
    const [folders, counts] = await Promise.all([
      client.call('mail.listFolders', { accountId: account.id }),
      client.call('mail.folderCounts', { accountId: account.id, paths: ['INBOX'] }),
    ]);
    expect(folders.length).toBeGreaterThan(0);
    expect(counts).toHaveLength(1);

    // A token that looks current here but that the server refuses (a session the provider ended early):
    // renewed once, and the connection made with the new one.
    services.tokens.signedIn(account.id, { accessToken: 'ended-early', expiresAt: Date.now() + 3_600_000 });
    await services.pool.invalidate(account.id);
    expect((await client.call('mail.listFolders', { accountId: account.id })).length).toBeGreaterThan(0);

    // The same for the connection that waits for new mail (IDLE).
    services.tokens.signedIn(account.id, { accessToken: 'ended-early-too', expiresAt: Date.now() + 3_600_000 });
    let changed = false;
    const unsubscribe = services.events.subscribe((event) => {
      if (event === 'mail.changed') changed = true;
    });
    try {
      await client.call('mail.watch', { accountId: account.id, folder: 'INBOX' });
      await eventually(async () => {
        await appendMessages(user!, [rawMessage(uniqueTag(), 1)]);
        return changed ? true : undefined;
      }, 15_000);
    } finally {
      unsubscribe();
    }

    // The provider withdraws the sign-in (revoking the refresh token ends the grant).
    const refreshToken = services.vault.get(account.id, 'oauth');
    await revoke(refreshToken!);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await services.pool.invalidate(account.id);
    await expect(client.call('mail.listFolders', { accountId: account.id })).rejects.toMatchObject({ code: 'SIGN_IN_REQUIRED' });
    // Not a loop: the account waits for the user, and says so again at once.
    const started = Date.now();
    await expect(client.call('mail.listFolders', { accountId: account.id })).rejects.toMatchObject({ code: 'SIGN_IN_REQUIRED' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('keeps a token with its servers: a changed server or provider needs a new sign-in', async (context) => {
    const provider = providerFor(context);
    const [user] = await leaseMailboxes(context, 1);
    harness = clientHarness({ signIn: { ...provider.signIn, openExternal: userAtTheProvider(user!, []) } });
    const account = await signedInAccount(context, user!, 'imap', provider);
    const { client } = harness;
    const { id, ...draft } = account;
    const oauth2 = account.oauth2!;
    // Unchanged: saved without signing in again.
    await expect(client.call('accounts.save', { account: { ...draft, id, name: 'renamed' } })).resolves.toMatchObject({ name: 'renamed' });
    // Another host, or another token endpoint: refused, and nothing was changed.
    await expect(client.call('accounts.save', { account: { ...draft, id, incoming: { ...draft.incoming, host: 'localhost' } } })).rejects.toMatchObject({
      code: 'SIGN_IN_REQUIRED',
    });
    await expect(client.call('accounts.save', { account: { ...draft, id, oauth2: { ...oauth2, tokenUrl: 'https://elsewhere.invalid/token' } } })).rejects.toMatchObject({
      code: 'SIGN_IN_REQUIRED',
    });
    expect((await client.call('accounts.list', {})).find((a) => a.id === id)).toMatchObject({ name: 'renamed', oauth2 });
    const tested = await client.call('accounts.test', { protocol: 'imap', incoming: { ...draft.incoming, host: 'localhost' }, accountId: id });
    expect(tested.incoming).toMatchObject({ ok: false, error: { code: 'SIGN_IN_REQUIRED' } });

    // A fresh sign-in's token goes only to that provider's own mail servers, in a test as in a save.
    const { signInId } = await client.call('accounts.signIn', { email: user!.address, issuer: provider.issuer });
    const stranger = { ...draft.incoming, host: '127.0.0.2' };
    const strangerTest = await client.call('accounts.test', { protocol: 'imap', incoming: stranger, signInId });
    expect(strangerTest.incoming).toMatchObject({ ok: false, error: { code: 'SIGN_IN_REQUIRED' } });
    await expect(client.call('accounts.save', { account: { ...draft, incoming: stranger }, signInId })).rejects.toMatchObject({ code: 'SIGN_IN_REQUIRED' });
    // Nor in clear text, even to the provider's own server.
    const plainImap = mailStack().imap;
    if (plainImap) {
      const inClear = await client.call('accounts.test', { protocol: 'imap', incoming: { ...draft.incoming, port: plainImap.port, security: 'plain' }, signInId });
      expect(inClear.incoming).toMatchObject({ ok: false, error: { code: 'TLS_REQUIRED' } });
    }
  });
});
