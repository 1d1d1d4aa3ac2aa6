import { afterEach, describe, expect, it } from 'vitest';
import { leaseMailboxes } from '../mailstack';
import { accountFor } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * The window itself: a very long folder stays a short page (only the rows on
 * screen exist), and the colours follow the system's light or dark setting.
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

describe('the main window', () => {
  it('keeps a folder of 20,000 messages to a screenful of rows, from first to last', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    session = await openTwinbox({
      beforeOpen: async (call) => {
        await call('accounts.save', { account: accountFor(context, user!, 'pop3'), incomingPassword: user!.password });
      },
    });
    const { page } = session;
    await page.getByRole('status', { name: 'Sync status' }).getByText(/Up to date/).waitFor();
    const accountId = (await session.call('accounts.list', {}))[0]!.id;
    // Rows written straight into the page's IndexedDB, as a long POP3 history would have left them.
    await page.evaluate(`new Promise((resolve, reject) => {
      const open = indexedDB.open('twinbox');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction(['messages', 'folderCounts'], 'readwrite');
        const store = tx.objectStore('messages');
        // With the counts the app keeps beside its rows (renderer/db/folder-counts.ts), as every write through it does.
        tx.objectStore('folderCounts').put({ accountId: ${JSON.stringify(accountId)}, folder: 'INBOX', unread: 0, total: 20000, threads: 20000 });
        for (let i = 1; i <= 20000; i++) {
          const date = Date.UTC(2020, 0, 1) + i * 60000;
          store.put({
            accountId: ${JSON.stringify(accountId)}, folder: 'INBOX', serverId: 'seed-' + i, references: [],
            subject: 'Seeded message ' + i, from: [{ name: 'Seeder', address: 'seed@example.org' }], to: [], cc: [], replyTo: [],
            size: 100, flags: ['\\\\Seen'], hasAttachments: false, sortDate: date, seen: 1, flagged: 0, threadId: 'seed-' + i,
            partial: 0, threadHead: 1, threadDate: date, threadSize: 1, senderKey: 'seeder', subjectKey: 'seeded message ' + i,
          });
        }
        tx.oncomplete = () => { db.close(); resolve(null); };
        tx.onerror = () => reject(tx.error);
      };
    })`);
    // Written behind Dexie's back, so the page reads them after a reload.
    await page.reload();
    const list = page.getByRole('listbox', { name: 'Messages' });
    await list.getByRole('option', { name: /Seeded message 20000,/ }).waitFor();
    expect(Number(await list.getByRole('option').first().getAttribute('aria-setsize'))).toBe(20000);
    expect(await list.getByRole('option').count()).toBeLessThan(100);

    await list.focus();
    await page.keyboard.press('End');
    await list.getByRole('option', { name: /Seeded message 1,/ }).waitFor();
    expect(await list.getByRole('option').count()).toBeLessThan(100);
    await page.getByRole('article', { name: 'Message' }).getByRole('heading', { name: 'Seeded message 1' }).waitFor();
  });

  it('follows the system’s light or dark setting', async () => {
    session = await openTwinbox();
    const { page } = session;
    await page.getByRole('heading', { name: 'Twinbox', level: 1 }).waitFor();
    const background = (): Promise<string> => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    expect(light).toBe('rgb(255, 255, 255)');
    expect(dark).not.toBe(light);
  });
});
