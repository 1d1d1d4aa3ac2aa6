/**
 * What an IndexedDB write costs in this Chromium, apart from Twinbox: the
 * figures behind the cache's design (how many records and indexes a message
 * may cost). A bare page on 127.0.0.1, no Dexie, fresh profile each case;
 * one transaction per case, like one sync batch.
 *
 *   npx tsx bench/idb-costs.ts [records]
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/e2e/harness';

const records = Number(process.argv[2] ?? 10_000);

interface Case {
  name: string;
  /** Index key paths on the store; `*name` for multi-entry. */
  indexes: string[];
  /** Records written per message: messages / perRecord records in all. */
  perRecord: number;
  shape: 'tiny' | 'row' | 'chunk';
}

const ROW_INDEXES = [
  '[accountId+folder+sortDate]',
  '[accountId+folder+seen]',
  'threadId',
  'messageId',
  '[accountId+folder+threadId]',
  '[accountId+folder+threadHead+threadDate]',
  '[accountId+folder+senderKey]',
  '[accountId+folder+subjectKey]',
  'docId',
];

const CASES: Case[] = [
  { name: 'tiny record, no index (a ledger entry without its index)', indexes: [], perRecord: 1, shape: 'tiny' },
  { name: 'tiny record, one index (a ledger entry)', indexes: ['accountId'], perRecord: 1, shape: 'tiny' },
  { name: 'list row, no index', indexes: [], perRecord: 1, shape: 'row' },
  { name: 'list row, 3 indexes (date, unread, doc)', indexes: ROW_INDEXES.filter((i) => /sortDate|seen|docId/.test(i)), perRecord: 1, shape: 'row' },
  { name: 'list row, 9 indexes (schema v6)', indexes: ROW_INDEXES, perRecord: 1, shape: 'row' },
  { name: '100 entries per record, multi-entry index of their ids', indexes: ['*uidls'], perRecord: 100, shape: 'chunk' },
];

const PAGE = `<!doctype html><meta charset="utf-8"><script>
function keyPath(spec) { const p = spec.replace(/^\\*/, ''); return p.startsWith('[') ? p.slice(1, -1).split('+') : p; }
async function run(c, n) {
  const name = 'db-' + Math.random();
  const db = await new Promise((done, fail) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => { const s = r.result.createObjectStore('s', { keyPath: 'key' }); for (const i of c.indexes) s.createIndex(i, keyPath(i), { multiEntry: i.startsWith('*') }); };
    r.onsuccess = () => done(r.result); r.onerror = () => fail(r.error);
  });
  const make = (i) => {
    if (c.shape === 'tiny') return { key: ['a', 'uidl' + i], accountId: 'a', size: 1000 + i, firstSeenAt: 1, committedAt: 2 };
    if (c.shape === 'chunk') return { key: ['a', i], accountId: 'a', uidls: Array.from({ length: c.perRecord }, (_, j) => 'uidl' + (i * c.perRecord + j)), committedAt: 2 };
    return { key: ['a', 'INBOX', String(i)], accountId: 'a', folder: 'INBOX', serverId: String(i), uid: i, messageId: 'm' + i + '@example.org', references: ['r' + (i % 97) + '@example.org'],
      subject: 'Subject number ' + i + ' about the quarterly report', from: [{ name: 'Sender ' + (i % 50), address: 'sender' + (i % 50) + '@example.org' }],
      to: [{ name: 'Me', address: 'me@example.org' }], cc: [], replyTo: [], date: new Date(1.7e12 + i * 60000).toISOString(), size: 9000, flags: [], hasAttachments: false,
      sortDate: 1.7e12 + i * 60000, seen: 0, flagged: 0, threadId: 'r' + (i % 97) + '@example.org', partial: 0, docId: i + 1, threadHead: 1, threadDate: 1.7e12 + i * 60000, threadSize: 1,
      senderKey: 'sender ' + (i % 50), subjectKey: 'subject number ' + i + ' about the quarterly report' };
  };
  const count = Math.ceil(n / c.perRecord);
  const t0 = performance.now();
  await new Promise((done, fail) => {
    const tx = db.transaction('s', 'readwrite');
    const s = tx.objectStore('s');
    for (let i = 0; i < count; i++) s.put(make(i));
    tx.oncomplete = done; tx.onerror = () => fail(tx.error);
  });
  const ms = performance.now() - t0;
  db.close();
  indexedDB.deleteDatabase(name);
  return ms;
}
</script>`;

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html' });
  response.end(PAGE);
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const profile = mkdtempSync(join(tmpdir(), 'twinbox-idb-costs-'));
const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`http://127.0.0.1:${port}/`);
  console.log(`${records.toLocaleString('en')} messages' worth of records, one transaction each case, median of 3:`);
  for (const c of CASES) {
    const times: number[] = [];
    for (let round = 0; round < 3; round++) times.push(await page.evaluate(`run(${JSON.stringify(c)}, ${records})`));
    times.sort((a, b) => a - b);
    const ms = times[1] ?? 0;
    console.log(`  ${c.name}: ${ms.toFixed(0)} ms, ${((ms * 1000) / records).toFixed(0)} µs per message`);
  }
} finally {
  await browser.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
