import { afterEach, describe, expect, it } from 'vitest';
import { demoMessages, seedMailbox } from '../../demo/seed';
import { startImageServer } from '../../demo/images';
import { ALLOW_INTERNAL_IMAGE_HOSTS, internalImageHostsFrom } from '../../main/address-policy';
import { parseMessage } from '../../main/mime/parse';
import { fetchRemoteImages } from '../../main/remote-images';
import { appendMessages, eventually, leaseMailboxes, openImap, uniqueTag } from '../mailstack';
import { rawMessage, serverFolder } from '../mailstack/fixtures';
import { closeLab, column, escape, expectLine, imapCaughtUp, labelOf, labSession, measured, openLab, row, SCENARIO_TIMEOUT, seedTarget, verdict } from './lab-harness';

/**
 * The Protocol Lab in Chromium against the real Dovecot and Postfix: each
 * scenario run from its button, its outcome checked in the three columns and
 * on the server itself, and its verdict read as the user reads it. Driven by
 * roles, names and keys only.
 */
afterEach(closeLab);

describe('the Protocol Lab', () => {
  it('explains Mark read per side: IMAP sets the flag on the server with STORE, POP3 changes this computer only', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const uids = await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i)));
    const uid2 = uids[1];
    const { lab, imap } = await openLab(context, user!, 3);
    // Some servers (this Dovecot) mark mail read when POP3 downloads it; a phone marks message 2 unread again.
    await labSession().call('lab.otherDevice', { accountId: imap.id, action: 'unread', messageId: `${tag}.2@twinbox.test` });
    await expect.poll(() => labelOf(row(lab, 'IMAP side', `${tag} message 2`)), { timeout: 15_000 }).toMatch(/^Unread/);
    await imapCaughtUp(lab, user!, tag, uids);
    expect(await labelOf(row(lab, 'POP3 side', `${tag} message 2`))).toMatch(/^Unread/);

    await row(lab, 'Server', `${tag} message 2`).click();
    await lab.getByRole('toolbar', { name: 'Lab actions' }).getByRole('button', { name: 'Mark read' }).click();
    const report = lab.getByRole('region', { name: 'What happened' });
    await report.getByRole('heading', { name: `Mark read: “${tag} message 2”` }).waitFor(SCENARIO_TIMEOUT);

    const imapCard = report.getByRole('article', { name: 'IMAP side' });
    await imapCard.getByText(new RegExp(`^On the server: “${escape(tag)} message 2” marked read \\(\\\\Seen set\\) in Inbox\\.$`)).waitFor();
    // Other traffic of that side may share the moment (an IDLE push, the sync it starts); the STORE is there, with its bytes.
    expect(await imapCard.getByText(/^Commands: /).innerText()).toMatch(/^Commands: (.+, )?UID STORE(, .+)? — \d+ commands?, \d+ round trips?, \d+ B sent, [\d.]+ K?B received\./);
    await expectLine(imapCard, new RegExp(`^On this computer: “${escape(tag)} message 2” marked read in Inbox\\.$`));

    const pop3Card = report.getByRole('article', { name: 'POP3 side' });
    await pop3Card.getByText(/^On the server: nothing changed\.$/).waitFor();
    await expectLine(pop3Card, new RegExp(`^On this computer: “${escape(tag)} message 2” marked read in Inbox\\.$`));
    await pop3Card.getByText(/^Commands: none: nothing went over the wire\./).waitFor();

    // What the cards say is what the server and the columns show.
    expect((await serverFolder(user!)).get(String(uid2))).toContain('\\seen');
    expect(await labelOf(row(lab, 'POP3 side', `${tag} message 2`))).toMatch(/^Read/);
    expect(await labelOf(row(lab, 'IMAP side', `${tag} message 2`))).toMatch(/^Read/);
  });

  it('“Another device reads a message”: IMAP shows it read, POP3 never learns', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const [uid1] = await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i)));
    const { lab } = await openLab(context, user!, 3);
    await row(lab, 'POP3 side', `${tag} message 1`).click();
    await lab.getByRole('button', { name: 'Another device reads a message' }).click();

    const said = await verdict(lab, /POP3/);
    expect(said).toMatch(/^IMAP showed it as read within [\d.]+ s because the flag lives on the server/);
    expect(said).toMatch(/POP3 still shows it unread, even after checking the server: POP3 never learns about flags\.$/);
    expect(await labelOf(row(lab, 'IMAP side', `${tag} message 1`))).toMatch(/^Read/);
    expect(await labelOf(row(lab, 'POP3 side', `${tag} message 1`))).toMatch(/^Unread/);
    expect((await serverFolder(user!)).get(String(uid1))).toContain('\\seen');
    // The POP3 side did check the server, and it cost something; the IMAP side heard of it.
    expect(Number((await measured(lab, 'Commands'))[0])).toBeGreaterThan(0);
    expect(Number((await measured(lab, 'Round trips'))[1])).toBeGreaterThan(0);
  });

  it('“This computer died” on the demo mailbox: IMAP gets everything back, POP3 only what the server kept', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const messages = demoMessages({ owner: { name: 'Demo', address: user!.address }, imageOrigin: 'http://127.0.0.1:9' });
    await seedMailbox(seedTarget(user!), messages);
    const { lab, imap } = await openLab(context, user!, messages.length);
    // After POP3 downloaded them, a phone deletes two messages on the server.
    for (const id of ['party', 'order']) await labSession().call('lab.otherDevice', { accountId: imap.id, action: 'delete', messageId: `${id}@demo.twinbox.invalid` });
    const kept = messages.length - 2;
    await expect.poll(() => column(lab, 'IMAP side').getByRole('option').count(), { timeout: 15_000 }).toBe(kept);

    await lab.getByRole('button', { name: 'This computer died' }).click();
    const said = await verdict(lab, /POP3 got back/);
    expect(said).toContain(`IMAP got everything back: all ${kept} messages, with their folders and flags, because they live on the server.`);
    expect(said).toContain(`POP3 got back only ${kept} of ${messages.length}: what the server still keeps under its retention policy (keep a copy on the server`);
    expect(said).toMatch(/The other 2 were only on this computer and are gone for good \(.*“🎉 Party on Friday!”/);
    await expect.poll(() => column(lab, 'POP3 side').getByRole('option').count()).toBe(kept);
    expect(await row(lab, 'POP3 side', 'Party on Friday').count()).toBe(0);
    expect(await measured(lab, 'Messages on this computer')).toEqual([String(kept), String(kept)]);
    // POP3 downloads every message whole again; IMAP fetched summaries (and some bodies in the background).
    expect(Number((await measured(lab, 'Messages in the mail folder'))[0])).toBe(kept);
  });

  it('“Leave on server for N days”: shows what falls due and when, and deletes on the server only once confirmed', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2, 3].map((i) => rawMessage(tag, i)));
    const { page, lab } = await openLab(context, user!, 3);
    await lab.getByRole('spinbutton', { name: 'Days on the server' }).fill('3');
    await lab.getByRole('spinbutton', { name: 'Days to advance' }).fill('2');
    expect(await lab.getByRole('status', { name: 'Lab clock' }).innerText()).toMatch(/\(real time\)$/);

    await lab.getByRole('button', { name: 'Advance the clock by 2 days' }).click();
    const plan = lab.getByRole('region', { name: 'Due on the server' });
    await plan.getByText(/would now delete nothing on the server\./).waitFor(SCENARIO_TIMEOUT);
    await plan.getByText(/^The next ones fall due on /).waitFor();
    expect(await plan.getByRole('list', { name: 'Falling due later' }).getByRole('listitem').count()).toBe(3);
    expect(await lab.getByRole('status', { name: 'Lab clock' }).innerText()).toMatch(/\(2 days ahead\)$/);

    await lab.getByRole('button', { name: 'Advance the clock by 2 days' }).click();
    const due = plan.getByRole('list', { name: 'Would be deleted on the server now' });
    await due.waitFor(SCENARIO_TIMEOUT);
    expect((await due.getByRole('listitem').allInnerTexts()).sort()).toEqual([1, 2, 3].map((i) => `${tag} message ${i}`));

    // Nothing goes before the user says so, and Cancel deletes nothing.
    await plan.getByRole('button', { name: 'Delete them on the server…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete 3 messages on the server?' });
    await dialog.waitFor();
    expect((await serverFolder(user!)).size).toBe(3);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await verdict(lab, /^Nothing was deleted on the server: you cancelled\./);
    expect((await serverFolder(user!)).size).toBe(3);

    await plan.getByRole('button', { name: 'Delete them on the server…' }).click();
    await dialog.getByRole('button', { name: 'Delete on the server' }).click();
    const said = await verdict(lab, /^After 4 days/);
    expect(said).toContain('After 4 days on the Lab clock, the POP3 side deleted 3 messages on the server under “keep for 3 days” (its Inbox held 3, now 0).');
    expect(said).toContain('This computer still has all 3: for POP3 they live here now.');
    expect(said).toContain('The IMAP side no longer shows them: on the server they are gone for every device.');
    expect((await serverFolder(user!)).size).toBe(0);
    await expect.poll(() => column(lab, 'IMAP side').getByRole('option').count()).toBe(0);
    await expect.poll(async () => (await column(lab, 'POP3 side').getByRole('option').allInnerTexts()).filter((text) => text.includes('only on this computer')).length).toBe(3);
    expect((await measured(lab, 'Commands'))[0]).not.toBe('0');
  });

  it('“Two devices on POP3”: what the other computer takes first, this one never sees', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2].map((i) => rawMessage(tag, i)));
    const { lab } = await openLab(context, user!, 2);
    await lab.getByRole('button', { name: 'Two devices on POP3' }).click();

    const said = await verdict(lab, /never saw/);
    expect(said).toMatch(/^This computer never saw 3 messages: the other computer downloaded them first and deleted them from the server \(delete after download\)/);
    expect(said).toContain('“Lab: arrived at');
    expect(said).toContain('The other computer also took the 2 messages this computer already had off the server: this computer keeps 2 of them, but the server no longer has them, and neither does the IMAP side (its Inbox shows 0).');
    expect((await serverFolder(user!)).size).toBe(0);
    expect(await column(lab, 'POP3 side').getByRole('option').count()).toBe(2);
    expect(await row(lab, 'POP3 side', 'while this computer was away').count()).toBe(0);
    await expect.poll(() => column(lab, 'IMAP side').getByRole('option').count()).toBe(0);
  });

  it('on a real mailbox warns, and asks before any POP3 deletion on the server; cancelling deletes nothing there', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const [uid1, uid2] = await appendMessages(user!, [1, 2].map((i) => rawMessage(tag, i)));
    const { page, lab } = await openLab(context, user!, 2, { retention: { kind: 'until-deleted-here' }, demo: false });
    await lab.getByRole('alert').getByText('This is a real mailbox: the scenarios change it.').waitFor();

    // A scenario that changes the server asks first; cancelled, the server is as it was.
    const flagsBefore = await serverFolder(user!);
    await lab.getByRole('button', { name: 'Another device reads a message' }).click();
    await page.getByRole('dialog', { name: 'Change your real mailbox?' }).getByRole('button', { name: 'Cancel' }).click();
    await lab.getByRole('status', { name: 'Lab progress' }).getByText('Ready.').waitFor();
    expect(await serverFolder(user!)).toEqual(flagsBefore);

    // Deleting here would, under this account's policy, delete on the server: the Lab asks before.
    await row(lab, 'POP3 side', `${tag} message 1`).click();
    await lab.getByRole('toolbar', { name: 'Lab actions' }).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this message on the server too?' });
    await dialog.waitFor(SCENARIO_TIMEOUT);
    expect([...(await serverFolder(user!)).keys()]).toEqual([String(uid1), String(uid2)]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    const pop3Card = lab.getByRole('region', { name: 'What happened' }).getByRole('article', { name: 'POP3 side' });
    await pop3Card.getByText('You chose to keep the server copy: nothing was deleted there.').waitFor(SCENARIO_TIMEOUT);
    await pop3Card.getByText(/^On the server: nothing changed\.$/).waitFor();
    await pop3Card.getByText(new RegExp(`^On this computer: “${escape(tag)} message 1” moved from Inbox to Trash\\.$`)).waitFor();
    // The IMAP side's delete moves its copy to the Trash (that is IMAP); nothing was expunged by POP3.
    await lab.getByRole('region', { name: 'What happened' }).getByRole('article', { name: 'IMAP side' }).getByText(/^On the server: .* moved from Inbox to Trash\.$/).waitFor();
    await eventually(async () => ((await serverFolder(user!)).size + (await serverFolder(user!, 'Trash')).size === 2 ? true : undefined));
    expect(await row(lab, 'POP3 side', `${tag} message 1`).count()).toBe(0);
  });

  it('holds the POP3 account’s own deletions while open: new mail stays on the server under “delete after download”', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [1, 2].map((i) => rawMessage(tag, i)));
    // With the Lab closed, the first check follows the policy: downloaded, then deleted on the server.
    const { lab } = await openLab(context, user!, { pop3: 2, imap: 0 }, {
      retention: { kind: 'delete-after-download' },
      beforeLab: () => eventually(async () => ((await serverFolder(user!)).size === 0 ? true : undefined), 20_000),
    });

    await lab.getByRole('button', { name: 'New mail arrives' }).click();
    const report = lab.getByRole('region', { name: 'What happened' });
    await report.getByRole('heading', { name: /^New mail arrives: / }).waitFor(SCENARIO_TIMEOUT);
    const pop3Card = report.getByRole('article', { name: 'POP3 side' });
    await pop3Card.getByText(/^On this computer: “Lab: new mail at .*” appeared in Inbox\.$/).waitFor();
    // Downloaded, and still on the server: the Lab deletes there only what the user confirms.
    expect(await pop3Card.getByText(/^On the server: /).innerText()).not.toMatch(/removed/);
    expect((await serverFolder(user!)).size).toBe(1);
    await expect.poll(() => column(lab, 'POP3 side').getByRole('option').count()).toBe(3);
  });
});

describe('the demo mailbox', () => {
  it('is seeded with a few dozen varied messages that read back whole', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const images = await startImageServer();
    try {
      const messages = demoMessages({ owner: { name: 'Demo', address: user!.address }, imageOrigin: images.origin });
      expect(messages.length).toBeGreaterThanOrEqual(30);
      expect(await seedMailbox(seedTarget(user!), messages)).toBe(messages.length);

      const client = await openImap(user!);
      const found: { flags: string[]; source: Buffer }[] = [];
      try {
        const lock = await client.getMailboxLock('INBOX');
        try {
          for await (const message of client.fetch('1:*', { flags: true, source: true })) {
            if (message.source) found.push({ flags: [...(message.flags ?? [])], source: message.source });
          }
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
      expect(found).toHaveLength(messages.length);
      const parsed = await Promise.all(found.map(async (m) => ({ ...m, parsed: await parseMessage(new Uint8Array(m.source)) })));
      const subjects = parsed.map((m) => m.parsed.summary.subject);
      // Non-ASCII subjects and bodies come back as written.
      expect(subjects).toEqual(expect.arrayContaining(['Grüße aus München 🍺', '会議の議事録（4月）', 'Привет из Санкт-Петербурга', 'Réunion de l’équipe — ordre du jour']));
      expect(parsed.find((m) => m.parsed.summary.subject === 'Привет из Санкт-Петербурга')?.parsed.text).toContain('разводные мосты');
      // A conversation of four, chained by References.
      expect(parsed.filter((m) => m.parsed.summary.references.includes('lisbon-1@demo.twinbox.invalid'))).toHaveLength(3);
      // Attachments, and an HTML message whose image is on the demo's own web server.
      expect(parsed.filter((m) => m.parsed.attachments.some((a) => !a.inline)).length).toBeGreaterThanOrEqual(5);
      const newsletter = parsed.find((m) => m.parsed.summary.subject.startsWith('Twinbox Weekly'));
      expect(newsletter?.parsed.html).toContain(`${images.origin}/banner.png`);
      const banner = await fetch(`${images.origin}/banner.png`);
      expect(banner.headers.get('content-type')).toBe('image/png');
      expect([...new Uint8Array(await banner.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      // Main fetches it under the setting the demo gives the app (its image server's own address and port), and
      // refuses it, without a connection, under none: it is on loopback.
      const bannerUrl = `${images.origin}/banner.png`;
      const demoSetting = internalImageHostsFrom({ [ALLOW_INTERNAL_IMAGE_HOSTS]: new URL(images.origin).host });
      expect(await fetchRemoteImages([bannerUrl], { allowedInternal: demoSetting })).toEqual([expect.objectContaining({ url: bannerUrl, ok: true })]);
      const hits = images.hits;
      expect(await fetchRemoteImages([bannerUrl])).toEqual([{ url: bannerUrl, ok: false, error: 'internal address' }]);
      expect(images.hits).toBe(hits);
      // Some read, some flagged, some not.
      const flagged = parsed.filter((m) => m.flags.includes('\\Flagged')).length;
      const read = parsed.filter((m) => m.flags.includes('\\Seen')).length;
      expect(flagged).toBeGreaterThanOrEqual(3);
      expect(read).toBeGreaterThan(5);
      expect(read).toBeLessThan(messages.length);
      expect(parsed.every((m) => m.parsed.warnings.length === 0)).toBe(true);
    } finally {
      await images.close();
    }
  });
});
