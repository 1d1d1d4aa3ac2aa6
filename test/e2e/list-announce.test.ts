import { afterEach, describe, expect, it } from 'vitest';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import { accountFor } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * What a screen reader announces while the keyboard walks the list: the
 * listbox's aria-activedescendant must name the row that is focused and
 * opened, at every step, also while the list is reading its next block of
 * rows (it once named another message's row then).
 */
let session: TwinboxSession | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
});

const MESSAGES = 400;

/** What the check reads of the listbox, typed here: the tests compile without the DOM's types. */
interface ListboxElement {
  getAttribute(name: string): string | null;
  ownerDocument: { getElementById(id: string): { getAttribute(name: string): string | null } | null };
}

function numbered(tag: string, n: number): string {
  // The list shows the newest first: each subject says its place from the top.
  const place = MESSAGES - n + 1;
  const date = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toUTCString().replace('GMT', '+0000');
  return [
    'From: Sender <sender@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} place ${place}`,
    `Message-ID: <${tag}.${n}@twinbox.test>`,
    `Date: ${date}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Message at place ${place}.`,
    '',
  ].join('\r\n');
}

describe('walking the message list by keyboard', () => {
  it('announces the row it opens at each of 400 steps, while rows load too', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(
      user!,
      Array.from({ length: MESSAGES }, (_, i) => numbered(tag, i + 1)),
    );
    session = await openTwinbox({
      beforeOpen: async (call) => {
        await call('accounts.save', { account: accountFor(context, user!, 'imap'), incomingPassword: user!.password });
      },
    });
    const { page } = session;
    const list = page.getByRole('listbox', { name: 'Messages' });
    await list.getByRole('option', { name: new RegExp(`${tag} place 1\\b`) }).click();
    const reader = page.getByRole('article', { name: 'Message' });
    await reader.getByRole('heading', { name: `${tag} place 1` }).waitFor();

    /**
     * The label of the row the listbox names as active right now, or undefined when it names none;
     * read in one look at the page, as a screen reader reads it at one moment.
     */
    const announced = (): Promise<string | undefined> =>
      list.evaluate((listbox: ListboxElement) => {
        const id = listbox.getAttribute('aria-activedescendant');
        if (id === null) return undefined;
        const option = listbox.ownerDocument.getElementById(id);
        return option ? (option.getAttribute('aria-label') ?? '') : `missing ${id}`;
      });

    const wrong: string[] = [];
    for (let place = 2; place <= MESSAGES; place++) {
      await list.press('ArrowDown');
      // Right after the key: naming no row is allowed while it loads, naming another is not.
      const early = await announced();
      if (early !== undefined && !early.includes(`${tag} place ${place - 1},`) && !early.includes(`${tag} place ${place},`)) {
        wrong.push(`step ${place}, at once: ${early}`);
      }
      await reader.getByRole('heading', { name: `${tag} place ${place}` }).waitFor();
      const settled = await announced();
      if (settled === undefined || !settled.includes(`${tag} place ${place},`)) wrong.push(`step ${place}, opened: ${settled ?? 'none'}`);
    }
    expect(wrong).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    // 400 steps of a key and two looks each: 80 s alone here, but over 240 s beside two other browsers on two busy cores.
  }, 480_000);
});
