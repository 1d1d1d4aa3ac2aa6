import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { WebSocket } from 'ws';
import type { EventPayloads, MethodName, MethodResult } from '../../shared/contract';
import type { Account } from '../../shared/model';
import { decodeWire, encodeWire } from '../../shared/wire';
import { startWebHost } from '../../main/hosts/websocket-host';
import { dispatch } from '../../main/ipc/dispatch';
import { createHandlers } from '../../main/ipc/handlers';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { createAdapter } from '../../main/protocols/factory';
import { createServices } from '../../main/services';
import type { Services } from '../../main/services';
import { appendMessage, eventually, mailStack, serverSettingsFor, skipBecause, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { startLocalMailStack } from '../mailstack/local-stack';
import type { LocalMailStack } from '../mailstack/local-stack';

/**
 * Push that lasts: a page's watch on its Inbox keeps reporting new mail after
 * what used to end it silently (the pool logging out an idle connection, the
 * server restarting, the account being saved), and pages that reload leave
 * exactly one IDLE connection behind. On a Dovecot of this file's own, which
 * it restarts and whose sessions it counts by their process titles.
 */

type MailChanged = EventPayloads['mail.changed'];

let ownStack: Promise<LocalMailStack> | undefined;
let usersTaken = 0;
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  await (await ownStack)?.stop();
});

/** This file's Dovecot (no SMTP: mail comes in by IMAP APPEND, as from another device). */
async function dovecotOfOurOwn(context: TestContext): Promise<LocalMailStack> {
  if (mailStack().origin !== 'local') skipBecause(context, 'restarting the server and counting its sessions needs the local harness');
  ownStack ??= startLocalMailStack({ smtp: false });
  return ownStack;
}

function nextUser(stack: LocalMailStack): TestUser {
  const user = stack.info.pool?.users[usersTaken++];
  if (!user) throw new Error('no test mailbox left');
  return user;
}

/** Main as a host runs it, with pauses made short: the pool logs out after 300 ms, watches retry within a second. */
function twinbox(): { services: Services; call: <M extends MethodName>(caller: string, method: M, input: unknown) => Promise<MethodResult<M>>; changes: MailChanged[] } {
  const services = createServices({
    identity: { name: 'Twinbox', version: 'test' },
    host: 'web',
    createAdapter: (account, password, log) =>
      account.protocol === 'imap'
        ? new ImapAdapter({ accountId: account.id, server: account.incoming, password, ...(log ? { log } : {}) }, { watchReconnectDelaysMs: { first: 100, last: 1_000 } })
        : createAdapter(account, password, log),
    pool: { idleMs: 300 },
    watches: { backoffMs: { initial: 100, max: 1_000 } },
  });
  cleanups.push(() => services.close());
  const changes: MailChanged[] = [];
  services.events.subscribe((event, payload) => {
    if (event === 'mail.changed') changes.push(payload as MailChanged);
  });
  const table = createHandlers(services);
  const call = async <M extends MethodName>(caller: string, method: M, input: unknown): Promise<MethodResult<M>> => {
    const envelope = await dispatch(table, method, input, { host: 'web', caller });
    if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code} ${envelope.error.message}`);
    return envelope.value as MethodResult<M>;
  };
  return { services, call, changes };
}

function accountDraft(context: TestContext, stack: LocalMailStack, user: TestUser): Omit<Account, 'id'> {
  const incoming = serverSettingsFor(context, user, 'imaps', stack.info);
  return { name: `Push ${user.user}`, email: user.address, displayName: '', protocol: 'imap', incoming, outgoing: incoming };
}

function imapSessions(stack: LocalMailStack, user: TestUser) {
  return stack.dovecot.imapSessions().filter((session) => session.user === user.user);
}

/** Resolves once the user has exactly one IMAP session, and it is IDLE: the watch's, with the pool's logged out. */
function onlyTheWatch(stack: LocalMailStack, user: TestUser, timeoutMs = 10_000): Promise<number> {
  return eventually(() => {
    const sessions = imapSessions(stack, user);
    return Promise.resolve(sessions.length === 1 && sessions[0]!.commands.includes('IDLE') ? sessions[0]!.pid : undefined);
  }, timeoutMs);
}

function newMailFor(changes: MailChanged[], accountId: string): MailChanged[] {
  return changes.filter((change) => change.accountId === accountId && change.folder === 'INBOX' && change.reason === 'new-mail');
}

async function deliver(stack: LocalMailStack, user: TestUser): Promise<void> {
  const tag = uniqueTag('push');
  await appendMessage(user, `Subject: ${tag}\r\nMessage-ID: <${tag}@t>\r\n\r\nPushed to you.\r\n`, { stack: stack.info });
}

describe('push that lasts', () => {
  it('notices new mail after the pool logged its idle connection out', { timeout: 60_000 }, async (context) => {
    const stack = await dovecotOfOurOwn(context);
    const user = nextUser(stack);
    const { call, changes } = twinbox();
    const account = await call('web-1', 'accounts.save', { account: accountDraft(context, stack, user), incomingPassword: user.password });
    await call('web-1', 'mail.listFolders', { accountId: account.id });
    await call('web-1', 'mail.watch', { accountId: account.id, folder: 'INBOX' });

    // The pooled connection is gone after 300 ms; the watch's stays.
    await onlyTheWatch(stack, user);
    await deliver(stack, user);
    await eventually(() => Promise.resolve(newMailFor(changes, account.id)[0]), 5_000);
  });

  it('notices new mail after the server restarted, and starts a watch asked for while it was down', { timeout: 60_000 }, async (context) => {
    const stack = await dovecotOfOurOwn(context);
    const [watchedBefore, askedWhileDown] = [nextUser(stack), nextUser(stack)];
    const { call, changes } = twinbox();
    const before = await call('web-1', 'accounts.save', { account: accountDraft(context, stack, watchedBefore), incomingPassword: watchedBefore.password });
    const during = await call('web-1', 'accounts.save', { account: accountDraft(context, stack, askedWhileDown), incomingPassword: askedWhileDown.password });
    await call('web-1', 'mail.watch', { accountId: before.id, folder: 'INBOX' });
    const firstSession = await onlyTheWatch(stack, watchedBefore);

    await stack.dovecot.shutDown();
    // The server is down: the page still gets its watch, which keeps trying.
    const { watchId } = await call('web-1', 'mail.watch', { accountId: during.id, folder: 'INBOX' });
    expect(watchId).toMatch(/^[0-9a-f-]{36}$/);
    // Long enough for reconnects to be refused a few times.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await stack.dovecot.startAgain();

    expect(await onlyTheWatch(stack, watchedBefore)).not.toBe(firstSession);
    await onlyTheWatch(stack, askedWhileDown);
    // The late watch says mail may have come while it could not look.
    await eventually(() => Promise.resolve(newMailFor(changes, during.id)[0]), 5_000);
    changes.length = 0;

    await deliver(stack, watchedBefore);
    await deliver(stack, askedWhileDown);
    await eventually(() => Promise.resolve(newMailFor(changes, before.id)[0]), 5_000);
    await eventually(() => Promise.resolve(newMailFor(changes, during.id)[0]), 5_000);
  });

  it('keeps one IDLE connection through five page reloads, and reports each new message once', { timeout: 60_000 }, async (context) => {
    const stack = await dovecotOfOurOwn(context);
    const user = nextUser(stack);
    const { services, call } = twinbox();
    const account = await call('setup', 'accounts.save', { account: accountDraft(context, stack, user), incomingPassword: user.password });
    const staticDir = mkdtempSync(join(tmpdir(), 'twinbox-static-'));
    const host = await startWebHost({
      handlers: createHandlers(services),
      staticDir,
      token: 'push-test-token',
      onCallerGone: (caller) => void services.callerGone(caller),
    });
    services.events.subscribe((event, payload) => host.emit(event, payload));
    cleanups.push(async () => {
      await host.close();
      rmSync(staticDir, { recursive: true, force: true });
    });

    let page: Page | undefined;
    for (let reload = 1; reload <= 5; reload++) {
      // A reload: the old page's socket closes as the new page's opens and asks for its watch.
      page?.socket.close();
      page = await openPage(host.port, host.origin, 'push-test-token');
      await page.call('mail.watch', { accountId: account.id, folder: 'INBOX' });
    }
    const lastPage = page!;
    cleanups.push(() => Promise.resolve(lastPage.socket.close()));

    await onlyTheWatch(stack, user);
    expect(services.watches.list()).toEqual([{ accountId: account.id, folder: 'INBOX', state: 'watching', callers: [expect.any(String)] }]);
    for (let message = 1; message <= 3; message++) {
      await deliver(stack, user);
      await eventually(() => Promise.resolve(lastPage.newMail().length >= message ? true : undefined), 5_000);
    }
    // Time for a duplicate to arrive, if there were one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lastPage.newMail()).toHaveLength(3);
    expect(imapSessions(stack, user)).toHaveLength(1);
  });

  it('keeps push working when the account is saved, and waits for a good password after a wrong one', { timeout: 60_000 }, async (context) => {
    const stack = await dovecotOfOurOwn(context);
    const user = nextUser(stack);
    const { call, changes } = twinbox();
    const draft = accountDraft(context, stack, user);
    const account = await call('web-1', 'accounts.save', { account: draft, incomingPassword: user.password });
    await call('web-1', 'mail.watch', { accountId: account.id, folder: 'INBOX' });
    const firstSession = await onlyTheWatch(stack, user);

    await call('web-1', 'accounts.save', { account: { ...draft, id: account.id, name: 'Renamed' } });
    // The watch started again with the saved settings, on a new connection.
    const secondSession = await onlyTheWatch(stack, user);
    expect(secondSession).not.toBe(firstSession);
    await deliver(stack, user);
    await eventually(() => Promise.resolve(newMailFor(changes, account.id)[0]), 5_000);

    await call('web-1', 'accounts.save', { account: { ...draft, id: account.id }, incomingPassword: 'not the password' });
    await eventually(() => Promise.resolve(imapSessions(stack, user).length === 0 ? true : undefined));
    // Refused: nothing tries the wrong password again by itself.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(imapSessions(stack, user)).toEqual([]);

    await call('web-1', 'accounts.save', { account: { ...draft, id: account.id }, incomingPassword: user.password });
    await onlyTheWatch(stack, user);
    changes.length = 0;
    await deliver(stack, user);
    await eventually(() => Promise.resolve(newMailFor(changes, account.id)[0]), 5_000);
  });
});

interface Page {
  socket: WebSocket;
  call(method: MethodName, input: unknown): Promise<unknown>;
  /** The new-mail events this page heard. */
  newMail(): MailChanged[];
}

/** A page as the browser opens one: a WebSocket to the host, calling methods and hearing events. */
async function openPage(port: number, origin: string, token: string): Promise<Page> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ipc?token=${token}`, { origin });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const heard: MailChanged[] = [];
  const answers = new Map<number, (envelope: { ok: boolean; error?: { code: string; message: string } }) => void>();
  socket.on('message', (data: Buffer) => {
    const frame = decodeWire(data.toString('utf8')) as { id?: number; envelope?: { ok: boolean }; event?: string; payload?: unknown };
    if (frame.event === 'mail.changed') heard.push(frame.payload as MailChanged);
    if (frame.id !== undefined && frame.envelope) answers.get(frame.id)?.(frame.envelope);
  });
  let nextId = 0;
  return {
    socket,
    call: (method, input) =>
      new Promise((resolve, reject) => {
        const id = ++nextId;
        answers.set(id, (envelope) => (envelope.ok ? resolve(envelope) : reject(new Error(`${method}: ${JSON.stringify(envelope.error)}`))));
        socket.send(encodeWire({ id, method, input }));
      }),
    newMail: () => heard.filter((change) => change.reason === 'new-mail'),
  };
}
