/**
 * A POP3 session (RFC 1939, RFC 2449, RFC 2595): connect, secure, log in,
 * then read the maildrop by message number, and end with QUIT.
 *
 * Deleting is deliberately narrow. There is no DELE by message number in this
 * API: `deleteUidlsAndQuit` takes the UIDLs the caller names, maps them to
 * numbers through this same session's UIDL listing, marks exactly those, and
 * ends the session with QUIT. The server removes messages only when it has
 * answered that QUIT (UPDATE state), so only then are they reported deleted.
 */
import { TwinboxError } from '../../../shared/errors';
import { crashPoint } from '../../crash-points';
import type { ServerSettings } from '../../../shared/model';
import type { AdapterOptions, DeleteResult } from '../adapter';
import { toTwinboxError } from '../errors';
import { resolveTimeouts } from '../timeouts';
import { apopTimestampOf, authenticate, chooseAuthMechanism, chooseTokenMechanism } from './auth';
import type { AuthMechanism } from './auth';
import type { Pop3Reply, ReplyLimits } from './reply-reader';
import { errorForReply, joinListings, MAX_LISTING_LINE_BYTES, parseList, parseStat, parseUidl, Pop3Capabilities } from './responses';
import type { MaildropEntry } from './responses';
import { Pop3Transport } from './transport';

export interface Pop3SessionOptions extends AdapterOptions {
  /** Most commands in flight at once when the server announces PIPELINING. */
  pipelineWindow?: number;
  /** Bounds on what the server may send; the defaults suit real mail. */
  limits?: Partial<ReplyLimits>;
}

/**
 * Commands in flight at once. Measured on loopback against Dovecot (2,000
 * messages, 18.8 MB, POP3S): one at a time 1.6-2.0 s, 32 in flight 0.55 s,
 * 100 in flight 0.35-0.50 s, 200 no better. A hundred short command lines
 * are about a kilobyte, far below any server's receive buffer.
 */
export const DEFAULT_PIPELINE_WINDOW = 100;

/** Sizes asked one by one up to this many; beyond, the whole listing is shorter. */
const FEW_SIZES = 50;

/** A message asked for by number: its bytes, or why the server would not give them. */
export type FetchedMessage =
  | { number: number; headersOnly: boolean; bytes: Buffer }
  | { number: number; headersOnly: boolean; refused: string };

/** An authenticated POP3 session in TRANSACTION state. */
export class Pop3Session {
  private listing: Promise<MaildropEntry[]> | undefined;
  private uidlListing: Promise<Map<number, string>> | undefined;
  private topAvailable: boolean;
  private ended = false;

  private constructor(
    private readonly transport: Pop3Transport,
    /** The server's capabilities as last announced, or undefined when it does not answer CAPA. */
    readonly capabilities: Pop3Capabilities | undefined,
    /** How this session logged in. */
    readonly authMechanism: AuthMechanism,
  ) {
    // A server without CAPA may still have TOP (it is an RFC 1939 command); a -ERR to it falls back to RETR.
    this.topAvailable = capabilities === undefined || capabilities.has('TOP');
  }

  /**
   * Connects, secures the connection as `server.security` says, and logs in.
   * With `starttls`, a server that does not offer STLS, or refuses it, gets
   * TLS_REQUIRED before any password is sent; `plain` never upgrades.
   */
  static async open(options: Pop3SessionOptions): Promise<Pop3Session> {
    const { server } = options;
    const timeouts = resolveTimeouts(options.timeouts);
    const { transport, greeting } = await Pop3Transport.connect(server, {
      accountId: options.accountId,
      log: options.log,
      timeouts,
      limits: options.limits,
    }).catch((error: unknown) => Promise.reject(toTwinboxError(error, 'CONNECTION_LOST')));
    try {
      if (greeting.status !== 'ok') throw errorForReply(greeting, 'CONNECTION_REFUSED', 'connecting');
      let capabilities = await readCapabilities(transport);
      if (server.security === 'starttls') capabilities = await startTls(transport, server, capabilities);
      const apopTimestamp = apopTimestampOf(greeting.text);
      const mechanism =
        server.signIn === 'oauth2'
          ? chooseTokenMechanism({ encrypted: transport.encrypted, capabilities })
          : chooseAuthMechanism({ encrypted: transport.encrypted, capabilities, apopTimestamp });
      await authenticate(transport, mechanism, { username: server.username, password: options.password, apopTimestamp });
      if (capabilities && !['UIDL', 'TOP', 'PIPELINING'].every((tag) => capabilities?.has(tag))) {
        // RFC 2449 lets a server announce some capabilities only after login.
        capabilities = (await readCapabilities(transport)) ?? capabilities;
      }
      if (capabilities?.has('PIPELINING')) transport.setWindow(options.pipelineWindow ?? DEFAULT_PIPELINE_WINDOW);
      return new Pop3Session(transport, capabilities, mechanism);
    } catch (error) {
      transport.close('the session could not be opened');
      throw toTwinboxError(error);
    }
  }

  /** True when the connection runs over TLS. */
  get encrypted(): boolean {
    return this.transport.encrypted;
  }

  /** True when headers can be fetched alone (TOP). */
  get supportsTop(): boolean {
    return this.topAvailable;
  }

  /** Message count and total size (STAT). */
  async stat(): Promise<{ count: number; size: number }> {
    const reply = await this.run('STAT', 'single');
    if (reply.status !== 'ok') throw errorForReply(reply, 'PROTOCOL_ERROR', 'STAT');
    return parseStat(reply);
  }

  /**
   * Every message with its UIDL and size (UIDL and LIST, sent together), in
   * message-number order. Read once per session: numbers and UIDLs do not
   * change within one. NOT_SUPPORTED when the server has no UIDL: without
   * stable ids nothing can be matched across sessions, and guessing by
   * number could show or delete the wrong message.
   */
  maildrop(): Promise<MaildropEntry[]> {
    this.listing ??= (async () => joinListings(await this.uidls(), await this.sizes()))();
    return this.listing;
  }

  /**
   * The UIDL of every message by message number, read once per session: all
   * that telling new mail from known takes, and naming messages for RETR or
   * DELE. NOT_SUPPORTED when the server has no UIDL (see maildrop()).
   */
  uidls(): Promise<Map<number, string>> {
    this.uidlListing ??= (async () => {
      const reply = await this.run('UIDL', 'multi', MAX_LISTING_LINE_BYTES);
      if (reply.status !== 'ok') throw errorForReply(reply, 'NOT_SUPPORTED', 'listing unique ids (UIDL); without them Twinbox cannot tell messages apart between sessions');
      return parseUidl(reply.body ?? Buffer.alloc(0));
    })();
    return this.uidlListing;
  }

  /**
   * Message sizes by number (LIST): of these messages, or of all. A few are
   * asked one by one (pipelined), so that a check that finds one new message
   * among ten thousand does not list them all.
   */
  async sizes(numbers?: readonly number[]): Promise<Map<number, number>> {
    if (numbers === undefined || numbers.length > FEW_SIZES) {
      const reply = await this.run('LIST', 'multi', MAX_LISTING_LINE_BYTES);
      if (reply.status !== 'ok') throw errorForReply(reply, 'PROTOCOL_ERROR', 'listing message sizes (LIST)');
      const all = parseList(reply.body ?? Buffer.alloc(0));
      if (numbers === undefined) return all;
      return new Map(numbers.flatMap((number) => (all.has(number) ? [[number, all.get(number) ?? 0] as const] : [])));
    }
    const replies = numbers.map((number) => this.run(`LIST ${String(number)}`, 'single'));
    const sizes = new Map<number, number>();
    for (const [i, pending] of replies.entries()) {
      const reply = await pending;
      // -ERR: gone since the UIDL listing (another session expunged it); it is left out.
      if (reply.status !== 'ok') continue;
      const [, number, size] = /^(\d+) +(\d+)/.exec(reply.text) ?? [];
      if (Number(number) !== numbers[i] || size === undefined) throw new TwinboxError('PROTOCOL_ERROR', `the server answered LIST ${String(numbers[i])} with ${reply.text.slice(0, 80)}`);
      sizes.set(Number(number), Number(size));
    }
    return sizes;
  }

  /** The whole message, byte for byte as stored (RETR). MESSAGE_GONE when the server refuses it. */
  async retrieve(number: number): Promise<Buffer> {
    const [fetched] = await this.fetchMany([{ number, headersOnly: false }]);
    return bytesOrGone(fetched);
  }

  /** The header block of a message, blank line included (TOP n 0). */
  async headers(number: number): Promise<Buffer> {
    const [fetched] = await this.fetchMany([{ number, headersOnly: true }]);
    return bytesOrGone(fetched);
  }

  /**
   * Fetches several messages (RETR, or TOP n 0 for `headersOnly`), pipelined
   * when the server allows it. Resolves when every reply is complete, in the
   * order asked; a refused message is reported, not thrown. Rejects when the
   * connection fails, and then no message of the batch is returned: a
   * message is only ever handed over whole.
   */
  async fetchMany(requests: { number: number; headersOnly: boolean }[]): Promise<FetchedMessage[]> {
    const useTop = this.topAvailable;
    const pending = requests.map((request) => {
      const headersOnly = request.headersOnly && useTop;
      const command = headersOnly ? `TOP ${request.number} 0` : `RETR ${request.number}`;
      return { number: request.number, headersOnly, reply: this.run(command, 'multi') };
    });
    const results: FetchedMessage[] = [];
    for (const { number, headersOnly, reply } of pending) {
      const answer = await reply;
      if (answer.status === 'ok') {
        results.push({ number, headersOnly, bytes: answer.body ?? Buffer.alloc(0) });
      } else if (headersOnly && this.capabilities === undefined) {
        // No CAPA, so TOP was a guess; the refusal may mean "no TOP". RETR tells.
        this.topAvailable = false;
        const [retried] = await this.fetchMany([{ number, headersOnly: false }]);
        if (retried) results.push(retried);
      } else {
        results.push({ number, headersOnly, refused: answer.line });
      }
    }
    return results;
  }

  /**
   * Deletes exactly the messages with these UIDLs and ends the session. The
   * UIDLs are looked up in this session's own listing; those not on the
   * server are returned as `missing`. Resolves only after the server's +OK
   * to QUIT, when it has removed them. If the connection fails before that,
   * the server removes nothing (RFC 1939 UPDATE state) and this rejects:
   * nothing is reported deleted. If the server refuses one DELE, every mark
   * is undone (RSET) before QUIT and this rejects.
   */
  async deleteUidlsAndQuit(uidls: Iterable<string>): Promise<DeleteResult> {
    try {
      const byUidl = new Map([...(await this.uidls())].map(([number, uidl]) => [uidl, number]));
      const named = [...new Set(uidls)];
      const present = named.filter((uidl) => byUidl.has(uidl));
      const missing = named.filter((uidl) => !byUidl.has(uidl));
      const marks = present.map((uidl) => ({ uidl, reply: this.run(`DELE ${String(byUidl.get(uidl))}`, 'single') }));
      for (const mark of marks) {
        const reply = await mark.reply;
        if (reply.status !== 'ok') {
          // RSET then QUIT clears the marks even on a server that would commit on a dropped connection;
          // if RSET itself is refused, dropping the connection is the only way left that commits nothing.
          const reset = await this.run('RSET', 'single');
          if (reset.status === 'ok') await this.end();
          else this.abort();
          throw errorForReply(reply, 'PROTOCOL_ERROR', `marking ${mark.uidl} for deletion (all marks were undone, nothing was deleted)`);
        }
      }
      crashPoint('pop3-before-quit');
      const quit = await this.run('QUIT', 'single');
      this.ended = true;
      this.transport.close('the session ended with QUIT');
      if (quit.status !== 'ok') {
        throw errorForReply(quit, 'PROTOCOL_ERROR', 'removing the marked messages (the server may have removed some; the next UIDL listing tells)');
      }
      return { deleted: present, missing };
    } catch (error) {
      this.transport.close('the deletion did not complete');
      const failure = toTwinboxError(error);
      if (failure.code === 'CONNECTION_LOST' || failure.code === 'TIMEOUT') {
        throw new TwinboxError(failure.code, `${failure.message}; the server did not confirm QUIT, so it deleted nothing`, { cause: failure });
      }
      throw failure;
    }
  }

  /**
   * Ends the session with QUIT and closes the connection. Nothing was marked
   * for deletion (only `deleteUidlsAndQuit` marks), so whether the server
   * answers does not matter: this never throws. With commands still waiting
   * (a sync cut short), the connection is dropped instead, so as not to wait
   * for replies nobody will read.
   */
  async end(): Promise<void> {
    if (this.ended) return;
    if (this.transport.busy) {
      this.abort();
      return;
    }
    this.ended = true;
    try {
      await this.transport.send('QUIT', 'single');
    } catch {
      // Already closed or timed out: nothing to commit, nothing lost.
    } finally {
      this.transport.close('the session ended with QUIT');
    }
  }

  /** Drops the connection without QUIT: the server keeps every message. */
  abort(): void {
    this.ended = true;
    this.transport.close('the session was abandoned');
  }

  private run(command: string, shape: 'single' | 'multi', maxBodyLineBytes?: number): Promise<Pop3Reply> {
    if (this.ended) return Promise.reject(new TwinboxError('CONNECTION_LOST', 'the POP3 session has ended'));
    return this.transport.send(command, shape, maxBodyLineBytes === undefined ? {} : { maxBodyLineBytes });
  }
}

async function readCapabilities(transport: Pop3Transport): Promise<Pop3Capabilities | undefined> {
  const reply = await transport.send('CAPA', 'multi', { maxBodyLineBytes: MAX_LISTING_LINE_BYTES });
  // -ERR: an RFC 1939 server without CAPA. Tolerated; it gets the RFC 1939 defaults.
  return reply.status === 'ok' ? Pop3Capabilities.parse(reply.body ?? Buffer.alloc(0)) : undefined;
}

/** STLS (RFC 2595), then CAPA again: what was announced in clear may have been tampered with. */
async function startTls(transport: Pop3Transport, server: ServerSettings, capabilities: Pop3Capabilities | undefined): Promise<Pop3Capabilities | undefined> {
  if (capabilities && !capabilities.has('STLS')) {
    throw new TwinboxError('TLS_REQUIRED', 'the server does not offer STLS on this port');
  }
  // A server without CAPA may still know STLS; its answer tells.
  const reply = await transport.send('STLS', 'single');
  if (reply.status !== 'ok') throw new TwinboxError('TLS_REQUIRED', `the server refused STLS: ${reply.line}`);
  await transport.upgradeToTls(server);
  return readCapabilities(transport);
}

function bytesOrGone(fetched: FetchedMessage | undefined): Buffer {
  if (fetched && 'bytes' in fetched) return fetched.bytes;
  throw new TwinboxError('MESSAGE_GONE', fetched ? `the server refused message ${fetched.number}: ${fetched.refused}` : 'no reply');
}
