import { createServer, connect as connectTcp } from 'node:net';
import type { Server, Socket } from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { TestContext } from 'vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import type { ProtocolLogLine, ServerSettings } from '../../shared/model';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { freePorts } from '../mailstack/processes';
import { leaseMailboxes, mailStack, requireEndpoint, serverSettingsFor, skipBecause, uniqueTag } from '../mailstack/index';
import type { TestUser } from '../mailstack/index';

/**
 * Connecting: the TLS policy (implicit TLS, required STARTTLS, plain only
 * when chosen), the error a user sees for each way a connection fails, and
 * the protocol log with its true byte counts and masked password.
 */

/** A TCP relay in front of the server: counts the bytes, can rewrite the server's words, can cut the line. */
interface Relay {
  port: number;
  /** Everything the client sent, as the server received it. */
  fromClient(): Buffer;
  toClientBytes(): number;
  /** Resolves once every relayed connection has closed. */
  drained(): Promise<void>;
  cut(): void;
  close(): Promise<void>;
}

async function startRelay(target: { host: string; port: number }, rewrite: (serverText: string) => string = (text) => text): Promise<Relay> {
  const sockets = new Set<Socket>();
  const sent: Buffer[] = [];
  let received = 0;
  let open = 0;
  let waiters: (() => void)[] = [];
  const server: Server = createServer((client) => {
    open++;
    const upstream = connectTcp(target);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      sent.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const rewritten = Buffer.from(rewrite(chunk.toString('latin1')), 'latin1');
      received += rewritten.length;
      client.write(rewritten);
    });
    const finish = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', finish).on('error', finish);
    upstream.on('close', finish).on('error', finish);
    let closed = 0;
    const onClosed = (): void => {
      if (++closed < 2) return;
      if (--open === 0) for (const wake of waiters.splice(0)) wake();
    };
    client.on('close', onClosed);
    upstream.on('close', onClosed);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no relay address');
  return {
    port: address.port,
    fromClient: () => Buffer.concat(sent),
    toClientBytes: () => received,
    drained: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      waiters = [];
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function adapterWith(user: TestUser, server: ServerSettings, log?: ProtocolLogLine[], password = user.password): ImapAdapter {
  const adapter = new ImapAdapter({ accountId: 'acct-imap', server, password, ...(log ? { log: (line: ProtocolLogLine) => log.push(line) } : {}) });
  cleanups.push(() => adapter.close());
  return adapter;
}

async function failureOf(promise: Promise<unknown>): Promise<TwinboxError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TwinboxError);
  return error as TwinboxError;
}

function commandIndex(log: ProtocolLogLine[], command: RegExp): number {
  return log.findIndex((line) => line.direction === 'out' && command.test(line.text));
}

function plainSettings(context: TestContext, user: TestUser, port?: number): ServerSettings {
  const settings = serverSettingsFor(context, user, 'imap');
  return { ...settings, security: 'plain', ...(port === undefined ? {} : { host: '127.0.0.1', port }) };
}

describe('IMAP connection', () => {
  it('connects over IMAPS and with STARTTLS, logs in after TLS is up, and reads the server’s extensions', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    for (const endpoint of ['imaps', 'imap'] as const) {
      const log: ProtocolLogLine[] = [];
      const adapter = adapterWith(user!, serverSettingsFor(context, user!, endpoint), log);
      expect(adapter.capabilities.changeTracking).toBe(false);
      await adapter.connect();
      expect(adapter.connected).toBe(true);
      const login = commandIndex(log, /^\S+ (LOGIN|AUTHENTICATE)\b/i);
      expect(login).toBeGreaterThan(-1);
      const starttls = commandIndex(log, /^\S+ STARTTLS$/i);
      if (endpoint === 'imap') {
        expect(starttls).toBeGreaterThan(-1);
        expect(starttls).toBeLessThan(login);
      } else {
        expect(starttls).toBe(-1);
      }
      expect((await adapter.listFolders()).some((folder) => folder.specialUse === 'inbox')).toBe(true);
      if (mailStack().origin === 'local') {
        expect(adapter.capabilities).toMatchObject({ push: true, changeTracking: true, vanishedTracking: true, atomicMove: true, quota: true });
      }
      expect(commandIndex(log, /COMPRESS/i)).toBe(-1);
      await adapter.close();
      expect(adapter.connected).toBe(false);
    }
  });

  it('goes without TLS only when the user chose it', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const log: ProtocolLogLine[] = [];
    const adapter = adapterWith(user!, plainSettings(context, user!), log);
    await adapter.connect();
    expect(commandIndex(log, /STARTTLS/i)).toBe(-1);
    expect(commandIndex(log, /^\S+ (LOGIN|AUTHENTICATE)\b/i)).toBeGreaterThan(-1);
  });

  it('refuses to send the password when STARTTLS is required but not offered (a stripping man in the middle)', async (context) => {
    const endpoint = requireEndpoint(context, 'imap');
    const [user] = await leaseMailboxes(context, 1);
    const relay = await startRelay(endpoint, (text) => text.replace(/ STARTTLS/gi, ''));
    cleanups.push(() => relay.close());
    const settings: ServerSettings = { ...serverSettingsFor(context, user!, 'imap'), host: '127.0.0.1', port: relay.port };
    expect(settings.security).toBe('starttls');
    const failure = await failureOf(adapterWith(user!, settings).connect());
    expect(failure.code).toBe('TLS_REQUIRED');
    const sent = relay.fromClient().toString('latin1');
    expect(sent).not.toMatch(/LOGIN|AUTHENTICATE/i);
    expect(sent).not.toContain(user!.password);
    expect(sent).not.toContain(Buffer.from(user!.password).toString('base64').slice(0, 8));
  });

  it('says TLS_REQUIRED when implicit TLS meets a port that does not speak it', async (context) => {
    const endpoint = requireEndpoint(context, 'imap');
    const [user] = await leaseMailboxes(context, 1);
    const settings: ServerSettings = { ...serverSettingsFor(context, user!, 'imaps'), host: endpoint.host, port: endpoint.port };
    expect((await failureOf(adapterWith(user!, settings).connect())).code).toBe('TLS_REQUIRED');
  });

  it('says AUTH_FAILED for a wrong password', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const failure = await failureOf(adapterWith(user!, serverSettingsFor(context, user!, 'imaps'), undefined, `${user!.password}-wrong`).connect());
    expect(failure.code).toBe('AUTH_FAILED');
  });

  it('says TLS_CERT_UNTRUSTED for a certificate nobody trusted, and shows it so the user can decide', async (context) => {
    const stack = mailStack();
    if (!stack.caPem) skipBecause(context, 'the server’s certificate is publicly trusted');
    const [user] = await leaseMailboxes(context, 1);
    for (const endpoint of ['imaps', 'imap'] as const) {
      const { trustedCertificate: _pinned, ...unpinned } = serverSettingsFor(context, user!, endpoint);
      const failure = await failureOf(adapterWith(user!, unpinned).connect());
      expect(failure.code).toBe('TLS_CERT_UNTRUSTED');
      expect(failure.certificate?.fingerprint256).toBe(new X509Certificate(stack.caPem).fingerprint256);
    }
  });

  it('says CONNECTION_REFUSED when nothing listens on the port', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const { closed } = await freePorts(['closed']);
    const settings: ServerSettings = { ...serverSettingsFor(context, user!, 'imaps'), host: '127.0.0.1', port: closed };
    expect((await failureOf(adapterWith(user!, settings).connect())).code).toBe('CONNECTION_REFUSED');
  });

  it('says TIMEOUT when the server accepts the connection but never greets', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => silent.close(resolve)));
    silent.on('connection', (socket) => cleanups.push(() => Promise.resolve(socket.destroy())));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const settings: ServerSettings = { ...serverSettingsFor(context, user!, 'imap'), host: '127.0.0.1', port: address.port, security: 'plain' };
    const adapter = new ImapAdapter({ accountId: 'acct-imap', server: settings, password: user!.password, timeouts: { connectMs: 300 } });
    cleanups.push(() => adapter.close());
    expect((await failureOf(adapter.connect())).code).toBe('TIMEOUT');
  });

  it('keeps a quiet connection open past the command timeout, with or without a folder selected', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const commandMs = 400;
    // What the test is about is time passing with no command at all: a wait on a condition would be a command.
    const quietPastTheCommandTimeout = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, commandMs * 2.5));
    const adapter = new ImapAdapter({ accountId: 'acct-imap', server: serverSettingsFor(context, user!, 'imaps'), password: user!.password, timeouts: { commandMs } });
    cleanups.push(() => adapter.close());
    await adapter.connect();
    await quietPastTheCommandTimeout();
    expect(adapter.connected).toBe(true);
    expect(await adapter.folderCounts(['INBOX'])).toHaveLength(1);
    // Searching selects the folder; the connection then IDLEs in it.
    expect(await adapter.search('INBOX', { text: 'anything' })).toEqual([]);
    await quietPastTheCommandTimeout();
    expect(adapter.connected).toBe(true);
    expect(await adapter.search('INBOX', { text: 'anything' })).toEqual([]);
  });

  it('logs every command and reply with its exact size on the wire, literals summarised, the password masked', async (context) => {
    const endpoint = requireEndpoint(context, 'imap');
    const [user] = await leaseMailboxes(context, 1);
    const relay = await startRelay(endpoint);
    cleanups.push(() => relay.close());
    const log: ProtocolLogLine[] = [];
    const adapter = adapterWith(user!, plainSettings(context, user!, relay.port), log);
    const tag = uniqueTag('wire');
    const body = `The secret word is ${tag}.\r\n`.repeat(40);
    const raw = Buffer.from(`Subject: ${tag}\r\nMessage-ID: <${tag}@twinbox.test>\r\n\r\n${body}`);

    await adapter.connect();
    const uid = await adapter.append('INBOX', raw, ['\\Seen']);
    const opened = await adapter.fetchMessages('INBOX', [uid!]);
    expect(Buffer.from(opened.messages[0]!.bytes).equals(raw)).toBe(true);
    await adapter.close();
    await relay.drained();

    const total = (direction: 'in' | 'out'): number => log.filter((line) => line.direction === direction).reduce((sum, line) => sum + line.bytes, 0);
    expect(total('out')).toBe(relay.fromClient().length);
    expect(total('in')).toBe(relay.toClientBytes());
    expect(log.every((line) => line.accountId === 'acct-imap' && line.protocol === 'imap')).toBe(true);

    const appendLine = log.find((line) => line.direction === 'out' && /APPEND/.test(line.text));
    expect(appendLine?.text).toContain(`{${raw.length} bytes}`);
    expect(appendLine!.bytes).toBeGreaterThan(raw.length);
    const fetchReply = log.find((line) => line.direction === 'in' && /FETCH/.test(line.text) && line.text.includes(`{${raw.length} bytes}`));
    expect(fetchReply!.bytes).toBeGreaterThan(raw.length);

    const everything = JSON.stringify(log);
    expect(everything).not.toContain('secret word');
    expect(everything).not.toContain(user!.password);
    expect(relay.fromClient().toString('latin1')).toMatch(/AUTHENTICATE|LOGIN/);
    const saslPlain = Buffer.from(`\0${user!.user}\0${user!.password}`).toString('base64');
    expect(everything).not.toContain(saslPlain);
  });

  it('turns a connection cut by the network into CONNECTION_LOST, without crashing', async (context) => {
    const endpoint = requireEndpoint(context, 'imap');
    const [user] = await leaseMailboxes(context, 1);
    const relay = await startRelay(endpoint);
    cleanups.push(() => relay.close());
    const adapter = adapterWith(user!, plainSettings(context, user!, relay.port));
    await adapter.connect();
    relay.cut();
    await relay.drained();
    const failure = await failureOf(adapter.listFolders());
    expect(failure.code).toBe('CONNECTION_LOST');
    expect(adapter.connected).toBe(false);
  });
});
