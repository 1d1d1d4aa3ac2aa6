import { afterEach, describe, expect, it } from 'vitest';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import { rawMessage, serverFolder } from '../mailstack/fixtures';
import { closeLab, column, escape, imapCaughtUp, labelOf, openLab, row, SCENARIO_TIMEOUT, verdict } from './lab-harness';
import type { OpenedLab } from './lab-harness';

/**
 * The Protocol Lab on mailboxes as they are: messages without a Message-ID,
 * different messages sharing one, the same message twice. The three columns,
 * the actions and every scenario must name them alike on both sides; and what
 * a POP3 download does to the server's flags is the POP3 side's doing, said
 * only when the server shows it (tested with a mailbox whose server marks
 * downloaded mail read, and one whose server does not).
 */
afterEach(closeLab);

function withoutMessageId(tag: string, index: number): string {
  const raw = rawMessage(tag, index);
  expect(raw).toMatch(/^Message-ID: /m);
  return raw.replace(/^Message-ID: .*\r\n/m, '');
}

function sharingMessageId(tag: string, index: number): string {
  return rawMessage(tag, index).replace(/^Message-ID: .*$/m, `Message-ID: <${tag}.shared@twinbox.test>`);
}

/** Rows of a column that a remark says are missing on the other side. */
async function unmatched(lab: OpenedLab['lab']): Promise<string[]> {
  const pop3 = (await column(lab, 'POP3 side').getByRole('option').allInnerTexts()).filter((text) => text.includes('only on this computer'));
  const imap = (await column(lab, 'IMAP side').getByRole('option').allInnerTexts()).filter((text) => text.includes('no longer on the server'));
  return [...pop3, ...imap];
}

/** The server column lists them all: the remarks are then measured against a look at the server. */
async function serverShows(lab: OpenedLab['lab'], count: number): Promise<void> {
  await expect.poll(() => column(lab, 'Server').getByRole('option').count(), { timeout: 20_000 }).toBe(count);
}

describe('the Lab names a message alike on both sides without a Message-ID', () => {
  it('matches rows across the columns, and an action reaches the same message on both sides', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    // 1: plain; 2, 3: no Message-ID; 4, 5: one Message-ID, two messages; 6: the same message twice.
    const raws = [rawMessage(tag, 1), withoutMessageId(tag, 2), withoutMessageId(tag, 3), sharingMessageId(tag, 4), sharingMessageId(tag, 5), rawMessage(tag, 6), rawMessage(tag, 6)];
    const uids = await appendMessages(user!, raws);
    const { lab } = await openLab(context, user!, raws.length);
    await serverShows(lab, raws.length);
    expect(await unmatched(lab)).toEqual([]);
    expect(await row(lab, 'POP3 side', `${tag} message 6`).count()).toBe(2);

    // Chosen in the server's column, it is the same message in each side's column.
    await row(lab, 'Server', `${tag} message 4`).click();
    for (const name of ['POP3 side', 'IMAP side'] as const) {
      const chosen = column(lab, name).getByRole('option', { selected: true });
      expect(await chosen.allInnerTexts()).toEqual([expect.stringContaining(`${tag} message 4`)]);
    }

    await row(lab, 'Server', `${tag} message 2`).click();
    await lab.getByRole('toolbar', { name: 'Lab actions' }).getByRole('button', { name: 'Flag' }).click();
    const report = lab.getByRole('region', { name: 'What happened' });
    await report.getByRole('heading', { name: `Flag: “${tag} message 2”` }).waitFor(SCENARIO_TIMEOUT);
    const imapCard = report.getByRole('article', { name: 'IMAP side' });
    await imapCard.getByText(new RegExp(`^On the server: “${escape(tag)} message 2” flagged \\(\\\\Flagged set\\) in Inbox\\.$`)).waitFor();
    await imapCard.getByText(new RegExp(`^On this computer: “${escape(tag)} message 2” flagged in Inbox\\.$`)).waitFor();
    const pop3Card = report.getByRole('article', { name: 'POP3 side' });
    await pop3Card.getByText(new RegExp(`^On this computer: “${escape(tag)} message 2” flagged in Inbox\\.$`)).waitFor();
    await pop3Card.getByText(/^On the server: nothing changed\.$/).waitFor();
    const server = await serverFolder(user!);
    expect(server.get(String(uids[1]))).toContain('\\flagged');
    expect(uids.filter((uid) => server.get(String(uid))?.includes('\\flagged'))).toHaveLength(1);
    expect(await labelOf(row(lab, 'POP3 side', `${tag} message 2`))).toMatch(/^(Read|Unread), flagged\./);
    expect(await labelOf(row(lab, 'POP3 side', `${tag} message 3`))).not.toMatch(/flagged/);
  });

  it('“Another device reads a message” works on a message without a Message-ID', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const uids = await appendMessages(user!, [rawMessage(tag, 1), withoutMessageId(tag, 2)]);
    const { lab } = await openLab(context, user!, 2);
    await row(lab, 'POP3 side', `${tag} message 2`).click();
    await lab.getByRole('button', { name: 'Another device reads a message' }).click();
    const said = await verdict(lab, /POP3/);
    expect(said).toMatch(/^IMAP showed it as read within [\d.]+ s because the flag lives on the server/);
    expect(said).toMatch(/POP3 still shows it unread, even after checking the server: POP3 never learns about flags\.$/);
    // About the message chosen, not another one that has a Message-ID.
    const evidence = await lab.getByRole('region', { name: 'Scenario result' }).getByRole('listitem').allInnerTexts();
    expect(evidence).toContain(`On the server: “${tag} message 2” marked read (\\Seen set) in Inbox. (by the other device, on a connection of its own)`);
    expect((await serverFolder(user!)).get(String(uids[1]))).toContain('\\seen');
    expect(await labelOf(row(lab, 'IMAP side', `${tag} message 2`))).toMatch(/^Read/);
  });

  it('“Leave on server for N days” counts messages without a Message-ID as kept here', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [rawMessage(tag, 1), withoutMessageId(tag, 2), withoutMessageId(tag, 3)]);
    const { page, lab } = await openLab(context, user!, 3);
    await lab.getByRole('spinbutton', { name: 'Days on the server' }).fill('1');
    await lab.getByRole('spinbutton', { name: 'Days to advance' }).fill('2');
    await lab.getByRole('button', { name: 'Advance the clock by 2 days' }).click();
    const due = lab.getByRole('region', { name: 'Due on the server' }).getByRole('list', { name: 'Would be deleted on the server now' });
    await due.waitFor(SCENARIO_TIMEOUT);
    expect(await due.getByRole('listitem').count()).toBe(3);
    await lab.getByRole('button', { name: 'Delete them on the server…' }).click();
    await page.getByRole('dialog', { name: 'Delete 3 messages on the server?' }).getByRole('button', { name: 'Delete on the server' }).click();
    const said = await verdict(lab, /^After 2 days/);
    expect(said).toContain('the POP3 side deleted 3 messages on the server');
    expect(said).toContain('This computer still has all 3: for POP3 they live here now.');
    expect(said).toContain('The IMAP side no longer shows them: on the server they are gone for every device.');
    expect((await serverFolder(user!)).size).toBe(0);
  });

  it('“Two devices on POP3” knows the messages without a Message-ID that were taken from under it', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [withoutMessageId(tag, 1), withoutMessageId(tag, 2)]);
    const { lab } = await openLab(context, user!, 2);
    await lab.getByRole('button', { name: 'Two devices on POP3' }).click();
    const said = await verdict(lab, /never saw|saw all/);
    expect(said).toContain('The other computer also took the 2 messages this computer already had off the server: this computer keeps 2 of them');
  });
});

/**
 * “This computer died” after another device marked a message unread: the
 * POP3 side's download comes first, and on a server that marks downloaded
 * mail read, it is what changes that message for IMAP too.
 */
async function computerDiedAfterUnread({ session, lab, user, imap }: OpenedLab, tag: string, uids: readonly number[]): Promise<{ said: string; readOnServer: boolean }> {
  await session.call('lab.otherDevice', { accountId: imap.id, action: 'unread', messageId: `${tag}.1@twinbox.test` });
  await imapCaughtUp(lab, user, tag, uids);
  expect(await labelOf(row(lab, 'IMAP side', `${tag} message 1`))).toMatch(/^Unread/);
  await lab.getByRole('button', { name: 'This computer died' }).click();
  const said = await verdict(lab, /POP3 got back/);
  return { said, readOnServer: ((await serverFolder(user)).get(String(uids[0])) ?? []).includes('\\seen') };
}

describe('what POP3 does to the server’s flags, observed', () => {
  it('on a server that marks downloaded mail read: said as the POP3 side’s doing, not IMAP’s', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const uids = await appendMessages(user!, [rawMessage(tag, 1), withoutMessageId(tag, 2), withoutMessageId(tag, 3)]);
    const opened = await openLab(context, user!, 3);
    const { said, readOnServer } = await computerDiedAfterUnread(opened, tag, uids);
    expect(said).toContain('POP3 got back all 3 messages');
    // Observed: the sentences follow what the server did, on this stack (which marks mail read) or another.
    if (readOnServer) {
      expect(said).toContain(
        'IMAP got everything back: all 3 messages, with their folders and flags, because they live on the server. 1 of them now shows as read because the POP3 side’s download marked it read on the server, not because of anything IMAP did.',
      );
      expect(said).toContain('POP3 also changed the server: downloading marked 1 message read on the server: your other devices now see it as read.');
    } else {
      expect(said).toContain('IMAP got everything back: all 3 messages, with their folders and flags, because they live on the server.');
      expect(said).not.toContain('read on the server');
    }
    expect(said).not.toMatch(/came back in another folder or with other flags/);
  });

  it('on a server that leaves flags alone on download: no such effect is shown', async (context) => {
    const [user] = await leaseMailboxes(context, 1, { special: 'pop3KeepsFlags' });
    const tag = uniqueTag();
    const uids = await appendMessages(user!, [rawMessage(tag, 1), withoutMessageId(tag, 2), withoutMessageId(tag, 3)]);
    const opened = await openLab(context, user!, 3);
    // Downloaded by POP3 when the Lab opened, and still unread for every other device.
    expect([...(await serverFolder(user!)).values()].every((flags) => !flags.includes('\\seen'))).toBe(true);
    const { said, readOnServer } = await computerDiedAfterUnread(opened, tag, uids);
    expect(readOnServer).toBe(false);
    expect(said).toContain('IMAP got everything back: all 3 messages, with their folders and flags, because they live on the server.');
    expect(said).toContain('POP3 got back all 3 messages');
    expect(said).not.toContain('read on the server');
    expect(await labelOf(row(opened.lab, 'IMAP side', `${tag} message 1`))).toMatch(/^Unread/);
  });
});
