import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account } from '../../shared/model';
import { appendMessages, eventually, leaseMailboxes, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor, rawMessage, serverFolder } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Where the mail lives, in the real page: message bytes in main's store,
 * the index in the page's IndexedDB. The index may be lost; the mail may
 * not. And what a server deletion waits for is on disk, not in a cache.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

/**
 * Records, in the page, every IndexedDB transaction's stores and durability
 * and when it completed, every call to navigator.storage.persist(), and when
 * each contract method was sent to main.
 */
const OBSERVER = `
  window.__observed = { transactions: [], persist: 0, sent: [] };
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = transaction.call(this, stores, mode, options);
    const entry = { stores: [].concat(stores), mode: mode || 'readonly', durability: (options && options.durability) || 'default', completedAt: 0 };
    tx.addEventListener('complete', () => { entry.completedAt = performance.now(); window.__observed.transactions.push(entry); });
    return tx;
  };
  if (navigator.storage && navigator.storage.persist) {
    const persist = navigator.storage.persist.bind(navigator.storage);
    navigator.storage.persist = () => { window.__observed.persist++; return persist(); };
  }
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const method = typeof data === 'string' ? (/"method":"([^"]+)"/.exec(data) || [])[1] : undefined;
    if (method) window.__observed.sent.push({ method, at: performance.now() });
    return send.call(this, data);
  };
`;

interface Observed {
  transactions: { stores: string[]; mode: string; durability: string; completedAt: number }[];
  persist: number;
  sent: { method: string; at: number }[];
}

async function open(context: Parameters<typeof accountFor>[0], user: TestUser, extra: Partial<Account>): Promise<{ page: Page; account: Account }> {
  let account: Account | undefined;
  session = await openTwinbox({
    initScript: OBSERVER,
    beforeOpen: async (call) => {
      account = await call('accounts.save', { account: accountFor(context, user, 'pop3', extra), incomingPassword: user.password });
    },
  });
  return { page: session.page, account: account! };
}

function list(page: Page) {
  return page.getByRole('listbox', { name: 'Messages' });
}

async function listed(page: Page): Promise<number> {
  const first = list(page).getByRole('option').first();
  await first.waitFor();
  return Number(await first.getAttribute('aria-setsize'));
}

async function observed(page: Page): Promise<Observed> {
  return page.evaluate<Observed>('window.__observed');
}

describe('the message store and the index, in the page', () => {
  it('flushes the ledger entries a deletion names (strict durability) before the server is asked, and asks to keep its storage', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(uniqueTag(), i)));
    const { page } = await open(context, user!, { pop3: { retention: { kind: 'delete-after-download' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } });
    await eventually(async () => ((await serverFolder(user!)).size === 0 ? true : undefined), 30_000);
    const seen = await observed(page);
    expect(seen.persist).toBeGreaterThan(0);
    const deletion = seen.sent.find((call) => call.method === 'mail.delete');
    expect(deletion).toBeDefined();
    const strict = seen.transactions.filter((tx) => tx.mode === 'readwrite' && tx.durability === 'strict' && tx.stores.includes('ledger'));
    expect(strict.length).toBeGreaterThan(0);
    expect(strict[0]!.completedAt).toBeLessThan(deletion!.at);
    // Everything else stays relaxed: flushing every commit would slow every sync for nothing.
    expect(seen.transactions.filter((tx) => tx.durability === 'strict').every((tx) => tx.stores.length === 1 && tx.stores[0] === 'ledger')).toBe(true);
    expect(await listed(page)).toBe(3);
  });

  it('rebuilds a deleted index from the message store: every message back, read ones still read, nothing downloaded twice', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, Array.from({ length: 40 }, (_, i) => rawMessage(tag, i + 1)));
    const { page, account } = await open(context, user!, { pop3: { retention: { kind: 'keep' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } });
    await expect.poll(() => listed(page), { timeout: 30_000 }).toBe(40);
    const first = list(page).getByRole('option', { name: new RegExp(`${tag} message 40`) });
    await first.click();
    await expect.poll(async () => (await first.getAttribute('aria-label')) ?? '').not.toMatch(/Unread/);

    // The browser's copy of the index is gone; main, and its mail folder, are not.
    await page.evaluate(`new Promise((done, fail) => {
      const request = indexedDB.deleteDatabase('twinbox');
      request.onsuccess = () => done();
      request.onerror = () => fail(request.error);
    })`);
    await page.reload();
    await expect.poll(() => listed(page), { timeout: 30_000 }).toBe(40);
    const rebuilt = list(page).getByRole('option', { name: new RegExp(`${tag} message 40`) });
    expect(await rebuilt.getAttribute('aria-label')).not.toMatch(/Unread/);
    // One file per message, each confirmed by the new index; the server still has all 40 ("keep").
    expect(await session!.services.store.stats(account.id)).toMatchObject({ messages: 40, unindexed: 0 });
    expect((await serverFolder(user!)).size).toBe(40);
    expect(session!.pageErrors).toEqual([]);
  });
});
