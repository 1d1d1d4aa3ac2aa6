import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { MessageSummary, SentMessage } from '../../shared/model';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { Outbox } from '../sync/outbox';
import type { Contact } from './rows';
import { HALF_LIFE_MS, contactTokens, frecency, matchQuality, rankContacts, suggestContacts } from './contacts';
import { LATEST_VERSION, TwinboxDatabase, declareVersions } from './schema';
import { CacheWriter } from './writer';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 1);

function contact(name: string, address: string, extra: Partial<Contact> = {}): Contact {
  return { address: address.toLowerCase(), display: address, name, sentCount: 0, seenCount: 0, createdAt: 0, tokens: contactTokens(name, address), ...extra };
}

function writer(clock: { now: number } = { now: NOW }): CacheWriter {
  return new CacheWriter(new TwinboxDatabase('t', { indexedDB: new IDBFactory(), IDBKeyRange }), () => clock.now);
}

describe('completion ranking', () => {
  it('halves a count’s weight every half-life', () => {
    expect(frecency(4, NOW, NOW)).toBe(4);
    expect(frecency(4, NOW - HALF_LIFE_MS, NOW)).toBeCloseTo(2);
    expect(frecency(4, NOW - 2 * HALF_LIFE_MS, NOW)).toBeCloseTo(1);
    expect(frecency(0, NOW, NOW)).toBe(0);
  });

  it('finds by the start of any name word or of the address, with a name or address start first', () => {
    const ann = contact('Ann Smith', 'ann.smith@example.org');
    expect(matchQuality(ann, 'an')).toBe(3);
    expect(matchQuality(ann, 'smi')).toBe(2);
    expect(matchQuality(ann, 'exam')).toBe(1);
    expect(matchQuality(ann, 'ann smi')).toBe(3);
    expect(matchQuality(ann, 'sm an')).toBe(2);
    expect(matchQuality(ann, 'mith')).toBe(0);
    expect(matchQuality(contact('Zoë Ñúñez', 'zn@example.org'), 'ñú')).toBe(2);
  });

  it('ranks often and lately written-to people first, then those only read from', () => {
    const often = contact('Sam Often', 'often@example.org', { sentCount: 10, lastSentAt: NOW - 2 * DAY });
    const lately = contact('Sam Lately', 'lately@example.org', { sentCount: 2, lastSentAt: NOW - DAY });
    const longAgo = contact('Sam Longago', 'longago@example.org', { sentCount: 40, lastSentAt: NOW - 365 * DAY });
    const readOnly = contact('Sam Reader', 'reader@example.org', { seenCount: 100, lastSeenAt: NOW });
    const ranked = rankContacts([readOnly, longAgo, lately, often], 'sam', NOW);
    expect(ranked.map((c) => c.display)).toEqual(['often@example.org', 'lately@example.org', 'longago@example.org', 'reader@example.org']);
  });

  it('puts a better match before a more frequent one', () => {
    const byName = contact('Robert Jones', 'rj@example.org');
    const byDomain = contact('Alice', 'alice@robertson.example', { sentCount: 50, lastSentAt: NOW });
    expect(rankContacts([byDomain, byName], 'rob', NOW).map((c) => c.name)).toEqual(['Robert Jones', 'Alice']);
  });
});

describe('the address book', () => {
  it('learns every recipient of a sent message, with the name written, through the outbox', async () => {
    const w = writer();
    const sent: SentMessage = { messageId: 'm@x', raw: new Uint8Array(), accepted: [], rejected: [] };
    const client = {
      call: (method: string) => (method === 'mail.send' ? Promise.resolve(sent) : Promise.reject(new Error(`not in this test: ${method}`))),
    } as unknown as TwinboxClient;
    const outbox = new Outbox(client, {
      writer: w,
      runner: { run: () => Promise.resolve() },
      capabilities: () => Promise.reject(new Error('offline')),
      syncNow: () => Promise.resolve(),
    });
    const message = {
      from: { name: 'Me', address: 'me@example.org' },
      to: [{ name: 'Ann Smith', address: 'Ann.Smith@Example.org' }, { name: '', address: 'bob@example.org' }],
      cc: [{ name: 'Ann S.', address: 'ann.smith@example.org' }],
      bcc: [{ name: 'Çelik Ünal', address: 'celik@example.org' }],
      replyTo: [],
      subject: 'Hello',
      text: 'Hi',
      references: [],
      attachments: [],
    };
    const outcome = await outbox.send('a', message);
    expect(outcome.sent).toBe(sent);
    const ann = await w.db.contacts.get('ann.smith@example.org');
    // Once per message, though in To and Cc; the last name given for it wins.
    expect(ann).toMatchObject({ display: 'ann.smith@example.org', name: 'Ann S.', sentCount: 1, lastSentAt: NOW });
    expect(await w.db.contacts.get('bob@example.org')).toMatchObject({ name: '', sentCount: 1 });
    expect((await suggestContacts(w.db, 'ünal', { now: NOW })).map((c) => c.display)).toEqual(['celik@example.org']);

    await outbox.send('a', { ...message, cc: [], bcc: [] });
    expect(await w.db.contacts.get('ann.smith@example.org')).toMatchObject({ name: 'Ann Smith', sentCount: 2 });
  });

  it('keeps a name the user gave over names from mail', async () => {
    const w = writer();
    await w.learnSent([{ name: 'Bobby', address: 'bob@example.org' }]);
    await w.saveContact({ name: 'Robert Example', address: 'bob@example.org' });
    await w.learnSent([{ name: 'B.', address: 'bob@example.org' }]);
    expect(await w.db.contacts.get('bob@example.org')).toMatchObject({ name: 'Robert Example', sentCount: 2, edited: 1 });
    expect((await suggestContacts(w.db, 'rob', { now: NOW })).map((c) => c.address)).toEqual(['bob@example.org']);
    expect(await suggestContacts(w.db, 'bobby', { now: NOW })).toEqual([]);
  });

  it('learns the senders of mail read only when the user turned that on', async () => {
    const w = writer();
    await w.learnSeen([{ name: 'News', address: 'news@example.org' }]);
    expect(await w.db.contacts.count()).toBe(0);
    await w.setSetting({ name: 'learnFromRead', value: true });
    await w.learnSeen([{ name: 'News', address: 'news@example.org' }]);
    expect(await w.db.contacts.get('news@example.org')).toMatchObject({ name: 'News', seenCount: 1, sentCount: 0, lastSeenAt: NOW });
  });

  it('reads each Sent folder once its sync is complete, and only once', async () => {
    const clock = { now: NOW };
    const w = writer(clock);
    await w.replaceFolders('a', [
      { path: 'INBOX', name: 'Inbox', delimiter: '/', specialUse: 'inbox', subscribed: true, selectable: true },
      { path: 'Sent', name: 'Sent', delimiter: '/', specialUse: 'sent', subscribed: true, selectable: true },
    ]);
    const summary = (serverId: string, date: number, to: MessageSummary['to'], cc: MessageSummary['cc'] = []): MessageSummary => ({
      serverId,
      uid: Number(serverId),
      references: [],
      subject: 's',
      from: [{ name: 'Me', address: 'me@example.org' }],
      to,
      cc,
      replyTo: [],
      size: 1,
      flags: ['\\Seen'],
      hasAttachments: false,
      date: new Date(date).toISOString(),
    });
    await w.applyImapDelta('a', 'INBOX', {
      kind: 'messages',
      summaries: [summary('1', NOW, [{ name: 'Me', address: 'me@example.org' }])],
      partial: [],
      progress: { done: 1, total: 1 },
    });
    await w.applyImapDelta('a', 'Sent', {
      kind: 'messages',
      summaries: [
        summary('1', NOW - 10 * DAY, [{ name: 'Old Name', address: 'kim@example.org' }]),
        summary('2', NOW - DAY, [{ name: 'Kim Lee', address: 'kim@example.org' }], [{ name: 'Pat', address: 'pat@example.org' }]),
      ],
      partial: [],
      progress: { done: 2, total: 2 },
    });
    // Not complete yet: nothing is read.
    expect(await w.backfillContacts()).toEqual([]);
    await w.applyImapDelta('a', 'Sent', { kind: 'done', state: { protocol: 'imap', uidValidity: '1', knownUids: '1:2' }, total: 2 });
    expect(await w.backfillContacts()).toEqual(['a\u0000Sent']);
    expect(await w.db.contacts.get('kim@example.org')).toMatchObject({ name: 'Kim Lee', sentCount: 2, lastSentAt: NOW - DAY });
    expect(await w.db.contacts.get('pat@example.org')).toMatchObject({ sentCount: 1 });
    expect(await w.db.contacts.get('me@example.org')).toBeUndefined();
    expect(await w.backfillContacts()).toEqual([]);
    expect(await w.db.contacts.get('kim@example.org')).toMatchObject({ sentCount: 2 });
  });

  it('merges imported cards by address without touching counts', async () => {
    const w = writer();
    await w.learnSent([{ name: '', address: 'ann@example.org' }]);
    const result = await w.importContacts([
      { name: 'Ann Example', address: 'ANN@example.org' },
      { name: 'New Person', address: 'new@example.org' },
      { name: '', address: 'quiet@example.org' },
    ]);
    expect(result).toEqual({ added: 2, updated: 1 });
    expect(await w.db.contacts.get('ann@example.org')).toMatchObject({ name: 'Ann Example', sentCount: 1, edited: 1 });
    expect((await suggestContacts(w.db, 'new', { now: NOW })).map((c) => c.name)).toEqual(['New Person']);
    await w.deleteContacts(['new@example.org']);
    expect(await w.db.contacts.get('new@example.org')).toBeUndefined();
  });
});

describe('cache schema v10', () => {
  it('adds the address book and settings, keeping what v9 held', async () => {
    const indexedDB = new IDBFactory();
    const v9 = new Dexie('twinbox', { indexedDB, IDBKeyRange });
    declareVersions(v9, 9);
    await v9.table('senders').put({ address: 'zoe@example.org', allowRemoteContent: true });
    await v9.table('ledger').put({ accountId: 'a', uidl: 'u1', size: 1, firstSeenAt: 0, committedAt: 1 });
    await v9.table('folderCounts').put({ accountId: 'a', folder: 'INBOX', unread: 3, total: 5, threads: 4, flagged: 0 });
    v9.close();

    const current = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
    await current.open();
    expect(current.verno).toBe(LATEST_VERSION);
    expect(LATEST_VERSION).toBe(10);
    expect(await current.senders.get('zoe@example.org')).toMatchObject({ allowRemoteContent: true });
    expect(await current.ledger.get(['a', 'u1'])).toMatchObject({ committedAt: 1 });
    expect(await current.folderCounts.get(['a', 'INBOX'])).toMatchObject({ unread: 3 });
    expect(await current.contacts.count()).toBe(0);
    const w = new CacheWriter(current, () => NOW);
    await w.learnSent([{ name: 'Zoë', address: 'zoe@example.org' }]);
    expect((await suggestContacts(current, 'zo', { now: NOW })).map((c) => c.name)).toEqual(['Zoë']);
    current.close();
  });
});
