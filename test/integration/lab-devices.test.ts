import { describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodResult } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';
import { dispatch } from '../../main/ipc/dispatch';
import { createHandlers } from '../../main/ipc/handlers';
import { createAdapter } from '../../main/protocols/factory';
import { createServices } from '../../main/services';
import type { AdapterDelta } from '../../main/protocols/adapter';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { Pop3Adapter } from '../../main/protocols/pop3/adapter';
import { appendMessages, leaseMailboxes, serverSettingsFor, uniqueTag } from '../mailstack';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';

/** The Protocol Lab's view of the server and its other devices, against the real Dovecot. */
function lab() {
  const services = createServices({ identity: { name: 'Twinbox', version: 'test' }, host: 'web', createAdapter });
  const table = createHandlers(services);
  async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> {
    const envelope = await dispatch(table, method, input, { host: 'web', caller: 'test' });
    if (!envelope.ok) throw TwinboxError.fromWire(envelope.error);
    return envelope.value as MethodResult<M>;
  }
  return { services, call };
}

/** The identities a sync's new messages carry. */
async function identitiesOf(sync: AsyncGenerator<AdapterDelta, void, undefined>): Promise<string[]> {
  const found: string[] = [];
  for await (const delta of sync) if (delta.kind === 'messages') for (const summary of delta.summaries) found.push(summary.identity ?? '(none)');
  return found;
}

describe('the Lab’s server view and other devices', () => {
  it('shows what the server holds, and another IMAP device changes it there', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1), rawMessage(tag, 2)]);
    const { call, services } = lab();
    try {
      const imap = await call('accounts.save', { account: accountFor(context, user!, 'imap'), incomingPassword: user!.password });
      const before = await call('lab.serverState', { accountId: imap.id });
      const inbox = before.folders.find((f) => f.specialUse === 'inbox');
      expect(inbox?.messages.map((m) => m.subject)).toEqual([`${tag} message 1`, `${tag} message 2`]);
      expect(before.folders.map((f) => f.specialUse)).toEqual(expect.arrayContaining(['sent', 'trash']));

      const changed = await call('lab.otherDevice', { accountId: imap.id, action: 'read', messageId: `${tag}.1@twinbox.test` });
      expect(changed.messages.map((m) => ({ messageId: m.messageId, subject: m.subject }))).toEqual([{ messageId: `${tag}.1@twinbox.test`, subject: `${tag} message 1` }]);
      expect(changed.messages[0]?.identity).toMatch(/^[\w-]{22}$/);
      expect((await serverFolder(user!)).get('1')).toContain('\\seen');
      const after = await call('lab.serverState', { accountId: imap.id });
      expect(after.folders.find((f) => f.specialUse === 'inbox')?.messages[0]?.flags).toContain('\\Seen');

      await expect(call('lab.otherDevice', { accountId: imap.id, action: 'read', messageId: 'nobody@nowhere' })).rejects.toMatchObject({ code: 'MESSAGE_GONE' });
    } finally {
      await services.close();
    }
  });

  it('names each message alike under IMAP, POP3 and the server view, with or without a Message-ID, and tells apart two that share one', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const noId = (i: number): string => rawMessage(tag, i).replace(/^Message-ID: .*\r\n/m, '');
    const sharedId = (i: number): string => rawMessage(tag, i).replace(/^Message-ID: .*$/m, `Message-ID: <${tag}.shared@twinbox.test>`);
    // A folded, encoded subject and raw 8-bit header bytes, as real mail has them.
    const odd = rawMessage(tag, 6).replace(/^Subject: .*$/m, `Subject: =?utf-8?q?Caf=C3=A9?= ${tag}\r\n  folded   over\r\n\tthree lines\r\nX-Note: Grüße`);
    const raws = [rawMessage(tag, 1), noId(2), noId(3), sharedId(4), sharedId(5), odd, rawMessage(tag, 7), rawMessage(tag, 7)];
    await appendMessages(user!, raws);
    const { call, services } = lab();
    const imapAdapter = new ImapAdapter({ accountId: 'identity-imap', server: serverSettingsFor(context, user!, 'imaps'), password: user!.password });
    const pop3Adapter = new Pop3Adapter({ accountId: 'identity-pop3', server: serverSettingsFor(context, user!, 'pop3s'), password: user!.password });
    try {
      const imap = await call('accounts.save', { account: accountFor(context, user!, 'imap'), incomingPassword: user!.password });
      const server = (await call('lab.serverState', { accountId: imap.id })).folders.find((f) => f.specialUse === 'inbox')?.messages ?? [];
      await imapAdapter.connect();
      const viaImap = await identitiesOf(imapAdapter.sync('INBOX', { protocol: 'imap', knownUids: '' }));
      const viaPop3 = await identitiesOf(pop3Adapter.sync('INBOX', { protocol: 'pop3', knownUidls: new Set() }));
      const byServer = server.map((m) => m.identity).sort();
      expect(byServer).toHaveLength(raws.length);
      expect(viaImap.sort()).toEqual(byServer);
      expect(viaPop3.sort()).toEqual(byServer);
      // One name per message: all different but the one appended twice, and two sharing a Message-ID are two.
      expect(new Set(byServer).size).toBe(raws.length - 1);
      const shared = server.filter((m) => m.messageId === `${tag}.shared@twinbox.test`);
      expect(shared).toHaveLength(2);
      expect(shared[0]?.identity).not.toBe(shared[1]?.identity);

      // Another device finds a message without a Message-ID by that name.
      const target = server.find((m) => m.subject === `${tag} message 2`)!;
      const changed = await call('lab.otherDevice', { accountId: imap.id, action: 'flag', identity: target.identity });
      expect(changed.messages.map((m) => m.subject)).toEqual([`${tag} message 2`]);
      expect((await serverFolder(user!)).get(String(target.uid))).toContain('\\flagged');
    } finally {
      await imapAdapter.close();
      await pop3Adapter.close();
      await services.close();
    }
  });

  it('lets another POP3 computer take the mail first, deleting it from the server', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1), rawMessage(tag, 2), rawMessage(tag, 3)]);
    const { call, services } = lab();
    try {
      const pop3 = await call('accounts.save', { account: accountFor(context, user!, 'pop3'), incomingPassword: user!.password });
      const kept = await call('lab.otherPop3Device', { accountId: pop3.id, deleteAfterDownload: false });
      expect(kept.messages).toHaveLength(3);
      expect((await serverFolder(user!)).size).toBe(3);
      const taken = await call('lab.otherPop3Device', { accountId: pop3.id, deleteAfterDownload: true });
      expect(taken.messages.map((m) => m.subject).sort()).toEqual([1, 2, 3].map((i) => `${tag} message ${i}`));
      // Named as the IMAP side and the server view name them.
      expect(taken.messages.map((m) => m.identity).sort()).toEqual(kept.messages.map((m) => m.identity).sort());
      expect((await serverFolder(user!)).size).toBe(0);
    } finally {
      await services.close();
    }
  });
});
