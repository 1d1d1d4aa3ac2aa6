import type { ImapFlow } from 'imapflow';
import type { TestContext } from 'vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { appendMessage, leaseMailboxes, mailStack, openImap, serverSettingsFor, uniqueTag } from '../mailstack/index';
import type { TestUser } from '../mailstack/index';

/**
 * Working with folders and messages the way a user does, checked from
 * another device: what it sees after each action is what the user expects
 * every device to see.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function connected(context: TestContext, user: TestUser): Promise<ImapAdapter> {
  const adapter = new ImapAdapter({ accountId: 'acct-msg', server: serverSettingsFor(context, user, 'imaps'), password: user.password });
  cleanups.push(() => adapter.close());
  await adapter.connect();
  return adapter;
}

async function otherDevice(user: TestUser): Promise<ImapFlow> {
  const client = await openImap(user);
  cleanups.push(() => client.logout());
  return client;
}

function plain(tag: string, n: number, body = `Body of message ${n}.`): string {
  return (
    `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: ${tag} message ${n}\r\n` +
    `Message-ID: <${tag}.${n}@twinbox.test>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}\r\n`
  );
}

/** UID to Message-ID (and flags) of a folder, as another device sees it. */
async function seenElsewhere(client: ImapFlow, folder: string): Promise<Map<number, { messageId: string; flags: string[] }>> {
  const lock = await client.getMailboxLock(folder);
  try {
    // The folder may have stayed selected since the last look: NOOP collects what changed meanwhile.
    await client.noop();
    const view = new Map<number, { messageId: string; flags: string[] }>();
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const message of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
        view.set(message.uid, { messageId: message.envelope?.messageId ?? '', flags: [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort() });
      }
    }
    return view;
  } finally {
    lock.release();
  }
}

/** A message's bytes as another device fetches them (BODY.PEEK[], so it stays unread). */
async function sourceElsewhere(client: ImapFlow, folder: string, uid: number): Promise<Buffer> {
  const lock = await client.getMailboxLock(folder);
  try {
    const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
    if (message === false || message.source === undefined) throw new Error(`UID ${uid} not found in ${folder}`);
    return message.source;
  } finally {
    lock.release();
  }
}

const messageIdsIn = async (client: ImapFlow, folder: string): Promise<string[]> =>
  [...(await seenElsewhere(client, folder)).values()].map((entry) => entry.messageId).sort();

describe('IMAP folders and messages', () => {
  it('lists folders with their special use, subscription and decoded names', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const { path: nested } = await other.mailboxCreate(['Reisen', 'Köln']);
    await other.mailboxCreate('Unabonniert');
    await other.mailboxUnsubscribe('Unabonniert');
    const adapter = await connected(context, user!);

    const folders = await adapter.listFolders();
    const byPath = new Map(folders.map((folder) => [folder.path, folder]));
    expect(byPath.get('INBOX')).toMatchObject({ specialUse: 'inbox', selectable: true, subscribed: true });
    if (mailStack().origin === 'local') {
      const uses = Object.fromEntries(folders.flatMap((folder) => (folder.specialUse ? [[folder.specialUse, folder.path] as const] : [])));
      expect(uses).toEqual({ inbox: 'INBOX', sent: 'Sent', drafts: 'Drafts', trash: 'Trash', junk: 'Junk', archive: 'Archive' });
    }
    expect(byPath.get(nested)).toMatchObject({ name: 'Köln', subscribed: true, selectable: true });
    expect(nested).toBe(`Reisen${byPath.get(nested)!.delimiter}Köln`);
    expect(byPath.get('Unabonniert')).toMatchObject({ subscribed: false, selectable: true });
    // The level above is listed with the child under it; whether it can hold messages is the
    // server's choice: a real mailbox, or a \Noselect / \NonExistent (RFC 5258) placeholder.
    const parent = byPath.get('Reisen');
    expect(parent).toBeDefined();
    expect(typeof parent?.selectable).toBe('boolean');
    expect(folders.filter((folder) => folder.path.startsWith(`Reisen${parent?.delimiter ?? ''}`)).map((folder) => folder.path)).toEqual([nested]);
  });

  it('counts all and unread messages per folder', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag('count');
    await appendMessage(user!, plain(tag, 1), { flags: ['\\Seen'] });
    await appendMessage(user!, plain(tag, 2));
    await appendMessage(user!, plain(tag, 3));
    const adapter = await connected(context, user!);
    const [inbox, sent] = await adapter.folderCounts(['INBOX', 'Sent']);
    expect(inbox).toMatchObject({ path: 'INBOX', total: 3, unread: 2 });
    expect(inbox?.uidValidity).toMatch(/^\d+$/);
    expect(inbox?.uidNext).toBeGreaterThan(3);
    if (mailStack().origin === 'local') expect(inbox?.highestModseq).toMatch(/^\d+$/);
    expect(sent).toMatchObject({ path: 'Sent', total: 0, unread: 0 });
    await expect(adapter.folderCounts([`Missing-${tag}`])).rejects.toMatchObject({ code: 'MAILBOX_NOT_FOUND' });
  });

  it('fetches a message’s exact bytes, with the UIDVALIDITY they belong to, and leaves it unread', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag('open');
    const raw = Buffer.from(
      `From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: ${tag} Grüße\r\nMessage-ID: <${tag}@twinbox.test>\r\n` +
        `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln.\r\n.A line starting with a dot\r\n--x\r\nContent-Type: text/csv; name="numbers.csv"\r\n` +
        `Content-Disposition: attachment; filename="numbers.csv"\r\n\r\n1,2,3\r\n--x--\r\n`,
      'utf8',
    );
    const uid = await appendMessage(user!, raw);
    const adapter = await connected(context, user!);

    const fetched = await adapter.fetchMessages('INBOX', [String(uid), String(uid + 100)]);
    expect(fetched.uidValidity).toBe((await adapter.folderCounts(['INBOX']))[0]?.uidValidity);
    // A UID no longer there is left out, not an error.
    expect(fetched.messages.map((m) => m.serverId)).toEqual([String(uid)]);
    // A server may rewrite a message on APPEND (8-bit header characters, line endings), so the
    // adapter's bytes are compared with what another client fetches (BODY.PEEK[]), not with the appended ones.
    const other = await otherDevice(user!);
    expect(Buffer.from(fetched.messages[0]!.bytes).equals(await sourceElsewhere(other, 'INBOX', uid))).toBe(true);
    expect((await seenElsewhere(other, 'INBOX')).get(uid)?.flags).toEqual([]);
  });

  it('sets and clears flags, and another device sees them', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag('flags');
    const first = await appendMessage(user!, plain(tag, 1));
    const second = await appendMessage(user!, plain(tag, 2));
    const adapter = await connected(context, user!);
    const other = await otherDevice(user!);

    await adapter.setFlags('INBOX', [String(first), String(second)], { add: ['\\Seen', '\\Flagged', '$Work'] });
    let view = await seenElsewhere(other, 'INBOX');
    expect(view.get(first)?.flags).toEqual(['$Work', '\\Flagged', '\\Seen']);
    expect(view.get(second)?.flags).toEqual(['$Work', '\\Flagged', '\\Seen']);

    await adapter.setFlags('INBOX', [String(second)], { remove: ['\\Flagged', '$Work'] });
    view = await seenElsewhere(other, 'INBOX');
    expect(view.get(first)?.flags).toEqual(['$Work', '\\Flagged', '\\Seen']);
    expect(view.get(second)?.flags).toEqual(['\\Seen']);
  });

  it('copies and moves messages, and tells their UIDs in the target folder', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag('move');
    const uids = [await appendMessage(user!, plain(tag, 1)), await appendMessage(user!, plain(tag, 2)), await appendMessage(user!, plain(tag, 3))];
    const adapter = await connected(context, user!);
    const other = await otherDevice(user!);

    const copied = await adapter.copy('INBOX', [String(uids[0]), String(uids[1])], 'Archive');
    const moved = await adapter.move('INBOX', [String(uids[2])], 'Archive');

    const inbox = await seenElsewhere(other, 'INBOX');
    const archive = await seenElsewhere(other, 'Archive');
    expect([...inbox.keys()]).toEqual([uids[0], uids[1]]);
    expect(copied.size).toBe(2);
    for (const [index, uid] of [uids[0], uids[1]].entries()) {
      expect(archive.get(Number(copied.get(String(uid))))?.messageId).toBe(`<${tag}.${index + 1}@twinbox.test>`);
    }
    expect(archive.get(Number(moved.get(String(uids[2]))))?.messageId).toBe(`<${tag}.3@twinbox.test>`);
    expect(archive.size).toBe(3);
    await expect(adapter.move('INBOX', [String(uids[0])], `Missing-${tag}`)).rejects.toMatchObject({ code: 'MAILBOX_NOT_FOUND' });
  });

  it('deletes to the Trash, and for good when asked or when already in the Trash', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag('delete');
    const uids = [await appendMessage(user!, plain(tag, 1)), await appendMessage(user!, plain(tag, 2)), await appendMessage(user!, plain(tag, 3))];
    const adapter = await connected(context, user!);
    const other = await otherDevice(user!);

    expect(await adapter.delete('INBOX', [String(uids[0])])).toEqual({ deleted: [String(uids[0])], missing: [] });
    expect(await messageIdsIn(other, 'Trash')).toEqual([`<${tag}.1@twinbox.test>`]);

    const gone = uids[0]! + 1000;
    expect(await adapter.delete('INBOX', [String(uids[1]), String(gone)], { expunge: true })).toEqual({ deleted: [String(uids[1])], missing: [String(gone)] });
    expect(await messageIdsIn(other, 'INBOX')).toEqual([`<${tag}.3@twinbox.test>`]);
    expect(await messageIdsIn(other, 'Trash')).toEqual([`<${tag}.1@twinbox.test>`]);

    const [inTrash] = [...(await seenElsewhere(other, 'Trash')).keys()];
    expect(await adapter.delete('Trash', [String(inTrash)])).toEqual({ deleted: [String(inTrash)], missing: [] });
    expect(await messageIdsIn(other, 'Trash')).toEqual([]);
  });

  it('stores sent mail and drafts, and returns their UIDs', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag('append');
    const adapter = await connected(context, user!);
    const other = await otherDevice(user!);
    const sent = Buffer.from(plain(tag, 1, 'Sent with Grüße.'), 'utf8');
    const draft = Buffer.from(plain(tag, 2, 'Not finished yet.'), 'utf8');

    const sentUid = await adapter.append('Sent', sent, ['\\Seen']);
    const draftUid = await adapter.append('Drafts', draft, ['\\Draft']);

    for (const [folder, uid, raw, flags] of [
      ['Sent', sentUid, sent, ['\\Seen']],
      ['Drafts', draftUid, draft, ['\\Draft']],
    ] as const) {
      const lock = await other.getMailboxLock(folder);
      try {
        const stored = await other.fetchOne(uid!, { source: true, flags: true }, { uid: true });
        expect(stored && stored.source?.equals(raw)).toBe(true);
        expect(stored && [...(stored.flags ?? [])].filter((flag) => flag !== '\\Recent')).toEqual(flags);
      } finally {
        lock.release();
      }
    }
    const failure = await adapter.append(`Missing-${tag}`, sent, []).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TwinboxError);
    expect((failure as TwinboxError).code).toBe('MAILBOX_NOT_FOUND');
  });

  it('searches subject, addresses and body on the server, newest first', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const word = uniqueTag('zanzibar').replaceAll('-', '');
    const inBody = await appendMessage(user!, plain('s1', 1, `We met in ${word} last year.`));
    await appendMessage(user!, plain('s2', 2, 'Nothing to see here.'));
    const inSubject = await appendMessage(user!, plain(word, 3, 'Another body, about Köln.'));
    const inBodyAndKoeln = await appendMessage(user!, plain('s4', 4, `${word} and Köln, both.`));
    const adapter = await connected(context, user!);

    expect(await adapter.search('INBOX', { text: word })).toEqual([inBodyAndKoeln, inSubject, inBody].map(String));
    expect(await adapter.search('INBOX', { text: `${word} köln` })).toEqual([inBodyAndKoeln, inSubject].map(String));
    expect(await adapter.search('INBOX', { text: 'alice@example.org' })).toHaveLength(4);
    expect(await adapter.search('INBOX', { text: `${word}-absent` })).toEqual([]);
  });

  it('reports how full the mailbox is', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    await appendMessage(user!, plain(uniqueTag('quota'), 1, 'x'.repeat(20_000)));
    const adapter = await connected(context, user!);
    const quota = await adapter.quota('INBOX');
    if (mailStack().origin === 'local') {
      expect(quota?.limitBytes).toBe(1024 ** 3);
      expect(quota?.usedBytes).toBeGreaterThanOrEqual(20_000);
    }
  });
});
