/**
 * The message list at 100,000 messages: all of them there to reach, only a
 * screenful drawn. The rows are put straight into the page's cache (a sync
 * of that many would take minutes and prove nothing more about the list);
 * how fast the list scrolls is measured by `npm run bench`, not here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { leaseMailboxes, uniqueTag } from '../mailstack';
import { accountFor } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

const MESSAGES = 100_000;

let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

/** What renderer/index.tsx exposes with `bench=1`, as far as this test uses it. */
interface CacheHook {
  engine: { writer: { replaceAccounts(accounts: unknown[]): Promise<void>; ensureLocalFolders(accountId: string): Promise<void> } };
  db: { messages: { bulkAdd(rows: unknown[]): Promise<unknown> } };
  client: { call(method: 'accounts.list', input: Record<string, never>): Promise<{ id: string }[]> };
}

describe('a mailbox of 100,000 messages', () => {
  it('lists every one, draws only what is on screen, and reaches either end at once by keyboard', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    session = await openTwinbox({
      cacheHook: true,
      // The functions handed to page.evaluate may be compiled with __name() wrappers the page lacks.
      initScript: 'globalThis.__name = globalThis.__name || ((fn) => fn);',
      beforeOpen: async (call) => {
        await call('accounts.save', { account: accountFor(context, user!, 'pop3'), incomingPassword: user!.password });
      },
    });
    const { page } = session;
    await page.waitForFunction(() => 'twinboxBench' in globalThis);
    // About a minute and a half here: Chromium stores a list row in roughly 0.8 ms (see the README's performance notes).
    await page.evaluate(
      async ({ tag, count }) => {
        const hook = (globalThis as unknown as { twinboxBench: CacheHook }).twinboxBench;
        const [account] = await hook.client.call('accounts.list', {});
        if (!account) throw new Error('no account');
        await hook.engine.writer.replaceAccounts([account]);
        await hook.engine.writer.ensureLocalFolders(account.id);
        const start = Date.UTC(2020, 0, 1);
        for (let from = 1; from <= count; from += 10_000) {
          const rows = [];
          for (let i = from; i < from + 10_000 && i <= count; i++) {
            rows.push({
              accountId: account.id,
              folder: 'INBOX',
              serverId: `uidl-${i}`,
              references: [],
              subject: `${tag} row ${i}`,
              from: [{ name: `Sender ${i % 97}`, address: `sender${i % 97}@example.org` }],
              to: [],
              cc: [],
              replyTo: [],
              size: 2000,
              flags: [],
              hasAttachments: i % 10 === 0,
              sortDate: start + i * 60_000,
              seen: i % 3 === 0 ? 1 : 0,
              flagged: 0,
              threadId: `t${i}`,
              partial: 0,
              docId: i,
              threadHead: 1,
              threadDate: start + i * 60_000,
              threadSize: 1,
              senderKey: `sender ${i % 97}`,
              subjectKey: `${tag} row ${i}`.toLowerCase(),
            });
          }
          await hook.db.messages.bulkAdd(rows);
        }
      },
      { tag, count: MESSAGES },
    );

    await page.getByRole('navigation', { name: 'Accounts and folders' }).getByRole('button', { name: /^Inbox/ }).click();
    const list = page.getByRole('listbox', { name: 'Messages' });
    const newest = list.getByRole('option', { name: new RegExp(`${tag} row ${MESSAGES}\\b`) });
    await newest.waitFor();
    await expect.poll(async () => Number(await newest.getAttribute('aria-setsize'))).toBe(MESSAGES);
    expect(await newest.getAttribute('aria-posinset')).toBe('1');
    // Virtualised: a screenful of rows in the document, not a hundred thousand.
    expect(await list.getByRole('option').count()).toBeLessThan(100);

    await newest.click();
    await list.focus();
    await page.keyboard.press('End');
    const oldest = list.getByRole('option', { name: new RegExp(`${tag} row 1\\b`) });
    await oldest.waitFor();
    expect(await oldest.getAttribute('aria-posinset')).toBe(String(MESSAGES));
    expect(await oldest.getAttribute('aria-selected')).toBe('true');
    expect(await list.getByRole('option').count()).toBeLessThan(100);
    // And back, a page at a time from the top.
    await page.keyboard.press('Home');
    await newest.waitFor();
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    const selectedPosition = async (): Promise<number> => Number(await list.getByRole('option', { selected: true }).getAttribute('aria-posinset'));
    await expect.poll(selectedPosition).toBeGreaterThan(10);
    // Keys pressed faster than rows are read each count, as a held arrow key expects.
    const afterPages = await selectedPosition();
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(selectedPosition).toBe(afterPages + 12);
    expect(session.pageErrors).toEqual([]);
    // Filling the cache is most of it: give it room on a busy machine.
  }, 300_000);
});
