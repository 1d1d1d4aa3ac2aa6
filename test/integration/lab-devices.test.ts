import { describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodResult } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';
import { dispatch } from '../../main/ipc/dispatch';
import { createHandlers } from '../../main/ipc/handlers';
import { createAdapter } from '../../main/protocols/factory';
import { createServices } from '../../main/services';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import { accountFor, rawMessage, serverFolder } from './client-harness';

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
      expect(changed.messages).toEqual([{ messageId: `${tag}.1@twinbox.test`, subject: `${tag} message 1` }]);
      expect((await serverFolder(user!)).get('1')).toContain('\\seen');
      const after = await call('lab.serverState', { accountId: imap.id });
      expect(after.folders.find((f) => f.specialUse === 'inbox')?.messages[0]?.flags).toContain('\\Seen');

      await expect(call('lab.otherDevice', { accountId: imap.id, action: 'read', messageId: 'nobody@nowhere' })).rejects.toMatchObject({ code: 'MESSAGE_GONE' });
    } finally {
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
      expect((await serverFolder(user!)).size).toBe(0);
    } finally {
      await services.close();
    }
  });
});
