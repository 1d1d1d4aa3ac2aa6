import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import type { ConnectionTestResult, MethodName, MethodResult } from '../../shared/contract';
import type { Envelope } from '../../shared/contract';
import type { Account, SyncDelta } from '../../shared/model';
import { dispatch } from '../../main/ipc/dispatch';
import { createHandlers } from '../../main/ipc/handlers';
import { createAdapter } from '../../main/protocols/factory';
import { createServices } from '../../main/services';
import { appendMessage, eventually, leaseMailboxes, mailStack, openImap, outgoingSettingsFor, requireEndpoint, serverSettingsFor, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';

/**
 * The contract as the page uses it, through the same dispatch as both hosts,
 * against the real servers: account checks with the errors a user sees,
 * saving an account, a folder sync pulled delta by delta, and sending.
 */
function harness() {
  const services = createServices({ identity: { name: 'Twinbox', version: 'test' }, host: 'web', createAdapter });
  const table = createHandlers(services);
  async function call<M extends MethodName>(method: M, input: unknown): Promise<Envelope<MethodResult<M>>> {
    return (await dispatch(table, method, input, { host: 'web', caller: 'test' })) as Envelope<MethodResult<M>>;
  }
  async function value<M extends MethodName>(method: M, input: unknown): Promise<MethodResult<M>> {
    const envelope = await call(method, input);
    if (!envelope.ok) throw new Error(`${method}: ${envelope.error.code} ${envelope.error.message}`);
    return envelope.value;
  }
  return { services, call, value };
}

describe('the contract against real servers', () => {
  it('tests account settings and reports each failure by its code, with the certificate to trust', async (context) => {
    const { value, services } = harness();
    try {
      const [user] = await leaseMailboxes(context, 1);
      const good = serverSettingsFor(context, user!, 'imaps');
      const { trustedCertificate, ...untrusted } = good;
      const refusedPort = requireEndpoint(context, 'imaps').port === 1 ? 2 : 1;
      const results = await Promise.all([
        value('accounts.test', { protocol: 'imap', incoming: good, incomingPassword: user!.password }),
        value('accounts.test', { protocol: 'imap', incoming: good, incomingPassword: 'wrong' }),
        value('accounts.test', { protocol: 'pop3', incoming: untrusted, incomingPassword: user!.password }),
        value('accounts.test', { protocol: 'pop3', incoming: { ...good, port: refusedPort }, incomingPassword: user!.password }),
      ]);
      const [ok, wrongPassword, untrustedCert, refused] = results as ConnectionTestResult[];
      expect(ok?.incoming).toMatchObject({ ok: true, capabilities: { serverFolders: true, serverFlags: true } });
      expect(ok?.outgoing).toBeNull();
      expect(wrongPassword?.incoming).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
      expect(untrustedCert?.incoming).toMatchObject({ ok: false, error: { code: 'TLS_CERT_UNTRUSTED', certificate: { fingerprint256: trustedCertificate?.fingerprint256 } } });
      expect(refused?.incoming).toMatchObject({ ok: false, error: { code: 'CONNECTION_REFUSED' } });
    } finally {
      await services.close();
    }
  });

  it('tests the outgoing server with the password of the incoming one', async (context) => {
    const { value, services } = harness();
    try {
      const [user] = await leaseMailboxes(context, 1);
      const result = await value('accounts.test', {
        protocol: 'imap',
        incoming: serverSettingsFor(context, user!, 'imaps'),
        incomingPassword: user!.password,
        outgoing: serverSettingsFor(context, user!, 'smtp'),
      });
      expect(result).toMatchObject({ incoming: { ok: true }, outgoing: { ok: true } });
    } finally {
      await services.close();
    }
  });

  it('saves a POP3 account, syncs its INBOX delta by delta, and resyncs to nothing new', async (context) => {
    const { value, call, services } = harness();
    try {
      const [user] = await leaseMailboxes(context, 1);
      const tag = uniqueTag();
      for (let i = 1; i <= 3; i++) await appendMessage(user!, `Subject: ${tag} ${i}\r\nMessage-ID: <${tag}.${i}@t>\r\n\r\nbody ${i}\r\n`);
      const account = await value('accounts.save', {
        account: {
          name: 'POP3 test',
          email: user!.address,
          displayName: 'Tester',
          protocol: 'pop3',
          incoming: serverSettingsFor(context, user!, 'pop3s'),
          outgoing: outgoingSettingsFor(context, user!),
        },
        incomingPassword: user!.password,
      });
      expect(account.pop3?.retention).toEqual({ kind: 'keep' });
      expect(JSON.stringify(await value('accounts.list', {}))).not.toContain(user!.password);

      const progress: { done: number; total: number }[] = [];
      services.events.subscribe((event, payload) => {
        if (event === 'sync.progress' && 'done' in payload) progress.push({ done: payload.done, total: payload.total });
      });
      const deltas: SyncDelta[] = [];
      const { syncId } = await value('mail.syncStart', { accountId: account.id, folder: 'INBOX', state: { protocol: 'pop3' }, options: { batchSize: 2 } });
      for (;;) {
        const next = await value('mail.syncNext', { syncId });
        if (next.kind === 'end') break;
        deltas.push(next);
      }
      const summaries = deltas.flatMap((d) => (d.kind === 'messages' ? d.summaries : []));
      expect(summaries.map((s) => s.subject)).toEqual([`${tag} 3`, `${tag} 2`, `${tag} 1`]);
      // The messages themselves stay in main: stored, and not yet confirmed by an index (the page would say so).
      const stored = await services.store.list(account.id);
      expect(stored.map((m) => m.id).sort()).toEqual(summaries.map((s) => s.serverId).sort());
      expect(stored.every((m) => !m.indexed && m.size > 0)).toBe(true);
      expect(JSON.stringify(deltas)).not.toContain('Body of');
      // Every page hears how far the sync got, batch by batch.
      expect(progress).toEqual([
        { done: 2, total: 3 },
        { done: 3, total: 3 },
      ]);
      const done = deltas.at(-1);
      expect(done?.kind).toBe('done');

      // Until the page says its index has them, a new sync offers them again, from the store (no download).
      const unconfirmed = await value('mail.syncStart', { accountId: account.id, folder: 'INBOX', state: { protocol: 'pop3' } });
      const offered = await value('mail.syncNext', { syncId: unconfirmed.syncId });
      expect(offered.kind === 'messages' ? offered.summaries.map((s) => s.subject).sort() : []).toEqual(summaries.map((s) => s.subject).sort());
      await value('mail.syncCancel', { syncId: unconfirmed.syncId });
      await value('store.settle', { accountId: account.id, folder: 'INBOX', indexed: summaries.map((s) => s.serverId), discard: [] });

      const again = await value('mail.syncStart', { accountId: account.id, folder: 'INBOX', state: done?.kind === 'done' ? done.state : undefined });
      const first = await value('mail.syncNext', { syncId: again.syncId });
      expect(first.kind).toBe('done');
      // POP3 has no server flags: the contract says so by capability and by a clear refusal.
      expect((await value('accounts.capabilities', { accountId: account.id })).serverFlags).toBe(false);
      const refusal = await call('mail.setFlags', { accountId: account.id, folder: 'INBOX', serverIds: [summaries[0]!.serverId], add: ['\\Seen'] });
      expect(refusal).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    } finally {
      await services.close();
    }
  });

  it('sends through the account’s SMTP server and keeps the password out of every answer', async (context) => {
    const { value, services } = harness();
    try {
      const [sender, recipient] = await leaseMailboxes(context, 2);
      const tag = uniqueTag();
      const account = await value('accounts.save', {
        account: {
          name: 'Sender',
          email: sender!.address,
          displayName: 'Sender',
          protocol: 'imap',
          incoming: serverSettingsFor(context, sender!, 'imaps'),
          outgoing: serverSettingsFor(context, sender!, 'smtp'),
        },
        incomingPassword: sender!.password,
      });
      const sent = await value('mail.send', {
        accountId: account.id,
        message: {
          from: { name: 'Sender', address: sender!.address },
          to: [{ name: '', address: recipient!.address }],
          cc: [],
          bcc: [],
          replyTo: [],
          subject: tag,
          text: 'hello',
          references: [],
          attachments: [{ filename: 'a.bin', contentType: 'application/octet-stream', content: new Uint8Array([1, 2, 3]) }],
        },
      });
      expect(sent.accepted).toEqual([recipient!.address]);
      const client = await openImap(recipient!);
      try {
        await eventually(async () => {
          const lock = await client.getMailboxLock('INBOX');
          try {
            // The folder stays selected between tries: NOOP is what makes the server report new mail.
            await client.noop();
            return client.mailbox && client.mailbox.exists > 0 ? true : undefined;
          } finally {
            lock.release();
          }
        });
      } finally {
        await client.logout();
      }
    } finally {
      await services.close();
    }
  });

  it('refuses input that breaks the contract before any server is contacted', async () => {
    const { call, services } = harness();
    try {
      expect(await call('accounts.test', { protocol: 'imap', incoming: { host: 'imap.example.org/evil', port: 993, security: 'tls', username: 'a' } })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_REQUEST' },
      });
      expect(await call('mail.setFlags', { accountId: 'x', folder: 'INBOX', serverIds: ['1'], add: ['\\Seen) (evil'] })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_REQUEST' },
      });
      expect(await call('mail.open', { accountId: 'no-such-account', folder: 'INBOX', serverId: '1' })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_REQUEST' },
      });
    } finally {
      await services.close();
    }
  });
});

/**
 * A listener on 127.0.0.1 standing in for a server the stored password must
 * never reach: it records every connection and every byte. It hangs up at
 * once, so that a leak fails the test quickly instead of waiting for a timeout.
 */
async function recordingListener(): Promise<{ port: number; connections: () => number; received: () => string; close: () => Promise<void> }> {
  let connections = 0;
  const chunks: Buffer[] = [];
  const server = createServer((socket) => {
    connections += 1;
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    received: () => Buffer.concat(chunks).toString('latin1'),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('stored passwords stay with their server', () => {
  function accountFor(context: TestContext, user: TestUser): Omit<Account, 'id'> {
    return {
      name: 'Bound',
      email: user.address,
      displayName: 'Bound',
      protocol: 'imap',
      incoming: serverSettingsFor(context, user, 'imaps'),
      outgoing: outgoingSettingsFor(context, user),
    };
  }

  it('uses a saved account’s passwords for its own servers only, and sends nothing to another one', async (context) => {
    const { value, services } = harness();
    const listener = await recordingListener();
    try {
      // The stored password must sign in to the SMTP server it belongs with, so there has to be one.
      requireEndpoint(context, 'smtp');
      const [user] = await leaseMailboxes(context, 1);
      const account = await value('accounts.save', { account: accountFor(context, user!), incomingPassword: user!.password });
      const { incoming, outgoing } = account;

      // Unchanged servers: the stored password signs in, to the incoming server and (following it) to the SMTP server.
      const unchanged = await value('accounts.test', { protocol: 'imap', incoming, outgoing, accountId: account.id });
      expect(unchanged.incoming).toMatchObject({ ok: true });
      expect(unchanged.outgoing).toMatchObject({ ok: true });

      // Another host or port (here a listener on this machine): refused before any connection, for either server.
      const listening = { host: '127.0.0.1', port: listener.port };
      const refused = { ok: false, error: { code: 'PASSWORD_REQUIRED' } };
      const redirected = await Promise.all([
        value('accounts.test', { protocol: 'imap', incoming: { ...incoming, ...listening }, outgoing: { ...outgoing, ...listening }, accountId: account.id }),
        value('accounts.test', { protocol: 'imap', incoming: { ...incoming, host: 'localhost', port: listener.port }, accountId: account.id }),
        value('accounts.test', { protocol: 'imap', incoming: { ...incoming, ...listening, security: 'plain' }, accountId: account.id }),
      ]);
      for (const result of redirected) expect(result.incoming).toMatchObject(refused);
      expect(redirected[0].outgoing).toMatchObject(refused);
      // The incoming password, which the SMTP server uses, does not follow a changed SMTP server either.
      const smtpMoved = await value('accounts.test', { protocol: 'imap', incoming, outgoing: { ...outgoing, ...listening }, accountId: account.id });
      expect(smtpMoved.incoming).toMatchObject({ ok: true });
      expect(smtpMoved.outgoing).toMatchObject(refused);
      expect(listener.connections()).toBe(0);
      expect(listener.received()).not.toContain(user!.password);
    } finally {
      await listener.close();
      await services.close();
    }
  });

  it('refuses to save a changed server without its password, changing nothing, and stores a new one with it', async (context) => {
    const { value, call, services } = harness();
    try {
      const [user, other] = await leaseMailboxes(context, 2);
      const account = await value('accounts.save', { account: accountFor(context, user!), incomingPassword: user!.password });
      const before = await value('accounts.list', {});
      const otherIncoming = { ...account.incoming, username: other!.user };

      const refused = await call('accounts.save', { account: { ...account, incoming: otherIncoming } });
      expect(refused).toMatchObject({ ok: false, error: { code: 'PASSWORD_REQUIRED' } });
      // Nothing half-changed: the settings and the vault are as they were, and the account still signs in.
      expect(await value('accounts.list', {})).toEqual(before);
      expect([services.vault.get(account.id, 'incoming'), services.vault.get(account.id, 'outgoing')]).toEqual([user!.password, undefined]);
      expect((await value('accounts.test', { protocol: 'imap', incoming: account.incoming, accountId: account.id })).incoming).toMatchObject({ ok: true });

      // With the new server's password the save goes through, and later tests use the password stored with it.
      const moved = await value('accounts.save', { account: { ...account, incoming: otherIncoming }, incomingPassword: other!.password });
      expect(moved.incoming.username).toBe(other!.user);
      // Without an SMTP server only the vault, below, can show that the outgoing password stayed.
      const withSmtp = mailStack().smtp !== undefined;
      const next = await value('accounts.test', {
        protocol: 'imap',
        incoming: moved.incoming,
        ...(withSmtp ? { outgoing: moved.outgoing } : {}),
        accountId: account.id,
      });
      expect(next.incoming).toMatchObject({ ok: true });
      // The unchanged SMTP server keeps the password it used before; the new one goes only to the new incoming server.
      if (withSmtp) expect(next.outgoing).toMatchObject({ ok: true });
      expect([services.vault.get(account.id, 'incoming'), services.vault.get(account.id, 'outgoing')]).toEqual([other!.password, user!.password]);
    } finally {
      await services.close();
    }
  });
});
