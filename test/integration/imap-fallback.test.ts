import { ImapFlow } from 'imapflow';
import type { TestContext } from 'vitest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FolderChange, ProtocolLogLine, SyncDelta, SyncState } from '../../shared/model';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import type { ImapAdapterTuning } from '../../main/protocols/imap/adapter';
import { startLocalMailStack } from '../mailstack/local-stack';
import type { LocalMailStack } from '../mailstack/local-stack';
import { eventually, mailStack, serverSettingsFor, skipBecause, tlsTrust, uniqueTag } from '../mailstack/index';
import type { MailStackInfo, TestUser } from '../mailstack/index';

/** What an IMAP cache tells a sync it holds. */
type ImapState = Extract<SyncState, { protocol: 'imap' }>;
/**
 * The same user-visible results from servers that lack the extensions the
 * fast paths use. Each server here is a Dovecot of its own that announces
 * only the capabilities listed, so the adapter must take its fallbacks.
 */

/** The brief's reduced server: IDLE, UIDPLUS and SPECIAL-USE, but no CONDSTORE, QRESYNC, MOVE, QUOTA or ESEARCH. */
const WITHOUT_SYNC_EXTENSIONS = 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ UIDPLUS SPECIAL-USE';
/** CONDSTORE alone: no QRESYNC, no UIDPLUS (plain EXPUNGE only), no MOVE, no IDLE, no ESEARCH. */
const CONDSTORE_ONLY = 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ CONDSTORE';

const stacks: { reduced?: LocalMailStack; condstoreOnly?: LocalMailStack } = {};
let nextUser = 0;

beforeAll(async () => {
  if (mailStack().origin !== 'local') return;
  [stacks.reduced, stacks.condstoreOnly] = await Promise.all([
    startLocalMailStack({ imapCapability: WITHOUT_SYNC_EXTENSIONS }),
    startLocalMailStack({ imapCapability: CONDSTORE_ONLY }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([stacks.reduced?.stop(), stacks.condstoreOnly?.stop()]);
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function stackFor(context: TestContext, which: keyof typeof stacks): MailStackInfo {
  const stack = stacks[which];
  if (!stack) return skipBecause(context, 'a server with chosen capabilities needs the local harness (TWINBOX_TEST_* points elsewhere)');
  return stack.info;
}

/** A mailbox of the private stack no other test uses. */
function freshUser(stack: MailStackInfo): TestUser {
  const user = stack.pool?.users[nextUser++];
  if (!user) throw new Error('the private stack has no test users left');
  return user;
}

async function connected(context: TestContext, stack: MailStackInfo, user: TestUser, options: { log?: ProtocolLogLine[]; tuning?: ImapAdapterTuning } = {}): Promise<ImapAdapter> {
  const { log, tuning } = options;
  const adapter = new ImapAdapter(
    {
      accountId: 'acct-fallback',
      server: serverSettingsFor(context, user, 'imaps', stack),
      password: user.password,
      ...(log ? { log: (line: ProtocolLogLine) => log.push(line) } : {}),
    },
    tuning,
  );
  cleanups.push(() => adapter.close());
  await adapter.connect();
  return adapter;
}

/** Another device on the private stack (the harness' openImap talks to the shared one). */
async function otherDevice(stack: MailStackInfo, user: TestUser): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: stack.imaps!.host,
    port: stack.imaps!.port,
    secure: true,
    auth: { user: user.user, pass: user.password },
    tls: { ...tlsTrust(stack), rejectUnauthorized: true },
    logger: false,
    disableCompression: true,
  });
  await client.connect();
  cleanups.push(() => client.logout());
  return client;
}

function plain(tag: string, n: number): string {
  return `From: Alice <alice@example.org>\r\nSubject: ${tag} message ${n}\r\nMessage-ID: <${tag}.${n}@twinbox.test>\r\n\r\nBody ${n}.\r\n`;
}

async function appendAll(client: ImapFlow, count: number, tag: string, first = 1): Promise<number[]> {
  const uids: number[] = [];
  for (let n = first; n < first + count; n++) {
    const result = await client.append('INBOX', plain(tag, n), []);
    if (!result || result.uid === undefined) throw new Error('no APPENDUID');
    uids.push(result.uid);
  }
  return uids;
}

async function inFolder<T>(client: ImapFlow, folder: string, work: () => Promise<T>): Promise<T> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.noop();
    return await work();
  } finally {
    lock.release();
  }
}

/** UID to sorted flags, as another device sees the folder. */
async function serverFolder(client: ImapFlow, folder: string): Promise<Map<string, string[]>> {
  return inFolder(client, folder, async () => {
    const view = new Map<string, string[]>();
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const message of client.fetch('1:*', { uid: true, flags: true })) {
        view.set(String(message.uid), [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort());
      }
    }
    return view;
  });
}

async function deltasOf(sync: AsyncGenerator<SyncDelta, void, undefined>): Promise<SyncDelta[]> {
  const deltas: SyncDelta[] = [];
  for await (const delta of sync) deltas.push(delta);
  return deltas;
}

/** Applies deltas to a cache of server id to flags; fails on any delta that could not apply to it. */
function apply(cache: Map<string, string[]>, deltas: SyncDelta[]): ImapState | undefined {
  let state: ImapState | undefined;
  for (const delta of deltas) {
    if (delta.kind === 'reset') cache.clear();
    if (delta.kind === 'vanished') for (const id of delta.serverIds) expect(cache.delete(id)).toBe(true);
    if (delta.kind === 'flags') {
      for (const change of delta.changes) {
        expect(cache.has(change.serverId)).toBe(true);
        cache.set(change.serverId, [...change.flags].sort());
      }
    }
    if (delta.kind === 'messages') {
      for (const summary of delta.summaries) {
        expect(cache.has(summary.serverId)).toBe(false);
        cache.set(summary.serverId, [...summary.flags].sort());
      }
    }
    if (delta.kind === 'done' && delta.state.protocol === 'imap') state = delta.state;
  }
  return state;
}

const kinds = (deltas: SyncDelta[]): string[] => deltas.map((delta) => delta.kind);

describe('an IMAP server without CONDSTORE, QRESYNC, MOVE or QUOTA', () => {
  it('says so in the capabilities, and has no quota to show', async (context) => {
    const stack = stackFor(context, 'reduced');
    const adapter = await connected(context, stack, freshUser(stack));
    expect(adapter.capabilities).toMatchObject({ push: true, changeTracking: false, vanishedTracking: false, atomicMove: false, quota: false });
    expect(await adapter.quota('INBOX')).toBeUndefined();
  });

  it('keeps incremental sync exact: vanished, every flag, new mail', async (context) => {
    const stack = stackFor(context, 'reduced');
    const user = freshUser(stack);
    const other = await otherDevice(stack, user);
    const tag = uniqueTag('nocondstore');
    const uids = await appendAll(other, 5, tag);
    const adapter = await connected(context, stack, user);
    const cache = new Map<string, string[]>();
    const state = apply(cache, await deltasOf(adapter.sync('INBOX', { protocol: 'imap', knownUids: '' })));
    expect(state).not.toHaveProperty('highestModseq');

    await inFolder(other, 'INBOX', async () => {
      await other.messageFlagsAdd(String(uids[1]), ['\\Seen'], { uid: true });
      await other.messageDelete(`${uids[2]},${uids[4]}`, { uid: true });
    });
    const added = await appendAll(other, 1, tag, 6);

    const deltas = await deltasOf(adapter.sync('INBOX', state!));
    expect(kinds(deltas)).toEqual(['vanished', 'flags', 'messages', 'done']);
    expect(deltas[0]).toEqual({ kind: 'vanished', serverIds: [String(uids[2]), String(uids[4])] });
    const flags = deltas[1]?.kind === 'flags' ? deltas[1].changes : [];
    expect(flags.map((change) => change.serverId).sort()).toEqual([uids[0], uids[1], uids[3]].map(String).sort());
    expect(deltas[2]?.kind === 'messages' && deltas[2].summaries.map((summary) => summary.uid)).toEqual(added);
    apply(cache, deltas);
    expect(cache).toEqual(await serverFolder(other, 'INBOX'));
  });

  it('moves exactly the chosen messages with COPY and UID EXPUNGE', async (context) => {
    const stack = stackFor(context, 'reduced');
    const user = freshUser(stack);
    const other = await otherDevice(stack, user);
    const uids = await appendAll(other, 3, uniqueTag('copymove'));
    const log: ProtocolLogLine[] = [];
    const adapter = await connected(context, stack, user, { log });

    const moved = await adapter.move('INBOX', [String(uids[0]), String(uids[2])], 'Archive');
    expect([...(await serverFolder(other, 'INBOX')).keys()]).toEqual([String(uids[1])]);
    const archive = await serverFolder(other, 'Archive');
    expect([...moved.values()].sort()).toEqual([...archive.keys()].sort());
    expect(moved.size).toBe(2);
    expect(log.some((line) => line.direction === 'out' && /\bMOVE\b/.test(line.text))).toBe(false);
    expect(log.some((line) => line.direction === 'out' && /UID EXPUNGE/.test(line.text))).toBe(true);
  });
});

describe('an IMAP server with CONDSTORE alone (no QRESYNC, UIDPLUS, MOVE, IDLE or ESEARCH)', () => {
  it('finds vanished messages by counting, and searches only when the count disagrees', async (context) => {
    const stack = stackFor(context, 'condstoreOnly');
    const user = freshUser(stack);
    const other = await otherDevice(stack, user);
    const tag = uniqueTag('condstore');
    const uids = await appendAll(other, 5, tag);
    const log: ProtocolLogLine[] = [];
    const adapter = await connected(context, stack, user, { log });
    const cache = new Map<string, string[]>();
    let state = apply(cache, await deltasOf(adapter.sync('INBOX', { protocol: 'imap', knownUids: '' })));
    expect(state).toHaveProperty('highestModseq');

    // One gone and one new: the count stays the same, and only a search can tell.
    await inFolder(other, 'INBOX', async () => {
      await other.messageFlagsAdd(String(uids[0]), ['\\Flagged'], { uid: true });
      await other.messageDelete(String(uids[3]), { uid: true });
    });
    const added = await appendAll(other, 1, tag, 6);
    let deltas = await deltasOf(adapter.sync('INBOX', state!));
    expect(kinds(deltas)).toEqual(['vanished', 'flags', 'messages', 'done']);
    expect(deltas[0]).toEqual({ kind: 'vanished', serverIds: [String(uids[3])] });
    expect(deltas[1]?.kind === 'flags' && deltas[1].changes.map((change) => [change.serverId, change.flags])).toEqual([[String(uids[0]), ['\\Flagged']]]);
    expect(deltas[2]?.kind === 'messages' && deltas[2].summaries.map((summary) => summary.uid)).toEqual(added);
    state = apply(cache, deltas);
    expect(cache).toEqual(await serverFolder(other, 'INBOX'));

    // Only a flag changed: the count adds up, so the known messages are not searched for.
    await inFolder(other, 'INBOX', () => other.messageFlagsAdd(String(uids[1]), ['\\Answered'], { uid: true }));
    log.length = 0;
    deltas = await deltasOf(adapter.sync('INBOX', state!));
    expect(kinds(deltas)).toEqual(['flags', 'done']);
    expect(log.filter((line) => line.direction === 'out' && /UID SEARCH/.test(line.text))).toHaveLength(1);
    apply(cache, deltas);
    expect(cache).toEqual(await serverFolder(other, 'INBOX'));
  });

  it('expunges only the chosen messages, leaving another client’s \\Deleted mark in place', async (context) => {
    const stack = stackFor(context, 'condstoreOnly');
    const user = freshUser(stack);
    const other = await otherDevice(stack, user);
    const uids = await appendAll(other, 4, uniqueTag('expunge'));
    await inFolder(other, 'INBOX', () => other.messageFlagsAdd(String(uids[1]), ['\\Deleted'], { uid: true }));
    const adapter = await connected(context, stack, user);

    await adapter.move('INBOX', [String(uids[0])], 'Archive');
    expect(await adapter.delete('INBOX', [String(uids[2])], { expunge: true })).toEqual({ deleted: [String(uids[2])], missing: [] });

    const inbox = await serverFolder(other, 'INBOX');
    expect([...inbox.keys()]).toEqual([String(uids[1]), String(uids[3])]);
    expect(inbox.get(String(uids[1]))).toEqual(['\\Deleted']);
    expect(inbox.get(String(uids[3]))).toEqual([]);
    expect((await serverFolder(other, 'Archive')).size).toBe(1);
  });

  it('notices new mail by polling when the server cannot push', async (context) => {
    const stack = stackFor(context, 'condstoreOnly');
    const user = freshUser(stack);
    const adapter = await connected(context, stack, user, { tuning: { watchPollIntervalMs: 100 } });
    expect(adapter.capabilities.push).toBe(false);
    const changes: FolderChange[] = [];
    const stop = await adapter.watch('INBOX', (change) => changes.push(change));
    cleanups.push(stop);
    const other = await otherDevice(stack, user);
    await appendAll(other, 1, uniqueTag('poll'));
    expect(await eventually(() => Promise.resolve(changes.find((change) => change.reason === 'new-mail')))).toEqual({ folder: 'INBOX', reason: 'new-mail' });
  });
});
