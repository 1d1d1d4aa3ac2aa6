import type { ImapFlow } from 'imapflow';
import type { TestContext } from 'vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { startLocalMailStack } from '../mailstack/local-stack';
import type { LocalMailStack } from '../mailstack/local-stack';
import { mailStack, openImap, serverSettingsFor, skipBecause, uniqueTag } from '../mailstack/index';
import type { MailStackInfo, TestUser } from '../mailstack/index';

/**
 * A server that leaves the special folders to clients answers a move to
 * Archive, or the copy of a sent message, with NO [TRYCREATE] (RFC 9051
 * section 7.1). Twinbox then creates the folder, marked with its special use
 * (RFC 6154 CREATE-SPECIAL-USE) where the server takes it, and tries once more.
 * The server here is a Dovecot of its own whose users start with INBOX alone.
 */

let bare: LocalMailStack | undefined;
let nextUser = 0;

beforeAll(async () => {
  if (mailStack().origin !== 'local') return;
  bare = await startLocalMailStack({ specialFolders: false, smtp: false });
}, 60_000);

afterAll(async () => {
  await bare?.stop();
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A mailbox of the private stack no other test uses. */
function freshUser(context: TestContext): { stack: MailStackInfo; user: TestUser } {
  if (!bare) return skipBecause(context, 'a server without special folders needs the local harness (TWINBOX_TEST_* points elsewhere)');
  const user = bare.info.pool?.users[nextUser++];
  if (!user) throw new Error('the private stack has no test users left');
  return { stack: bare.info, user };
}

async function connected(context: TestContext, stack: MailStackInfo, user: TestUser): Promise<ImapAdapter> {
  const adapter = new ImapAdapter({ accountId: 'acct-trycreate', server: serverSettingsFor(context, user, 'imaps', stack), password: user.password });
  cleanups.push(() => adapter.close());
  await adapter.connect();
  return adapter;
}

async function otherDevice(stack: MailStackInfo, user: TestUser): Promise<ImapFlow> {
  const client = await openImap(user, { stack });
  cleanups.push(() => client.logout());
  return client;
}

function plain(tag: string, n: number): string {
  return `From: Alice <alice@example.org>\r\nSubject: ${tag} message ${n}\r\nMessage-ID: <${tag}.${n}@twinbox.test>\r\n\r\nBody ${n}.\r\n`;
}

/** UID to Message-ID of a folder, as another device sees it. */
async function messageIdsIn(client: ImapFlow, folder: string): Promise<Map<number, string>> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.noop();
    const ids = new Map<number, string>();
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const message of client.fetch('1:*', { uid: true, envelope: true })) ids.set(message.uid, message.envelope?.messageId ?? '');
    }
    return ids;
  } finally {
    lock.release();
  }
}

async function folderNamed(client: ImapFlow, path: string): Promise<{ specialUse?: string; subscribed?: boolean } | undefined> {
  return (await client.list()).find((folder) => folder.path === path);
}

describe('IMAP special folders the server does not have yet', () => {
  it('creates Archive when a message is moved there, marked \\Archive where the server can, and files the message', async (context) => {
    const { stack, user } = freshUser(context);
    const other = await otherDevice(stack, user);
    const tag = uniqueTag('archive');
    const appended = await other.append('INBOX', plain(tag, 1), []);
    const uid = appended ? appended.uid : undefined;
    expect(uid).toBeGreaterThan(0);
    expect(await folderNamed(other, 'Archive')).toBeUndefined();
    const adapter = await connected(context, stack, user);

    const moved = await adapter.move('INBOX', [String(uid)], 'Archive');

    const archive = await folderNamed(other, 'Archive');
    expect(archive).toBeDefined();
    if (other.capabilities.has('CREATE-SPECIAL-USE')) expect(archive?.specialUse).toBe('\\Archive');
    // Marked by the server, or (on a server without SPECIAL-USE, like this one) known by its name:
    // either way the adapter now files archived mail there.
    if (other.capabilities.has('CREATE-SPECIAL-USE') || !other.capabilities.has('SPECIAL-USE')) {
      expect((await adapter.listFolders()).find((folder) => folder.path === 'Archive')?.specialUse).toBe('archive');
    }
    const filed = await messageIdsIn(other, 'Archive');
    expect([...filed.values()]).toEqual([`<${tag}.1@twinbox.test>`]);
    if (moved.size > 0) expect(filed.get(Number(moved.get(String(uid))))).toBe(`<${tag}.1@twinbox.test>`);
    expect((await messageIdsIn(other, 'INBOX')).size).toBe(0);
  });

  it('creates Sent for the copy of a sent message, and Archive for a copy', async (context) => {
    const { stack, user } = freshUser(context);
    const other = await otherDevice(stack, user);
    const tag = uniqueTag('sent');
    const adapter = await connected(context, stack, user);

    const sentUid = await adapter.append('Sent', Buffer.from(plain(tag, 1)), ['\\Seen']);
    const copied = await adapter.copy('Sent', [sentUid!], 'Archive');

    expect([...(await messageIdsIn(other, 'Sent')).entries()]).toEqual([[Number(sentUid), `<${tag}.1@twinbox.test>`]]);
    expect([...(await messageIdsIn(other, 'Archive')).values()]).toEqual([`<${tag}.1@twinbox.test>`]);
    expect(copied.size).toBe(1);
    if (other.capabilities.has('CREATE-SPECIAL-USE')) expect((await folderNamed(other, 'Sent'))?.specialUse).toBe('\\Sent');
  });

  it('leaves a missing folder of the user’s own uncreated and says it does not exist', async (context) => {
    const { stack, user } = freshUser(context);
    const other = await otherDevice(stack, user);
    const tag = uniqueTag('own');
    const appended = await other.append('INBOX', plain(tag, 1), []);
    const adapter = await connected(context, stack, user);

    await expect(adapter.move('INBOX', [String(appended && appended.uid)], `Projects-${tag}`)).rejects.toMatchObject({
      code: 'MAILBOX_NOT_FOUND',
      message: expect.stringContaining(`Projects-${tag}`) as unknown,
    });
    await expect(adapter.append(`Projects-${tag}`, Buffer.from(plain(tag, 2)), [])).rejects.toMatchObject({ code: 'MAILBOX_NOT_FOUND' });
    expect(await folderNamed(other, `Projects-${tag}`)).toBeUndefined();
    expect((await messageIdsIn(other, 'INBOX')).size).toBe(1);
  });
});
