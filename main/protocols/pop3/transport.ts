/**
 * One POP3 connection: the socket (plain, implicit TLS, or upgraded by STLS),
 * the reply reader, command pipelining, timeouts and the protocol log. It
 * knows how POP3 frames bytes, not what commands mean; the session does.
 *
 * Every failure ends the connection and rejects every command still waiting,
 * with a TwinboxError: no promise here is left unsettled.
 */
import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls, TLSSocket } from 'node:tls';
import { TwinboxError } from '../../../shared/errors';
import type { ProtocolLogLine, ServerSettings } from '../../../shared/model';
import type { Timeouts } from '../adapter';
import { toTwinboxError } from '../errors';
import { tlsOptionsFor } from '../tls';
import { Pop3ReplyReader } from './reply-reader';
import type { Pop3Reply, ReplyLimits, ReplyShape } from './reply-reader';

export interface TransportOptions {
  accountId: string;
  log?: ((line: ProtocolLogLine) => void) | undefined;
  timeouts: Timeouts;
  limits?: Partial<ReplyLimits> | undefined;
}

export interface CommandOptions {
  /** What the protocol log shows instead of the command (passwords and SASL data masked). */
  logText?: string;
  /** Longest line accepted in a multi-line listing reply. */
  maxBodyLineBytes?: number;
}

interface Waiting {
  shape: ReplyShape;
  line: string | undefined;
  logText: string;
  maxBodyLineBytes: number | undefined;
  resolve: (reply: Pop3Reply) => void;
  reject: (error: TwinboxError) => void;
}

/** A connection that carries POP3 commands and replies, in order, a bounded number at a time. */
export class Pop3Transport {
  private socket: Socket;
  private readonly reader: Pop3ReplyReader;
  /** Commands written whose replies have not come yet, oldest first (the greeting counts as one). */
  private readonly inFlight: Waiting[] = [];
  /** Commands not written yet because the window is full. */
  private readonly queued: Waiting[] = [];
  private window = 1;
  private failure: TwinboxError | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private corked = false;
  private readonly onData = (chunk: Buffer): void => this.received(chunk);

  private constructor(
    socket: Socket,
    private readonly options: TransportOptions,
  ) {
    this.socket = socket;
    this.reader = new Pop3ReplyReader(options.limits);
    this.watch(socket);
  }

  /**
   * Connects (with TLS from the first byte when `server.security` is `tls`)
   * and reads the greeting, all within `timeouts.connectMs`.
   */
  static async connect(server: ServerSettings, options: TransportOptions): Promise<{ transport: Pop3Transport; greeting: Pop3Reply }> {
    const socket =
      server.security === 'tls'
        ? connectTls({ host: server.host, port: server.port, ...tlsOptionsFor(server) })
        : connectTcp({ host: server.host, port: server.port });
    const transport = new Pop3Transport(socket, options);
    const greeting = transport.await('single', undefined, '');
    const greetingReply = await transport.withinDeadline(greeting, options.timeouts.connectMs, 'the server sent no greeting');
    return { transport, greeting: greetingReply };
  }

  /** True once the connection runs over TLS (implicit or after STLS). */
  get encrypted(): boolean {
    return this.socket instanceof TLSSocket;
  }

  /** True while a command waits for its reply or for room in the window. */
  get busy(): boolean {
    return this.inFlight.length > 0 || this.queued.length > 0;
  }

  /** Lets up to `window` commands be in flight (1: wait for each reply before the next command). */
  setWindow(window: number): void {
    this.window = Math.max(1, Math.floor(window));
    this.pump();
  }

  /**
   * Sends one command line and resolves with its reply (+OK, -ERR, or a SASL
   * challenge); rejects only when the connection fails. The returned promise
   * may be left unawaited when a later one is awaited instead: a connection
   * failure rejects them all, and one rejection is enough to see it.
   */
  send(line: string, shape: ReplyShape, options: CommandOptions = {}): Promise<Pop3Reply> {
    if (/[\r\n\0]/.test(line)) {
      // A CR or LF in a user name or password would end the command early and start another.
      return Promise.reject(new TwinboxError('INVALID_REQUEST', 'a POP3 command may not contain line breaks'));
    }
    return this.await(shape, line, options.logText ?? line, options.maxBodyLineBytes);
  }

  /**
   * Switches to TLS after the server's +OK to STLS. Anything the server sent
   * after that +OK arrived unencrypted and could have been injected by
   * anyone on the path, so it ends the connection instead of being read.
   */
  async upgradeToTls(server: ServerSettings): Promise<void> {
    this.throwIfFailed();
    if (this.reader.holdsPartialReply || this.inFlight.length > 0 || this.queued.length > 0) {
      const error = new TwinboxError('PROTOCOL_ERROR', 'the server sent data after agreeing to STLS');
      this.fail(error);
      throw error;
    }
    const plain = this.socket;
    plain.removeListener('data', this.onData);
    const secure = connectTls({ ...tlsOptionsFor(server), socket: plain, host: server.host });
    this.socket = secure;
    this.watch(secure);
    const handshake = new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      // Failures also reach fail() through watch(); this only settles the wait.
      secure.once('error', (error) => reject(this.failure ?? toTwinboxError(error)));
      secure.once('close', () => reject(this.failure ?? new TwinboxError('CONNECTION_LOST', 'the connection closed during the TLS handshake')));
    });
    handshake.catch(() => undefined);
    await this.withinDeadline(handshake, this.options.timeouts.connectMs, 'the TLS handshake after STLS did not finish');
  }

  /** Ends the connection at once (after QUIT's reply, or to abandon it). Never throws. */
  close(reason = 'the session was closed'): void {
    this.fail(new TwinboxError('CONNECTION_LOST', reason));
  }

  private await(shape: ReplyShape, line: string | undefined, logText: string, maxBodyLineBytes?: number): Promise<Pop3Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const promise = new Promise<Pop3Reply>((resolve, reject) => {
      const waiting: Waiting = { shape, line, logText, maxBodyLineBytes, resolve, reject };
      if (line === undefined) {
        // The greeting: nothing to write, only a reply to wait for.
        this.reader.expect(shape);
        this.inFlight.push(waiting);
      } else {
        this.queued.push(waiting);
        this.pump();
      }
    });
    promise.catch(() => undefined);
    return promise;
  }

  private pump(): void {
    while (this.failure === undefined && this.inFlight.length < this.window) {
      const next = this.queued.shift();
      if (!next) break;
      this.reader.expect(next.shape, next.maxBodyLineBytes);
      this.inFlight.push(next);
      this.write(next);
    }
  }

  private write(command: Waiting): void {
    const data = `${command.line ?? ''}\r\n`;
    // Commands written in the same tick leave in one segment: pipelining without waiting on Nagle.
    if (!this.corked) {
      const socket = this.socket;
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.socket.write(data, 'latin1');
    this.logLine('out', command.logText, Buffer.byteLength(data, 'latin1'));
    this.armSilenceTimer();
  }

  private received(chunk: Buffer): void {
    if (this.failure) return;
    let replies: Pop3Reply[];
    try {
      replies = this.reader.push(chunk);
    } catch (error) {
      this.fail(toTwinboxError(error));
      return;
    }
    for (const reply of replies) {
      const waiting = this.inFlight.shift();
      this.logLine('in', reply.line, reply.wireBytes);
      waiting?.resolve(reply);
    }
    if (this.inFlight.length === 0) this.clearSilenceTimer();
    else this.armSilenceTimer();
    this.pump();
  }

  private watch(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    // Listeners stay for the socket's life: an 'error' without one would crash the process.
    socket.on('error', (error: Error) => this.fail(toTwinboxError(error, 'CONNECTION_LOST')));
    socket.on('close', () => this.fail(new TwinboxError('CONNECTION_LOST', 'the server closed the connection')));
  }

  private armSilenceTimer(): void {
    if (this.failure) return;
    // The greeting has its own deadline; silence counts only while a command waits.
    if (!this.inFlight.some((waiting) => waiting.line !== undefined)) return;
    if (this.silenceTimer) {
      this.silenceTimer.refresh();
      return;
    }
    const ms = this.options.timeouts.commandMs;
    this.silenceTimer = setTimeout(() => {
      this.fail(new TwinboxError('TIMEOUT', `the server sent nothing for ${ms} ms while a command waited for its reply`));
    }, ms);
  }

  private clearSilenceTimer(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }

  private async withinDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new TwinboxError('TIMEOUT', `${what} within ${ms} ms`);
        this.fail(error);
        reject(error);
      }, ms);
    });
    try {
      return await Promise.race([promise, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private fail(error: TwinboxError): void {
    if (this.failure) return;
    this.failure = error;
    this.clearSilenceTimer();
    this.socket.destroy();
    for (const waiting of this.inFlight.splice(0)) waiting.reject(error);
    for (const waiting of this.queued.splice(0)) waiting.reject(error);
  }

  private logLine(direction: 'in' | 'out', text: string, bytes: number): void {
    const log = this.options.log;
    if (!log) return;
    try {
      log({ accountId: this.options.accountId, protocol: 'pop3', direction, text, bytes, at: Date.now() });
    } catch {
      // A failing log viewer must not break the session it watches.
    }
  }
}
