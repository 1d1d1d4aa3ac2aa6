import type { ImapFlow } from 'imapflow';
import type { TestContext } from 'vitest';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageSummary, ProtocolLogLine, SyncDelta, SyncState } from '../../shared/model';
import { ImapAdapter } from '../../main/protocols/imap/adapter';
import { leaseMailboxes, mailStack, openImap, serverSettingsFor, skipBecause, uniqueTag } from '../mailstack/index';
import type { TestUser } from '../mailstack/index';

/** What an IMAP cache tells a sync it holds. */
type ImapState = Extract<SyncState, { protocol: 'imap' }>;
/**
 * Folder sync against the real server: what a first sync delivers and in
 * which order, and that applying the deltas of any later sync (after another
 * device changed the folder, after the folder was recreated, after a sync was
 * cut short) leaves the cache exactly equal to the folder.
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function connected(context: TestContext, user: TestUser, log?: ProtocolLogLine[]): Promise<ImapAdapter> {
  const adapter = new ImapAdapter({
    accountId: 'acct-sync',
    server: serverSettingsFor(context, user, 'imaps'),
    password: user.password,
    ...(log ? { log: (line: ProtocolLogLine) => log.push(line) } : {}),
  });
  cleanups.push(() => adapter.close());
  await adapter.connect();
  return adapter;
}

async function otherDevice(user: TestUser): Promise<ImapFlow> {
  const client = await openImap(user);
  cleanups.push(() => client.logout());
  return client;
}

async function deltasOf(sync: AsyncGenerator<SyncDelta, void, undefined>): Promise<SyncDelta[]> {
  const deltas: SyncDelta[] = [];
  for await (const delta of sync) deltas.push(delta);
  return deltas;
}

function plain(tag: string, n: number, extra: { headers?: string; body?: string } = {}): string {
  return (
    `From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: ${tag} message ${n}\r\n` +
    `Message-ID: <${tag}.${n}@twinbox.test>\r\nDate: Thu, 26 Nov 2026 10:${String(n).padStart(2, '0')}:00 +0000\r\n${extra.headers ?? ''}` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${extra.body ?? `Body of message ${n}.`}\r\n`
  );
}

async function appendAll(client: ImapFlow, folder: string, messages: { raw: string; flags?: string[] }[]): Promise<number[]> {
  const uids: number[] = [];
  for (const message of messages) {
    const result = await client.append(folder, Buffer.from(message.raw, 'utf8'), message.flags ?? []);
    if (!result || result.uid === undefined) throw new Error('no APPENDUID');
    uids.push(result.uid);
  }
  return uids;
}

/** A cache as the renderer keeps one: server id to flags, applied delta by delta. */
class CacheModel {
  uidValidity: string | undefined;
  readonly flags = new Map<string, string[]>();
  readonly summaries = new Map<string, MessageSummary>();
  state: ImapState | undefined;

  apply(deltas: SyncDelta[]): void {
    for (const delta of deltas) {
      switch (delta.kind) {
        case 'reset':
          this.uidValidity = delta.uidValidity;
          this.flags.clear();
          this.summaries.clear();
          break;
        case 'vanished':
          for (const id of delta.serverIds) {
            expect(this.flags.has(id), `vanished ${id} was never in the cache`).toBe(true);
            this.flags.delete(id);
          }
          break;
        case 'flags':
          for (const change of delta.changes) {
            expect(this.flags.has(change.serverId), `flags for ${change.serverId}, which the cache lacks`).toBe(true);
            this.flags.set(change.serverId, [...change.flags].sort());
          }
          break;
        case 'messages':
          expect(delta.partial).toEqual([]);
          for (const summary of delta.summaries) {
            expect(this.flags.has(summary.serverId), `message ${summary.serverId} delivered twice`).toBe(false);
            this.flags.set(summary.serverId, [...summary.flags].sort());
            this.summaries.set(summary.serverId, summary);
          }
          break;
        case 'done':
          if (delta.state.protocol === 'imap') this.state = delta.state;
          break;
      }
    }
  }

  /** The state a cache that lost its `done` (an interrupted sync) would rebuild from what it holds. */
  heldState(): ImapState {
    const uids = [...this.flags.keys()].map(Number).sort((a, b) => a - b);
    return { protocol: 'imap', ...(this.uidValidity === undefined ? {} : { uidValidity: this.uidValidity }), knownUids: uids.join(',') };
  }
}

/** The folder as another device sees it: UID to flags (without the per-session \Recent). */
async function serverFolder(client: ImapFlow, folder: string): Promise<Map<string, string[]>> {
  const lock = await client.getMailboxLock(folder);
  try {
    // The folder may have stayed selected since the last look: NOOP collects what changed meanwhile.
    await client.noop();
    const view = new Map<string, string[]>();
    if (client.mailbox && client.mailbox.exists > 0) {
      for await (const message of client.fetch('1:*', { uid: true, flags: true })) {
        view.set(String(message.uid), [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort());
      }
    }
    return view;
  } finally {
    lock.release();
  }
}

async function changeFlags(client: ImapFlow, folder: string, change: (client: ImapFlow) => Promise<unknown>): Promise<void> {
  const lock = await client.getMailboxLock(folder);
  try {
    await change(client);
  } finally {
    lock.release();
  }
}

const kinds = (deltas: SyncDelta[]): string[] => deltas.map((delta) => delta.kind);
const uidsOf = (delta: SyncDelta | undefined): number[] => (delta?.kind === 'messages' ? delta.summaries.map((summary) => summary.uid!) : []);

describe('IMAP folder sync', () => {
  it('delivers a first sync newest first in batches, with summaries complete enough for the list and threads', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const tag = uniqueTag('first');
    const withAttachment =
      `From: Carol <carol@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: ${tag} with attachment\r\nMessage-ID: <${tag}.att@twinbox.test>\r\n` +
      `Date: Thu, 26 Nov 2026 11:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n` +
      `--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n` +
      `--b1\r\nContent-Type: application/pdf; name="report.pdf"\r\nContent-Disposition: attachment; filename="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n`;
    const messages = [
      { raw: plain(tag, 1), flags: ['\\Seen'] },
      { raw: plain(tag, 2, { headers: `In-Reply-To: <${tag}.1@twinbox.test>\r\nReferences: <${tag}.0@twinbox.test> <${tag}.1@twinbox.test>\r\n` }) },
      { raw: withAttachment, flags: ['\\Flagged'] },
      { raw: plain(tag, 4, { headers: '' }).replace(`Subject: ${tag} message 4`, `Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln_=E2=98=95?= ${tag}`) },
      { raw: plain(tag, 5) },
      { raw: plain(tag, 6) },
      { raw: plain(tag, 7) },
    ];
    const uids = await appendAll(other, 'INBOX', messages);
    const adapter = await connected(context, user!);

    const deltas = await deltasOf(adapter.sync('INBOX', { protocol: 'imap', knownUids: '' }, { batchSize: 3 }));
    expect(kinds(deltas)).toEqual(['reset', 'messages', 'messages', 'messages', 'done']);
    const batches = deltas.filter((delta) => delta.kind === 'messages');
    expect(batches.map((batch) => uidsOf(batch))).toEqual([
      [uids[6], uids[5], uids[4]],
      [uids[3], uids[2], uids[1]],
      [uids[0]],
    ]);
    expect(batches.map((batch) => batch.progress)).toEqual([
      { done: 3, total: 7 },
      { done: 6, total: 7 },
      { done: 7, total: 7 },
    ]);

    const cache = new CacheModel();
    cache.apply(deltas);
    const summary = (index: number): MessageSummary => cache.summaries.get(String(uids[index]))!;
    expect(summary(0)).toMatchObject({
      messageId: `${tag}.1@twinbox.test`,
      subject: `${tag} message 1`,
      from: [{ name: 'Alice Example', address: 'alice@example.org' }],
      to: [{ name: 'Bob', address: 'bob@example.org' }],
      date: '2026-11-26T10:01:00.000Z',
      flags: ['\\Seen'],
      size: Buffer.byteLength(messages[0]!.raw),
      hasAttachments: false,
      references: [],
    });
    expect(summary(1)).toMatchObject({ inReplyTo: `${tag}.1@twinbox.test`, references: [`${tag}.0@twinbox.test`, `${tag}.1@twinbox.test`] });
    expect(summary(2)).toMatchObject({ hasAttachments: true, flags: ['\\Flagged'] });
    expect(summary(3).subject).toBe(`Grüße aus Köln ☕ ${tag}`);
    expect(summary(0).receivedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const done = deltas.at(-1);
    expect(done?.kind === 'done' && done.total).toBe(7);
    expect(cache.state).toMatchObject({ protocol: 'imap', uidValidity: cache.uidValidity, knownUids: `${uids[0]}:${uids[6]}` });
    if (mailStack().origin === 'local') expect(cache.state).toHaveProperty('highestModseq');
    expect(cache.flags).toEqual(await serverFolder(other, 'INBOX'));
  });

  it.for([
    ['with the HIGHESTMODSEQ of the last sync', true],
    ['without a HIGHESTMODSEQ', false],
  ] as const)('brings the cache up to date after another device adds, flags and expunges: %s', async ([, withModseq], context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const tag = uniqueTag('incr');
    const uids = await appendAll(other, 'INBOX', [1, 2, 3, 4, 5].map((n) => ({ raw: plain(tag, n), flags: n === 1 ? ['\\Seen'] : [] })));
    const adapter = await connected(context, user!);
    const cache = new CacheModel();
    cache.apply(await deltasOf(adapter.sync('INBOX', { protocol: 'imap', knownUids: '' })));

    await changeFlags(other, 'INBOX', async (client) => {
      await client.messageFlagsAdd(String(uids[1]), ['\\Flagged', '$Work'], { uid: true });
      await client.messageFlagsRemove(String(uids[0]), ['\\Seen'], { uid: true });
      await client.messageDelete(String(uids[2]), { uid: true });
    });
    const added = await appendAll(other, 'INBOX', [6, 7].map((n) => ({ raw: plain(tag, n) })));

    const { highestModseq, ...withoutModseq } = cache.state as ImapState;
    if (withModseq && highestModseq === undefined) skipBecause(context, 'the server has no CONDSTORE');
    const state: ImapState = withModseq ? { ...withoutModseq, highestModseq: highestModseq! } : withoutModseq;
    const deltas = await deltasOf(adapter.sync('INBOX', state));

    expect(kinds(deltas)).toEqual(['vanished', 'flags', 'messages', 'done']);
    expect(deltas[0]).toEqual({ kind: 'vanished', serverIds: [String(uids[2])] });
    const flagChanges = deltas[1]?.kind === 'flags' ? deltas[1].changes : [];
    const changed = Object.fromEntries(flagChanges.map((change) => [change.serverId, [...change.flags].sort()]));
    const expectedChanges = { [String(uids[0])]: [], [String(uids[1])]: ['$Work', '\\Flagged'] };
    // Without CONDSTORE's CHANGEDSINCE every known message's flags come back, changed or not.
    expect(changed).toEqual(withModseq ? expectedChanges : { ...expectedChanges, [String(uids[3])]: [], [String(uids[4])]: [] });
    expect(uidsOf(deltas[2])).toEqual([added[1], added[0]]);

    cache.apply(deltas);
    expect(cache.flags).toEqual(await serverFolder(other, 'INBOX'));
    expect(cache.state?.protocol === 'imap' && cache.state.knownUids).toBe([uids[0], uids[1]].join(':') + `,${uids[3]}:${added[1]}`);
    const done = deltas.at(-1);
    expect(done?.kind === 'done' && done.total).toBe(6);
  });

  it('transfers nothing per message when nothing changed, however many messages the folder holds', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const tag = uniqueTag('still');
    const uids = await appendAll(other, 'INBOX', Array.from({ length: 120 }, (_, i) => ({ raw: plain(tag, i) })));
    await changeFlags(other, 'INBOX', (client) => client.messageDelete(String(uids[60]), { uid: true }));
    const log: ProtocolLogLine[] = [];
    const adapter = await connected(context, user!, log);
    const cache = new CacheModel();
    cache.apply(await deltasOf(adapter.sync('INBOX', { protocol: 'imap', knownUids: '' })));
    if (cache.state?.protocol !== 'imap' || cache.state.highestModseq === undefined) skipBecause(context, 'the server has no CONDSTORE');

    log.length = 0;
    const deltas = await deltasOf(adapter.sync('INBOX', cache.state));
    expect(kinds(deltas)).toEqual(['done']);
    const replies = log.filter((line) => line.direction === 'in');
    expect(replies.filter((line) => /^\* \d+ FETCH/.test(line.text))).toEqual([]);
    // A SELECT and two short commands, whatever the folder's size.
    expect(replies.reduce((sum, line) => sum + line.bytes, 0)).toBeLessThan(1500);
    if (adapter.capabilities.vanishedTracking) {
      // With QRESYNC an unchanged HIGHESTMODSEQ and count say it all: nothing is asked after the SELECT.
      const asked = log.filter((line) => line.direction === 'out').map((line) => line.text);
      expect(asked.some((text) => /\b(FETCH|SEARCH)\b/i.test(text))).toBe(false);
      // STATUS tells it without selecting the folder (left first, as it was selected by the first sync).
      if (other.capabilities.has('UNSELECT')) expect(asked.filter((text) => /^\S+ (SELECT|EXAMINE)\b/i.test(text))).toEqual([]);
      // And the first change anywhere in the folder is still seen.
      await changeFlags(other, 'INBOX', (client) => client.messageFlagsAdd(String(uids[5]), ['\\Flagged'], { uid: true }));
      const after = await deltasOf(adapter.sync('INBOX', cache.state));
      expect(after.flatMap((delta) => (delta.kind === 'flags' ? delta.changes.map((change) => [change.serverId, change.flags]) : []))).toEqual([[String(uids[5]), ['\\Flagged']]]);
      cache.apply(after);
      // One message gone and one come leave the count as it was; HIGHESTMODSEQ still moves.
      await changeFlags(other, 'INBOX', (client) => client.messageDelete(String(uids[7]), { uid: true }));
      const [arrived] = await appendAll(other, 'INBOX', [{ raw: plain(tag, 200) }]);
      const swapped = await deltasOf(adapter.sync('INBOX', cache.state));
      expect(swapped.flatMap((delta) => (delta.kind === 'vanished' ? delta.serverIds : []))).toEqual([String(uids[7])]);
      expect(swapped.flatMap((delta) => uidsOf(delta))).toEqual([arrived]);
      cache.apply(swapped);
      expect(cache.flags).toEqual(await serverFolder(other, 'INBOX'));
    }
  });

  it('starts over after the folder was deleted and recreated (new UIDVALIDITY)', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const tag = uniqueTag('recreate');
    const folder = `Projects-${tag}`;
    await other.mailboxCreate(folder);
    await appendAll(other, folder, [1, 2, 3].map((n) => ({ raw: plain(tag, n) })));
    const adapter = await connected(context, user!);
    const cache = new CacheModel();
    cache.apply(await deltasOf(adapter.sync(folder, { protocol: 'imap', knownUids: '' })));
    const before = cache.uidValidity;

    await other.mailboxDelete(folder);
    await other.mailboxCreate(folder);
    const fresh = await appendAll(other, folder, [8, 9].map((n) => ({ raw: plain(tag, n) })));

    const deltas = await deltasOf(adapter.sync(folder, cache.state!));
    expect(kinds(deltas)).toEqual(['reset', 'messages', 'done']);
    expect(deltas[0]?.kind === 'reset' && deltas[0].uidValidity).not.toBe(before);
    expect(uidsOf(deltas[1])).toEqual([fresh[1], fresh[0]]);
    cache.apply(deltas);
    expect([...cache.summaries.values()].map((summary) => summary.subject).sort()).toEqual([`${tag} message 8`, `${tag} message 9`]);
    expect(cache.flags).toEqual(await serverFolder(other, folder));
  });

  it('resumes an interrupted first sync without duplicates or holes, and with what arrived meanwhile', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const other = await otherDevice(user!);
    const tag = uniqueTag('resume');
    const uids = await appendAll(other, 'INBOX', Array.from({ length: 12 }, (_, i) => ({ raw: plain(tag, i + 1) })));
    const adapter = await connected(context, user!);

    const cache = new CacheModel();
    const firstAttempt: SyncDelta[] = [];
    for await (const delta of adapter.sync('INBOX', { protocol: 'imap', knownUids: '' }, { batchSize: 5 })) {
      firstAttempt.push(delta);
      if (delta.kind === 'messages') break;
    }
    cache.apply(firstAttempt);
    expect(kinds(firstAttempt)).toEqual(['reset', 'messages']);
    expect(uidsOf(firstAttempt[1])).toEqual(uids.slice(7).reverse());

    const [late] = await appendAll(other, 'INBOX', [{ raw: plain(tag, 13) }]);
    const deltas = await deltasOf(adapter.sync('INBOX', cache.heldState(), { batchSize: 5 }));
    expect(deltas.some((delta) => delta.kind === 'reset' || delta.kind === 'vanished')).toBe(false);
    const delivered = deltas.flatMap((delta) => uidsOf(delta));
    expect([...delivered].sort((a, b) => a - b)).toEqual([...uids.slice(0, 7), late!]);
    expect(delivered).toEqual([...delivered].sort((a, b) => b - a));
    cache.apply(deltas);
    expect(cache.flags).toEqual(await serverFolder(other, 'INBOX'));
    expect(cache.state?.protocol === 'imap' && cache.state.knownUids).toBe(`${uids[0]}:${late}`);
  });

  it('says MAILBOX_NOT_FOUND for a folder that does not exist', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const adapter = await connected(context, user!);
    await expect(deltasOf(adapter.sync(`Missing-${uniqueTag()}`, { protocol: 'imap', knownUids: '' }))).rejects.toMatchObject({ code: 'MAILBOX_NOT_FOUND' });
  });
});
