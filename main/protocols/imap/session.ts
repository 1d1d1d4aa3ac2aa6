/**
 * One authenticated IMAP connection: how it is opened (TLS policy, timeouts,
 * extensions), how its failures become TwinboxErrors, and the one way to work
 * inside a folder (imapflow's mailbox lock, so concurrent calls on the same
 * connection never interleave their SELECTs).
 */
import { ImapFlow } from 'imapflow';
import type { ImapFlowOptions, MailboxObject } from 'imapflow';
import { TwinboxError } from '../../../shared/errors';
import type { ErrorCode } from '../../../shared/errors';
import type { AdapterOptions } from '../adapter';
import { probeCertificate } from '../certificate-probe';
import { resolveTimeouts } from '../timeouts';
import { tlsOptionsFor } from '../tls';
import { ServerCapabilities } from './capabilities';
import { imapError, refusal } from './imap-errors';
import { createSessionLog } from './session-log';
import type { SessionLog } from './session-log';

/**
 * imapflow's command runner, missing from its typings. Its CLOSE command sends
 * UNSELECT when asked to `unselect` and the server offers it (imapflow's own
 * DELETE and RENAME leave a folder that way); mailboxClose() never asks.
 */
interface ImapFlowCommandRunner {
  run(command: 'CLOSE', options: { unselect: boolean }): Promise<boolean | undefined>;
}

/** How long LOGOUT may take before the socket is simply closed. */
const LOGOUT_GRACE_MS = 5_000;

/** What differs between the adapter's main connection and a watch connection. */
export interface SessionTuning {
  /** Milliseconds of quiet before imapflow starts IDLE on the selected folder. */
  autoIdleDelayMs?: number;
  /** Never IDLE on its own (a watch on a server without IDLE polls instead). */
  disableAutoIdle?: boolean;
  /** Restart IDLE this often; servers drop an IDLE after 30 minutes (RFC 9051 section 6.3.13). */
  maxIdleTimeMs?: number;
}

export class ImapSession {
  private closeListeners: (() => void)[] = [];

  private constructor(
    readonly client: ImapFlow,
    readonly server: ServerCapabilities,
    private readonly log: SessionLog,
    quietLimitMs: number,
  ) {
    // imapflow counts a connection that stays quiet for the command timeout as dead unless it is
    // IDLE (it IDLEs only with a folder selected, and a watch without IDLE never does): such a
    // connection says NOOP well before that, so a healthy idle connection stays open.
    const keepAlive = setInterval(() => {
      const quietFor = Date.now() - (client.lastClientWrite ?? 0);
      if (this.usable && !client.idling && quietFor >= quietLimitMs / 2) client.noop().catch(() => undefined);
    }, quietLimitMs / 4);
    keepAlive.unref();
    client.on('close', () => {
      clearInterval(keepAlive);
      for (const listener of this.closeListeners.splice(0)) listener();
    });
  }

  /**
   * Connects, protects the connection as the settings say, and logs in.
   *
   * - `tls`: TLS from the first byte. `starttls`: STARTTLS is required; when
   *   the server does not offer it, imapflow (with `doSTARTTLS: true`) fails
   *   before LOGIN/AUTHENTICATE, so the password never travels in clear, and
   *   the failure is TLS_REQUIRED. `plain`: no TLS at all, only when the user
   *   chose it.
   * - Certificates are checked against the system store plus the one the user
   *   trusted (tlsOptionsFor); an untrusted one fails with TLS_CERT_UNTRUSTED
   *   carrying the certificate, read by a probe that sends no credentials.
   * - COMPRESS stays off (it made loopback transfers four times slower);
   *   CONDSTORE and QRESYNC are enabled when the server offers them.
   */
  static async open(options: AdapterOptions, tuning: SessionTuning = {}): Promise<ImapSession> {
    const { server } = options;
    // A bearer token is as good as a password to whoever reads it: never in clear text.
    if (server.signIn === 'oauth2' && server.security === 'plain') {
      throw new TwinboxError('TLS_REQUIRED', 'an access token is sent only over an encrypted connection; choose SSL/TLS or STARTTLS for this account');
    }
    const timeouts = resolveTimeouts(options.timeouts);
    const log = createSessionLog(options.accountId, options.log);
    const settings: ImapFlowOptions = {
      host: server.host,
      port: server.port,
      secure: server.security === 'tls',
      ...(server.security === 'starttls' ? { doSTARTTLS: true } : {}),
      ...(server.security === 'plain' ? { doSTARTTLS: false } : {}),
      // imapflow picks OAUTHBEARER where offered, else XOAUTH2, for a token.
      auth: server.signIn === 'oauth2' ? { user: server.username, accessToken: options.password } : { user: server.username, pass: options.password },
      tls: tlsOptionsFor(server),
      logger: log.logger,
      logRaw: log.wantsRaw,
      disableCompression: true,
      qresync: true,
      connectionTimeout: timeouts.connectMs,
      greetingTimeout: timeouts.connectMs,
      socketTimeout: timeouts.commandMs,
      // Only the name: imapflow would otherwise send its own version and vendor as ours.
      clientInfo: { name: 'Twinbox', version: false, vendor: false, 'support-url': false },
      ...(tuning.autoIdleDelayMs === undefined ? {} : { autoIdleDelay: tuning.autoIdleDelayMs }),
      ...(tuning.disableAutoIdle === true ? { disableAutoIdle: true } : {}),
      ...(tuning.maxIdleTimeMs === undefined ? {} : { maxIdleTime: tuning.maxIdleTimeMs }),
    };
    const client = new ImapFlow(settings);
    log.attach(client);
    // imapflow emits 'error' once per connection after connect(); without a listener Node
    // would throw it and end the process. The failure reaches callers through the next
    // command, which then finds the connection closed (CONNECTION_LOST).
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw await describeConnectFailure(error, options);
    }
    return new ImapSession(client, new ServerCapabilities(client.capabilities.keys()), log, timeouts.commandMs);
  }

  /** Logged in and not closed. */
  get usable(): boolean {
    return this.client.usable && !this.client.isClosed;
  }

  /** Whether an extension was switched on with ENABLE (CONDSTORE, QRESYNC). */
  enabled(extension: string): boolean {
    const wanted = extension.toUpperCase();
    for (const each of this.client.enabled) if (each.toUpperCase() === wanted) return true;
    return false;
  }

  /** Called once when the connection closes, however it closes. */
  onClose(listener: () => void): void {
    if (this.client.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  /**
   * Runs `work` with `folder` selected and nothing else using the connection's
   * selection meanwhile. With `fresh`, the folder is selected anew even when it
   * already was, so UIDNEXT and HIGHESTMODSEQ are current.
   */
  async withFolder<T>(folder: string, work: (mailbox: MailboxObject) => Promise<T>, options: { fresh?: boolean } = {}): Promise<T> {
    this.assertUsable();
    const selectedBefore = this.client.mailbox;
    const lock = await this.client.getMailboxLock(folder).catch((error: unknown) => {
      throw imapError(error);
    });
    try {
      let mailbox = this.client.mailbox;
      if (options.fresh === true && mailbox !== false && mailbox === selectedBefore) mailbox = await this.client.mailboxOpen(folder);
      if (mailbox === false) throw new TwinboxError('CONNECTION_LOST', `could not select ${folder}`);
      return await work(mailbox);
    } catch (error) {
      throw imapError(error);
    } finally {
      lock.release();
    }
  }

  /**
   * Leaves `folder` if it is the selected one, so STATUS may be asked of it:
   * STATUS is not meant for the selected mailbox (RFC 9051 section 6.3.11),
   * whose answer may lag what this session was already told. False when the
   * folder stays selected: the server lacks UNSELECT, and CLOSE, the only
   * other way out, expunges every message flagged \Deleted.
   */
  async leave(folder: string): Promise<boolean> {
    if (this.selectedPath() !== folder) return true;
    const commands = this.client as unknown as ImapFlowCommandRunner;
    if (!this.server.has('UNSELECT') || typeof commands.run !== 'function') return false;
    // Under the lock, so no operation in the folder is cut off by the unselect.
    const lock = await this.client.getMailboxLock(folder).catch((error: unknown) => {
      throw imapError(error);
    });
    try {
      if (this.selectedPath() !== folder) return true;
      await this.run(() => commands.run('CLOSE', { unselect: true }));
      return this.selectedPath() === undefined;
    } finally {
      lock.release();
    }
  }

  /**
   * Runs an imapflow command that reports refusal by resolving `false` (or
   * nothing) rather than throwing, and turns that into the error it logged;
   * `unexplained` is the code when it logged none (it refused by itself).
   */
  async expect<T>(what: string, command: () => Promise<T | false | undefined>, unexplained?: ErrorCode): Promise<T> {
    this.assertUsable();
    const mark = this.log.errorMark();
    let result: T | false | undefined;
    try {
      result = await command();
    } catch (error) {
      throw imapError(error);
    }
    if (result === false || result === undefined) throw refusal(what, this.log.errorSince(mark), unexplained);
    return result;
  }

  /** Runs an imapflow command whose failures are thrown. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    this.assertUsable();
    try {
      return await command();
    } catch (error) {
      throw imapError(error);
    }
  }

  /** LOGOUT, then the socket is closed whatever the server does. Never throws. */
  async close(): Promise<void> {
    if (this.client.isClosed) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.client.logout(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, LOGOUT_GRACE_MS);
        }),
      ]);
    } catch {
      // Already gone: nothing left to end.
    } finally {
      clearTimeout(timer);
      this.client.close();
    }
  }

  private selectedPath(): string | undefined {
    const selected: MailboxObject | false = this.client.mailbox;
    return selected === false ? undefined : selected.path;
  }

  private assertUsable(): void {
    if (!this.usable) throw new TwinboxError('CONNECTION_LOST', 'the IMAP connection is closed');
  }
}

async function describeConnectFailure(error: unknown, options: AdapterOptions): Promise<TwinboxError> {
  const failure = imapError(error, 'CONNECTION_LOST');
  if (failure.code !== 'TLS_CERT_UNTRUSTED') return failure;
  const certificate = await probeCertificate(options.server, 'imap', resolveTimeouts(options.timeouts).connectMs);
  return certificate ? new TwinboxError('TLS_CERT_UNTRUSTED', failure.message, { cause: error, certificate }) : failure;
}
