/**
 * What tests import: the running mail stack, mailboxes of their own in it,
 * and ways to put mail in through protocols only (SMTP or IMAP APPEND), so
 * the same tests run against any standards-compliant server.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { inject } from 'vitest';
import type { TestContext } from 'vitest';
import type { ServerSettings, Security } from '../../shared/model';
import type { Endpoint, EndpointName, MailStackInfo, SpecialMailbox, TestUser } from './types';

export type { Endpoint, EndpointName, MailStackInfo, SpecialMailbox, TestUser } from './types';
export { SMALL_QUOTA_KB } from './types';

export function mailStack(): MailStackInfo {
  return inject('mailStack');
}

/**
 * The endpoint a test needs, or a skip that says why it is absent. A skip is
 * printed with its reason, so a run against a smaller server never passes
 * silently over what it did not test.
 */
export function requireEndpoint(context: TestContext, name: EndpointName, stack: MailStackInfo = mailStack()): Endpoint {
  const endpoint = stack[name];
  if (endpoint) return endpoint;
  return skipBecause(context, `needs ${name.toUpperCase()}: ${stack.missing[name] ?? 'not available'}`);
}

export function skipBecause(context: TestContext, reason: string): never {
  console.warn(`[skipped] ${context.task.name}: ${reason}`);
  context.skip(reason);
  throw new Error('unreachable: context.skip throws');
}

/**
 * Server settings for a Twinbox adapter pointed at the stack: the stack's
 * certificate is trusted the way a user trusts one (pinned by fingerprint),
 * so tests go through the same TLS path as the product.
 */
export function serverSettingsFor(
  context: TestContext,
  user: TestUser,
  endpoint: EndpointName,
  stack: MailStackInfo = mailStack(),
): ServerSettings {
  const { host, port } = requireEndpoint(context, endpoint, stack);
  const security: Security = endpoint.endsWith('s') ? 'tls' : 'starttls';
  return {
    host,
    port,
    security,
    username: user.user,
    ...(stack.caPem ? { trustedCertificate: { pem: stack.caPem, fingerprint256: new X509Certificate(stack.caPem).fingerprint256 } } : {}),
  };
}

/** TLS options that trust the stack's certificate and nothing weaker. */
export function tlsTrust(stack: MailStackInfo = mailStack()): { ca?: string; servername: string } {
  return { ...(stack.caPem ? { ca: stack.caPem } : {}), servername: stack.tlsServername };
}

let externalLeases = 0;

/**
 * Mailboxes for one test, empty when handed out. On the local stack each
 * lease is a user no other test has touched, so tests running in parallel
 * never see each other's mail. On an external server the users of TWINBOX_TEST_USERS are
 * reused in turn and emptied over IMAP first (run such suites one file at a
 * time; the vitest config does so when TWINBOX_TEST_* is set).
 * `special`: mailboxes set up unlike the rest (local stack only; elsewhere
 * the test skips and says why).
 */
export async function leaseMailboxes(context: TestContext, count: number, options: { special?: SpecialMailbox } = {}): Promise<TestUser[]> {
  const stack = mailStack();
  if (options.special && !stack.pool) skipBecause(context, `needs a ${options.special} mailbox, which only the local stack can set up`);
  if (stack.pool) {
    const { claimDir } = stack.pool;
    const users = options.special ? stack.pool.special[options.special] : stack.pool.users;
    const claimed: TestUser[] = [];
    for (const candidate of users) {
      if (claimed.length === count) break;
      try {
        mkdirSync(join(claimDir, candidate.user));
        claimed.push(candidate);
      } catch {
        // Claimed by another test (mkdir is atomic across worker processes).
      }
    }
    if (claimed.length < count) throw new Error(`the local stack's ${users.length} test mailboxes are used up`);
    return claimed;
  }
  if (stack.users.length < count) {
    skipBecause(context, `needs ${count} mailboxes, TWINBOX_TEST_USERS lists ${stack.users.length}`);
  }
  const users = Array.from({ length: count }, (_, i) => stack.users[(externalLeases + i) % stack.users.length] as TestUser);
  externalLeases += count;
  for (const user of users) await emptyMailbox(user);
  return users;
}

/** An IMAP session of the tests' own: the "other device" that checks what the server holds. */
export async function openImap(user: TestUser, options: { endpoint?: 'imaps' | 'imap'; stack?: MailStackInfo } = {}): Promise<ImapFlow> {
  const stack = options.stack ?? mailStack();
  const which = options.endpoint ?? (stack.imaps ? 'imaps' : 'imap');
  const endpoint = stack[which];
  if (!endpoint) throw new Error(`the stack has no ${which} endpoint`);
  const client = new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure: which === 'imaps',
    auth: { user: user.user, pass: user.password },
    tls: { ...tlsTrust(stack), rejectUnauthorized: true },
    logger: false,
    // COMPRESS=DEFLATE costs more than it saves on loopback.
    disableCompression: true,
  });
  await client.connect();
  return client;
}

async function emptyMailbox(user: TestUser): Promise<void> {
  const client = await openImap(user);
  try {
    for (const folder of await client.list()) {
      if (folder.flags.has('\\Noselect')) continue;
      const lock = await client.getMailboxLock(folder.path);
      try {
        if (client.mailbox && client.mailbox.exists > 0) await client.messageDelete('1:*');
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
}

/** Message-IDs of a folder as another device sees it over IMAP, without their angle brackets: what counting by Message-ID compares. */
export async function messageIdsOnServer(user: TestUser, options: { folder?: string; stack?: MailStackInfo } = {}): Promise<string[]> {
  const client = await openImap(user, options.stack ? { stack: options.stack } : {});
  try {
    const lock = await client.getMailboxLock(options.folder ?? 'INBOX');
    try {
      const ids: string[] = [];
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const message of client.fetch('1:*', { envelope: true })) ids.push((message.envelope?.messageId ?? '').replace(/^<|>$/g, ''));
      }
      return ids;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

/** Puts a message into a mailbox through IMAP APPEND; returns its UID there. */
export async function appendMessage(
  user: TestUser,
  raw: string | Buffer,
  options: { folder?: string; flags?: string[]; stack?: MailStackInfo } = {},
): Promise<number> {
  const [uid] = await appendMessages(user, [raw], options);
  return uid!;
}

/** Appends several messages in one IMAP session, in order; returns their UIDs. */
export async function appendMessages(
  user: TestUser,
  raws: readonly (string | Buffer)[],
  options: { folder?: string; flags?: string[]; stack?: MailStackInfo } = {},
): Promise<number[]> {
  const client = await openImap(user, options.stack ? { stack: options.stack } : {});
  try {
    const uids: number[] = [];
    for (const raw of raws) {
      const result = await client.append(options.folder ?? 'INBOX', raw, options.flags ?? []);
      if (!result || typeof result.uid !== 'number') throw new Error('the server returned no APPENDUID');
      uids.push(result.uid);
    }
    return uids;
  } finally {
    await client.logout();
  }
}

/**
 * Puts a message from an outside sender into `recipient`'s INBOX: through the
 * stack's SMTP server (STARTTLS when offered) when it has one, else by IMAP
 * APPEND of the same message, so that a test that only needs new mail to
 * arrive runs against a server without SMTP too. Returns the Message-ID (with
 * its angle brackets) either way. Mail that came by SMTP also carries the
 * server's Received and Return-Path headers; appended mail does not, so a
 * test that looks at those must ask for SMTP itself.
 */
export async function deliverBySmtpOrAppend(recipient: TestUser, message: Omit<Mail.Options, 'to'>, stack: MailStackInfo = mailStack()): Promise<string> {
  const mail: Mail.Options = { from: 'Sender <sender@example.org>', ...message, to: recipient.address };
  const endpoint = stack.smtp;
  if (!endpoint) {
    const node = new MailComposer(mail).compile();
    // What an MTA does on the way in: bare LFs become CRLF, and the message ends with one.
    const text = (await node.build()).toString('latin1').replace(/\r?\n/g, '\r\n');
    await appendMessage(recipient, Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'latin1'), { stack });
    return node.messageId();
  }
  const transport = createTransport({
    host: endpoint.host,
    port: endpoint.port,
    secure: false,
    tls: { ...tlsTrust(stack), rejectUnauthorized: true },
  });
  try {
    const info = await transport.sendMail(mail);
    return info.messageId;
  } finally {
    transport.close();
  }
}

/**
 * Outgoing settings for an account in a test that does not send: the stack's
 * SMTP server when it has one, else a port on this machine where nothing
 * listens, as the demo uses without SMTP. Saving an account contacts neither
 * of its servers; the one thing that sends on its own, the Lab's new mail,
 * falls back to IMAP APPEND when sending fails, as in the demo. A test that
 * sends asks for 'smtp' itself, and skips without it.
 */
export function outgoingSettingsFor(context: TestContext, user: TestUser, stack: MailStackInfo = mailStack()): ServerSettings {
  if (stack.smtp) return serverSettingsFor(context, user, 'smtp', stack);
  return { host: '127.0.0.1', port: 1, security: 'plain', username: user.user };
}

/** Polls until `check` passes: delivery through SMTP reaches the mailbox asynchronously. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A unique marker for subjects and Message-IDs so a test finds exactly its own mail. */
export function uniqueTag(prefix = 'tbx'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
