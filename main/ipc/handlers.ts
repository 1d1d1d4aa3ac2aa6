/**
 * The handler table: one function per contract method, shared by every host.
 * Inputs arrive already checked against the method's schema (dispatch.ts);
 * each handler turns a call into work on the services and returns plain data.
 */
import { randomUUID } from 'node:crypto';
import type { TestOutcome } from '../../shared/contract';
import { asTwinboxError, TwinboxError } from '../../shared/errors';
import type { Account, OAuth2Settings, Protocol, ServerSettings, SyncDelta } from '../../shared/model';
import { sameServer } from '../../shared/server-identity';
import type { AdapterOptions, MailAdapter } from '../protocols/adapter';
import { otherImapDevice, otherPop3Device, serverSnapshot } from '../lab/other-devices';
import { probeCertificate } from '../protocols/certificate-probe';
import { prepareTls } from '../protocols/tls';
import { composeMessage, sendMessage, verifySmtpLogin } from '../protocols/smtp/sender';
import type { Services } from '../services';
import type { HandlerTable } from './dispatch';
import { discoverServers } from '../accounts/autoconfig/discover';
import { signIn } from '../accounts/oauth/authorization';
import type { TokenSet } from '../accounts/oauth/tokens';
import { passwordsToStore, testPasswords } from '../accounts/credential-binding';
import type { SavedCredentials } from '../accounts/credential-binding';
import type { SecretKind } from '../accounts/credential-vault';
import { attachmentContent } from '../attachments';
import { crashPoint } from '../crash-points';
import { fetchRemoteImages } from '../remote-images';
import { describe, keepsOnlyCopy, StoredMail } from '../store/stored-mail';
import { MailboxTransfers } from '../mailbox-io/transfers';

/** Settings a new account gets for what the form did not say. */
const DEFAULT_POP3 = { retention: { kind: 'keep' as const }, pollMinutes: 10, headersOnly: false, maxMessageBytes: 0 };
const DEFAULT_IMAP = { deleteMode: 'trash' as const, cacheLimitMegabytes: 500 };

export function createHandlers(services: Services): HandlerTable {
  const { pool } = services;

  /** Runs work on the account's pooled connection, with the certificate attached to a TLS refusal. */
  async function withAdapter<T>(accountId: string, work: (adapter: MailAdapter) => Promise<T>, idempotent = false): Promise<T> {
    const account = services.account(accountId);
    try {
      return await pool.use(accountId, work, { idempotent });
    } catch (error) {
      throw await withCertificate(error, account.incoming, account.protocol);
    }
  }

  const mail = new StoredMail({ store: services.store, account: (id) => services.account(id), withAdapter: (id, work) => withAdapter(id, work, true) });
  const transfers = new MailboxTransfers({
    store: services.store,
    account: (id) => services.account(id),
    download: (accountId, folder, serverIds) => mail.download(accountId, folder, serverIds),
    putLocal: (accountId, folder, raw, flags, receivedAt) => mail.putLocal(accountId, folder, raw, flags, receivedAt),
    // Not idempotent: an APPEND that reached the server before the connection broke must not be sent twice.
    withAdapter: (id, work) => withAdapter(id, work),
    progress: (payload) => services.events.emit('mailbox.progress', payload),
    chooseExportTarget: services.chooseExportTarget,
    chooseImportSources: services.chooseImportSources,
    exportsDir: services.exportsDir,
  });

  return {
    'app.getInfo': (_input, context) =>
      Promise.resolve({ ...services.identity, host: context.host, passwordsPersist: services.vault.persistent, demo: services.demo }),

    'app.takeMailto': () => Promise.resolve(services.mailto.take()),

    'app.print': async ({ document }) => {
      if (!services.printDocument) throw new TwinboxError('NOT_SUPPORTED', 'this host prints from the page');
      await services.printDocument(document);
      return null;
    },

    'app.setProtocolLog': ({ enabled }) => {
      services.protocolLog.enabled = enabled;
      return Promise.resolve(null);
    },

    'accounts.list': () => Promise.resolve(services.accounts.list()),

    'accounts.save': async ({ account: draft, incomingPassword, outgoingPassword, signInId }) => {
      const existing = draft.id === undefined ? undefined : services.accounts.get(draft.id);
      const request = { incoming: draft.incoming, outgoing: draft.outgoing, incomingPassword, outgoingPassword };
      const plan = passwordsToStore(existing && savedCredentials(services, existing), request);
      // Refused before anything is written: the settings and the vault stay as they were, and still belong together.
      if (plan.kind === 'password-required') throw passwordRequired(plan.servers);
      const signedIn = tokenBinding(existing, draft, signInId);
      const account: Account = {
        ...draft,
        id: existing?.id ?? randomUUID(),
        ...(draft.protocol === 'pop3' ? { pop3: draft.pop3 ?? DEFAULT_POP3 } : { imap: draft.imap ?? DEFAULT_IMAP }),
      };
      if (account.protocol === 'pop3') delete account.imap;
      else delete account.pop3;
      // The provider's settings come from the sign-in or stay as saved, never from the page: the refresh token goes to their token endpoint.
      if (signedIn.kind === 'none') delete account.oauth2;
      else account.oauth2 = signedIn.kind === 'new' ? signedIn.settings : signedIn.saved;
      services.accounts.save(account);
      if (signedIn.kind === 'new') {
        services.signIns.take(signedIn.signInId);
        services.tokens.signedIn(account.id, signedIn.tokens);
      }
      prepareTls(account.incoming);
      prepareTls(account.outgoing);
      for (const kind of ['incoming', 'outgoing'] as const) {
        const password = plan.passwords[kind];
        if (password !== undefined) services.vault.set(account.id, kind, password);
      }
      // New settings or password: old connections and a remembered refusal no longer apply.
      await pool.invalidate(account.id);
      // Watches have connections of their own, opened with the old settings: they start again with these.
      await services.watches.restartAccount(account.id);
      return account;
    },

    'accounts.remove': async ({ accountId }) => {
      await services.watches.stopAccount(accountId);
      services.tokens.forget(accountId);
      await pool.invalidate(accountId);
      services.vault.delete(accountId);
      services.accounts.remove(accountId);
      await services.store.wipe(accountId);
      return null;
    },

    'accounts.test': async (input) => {
      const stored = input.accountId === undefined ? undefined : services.accounts.get(input.accountId);
      const passwords = testPasswords(stored && savedCredentials(services, stored), input);
      /** The secret for a server: its password, or a token of the sign-in the test names (or the saved account's, for a server unchanged). */
      const secretFor = async (kind: 'incoming' | 'outgoing', server: ServerSettings): Promise<string | TwinboxError | undefined> => {
        if (server.signIn !== 'oauth2') return passwords[kind];
        if (input.signInId !== undefined) {
          const signedIn = services.signIns.get(input.signInId);
          if (!signedIn) return signInGone();
          return services.oauth.servesHost(signedIn.settings.issuer, server.host) ? signedIn.tokens.accessToken : notTheProvidersServer(server.host);
        }
        const saved = stored?.[kind];
        if (!stored?.oauth2 || saved?.signIn !== 'oauth2' || !sameServer(saved, server)) return new TwinboxError('SIGN_IN_REQUIRED', 'sign in with the provider to test this server');
        return services.secret(stored.id, kind).catch((error: unknown) => asTwinboxError(error));
      };
      // A changed server without a typed password is not contacted at all: not even the user name goes there.
      const incomingSecret = await secretFor('incoming', input.incoming);
      const incoming =
        incomingSecret === undefined
          ? refusedTest('incoming')
          : incomingSecret instanceof TwinboxError
            ? { ok: false as const, error: incomingSecret.toWire() }
            : await testIncoming(services, input.protocol, input.incoming, incomingSecret);
      let outgoing: TestOutcome | null = null;
      if (input.outgoing) {
        const outgoingSecret = await secretFor('outgoing', input.outgoing);
        outgoing =
          outgoingSecret === undefined
            ? refusedTest('outgoing')
            : outgoingSecret instanceof TwinboxError
              ? { ok: false, error: outgoingSecret.toWire() }
              : await testOutgoing(services, input.outgoing, outgoingSecret);
      }
      return { incoming, outgoing };
    },

    'accounts.signIn': async ({ email, issuer }) => {
      if (!services.openExternal) throw new TwinboxError('NOT_SUPPORTED', 'this window cannot open a browser for the provider’s sign-in page');
      const oauth2 = services.oauth.settingsFor(issuer);
      const tokens = await signIn(oauth2, { loginHint: email, openBrowser: services.openExternal });
      return { signInId: services.signIns.add(oauth2, tokens) };
    },

    'accounts.discover': async ({ email }) => {
      const result = await discoverServers(email, services.discovery);
      if (!result.found) return result;
      const found = services.oauth.signInFor(result.discovery);
      // A host that cannot open the user's browser (the browser host) cannot offer the sign-in either.
      const signInWith = found?.available && services.openExternal === undefined ? { ...found, available: false, missing: 'browser' as const } : found;
      return signInWith ? { ...result, discovery: { ...result.discovery, signInWith } } : result;
    },

    'accounts.capabilities': ({ accountId }) => withAdapter(accountId, (adapter) => Promise.resolve(adapter.capabilities), true),

    'mail.listFolders': ({ accountId }) => withAdapter(accountId, (adapter) => adapter.listFolders(), true),

    'mail.folderCounts': ({ accountId, paths }) => withAdapter(accountId, (adapter) => adapter.folderCounts(paths), true),

    'mail.syncStart': ({ accountId, folder, state, options }, context) => {
      const account = services.account(accountId);
      const syncId = services.syncs.start({ scope: `${accountId}\u0000${folder}`, owner: context.caller }, async (consume) => {
        try {
          await pool.use(accountId, (adapter) => consume(withProgressEvents(mail.sync(adapter, accountId, folder, state, options ?? {}), accountId, folder, services)));
        } catch (error) {
          throw await withCertificate(error, account.incoming, account.protocol);
        }
      });
      return Promise.resolve({ syncId });
    },

    'mail.syncNext': ({ syncId }) => services.syncs.next(syncId),

    'mail.syncCancel': async ({ syncId }) => {
      await services.syncs.cancel(syncId);
      return null;
    },

    'mail.open': ({ accountId, folder, serverId }) => mail.open(accountId, folder, serverId),

    'mail.source': ({ accountId, folder, serverId }) => mail.source(accountId, folder, serverId),

    'mail.download': ({ accountId, folder, serverIds }) => mail.download(accountId, folder, serverIds),

    'mail.texts': ({ accountId, items }) => {
      services.account(accountId);
      return mail.texts(accountId, items);
    },

    'mail.setFlags': async ({ accountId, folder, serverIds, add, remove }) => {
      await withAdapter(accountId, (adapter) => adapter.setFlags(folder, serverIds, { add: add ?? [], remove: remove ?? [] }));
      return null;
    },

    'mail.move': async ({ accountId, folder, serverIds, target }) =>
      Object.fromEntries(await withAdapter(accountId, (adapter) => adapter.move(folder, serverIds, target))),

    'mail.copy': async ({ accountId, folder, serverIds, target }) =>
      Object.fromEntries(await withAdapter(accountId, (adapter) => adapter.copy(folder, serverIds, target))),

    'mail.delete': async ({ accountId, folder, serverIds, expunge }) => {
      if (keepsOnlyCopy(services.account(accountId))) {
        // The POP3 safety rule, enforced where the deletion happens: only what is flushed here may go.
        await mail.assertSafeToDelete(accountId, serverIds);
        crashPoint('pop3-before-dele');
      }
      return withAdapter(accountId, (adapter) => adapter.delete(folder, serverIds, { expunge: expunge === true }));
    },

    'mail.append': async ({ accountId, folder, raw, flags }) => ({
      serverId: (await withAdapter(accountId, (adapter) => adapter.append(folder, raw, flags))) ?? null,
    }),

    'mail.search': ({ accountId, folder, text }) => withAdapter(accountId, (adapter) => adapter.search(folder, { text }), true),

    'mail.export': (request) => transfers.export(request),

    'mail.exportCancel': ({ exportId }) => {
      transfers.cancel(exportId);
      return Promise.resolve(null);
    },

    'mail.import': (request) => transfers.import(request),

    'mail.importUpload': async ({ uploadId, name, offset, bytes }) => {
      await transfers.upload(uploadId, name, offset, bytes);
      return null;
    },

    'mail.quota': async ({ accountId, folder }) => (await withAdapter(accountId, (adapter) => adapter.quota(folder), true)) ?? null,

    'folders.create': async ({ accountId, parent, name }) => ({ path: await withAdapter(accountId, (adapter) => adapter.createFolder(parent, name)) }),
    'folders.rename': async ({ accountId, folder, parent, name }) => {
      const renamed = await withAdapter(accountId, (adapter) => adapter.renameFolder(folder, { parent, name }));
      // The bytes kept under the old paths are a cache of the server's; the folder syncs afresh under its new path.
      for (const { from } of renamed.moved) await services.store.dropFolder(accountId, from);
      return renamed;
    },
    'folders.delete': async ({ accountId, folder, mode }) => {
      const deleted = await withAdapter(accountId, (adapter) => adapter.deleteFolder(folder, mode));
      const gone = deleted.kind === 'deleted' ? deleted.removed : deleted.moved.map((move) => move.from);
      for (const path of gone) await services.store.dropFolder(accountId, path);
      return deleted;
    },

    'mail.watch': async ({ accountId, folder }, context) => {
      const account = services.account(accountId);
      try {
        return { watchId: await services.watches.watch(context.caller, accountId, folder) };
      } catch (error) {
        throw await withCertificate(error, account.incoming, account.protocol);
      }
    },

    'mail.unwatch': async ({ watchId }, context) => {
      await services.watches.unwatch(context.caller, watchId);
      return null;
    },

    'mail.send': async ({ accountId, message }) => {
      const account = services.account(accountId);
      try {
        return await sendMessage({
          accountId,
          server: account.outgoing,
          password: await services.secret(accountId, 'outgoing'),
          message,
          log: (line) => services.logLine(line),
        });
      } catch (error) {
        throw await withCertificate(error, account.outgoing, 'smtp');
      }
    },

    'mail.compose': ({ message }) => composeMessage(message),

    'attachments.fetch': ({ accountId, folder, serverId, attachmentId }) => {
      services.account(accountId);
      return attachmentContent({ accountId, folder, serverId, attachmentId }, () => mail.source(accountId, folder, serverId));
    },

    'attachments.save': async ({ accountId, folder, serverId, attachmentId }) => {
      services.account(accountId);
      const attachment = await attachmentContent({ accountId, folder, serverId, attachmentId }, () => mail.source(accountId, folder, serverId));
      if (!services.saveFile) return { kind: 'download', ...attachment };
      const path = await services.saveFile(attachment.filename, attachment.content);
      return path === undefined ? { kind: 'cancelled' } : { kind: 'saved', path };
    },

    'store.usage': ({ accountId }) => mail.usage(accountId),

    'store.list': async ({ accountId, folder, unindexedOnly }) => {
      services.account(accountId);
      const listed = await services.store.list(accountId, { unindexedOnly: unindexedOnly === true });
      return {
        messages: listed.filter((message) => folder === undefined || message.folder === folder).map(describe),
        deletedHere: await services.store.deletedHere(accountId),
      };
    },

    'store.summaries': ({ accountId, items }) => {
      services.account(accountId);
      return mail.summaries(accountId, items);
    },

    'store.settle': async ({ accountId, folder, indexed, discard }) => {
      services.account(accountId);
      await services.store.markIndexed(accountId, folder, indexed);
      await services.store.remove(accountId, folder, discard, { deletedHere: true });
      return null;
    },

    'store.setFlags': async ({ accountId, folder, changes }) => {
      services.account(accountId);
      await services.store.setFlags(accountId, folder, changes.map((change) => ({ id: change.serverId, flags: change.flags })));
      return null;
    },

    'store.move': async ({ accountId, folder, serverIds, target }) => {
      services.account(accountId);
      await services.store.move(accountId, folder, target, serverIds);
      return null;
    },

    'store.remove': async ({ accountId, folder, serverIds, deletedHere }) => {
      services.account(accountId);
      await services.store.remove(accountId, folder, serverIds, { deletedHere });
      return null;
    },

    'store.restore': async ({ accountId, serverIds }) => {
      services.account(accountId);
      await services.store.undoDeletedHere(accountId, serverIds);
      return null;
    },

    'store.putLocal': ({ accountId, folder, raw, flags }) => {
      services.account(accountId);
      return mail.putLocal(accountId, folder, raw, flags);
    },

    'store.import': async ({ accountId, folder, items }) => {
      services.account(accountId);
      await services.store.put(
        accountId,
        folder,
        items.map((item) => ({ id: item.serverId, kind: item.kind, bytes: item.raw, partial: item.partial, flags: item.flags })),
        { durable: true, indexed: true },
      );
      return null;
    },

    'store.wipe': async ({ accountId }) => {
      services.account(accountId);
      await services.store.wipe(accountId);
      return null;
    },

    'mail.remoteImages': ({ urls }) => fetchRemoteImages(urls, { allowedInternal: services.internalImageHosts }),

    'lab.serverState': async ({ accountId }) => serverSnapshot(await otherDeviceOptions(accountId)),
    'lab.otherDevice': async ({ accountId, action, identity, messageId }) =>
      otherImapDevice(await otherDeviceOptions(accountId), action, identity === undefined ? { messageId: messageId ?? '' } : { identity }),
    'lab.otherPop3Device': async ({ accountId, deleteAfterDownload }) => otherPop3Device(await otherDeviceOptions(accountId), deleteAfterDownload),
  };

  /**
   * Which tokens a saved account signs in with. A server that signs in with
   * a provider uses either a sign-in made for this save, or the account's
   * own, kept only while the provider's settings and that server are as they
   * were saved: otherwise a page could send the account's token to a server
   * or token endpoint of its choosing.
   */
  function tokenBinding(existing: Account | undefined, draft: Omit<Account, 'id'>, signInId: string | undefined): TokenBinding {
    const servers = (['incoming', 'outgoing'] as const).filter((kind) => draft[kind].signIn === 'oauth2');
    if (servers.length === 0) return { kind: 'none' };
    if (signInId !== undefined) {
      const signedIn = services.signIns.get(signInId);
      if (!signedIn) throw signInGone();
      for (const kind of servers) if (!services.oauth.servesHost(signedIn.settings.issuer, draft[kind].host)) throw notTheProvidersServer(draft[kind].host);
      return { kind: 'new', signInId, settings: signedIn.settings, tokens: signedIn.tokens };
    }
    const saved = existing?.oauth2;
    const unchanged =
      saved !== undefined &&
      (draft.oauth2 === undefined || JSON.stringify(draft.oauth2) === JSON.stringify(saved)) &&
      servers.every((kind) => existing?.[kind].signIn === 'oauth2' && sameServer(existing[kind], draft[kind]));
    if (!unchanged) throw new TwinboxError('SIGN_IN_REQUIRED', 'the provider, or a server that signs in with it, changed: sign in again');
    return { kind: 'kept', saved };
  }

  /** Another device's connection: the account's server and password, and no protocol log (it is not this side's traffic). */
  async function otherDeviceOptions(accountId: string): Promise<AdapterOptions> {
    const account = services.account(accountId);
    return { accountId, server: account.incoming, password: await services.secret(accountId, 'incoming') };
  }
}

/** Announces each batch's progress to every page (the status bar, the Lab), as it passes through. */
async function* withProgressEvents(deltas: AsyncGenerator<SyncDelta>, accountId: string, folder: string, services: Services): AsyncGenerator<SyncDelta> {
  for await (const delta of deltas) {
    if (delta.kind === 'messages') services.events.emit('sync.progress', { accountId, folder, ...delta.progress });
    yield delta;
  }
}

function savedCredentials(services: Services, account: Account): SavedCredentials {
  return {
    servers: account,
    incomingPassword: services.vault.get(account.id, 'incoming'),
    outgoingPassword: services.vault.get(account.id, 'outgoing'),
  };
}

type TokenBinding =
  | { kind: 'none' }
  | { kind: 'kept'; saved: OAuth2Settings }
  | { kind: 'new'; signInId: string; settings: OAuth2Settings; tokens: TokenSet };

function notTheProvidersServer(host: string): TwinboxError {
  return new TwinboxError('SIGN_IN_REQUIRED', `${host} is not a mail server of the provider signed in with, so its token is not sent there`);
}

function signInGone(): TwinboxError {
  return new TwinboxError('SIGN_IN_REQUIRED', 'the sign-in is no longer kept (it is kept for 15 minutes): sign in again');
}

function passwordRequired(servers: SecretKind[]): TwinboxError {
  return new TwinboxError('PASSWORD_REQUIRED', `no new password was given for the changed ${servers.join(' and ')} server`);
}

function refusedTest(server: SecretKind): TestOutcome {
  return { ok: false, error: passwordRequired([server]).toWire() };
}

async function testIncoming(services: Services, protocol: Protocol, server: ServerSettings, password: string): Promise<TestOutcome> {
  const probeAccount: Account = {
    id: `test-${randomUUID()}`,
    name: 'connection test',
    email: 'test@twinbox.invalid',
    displayName: '',
    protocol,
    incoming: server,
    outgoing: server,
  };
  const adapter = services.createAdapter(probeAccount, password, (line) => services.logLine(line));
  try {
    await adapter.connect();
    const folders = await adapter.listFolders();
    return { ok: true, capabilities: adapter.capabilities, folders: folders.length };
  } catch (error) {
    return { ok: false, error: (await withCertificate(error, server, protocol)).toWire() };
  } finally {
    await adapter.close();
  }
}

async function testOutgoing(services: Services, server: ServerSettings, password: string): Promise<TestOutcome> {
  try {
    await verifySmtpLogin({ accountId: 'connection test', server, password, log: (line) => services.logLine(line) });
    return { ok: true, capabilities: null, folders: null };
  } catch (error) {
    return { ok: false, error: (await withCertificate(error, server, 'smtp')).toWire() };
  }
}

/** A certificate refusal gets the certificate itself, so the user can see what to trust. */
async function withCertificate(error: unknown, server: ServerSettings, protocol: Protocol | 'smtp'): Promise<TwinboxError> {
  const failure = asTwinboxError(error);
  if (failure.code !== 'TLS_CERT_UNTRUSTED' || failure.certificate) return failure;
  const certificate = await probeCertificate(server, protocol);
  return certificate ? new TwinboxError(failure.code, failure.message, { cause: failure, certificate }) : failure;
}
