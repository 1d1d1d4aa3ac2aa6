import type { ImapFlow } from 'imapflow';
import type { TestContext } from 'vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import { imapError } from '../../main/protocols/imap/imap-errors';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { appendMessages, leaseMailboxes, mailStack, openImap, serverSettingsFor, skipBecause, uniqueTag } from '../mailstack';
import type { MailStackInfo, TestUser } from '../mailstack';
import { startLocalMailStack } from '../mailstack/local-stack';
import type { LocalMailStack } from '../mailstack/local-stack';

/**
 * Folder management against a real server: every expectation reads the
 * hierarchy delimiter and the special folders from the server's own LIST,
 * so it holds on any server that follows RFC 9051 and RFC 6154, whatever it
 * uses between a folder and its subfolders.
 */
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function connected(context: TestContext, user: TestUser, stack?: MailStackInfo): Promise<ImapAdapter> {
  const adapter = new ImapAdapter({ accountId: 'folders', server: serverSettingsFor(context, user, 'imaps', stack), password: user.password });
  cleanups.push(() => adapter.close());
  await adapter.connect();
  return adapter;
}

/** Another device on the same mailbox: what the server really holds. */
async function otherDevice(user: TestUser, stack?: MailStackInfo): Promise<ImapFlow> {
  const client = await openImap(user, stack ? { stack } : {});
  cleanups.push(() => client.logout());
  return client;
}

interface Listed {
  path: string;
  delimiter: string;
  subscribed: boolean;
  specialUse?: string;
}

async function listed(client: ImapFlow): Promise<Listed[]> {
  return (await client.list()).map((entry) => ({
    path: entry.path,
    delimiter: entry.delimiter,
    subscribed: (entry as { subscribed?: boolean }).subscribed === true,
    ...(entry.specialUse ? { specialUse: entry.specialUse } : {}),
  }));
}

/** The delimiter the server lists for its folders (the Inbox's). */
async function delimiterOf(client: ImapFlow): Promise<string> {
  const inbox = (await listed(client)).find((f) => f.path.toUpperCase() === 'INBOX');
  return inbox?.delimiter ?? '';
}

/**
 * Every subscription, including those of folders that no longer exist:
 * LIST (SUBSCRIBED) where the server has RFC 5258, else LSUB. imapflow's
 * list() leaves out subscriptions without a folder, the very ghosts looked for here.
 */
async function subscriptions(client: ImapFlow): Promise<string[]> {
  const runner = client as unknown as {
    exec(command: string, attributes: unknown[], options: { untagged: Record<string, (untagged: { attributes?: { value?: unknown }[] }) => Promise<void>> }): Promise<{ next(): void }>;
  };
  const names: string[] = [];
  const collect = (untagged: { attributes?: { value?: unknown }[] }): Promise<void> => {
    const value = untagged.attributes?.[2]?.value;
    if (typeof value === 'string') names.push(value);
    else if (Buffer.isBuffer(value)) names.push(value.toString());
    return Promise.resolve();
  };
  const extended = client.capabilities.has('LIST-EXTENDED') || client.capabilities.has('IMAP4rev2');
  const response = extended
    ? await runner.exec('LIST', [[{ type: 'ATOM', value: 'SUBSCRIBED' }], { type: 'STRING', value: '' }, { type: 'STRING', value: '*' }], { untagged: { LIST: collect } })
    : await runner.exec('LSUB', [{ type: 'STRING', value: '' }, { type: 'STRING', value: '*' }], { untagged: { LSUB: collect } });
  response.next();
  return names;
}

async function subjectsIn(client: ImapFlow, folder: string): Promise<string[]> {
  const lock = await client.getMailboxLock(folder);
  try {
    const subjects: string[] = [];
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const message of client.fetch('1:*', { envelope: true })) subjects.push(message.envelope?.subject ?? '');
    }
    return subjects.sort();
  } finally {
    lock.release();
  }
}

async function uidsIn(client: ImapFlow, folder: string): Promise<Map<number, string>> {
  const lock = await client.getMailboxLock(folder);
  try {
    const uids = new Map<number, string>();
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const message of client.fetch('1:*', { uid: true, envelope: true })) uids.set(message.uid, message.envelope?.subject ?? '');
    }
    return uids;
  } finally {
    lock.release();
  }
}

async function uidValidityOf(client: ImapFlow, folder: string): Promise<string | undefined> {
  const status = await client.status(folder, { uidValidity: true });
  return status === false ? undefined : status.uidValidity?.toString();
}

const plain = (subject: string): string => `From: Alice <alice@example.org>\r\nSubject: ${subject}\r\n\r\nBody of ${subject}.\r\n`;

/** The top-level path a new folder gets: under the personal namespace's prefix, where the server has one. */
function topLevel(client: ImapFlow, name: string): string {
  return `${client.namespace?.prefix ?? ''}${name}`;
}

describe('IMAP folders', () => {
  it('creates a folder and a subfolder with the server’s delimiter, subscribed, and refuses a name taken or holding the delimiter', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const separator = await delimiterOf(other);
    if (separator === '') context.skip();
    const adapter = await connected(context, user!);
    const name = uniqueTag('proj');

    const parent = await adapter.createFolder(undefined, name);
    const child = await adapter.createFolder(parent, 'Alpha');

    expect(parent).toBe(topLevel(other, name));
    expect(child).toBe(`${parent}${separator}Alpha`);
    const server = await listed(other);
    expect(server.find((f) => f.path === child)).toMatchObject({ delimiter: separator, subscribed: true });
    expect(server.find((f) => f.path === parent)?.subscribed).toBe(true);
    expect((await adapter.listFolders()).find((f) => f.path === child)?.name).toBe('Alpha');

    await expect(adapter.createFolder(parent, 'Alpha')).rejects.toMatchObject({ code: 'FOLDER_EXISTS' });
    await expect(adapter.createFolder(parent, `Beta${separator}Gamma`)).rejects.toMatchObject({ code: 'FOLDER_NAME_INVALID' });
    await expect(adapter.createFolder(parent, '   ')).rejects.toMatchObject({ code: 'FOLDER_NAME_INVALID' });
    await expect(adapter.createFolder(`${name}-missing`, 'X')).rejects.toMatchObject({ code: 'MAILBOX_NOT_FOUND' });
    await adapter.subscribe(child, false);
    expect(await subscriptions(other)).not.toContain(child);
    await adapter.subscribe(child, true);
    expect(await subscriptions(other)).toContain(child);
    // Nothing half made: the server holds exactly the two new folders.
    expect((await listed(other)).filter((f) => f.path.includes(name)).map((f) => f.path).sort()).toEqual([parent, child].sort());
  });

  it('maps the server’s NO [ALREADYEXISTS] (RFC 5530) to FOLDER_EXISTS with a sentence for the user', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const a = topLevel(other, uniqueTag('a'));
    const b = topLevel(other, uniqueTag('b'));
    await other.mailboxCreate(a);
    await other.mailboxCreate(b);

    const failure: unknown = await other.mailboxRename(a, b).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeDefined();
    const code = (failure as { serverResponseCode?: string }).serverResponseCode;
    const mapped = imapError(failure);
    // The response code is optional (a server may answer a bare NO); when it is sent, it decides.
    if (code?.toUpperCase() === 'ALREADYEXISTS') {
      expect(mapped).toBeInstanceOf(TwinboxError);
      expect(mapped.code).toBe('FOLDER_EXISTS');
      expect(mapped.userText).toMatch(/already exists/);
    }
  });

  it('renames a folder with its mail and subfolders, and moves the subscriptions along', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const separator = await delimiterOf(other);
    if (separator === '') context.skip();
    const adapter = await connected(context, user!);
    const parent = await adapter.createFolder(undefined, uniqueTag('old'));
    const child = await adapter.createFolder(parent, 'Sub');
    await appendMessages(user!, [plain('one'), plain('two')], { folder: parent });
    await appendMessages(user!, [plain('three')], { folder: child });
    const newName = uniqueTag('new');
    const uidsBefore = await uidsIn(other, parent);
    const validityBefore = await uidValidityOf(other, parent);

    const renamed = await adapter.renameFolder(parent, { parent: undefined, name: newName });

    const target = topLevel(other, newName);
    expect(renamed.path).toBe(target);
    expect(renamed.moved).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: parent, to: target }),
        expect.objectContaining({ from: child, to: `${target}${separator}Sub` }),
      ]),
    );
    const server = await listed(other);
    expect(server.some((f) => f.path === parent || f.path === child)).toBe(false);
    expect(server.find((f) => f.path === target)?.subscribed).toBe(true);
    expect(server.find((f) => f.path === `${target}${separator}Sub`)?.subscribed).toBe(true);
    expect(await subjectsIn(other, target)).toEqual(['one', 'two']);
    // RENAME may keep the UIDVALIDITY or give a new one (RFC 9051 section 6.3.6); what the adapter says is what STATUS says,
    // and when it is kept the UIDs still name the same messages, so a cache may keep its rows.
    const kept = renamed.moved.find((move) => move.from === parent)?.uidValidityKept;
    expect(kept).toBe(validityBefore === (await uidValidityOf(other, target)));
    if (kept === true) expect(await uidsIn(other, target)).toEqual(uidsBefore);
    expect(await subjectsIn(other, `${target}${separator}Sub`)).toEqual(['three']);
    // The old names are not left subscribed (a client listing subscriptions would show ghosts).
    const subscribed = await subscriptions(other);
    expect(subscribed).toEqual(expect.arrayContaining([target, `${target}${separator}Sub`]));
    expect(subscribed.filter((path) => path === parent || path === child)).toEqual([]);
  });

  it('moves a folder under another parent and back to the top level, refusing a move into itself', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const separator = await delimiterOf(other);
    if (separator === '') context.skip();
    const adapter = await connected(context, user!);
    const work = await adapter.createFolder(undefined, uniqueTag('work'));
    const home = await adapter.createFolder(undefined, uniqueTag('home'));
    const notes = await adapter.createFolder(work, 'Notes');
    await appendMessages(user!, [plain('note')], { folder: notes });

    const moved = await adapter.renameFolder(notes, { parent: home, name: 'Notes' });
    expect(moved.path).toBe(`${home}${separator}Notes`);
    expect(await subjectsIn(other, moved.path)).toEqual(['note']);
    expect((await listed(other)).some((f) => f.path === notes)).toBe(false);

    const top = await adapter.renameFolder(moved.path, { parent: undefined, name: leaf(work) + '-notes' });
    expect(top.path).toBe(topLevel(other, `${leaf(work)}-notes`));
    expect(await subjectsIn(other, top.path)).toEqual(['note']);

    await expect(adapter.renameFolder(work, { parent: work, name: 'Inside' })).rejects.toMatchObject({ code: 'FOLDER_NAME_INVALID' });
    const sub = await adapter.createFolder(work, 'Deeper');
    await expect(adapter.renameFolder(work, { parent: sub, name: 'Loop' })).rejects.toMatchObject({ code: 'FOLDER_NAME_INVALID' });
    await expect(adapter.renameFolder(home, { parent: undefined, name: leaf(work) })).rejects.toMatchObject({ code: 'FOLDER_EXISTS' });

    function leaf(path: string): string {
      return path.slice(path.lastIndexOf(separator) + 1);
    }
  });

  it('deletes a folder into the Trash with its mail, then for good from the Trash, unsubscribed', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const separator = await delimiterOf(other);
    if (separator === '') context.skip();
    const adapter = await connected(context, user!);
    const name = uniqueTag('doomed');
    const doomed = await adapter.createFolder(undefined, name);
    const inner = await adapter.createFolder(doomed, 'Inner');
    await appendMessages(user!, [plain('kept one'), plain('kept two')], { folder: doomed });
    await appendMessages(user!, [plain('kept three')], { folder: inner });

    const trashed = await adapter.deleteFolder(doomed, 'trash');

    expect(trashed.kind).toBe('trashed');
    if (trashed.kind !== 'trashed') return;
    const trash = (await adapter.listFolders()).find((f) => f.specialUse === 'trash')?.path;
    expect(trash).toBeDefined();
    expect(trashed.path).toBe(`${trash!}${separator}${name}`);
    expect(await subjectsIn(other, trashed.path)).toEqual(['kept one', 'kept two']);
    expect(await subjectsIn(other, `${trashed.path}${separator}Inner`)).toEqual(['kept three']);
    expect((await listed(other)).some((f) => f.path === doomed || f.path === inner)).toBe(false);

    // Deleting what is already in the Trash deletes it for good, subfolders first.
    const gone = await adapter.deleteFolder(trashed.path, 'trash');
    expect(gone).toEqual({ kind: 'deleted', removed: [`${trashed.path}${separator}Inner`, trashed.path] });
    const after = await listed(other);
    expect(after.some((f) => f.path.includes(name))).toBe(false);
    expect((await subscriptions(other)).filter((path) => path.includes(name))).toEqual([]);
  });

  it('deletes a folder for good when asked, and a second folder of the same name goes into the Trash beside the first', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const separator = await delimiterOf(other);
    if (separator === '') context.skip();
    const adapter = await connected(context, user!);
    const name = uniqueTag('twice');
    const first = await adapter.createFolder(undefined, name);
    const one = await adapter.deleteFolder(first, 'trash');
    const second = await adapter.createFolder(undefined, name);
    const two = await adapter.deleteFolder(second, 'trash');
    expect(one.kind === 'trashed' && two.kind === 'trashed').toBe(true);
    if (one.kind !== 'trashed' || two.kind !== 'trashed') return;
    expect(two.path).toBe(`${one.path} 2`);

    const third = await adapter.createFolder(undefined, name);
    await appendMessages(user!, [plain('lost')], { folder: third });
    expect(await adapter.deleteFolder(third, 'forever')).toEqual({ kind: 'deleted', removed: [third] });
    expect((await listed(other)).some((f) => f.path === third)).toBe(false);
  });

  it('refuses to rename, move or delete the special folders, with a typed error and nothing changed', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const adapter = await connected(context, user!);
    const before = await listed(other);
    const specials = (await adapter.listFolders()).filter((f) => f.specialUse !== undefined && f.selectable);
    expect(specials.map((f) => f.specialUse)).toContain('inbox');
    const elsewhere = await adapter.createFolder(undefined, uniqueTag('parent'));

    for (const folder of specials) {
      await expect(adapter.renameFolder(folder.path, { parent: undefined, name: uniqueTag('renamed') })).rejects.toMatchObject({ code: 'FOLDER_PROTECTED' });
      await expect(adapter.renameFolder(folder.path, { parent: elsewhere, name: folder.name })).rejects.toMatchObject({ code: 'FOLDER_PROTECTED' });
      await expect(adapter.deleteFolder(folder.path, 'trash')).rejects.toMatchObject({ code: 'FOLDER_PROTECTED' });
      await expect(adapter.deleteFolder(folder.path, 'forever')).rejects.toMatchObject({
        code: 'FOLDER_PROTECTED',
        userText: expect.stringMatching(/cannot be renamed, moved or deleted/) as unknown,
      });
    }
    await expect(adapter.createFolder(undefined, 'inbox')).rejects.toMatchObject({ code: 'FOLDER_NAME_INVALID' });
    const after = (await listed(other)).filter((f) => f.path !== elsewhere);
    expect(after.map((f) => f.path).sort()).toEqual(before.map((f) => f.path).sort());
  });
});

/** A server whose users start with INBOX alone (a Dovecot of its own), so there is no Trash yet. */
let bare: LocalMailStack | undefined;

beforeAll(async () => {
  if (mailStack().origin !== 'local') return;
  bare = await startLocalMailStack({ specialFolders: false, smtp: false });
}, 60_000);

afterAll(async () => {
  await bare?.stop();
});

describe('IMAP folders on a server without a Trash', () => {
  it('creates the Trash for the first folder deleted, and moves the folder with its mail into it', async (context) => {
    if (!bare) return skipBecause(context, 'a server without special folders needs the local harness');
    const user = bare.info.pool?.users[0];
    if (!user) throw new Error('the private stack has no test users');
    const other = await otherDevice(user, bare.info);
    const separator = await delimiterOf(other);
    if (separator === '') context.skip();
    expect((await listed(other)).some((f) => f.path.toLowerCase().endsWith('trash'))).toBe(false);
    const adapter = await connected(context, user, bare.info);
    const folder = await adapter.createFolder(undefined, 'Leaving');
    await appendMessages(user, [plain('last words')], { folder, stack: bare.info });

    const deleted = await adapter.deleteFolder(folder, 'trash');

    expect(deleted.kind).toBe('trashed');
    if (deleted.kind !== 'trashed') return;
    const trash = (await adapter.listFolders()).find((f) => f.specialUse === 'trash');
    expect(trash).toBeDefined();
    expect(deleted.path).toBe(`${trash!.path}${separator}Leaving`);
    expect(await subjectsIn(other, deleted.path)).toEqual(['last words']);
  });
});
