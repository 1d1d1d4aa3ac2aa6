/**
 * Sending over SMTP with nodemailer. The message is composed once into exact
 * bytes, those bytes are what the server receives, and the same bytes (plus
 * Bcc) come back to be stored as the sent copy, so Sent shows what was sent.
 */
import { randomUUID } from 'node:crypto';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import type { Logger } from 'nodemailer/lib/shared';
import MailComposer from 'nodemailer/lib/mail-composer';
import XOAuth2 from 'nodemailer/lib/xoauth2';
import type Mail from 'nodemailer/lib/mailer';
import { TwinboxError } from '../../../shared/errors';
import type { Address, OutgoingMessage, ProtocolLogLine, SentMessage, ServerSettings } from '../../../shared/model';
import { toTwinboxError } from '../errors';
import { resolveTimeouts } from '../timeouts';
import type { Timeouts } from '../adapter';
import { tlsOptionsFor } from '../tls';

export interface SendOptions {
  accountId: string;
  server: ServerSettings;
  password: string;
  message: OutgoingMessage;
  log?: (line: ProtocolLogLine) => void;
  timeouts?: Partial<Timeouts>;
}

/** Composes and sends one message; rejects only with a TwinboxError. */
export async function sendMessage(options: SendOptions): Promise<SentMessage> {
  const { message, server } = options;
  if (message.to.length + message.cc.length + message.bcc.length === 0) {
    throw new TwinboxError('INVALID_REQUEST', 'the message has no recipients');
  }
  const messageId = `${randomUUID()}@${domainOf(message.from.address)}`;
  const date = new Date();
  // Composed once (MIME boundaries are random): the kept copy is the sent one plus its Bcc header.
  const keptBytes = await compose(message, messageId, date);
  const sentBytes = withoutBccHeader(keptBytes);

  const connection = openConnection(options);
  try {
    await connectAndLogin(connection, server, options.password);
    const info = await new Promise<SMTPConnectionSendInfo>((resolve, reject) =>
      connection.send(
        { from: message.from.address, to: [...message.to, ...message.cc, ...message.bcc].map((a) => a.address) },
        Buffer.from(sentBytes),
        (error: Error | null, result?: SMTPConnectionSendInfo) => (error || !result ? reject(error ?? new Error('no result')) : resolve(result)),
      ),
    );
    connection.quit();
    return { messageId, raw: keptBytes, accepted: info.accepted, rejected: info.rejected };
  } catch (error) {
    connection.close();
    throw smtpError(error, server);
  }
}

/**
 * Composes a message into the exact bytes that would be sent (with its Bcc
 * header, as a kept copy has), without sending: for drafts.
 */
export async function composeMessage(message: OutgoingMessage): Promise<{ messageId: string; raw: Uint8Array }> {
  const messageId = `${randomUUID()}@${domainOf(message.from.address)}`;
  return { messageId, raw: await compose(message, messageId, new Date()) };
}

/**
 * Checks outgoing settings without sending anything: connects, upgrades as
 * the settings say, logs in, and says goodbye.
 */
export async function verifySmtpLogin(options: Omit<SendOptions, 'message'>): Promise<void> {
  const { server } = options;
  const connection = openConnection(options);
  try {
    await connectAndLogin(connection, server, options.password);
    connection.quit();
  } catch (error) {
    connection.close();
    throw smtpError(error, server);
  }
}

function openConnection(options: Omit<SendOptions, 'message'>): SMTPConnection {
  const { server } = options;
  const timeouts = resolveTimeouts(options.timeouts);
  const connection = new SMTPConnection({
    host: server.host,
    port: server.port,
    secure: server.security === 'tls',
    requireTLS: server.security === 'starttls',
    // "plain" was chosen explicitly: do not upgrade behind the user's back either.
    ignoreTLS: server.security === 'plain',
    tls: tlsOptionsFor(server),
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.connectMs,
    socketTimeout: timeouts.commandMs,
    logger: options.log ? protocolLogger(options.accountId, options.log) : false,
    debug: options.log !== undefined,
  });
  // Errors also arrive as events; the callbacks carry them to the caller.
  connection.on('error', () => undefined);
  return connection;
}

async function connectAndLogin(connection: SMTPConnection, server: ServerSettings, password: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => resolve());
  });
  if (server.username === '') return;
  if (!connection.allowsAuth) {
    // Sending anyway would go out unauthenticated, or be refused later with a vaguer reason.
    throw new TwinboxError(
      connection.secure ? 'NOT_SUPPORTED' : 'TLS_REQUIRED',
      connection.secure ? 'the server offers no login (AUTH)' : 'the server offers login (AUTH) only on an encrypted connection',
    );
  }
  if (server.signIn === 'oauth2' && !connection.secure) {
    throw new TwinboxError('TLS_REQUIRED', 'an access token is sent only over an encrypted connection; choose SSL/TLS or STARTTLS for the outgoing server');
  }
  // A provider's access token goes with XOAUTH2, which every OAuth2 mail provider's SMTP offers.
  const credentials = server.signIn === 'oauth2' ? { user: server.username, oauth2: new XOAuth2({ user: server.username, accessToken: password }) } : { user: server.username, pass: password };
  await new Promise<void>((resolve, reject) => connection.login(credentials, (error) => (error ? reject(error) : resolve())));
}

async function compose(message: OutgoingMessage, messageId: string, date: Date): Promise<Uint8Array> {
  const mail: Mail.Options = {
    from: toNodemailer(message.from),
    to: message.to.map(toNodemailer),
    cc: message.cc.map(toNodemailer),
    bcc: message.bcc.map(toNodemailer),
    replyTo: message.replyTo.map(toNodemailer),
    subject: message.subject,
    messageId: `<${messageId}>`,
    date,
    ...(message.text === undefined ? {} : { text: message.text }),
    ...(message.html === undefined ? {} : { html: message.html }),
    ...(message.inReplyTo === undefined ? {} : { inReplyTo: `<${message.inReplyTo}>` }),
    ...(message.references.length > 0 ? { references: message.references.map((id) => `<${id}>`) } : {}),
    attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content) })),
  };
  const node = new MailComposer(mail).compile();
  node.keepBcc = true;
  // nodemailer keeps the line ends the user typed in 7-bit text parts; SMTP allows only CRLF and
  // servers convert bare LFs and add a final CRLF. Doing both here keeps the sent copy equal to what arrives.
  const text = (await node.build()).toString('latin1').replace(/\r?\n/g, '\r\n');
  return new Uint8Array(Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'latin1'));
}

/** Removes the Bcc header (with its folded lines) from a message's header block. */
export function withoutBccHeader(raw: Uint8Array): Uint8Array {
  const text = Buffer.from(raw).toString('latin1');
  const headerEnd = text.indexOf('\r\n\r\n');
  if (headerEnd < 0) return raw;
  const lines = text.slice(0, headerEnd).split('\r\n');
  const kept: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (!skipping) kept.push(line);
      continue;
    }
    skipping = /^bcc:/i.test(line);
    if (!skipping) kept.push(line);
  }
  return new Uint8Array(Buffer.from(kept.join('\r\n') + text.slice(headerEnd), 'latin1'));
}

function toNodemailer(address: Address): Mail.Address {
  return { name: address.name, address: address.address };
}

function domainOf(address: string): string {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return /^[A-Za-z0-9.-]+$/.test(domain) ? domain : 'twinbox.invalid';
}

/**
 * nodemailer's errors carry their own codes (EAUTH, ETLS...), the server's
 * reply, and for socket and TLS failures Node's own code as `originalCode`.
 */
function smtpError(error: unknown, server: ServerSettings): TwinboxError {
  if (error instanceof TwinboxError) return error;
  const e = error as { code?: unknown; originalCode?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };
  const detail = typeof e.response === 'string' ? e.response : String(e.message ?? error);
  // nodemailer reports socket and TLS failures as ESOCKET and keeps Node's code aside.
  if (typeof e.originalCode === 'string') return toTwinboxError({ code: e.originalCode, message: detail });
  if (e.code === 'ETLS' && server.security === 'starttls') return new TwinboxError('TLS_REQUIRED', detail, { cause: error });
  if (e.code === 'EENVELOPE' && typeof e.responseCode === 'number') {
    if (e.responseCode === 552) return new TwinboxError('QUOTA_EXCEEDED', detail, { cause: error });
    return new TwinboxError('PROTOCOL_ERROR', detail, { cause: error });
  }
  return toTwinboxError(error);
}

/** Turns nodemailer's debug lines ("C: ...", "S: ...") into protocol log lines. */
function protocolLogger(accountId: string, log: (line: ProtocolLogLine) => void): Logger {
  const write = (...params: unknown[]): void => {
    const entry = params[0] as { tnx?: unknown } | undefined;
    const text = typeof params[1] === 'string' ? params[1] : undefined;
    if (!text || (entry?.tnx !== 'client' && entry?.tnx !== 'server')) return;
    const body = text.replace(/^[CS]: /, '');
    log({
      accountId,
      protocol: 'smtp',
      direction: entry.tnx === 'client' ? 'out' : 'in',
      text: body.length > 200 ? `${body.slice(0, 200)}…` : body,
      bytes: Buffer.byteLength(body) + 2,
      at: Date.now(),
    });
  };
  const ignore = (): void => undefined;
  return { trace: ignore, debug: write, info: ignore, warn: ignore, error: ignore, fatal: ignore };
}
