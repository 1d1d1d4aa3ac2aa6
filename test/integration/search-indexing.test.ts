import { afterEach, describe, expect, it } from 'vitest';
import { searchLocally, textCoverage } from '../../renderer/db/local-search';
import type { IndexingProgress } from '../../renderer/sync/indexer';
import { SyncEngine } from '../../renderer/sync/engine';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import { clientHarness, saveAccount } from './client-harness';
import { accountFor, rawMessage } from '../mailstack/fixtures';
import type { ClientHarness } from './client-harness';

/**
 * Search indexing apart from download: a POP3 check puts the list up from
 * the messages' headers; their bodies' words are read from main's store in
 * the background afterwards, with progress, resuming after a restart, and
 * search says meanwhile that its results may be incomplete.
 */
let harness: ClientHarness | undefined;
const engines: SyncEngine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
  await harness?.close();
  harness = undefined;
});

describe('search indexing in the background', () => {
  it('lists mail before its text is indexed, then indexes it with progress, resuming after a restart', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const word = `${tag.toLowerCase()}zeppelin`;
    const count = 120;
    await appendMessages(user!, Array.from({ length: count }, (_, i) => rawMessage(tag, i + 1, { body: `Only the body says ${word}, number ${i + 1}.` })));
    harness = clientHarness();
    const account = await saveAccount(
      harness.client,
      accountFor(context, user!, 'pop3', { pop3: { retention: { kind: 'keep' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } }),
      user!.password,
    );
    const db = harness.openDatabase();
    const engine = new SyncEngine(harness.client, db);
    engines.push(engine);
    await engine.writer.replaceAccounts([account]);

    expect((await engine.pop3.check(account)).downloaded).toBe(count);
    // Listed at once; their words are not in yet (the download wrote rows, nothing else), and search says so.
    expect((await searchLocally(db, `${tag} message`, account.id)).keys).toEqual([]);
    expect((await searchLocally(db, word, account.id)).keys).toEqual([]);
    expect(await textCoverage(db, account.id)).toEqual({ total: count, withoutText: count, queued: count });
    expect((await db.messages.toArray()).every((row) => row.snippet === undefined)).toBe(true);

    // Indexing starts, and the page goes away after the first slice.
    const progress: IndexingProgress[] = [];
    // Written 50 at a time here (1,000 in the app), so that there are several writes to stop between.
    const interrupted = new SyncEngine(harness.client, harness.openDatabase(), { indexingWriteSize: 50 });
    engines.push(interrupted);
    harness.cutAfter(1);
    await interrupted.indexer.drain();
    harness.restore();
    const partly = await textCoverage(db, account.id);
    expect(partly.queued).toBeGreaterThan(0);
    expect(partly.queued).toBeLessThan(count);

    // Opened again, it goes on where it stopped, saying how far it is.
    const restarted = new SyncEngine(harness.client, harness.openDatabase(), { indexingWriteSize: 50 });
    engines.push(restarted);
    restarted.status.subscribe(() => {
      const indexing = restarted.status.get(account.id).indexing;
      if (indexing) progress.push({ accountId: account.id, ...indexing });
    });
    await restarted.indexer.drain();
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ left: 0 });
    expect(progress.map((p) => p.left)).toEqual([...progress.map((p) => p.left)].sort((a, b) => b - a));
    expect(await textCoverage(db, account.id)).toEqual({ total: count, withoutText: 0, queued: 0 });
    const found = await searchLocally(db, `${word} 77`, account.id);
    expect(found.keys.map((key) => key[2])).toHaveLength(1);
    expect((await searchLocally(db, `${tag} message 77`, account.id)).keys).toHaveLength(1);
    // What the headers could not tell the list, the body now has.
    expect((await db.messages.toArray()).every((row) => row.snippet?.startsWith('Only the body says'))).toBe(true);
  });
});
