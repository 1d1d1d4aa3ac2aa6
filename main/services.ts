/**
 * The composition root of the main process: the account store, the
 * credential vault, the connection pool, running syncs and watches, and the
 * event bus, wired once and shared by every host (Electron and the loopback
 * web host) through the handler table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TwinboxError } from '../shared/errors';
import type { Account, ProtocolLogLine } from '../shared/model';
import { AccountStore } from './accounts/account-store';
import type { DiscoveryOptions } from './accounts/autoconfig/discover';
import { PendingSignIns } from './accounts/oauth/pending-sign-ins';
import { builtinOAuthProviders, OAuthDirectory } from './accounts/oauth/providers';
import type { OAuthClients, OAuthProvider } from './accounts/oauth/providers';
import { TokenKeeper } from './accounts/oauth/token-keeper';
import { CredentialVault } from './accounts/credential-vault';
import type { SecretCipher, SecretKind } from './accounts/credential-vault';
import { NO_ALLOWED_ENDPOINTS } from './address-policy';
import type { AllowedEndpoints } from './address-policy';
import { EventBus } from './events';
import { MailtoLinks } from './mailto-links';
import { SyncSessions } from './ipc/sync-sessions';
import { WatchRegistry } from './ipc/watches';
import type { WatchRegistryOptions } from './ipc/watches';
import type { MailAdapter } from './protocols/adapter';
import { ConnectionPool } from './protocols/pool';
import { prepareTls } from './protocols/tls';
import type { PoolOptions } from './protocols/pool';
import { MessageStore } from './store/message-store';
import type { ExportTargetRequest, ImportSourceRequest } from './mailbox-io/transfers';

export type ExportTargetChooser = (request: ExportTargetRequest) => Promise<string | undefined>;
export type ImportSourceChooser = (request: ImportSourceRequest) => Promise<string[] | undefined>;

export interface AppIdentity {
  name: string;
  version: string;
}

/** Makes an unconnected adapter for an account; the pool connects it. */
export type AdapterFactory = (account: Account, password: string, log: ((line: ProtocolLogLine) => void) | undefined) => MailAdapter;

export interface ServicesOptions {
  identity: AppIdentity;
  host: 'electron' | 'web';
  /**
   * Where settings, encrypted secrets and the message store (`Mail/`) live.
   * Without it nothing outlives the process: the store is a temporary folder,
   * removed on close (tests).
   */
  dataDir?: string;
  cipher?: SecretCipher;
  createAdapter: AdapterFactory;
  pool?: Partial<PoolOptions>;
  /** How soon a watch that failed is opened again (tests make it quick). */
  watches?: Partial<WatchRegistryOptions>;
  /**
   * Asks the user where to save a file and writes it there (the desktop
   * app); returns the path, or undefined when cancelled. Without it, saved
   * attachments go back to the page to download.
   */
  saveFile?: (suggestedName: string, content: Uint8Array) => Promise<string | undefined>;
  /**
   * Asks the user where an export goes: a file to save, or a folder to write
   * into (the desktop app; tests name a folder of their own). Without it,
   * exports go to `Exports/` in the data folder, and a single .eml back to
   * the page to download.
   */
  chooseExportTarget?: ExportTargetChooser;
  /**
   * Asks the user which files or which Maildir folder to import (the desktop
   * app; tests name their own). Only main ever opens them, and only what the
   * user picked: the page never names a path. Without it, import is not offered.
   */
  chooseImportSources?: ImportSourceChooser;
  /**
   * Prints a document (a message with its headers, made by the page) with
   * the system's print dialog (the desktop app). Without it, the page
   * prints a print view of its own.
   */
  printDocument?: (document: string) => Promise<void>;
  /** Started by `npm run demo`: the Lab need not warn that the mailbox is a real one. */
  demo?: boolean;
  /**
   * Internal endpoints that remote images may come from all the same: the
   * tests' and the demo's image servers on loopback, named by
   * TWINBOX_ALLOW_INTERNAL_IMAGE_HOSTS or by the test itself. The UI offers
   * no such setting; without it, every internal address is refused.
   */
  internalImageHosts?: AllowedEndpoints;
  /** Opens a web page in the user's browser (Electron's shell.openExternal): a provider's sign-in page. */
  openExternal?: (url: string) => Promise<void>;
  /** Twinbox's client ids at the providers it signs in with (from oauth-clients.json in the profile folder). */
  oauthClients?: OAuthClients;
  /** Providers beside the built-in table's: the tests' own OpenID provider (the UI offers no such setting). */
  oauthProviders?: OAuthProvider[];
  /** Where finding an address's servers looks: the tests' own DNS and web servers (the UI offers no such setting). */
  discovery?: DiscoveryOptions;
}

export interface Services {
  identity: AppIdentity;
  host: 'electron' | 'web';
  accounts: AccountStore;
  vault: CredentialVault;
  pool: ConnectionPool;
  syncs: SyncSessions;
  /** Every downloaded message's bytes (main/store/). */
  store: MessageStore;
  /** IDLE watches, each on a connection of its own, by the pages that asked for them (./ipc/watches.ts). */
  watches: WatchRegistry;
  events: EventBus;
  /** mailto: links opened with Twinbox, until a page takes them. */
  mailto: MailtoLinks;
  protocolLog: { enabled: boolean };
  createAdapter: AdapterFactory;
  saveFile: ServicesOptions['saveFile'];
  chooseExportTarget: ServicesOptions['chooseExportTarget'];
  chooseImportSources: ServicesOptions['chooseImportSources'];
  /** Where exports go when the host cannot ask the user (the browser host). */
  exportsDir: string;
  printDocument: ServicesOptions['printDocument'];
  demo: boolean;
  internalImageHosts: AllowedEndpoints;
  discovery: DiscoveryOptions;
  /** The account, or INVALID_REQUEST when there is none with this id. */
  account(accountId: string): Account;
  /** Access tokens of the accounts that sign in with a provider (OAuth2). */
  tokens: TokenKeeper;
  /** Sign-ins the account dialog made and has not saved yet. */
  signIns: PendingSignIns;
  /** The providers Twinbox signs in with, and its client ids there. */
  oauth: OAuthDirectory;
  openExternal: ServicesOptions['openExternal'];
  /**
   * What signs in to the account's incoming or outgoing server: its password,
   * or a current access token from its provider (renewed first if it is about
   * to expire).
   */
  secret(accountId: string, kind: Exclude<SecretKind, 'oauth'>): Promise<string>;
  logLine(line: ProtocolLogLine): void;
  /** A page went away (closed, reloaded, crashed): the syncs and watches it started end. Hosts call this. */
  callerGone(caller: string): Promise<void>;
  /** Stops syncs and watches and logs out of every server. */
  close(): Promise<void>;
}

export function createServices(options: ServicesOptions): Services {
  const accounts = new AccountStore(options.dataDir ? join(options.dataDir, 'accounts.json') : undefined);
  const vault = new CredentialVault(options.dataDir ? join(options.dataDir, 'secrets.json') : undefined, options.cipher);
  const events = new EventBus();
  /** Which access token each pooled adapter signed in with, to renew exactly the one a server refused. */
  const tokensOfAdapters = new WeakMap<MailAdapter, string>();
  const tokens = new TokenKeeper({
    get: (accountId) => vault.get(accountId, 'oauth'),
    set: (accountId, refreshToken) => vault.set(accountId, 'oauth', refreshToken),
  });
  const protocolLog = { enabled: false };
  const watches = new WatchRegistry(
    async ({ accountId, folder }, onChange, onEnd) => {
      // An adapter of the watch's own, never a pooled one: the pool closes its adapters when they idle,
      // break or the settings change, and closing an adapter stops its watches.
      const open = async (secret: string): Promise<() => Promise<void>> => {
        const adapter = options.createAdapter(services.account(accountId), secret, (line) => services.logLine(line));
        try {
          const stop = await adapter.watch(folder, onChange, onEnd);
          return async () => {
            await stop().catch(() => undefined);
            await adapter.close();
          };
        } catch (error) {
          await adapter.close();
          throw error;
        }
      };
      const secret = await services.secret(accountId, 'incoming');
      try {
        return await open(secret);
      } catch (error) {
        // As the pool does: a refused access token is renewed once (see renewSignIn below).
        const { oauth2, incoming } = services.account(accountId);
        if (!(error instanceof TwinboxError && error.code === 'AUTH_FAILED' && incoming.signIn === 'oauth2' && oauth2)) throw error;
        return open(await tokens.renew(accountId, oauth2, secret));
      }
    },
    (accountId, change) => events.emit('mail.changed', { accountId, folder: change.folder, reason: change.reason }),
    options.watches,
  );
  const syncs = new SyncSessions();
  for (const account of accounts.list()) for (const server of [account.incoming, account.outgoing]) prepareTls(server);
  const temporaryMail = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'twinbox-mail-')) : undefined;
  const store = new MessageStore(temporaryMail ?? join(options.dataDir ?? '', 'Mail'));
  // Beside the temporary store, not in it (the store reads every folder there as an account's), and gone with it.
  const temporaryExports = options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'twinbox-exports-')) : undefined;

  const services: Services = {
    identity: options.identity,
    host: options.host,
    accounts,
    vault,
    events,
    protocolLog,
    watches,
    syncs,
    store,
    createAdapter: options.createAdapter,
    saveFile: options.saveFile,
    chooseExportTarget: options.chooseExportTarget,
    chooseImportSources: options.chooseImportSources,
    exportsDir: temporaryExports ?? join(options.dataDir ?? '', 'Exports'),
    printDocument: options.printDocument,
    mailto: new MailtoLinks(events),
    demo: options.demo === true,
    internalImageHosts: options.internalImageHosts ?? NO_ALLOWED_ENDPOINTS,
    discovery: options.discovery ?? {},
    pool: new ConnectionPool(
      async (accountId) => {
        const account = services.account(accountId);
        const secret = await services.secret(accountId, 'incoming');
        const adapter = options.createAdapter(account, secret, (line) => services.logLine(line));
        if (account.incoming.signIn === 'oauth2') tokensOfAdapters.set(adapter, secret);
        return adapter;
      },
      {
        ...options.pool,
        // A refused access token may only have ended early (a session ended at the provider, clock skew): one renewal, one more try.
        renewSignIn: async (accountId, refused) => {
          const account = services.account(accountId);
          const token = tokensOfAdapters.get(refused);
          if (token === undefined || !account.oauth2) return false;
          await tokens.renew(accountId, account.oauth2, token);
          return true;
        },
        onState: (accountId, state, error) => {
          events.emit('connection.state', {
            accountId,
            state,
            error: error ? error.toWire() : null,
            retryAt: services.pool.retryAt(accountId) ?? null,
          });
        },
      },
    ),
    account(accountId) {
      const account = accounts.get(accountId);
      if (!account) throw new TwinboxError('INVALID_REQUEST', `no account ${accountId}`);
      return account;
    },
    tokens,
    signIns: new PendingSignIns(),
    oauth: new OAuthDirectory([...builtinOAuthProviders(), ...(options.oauthProviders ?? [])], options.oauthClients ?? {}),
    openExternal: options.openExternal,
    async secret(accountId, kind) {
      const account = services.account(accountId);
      if (account[kind].signIn === 'oauth2') {
        if (!account.oauth2) throw new TwinboxError('SIGN_IN_REQUIRED', 'the account signs in with a provider it has no settings for');
        return tokens.accessToken(accountId, account.oauth2);
      }
      const stored = vault.get(accountId, kind) ?? (kind === 'outgoing' ? vault.get(accountId, 'incoming') : undefined);
      if (stored === undefined) throw new TwinboxError('AUTH_FAILED', 'no password is stored for this account');
      return Promise.resolve(stored);
    },
    logLine(line) {
      if (protocolLog.enabled) events.emit('protocol.log', line);
    },
    async callerGone(caller) {
      await Promise.all([syncs.cancelOwner(caller), watches.release(caller)]);
    },
    async close() {
      await syncs.cancelAll();
      await watches.close();
      await services.pool.closeAll();
      if (temporaryMail !== undefined) rmSync(temporaryMail, { recursive: true, force: true });
      if (temporaryExports !== undefined) rmSync(temporaryExports, { recursive: true, force: true });
    },
  };
  return services;
}
