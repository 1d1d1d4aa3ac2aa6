import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors } from 'playwright-core';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account } from '../../shared/model';
import { appendMessages, leaseMailboxes, uniqueTag } from '../mailstack';
import type { TestUser } from '../mailstack';
import { accountFor } from '../mailstack/fixtures';
import { openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

/**
 * Reading mail in the real page (Chromium, the built renderer) against real
 * Dovecot: what a hostile HTML mail can and cannot do, remote pictures only
 * after the user says so, attachments saved byte for byte, the source, and
 * text shown as text. Driven through roles, labels and keys only.
 */
let session: TwinboxSession | undefined;
let recorder: Recorder | undefined;

afterEach(async () => {
  await session?.dispose();
  session = undefined;
  await recorder?.close();
  recorder = undefined;
});

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

interface Recorder {
  origin: string;
  /** Every request the server saw, in order. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** A web server on loopback standing in for the senders' servers: it answers pictures and remembers every request. */
async function startRecorder(): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({ path: request.url ?? '', headers: request.headers });
    if (request.url?.endsWith('.png')) response.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const paths = (r: Recorder): string[] => r.requests.map((request) => request.path).sort();

/** Opens Twinbox on the user's account; main may fetch pictures from `imageServer` (on loopback) and from no other internal address. */
async function open(context: Parameters<typeof accountFor>[0], user: TestUser, protocol: 'imap' | 'pop3', extra: Partial<Account> = {}, imageServer?: Recorder): Promise<Page> {
  session = await openTwinbox({
    beforeOpen: async (call) => {
      await call('accounts.save', { account: accountFor(context, user, protocol, extra), incomingPassword: user.password });
    },
    internalImageHosts: imageServer ? [new URL(imageServer.origin).host] : [],
  });
  return session.page;
}

async function openMessage(page: Page, subject: string): Promise<Locator> {
  const option = page.getByRole('listbox', { name: 'Messages' }).getByRole('option', { name: new RegExp(subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  await option.click();
  const article = page.getByRole('article', { name: 'Message' });
  await article.getByRole('heading', { name: subject }).waitFor();
  return article;
}

/** The message's HTML, as the user sees it: inside the reading frame. */
function mailText(page: Page): FrameLocator {
  return page.getByTitle('Message text').contentFrame();
}

/** The reading frame once it has loaded everything it is going to load (every picture fetched or refused). */
async function frameSettled(page: Page): Promise<Frame> {
  const frame = await (await page.getByTitle('Message text').elementHandle()).contentFrame();
  if (!frame) throw new Error('no reading frame');
  await frame.waitForLoadState('load');
  return frame;
}

/** 0 until the picture is drawn, or while the frame shows no such picture yet (polled: a new frame document may come). */
async function naturalWidth(picture: Locator): Promise<number> {
  try {
    return await picture.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth, undefined, { timeout: 2000 });
  } catch (error) {
    // Only "not there yet" means 0: anything else (two frames where one is expected, say) is the answer.
    if (error instanceof errors.TimeoutError) return 0;
    throw error;
  }
}

/** Waits until the picture is drawn; if it never is, the failure says what the reader showed instead. */
async function expectDrawn(page: Page, picture: Locator, requestsSince = 0): Promise<void> {
  await expect
    .poll(() => naturalWidth(picture))
    .toBe(1)
    .catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the reader then: ${await readerState(page, requestsSince)}`);
    });
}

/** What the reader shows and what reached the pictures' server, for a failure to say more than "0, expected 1". */
async function readerState(page: Page, since: number): Promise<string> {
  const article = await page
    .getByRole('article', { name: 'Message' })
    .innerText({ timeout: 2000 })
    .catch((error: unknown) => String(error));
  const frames = await page.getByTitle('Message text').count();
  const document = frames === 1 ? ((await page.getByTitle('Message text').getAttribute('srcdoc')) ?? '').replace(/data:[^"')\s]{60,}/g, (uri) => `${uri.slice(0, 40)}…`) : '';
  const requests = recorder?.requests.slice(since).map((r) => r.path) ?? [];
  // What the frames really hold, which can differ from the srcdoc attribute they were last given.
  const shown = await Promise.all(
    page
      .frames()
      .filter((frame) => frame !== page.mainFrame())
      .map((frame) =>
        Promise.race([
          // A string, as this file is typed without the DOM.
          frame.evaluate(`({
            body: document.body.innerHTML.replace(/data:[^"')\\s]{60,}/g, (uri) => uri.slice(0, 40) + '…').slice(-600),
            pictures: [...document.images].map((image) => image.alt + ': complete ' + image.complete + ', width ' + image.naturalWidth),
          })`),
          new Promise<string>((resolve) => setTimeout(() => resolve('no answer in 2 s'), 2000)),
        ]).catch((error: unknown) => String(error)),
      ),
  );
  return JSON.stringify({ article, frames, document: document.slice(-1500), shown, requests, pageErrors: session?.pageErrors ?? [] });
}

/** Lines joined as mail wants them. */
const crlf = (lines: string[]): string => lines.join('\r\n');

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * What the receiving server writes above a message it took in: its hop, and what it found when it checked the
 * sender (RFC 8601). The reader believes only the topmost such field, and applies "always load images from this
 * sender" only to a message whose field shows a pass for the From address's domain.
 */
function receivedWith(results: string): string[] {
  return [
    'Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.twinbox.test with ESMTPS id 4711; Thu, 01 Jan 2026 09:59:59 +0000',
    `Authentication-Results: mx.twinbox.test; ${results}`,
  ];
}

/** The newsletter's own signature checked out: it comes from example.org. */
const SIGNED_BY_SENDER = 'dkim=pass header.d=example.org header.s=news; spf=pass smtp.mailfrom=bounce@example.org';

function hostileMail(origin: string, tag: string): string {
  const html = `<html><head>
<style>
body { background-image: url("${origin}/sheet-background.png"); }
@import url("${origin}/import.css");
@font-face { font-family: Tracked; src: url("${origin}/font.woff"); }
.escaped { background: u\\72l(${origin}/escaped.png); }
.by-variable { --picture: u\\72l(${origin}/variable.png); background-image: var(--picture); }
.by-string { --address: "${origin}/image-set.png"; background-image: image-set(var(--address) 1x); }
</style>
<link rel="stylesheet" href="${origin}/link.css">
<meta http-equiv="refresh" content="0; url=${origin}/refresh">
<base href="${origin}/base/">
</head>
<body onload="fetch('${origin}/onload-ran')">
<h1>Weekly news ${tag}</h1>
<p>Hello reader, this is the news.</p>
<img src="${origin}/tracker.png" alt="Tracker picture" width="1" height="1">
<img src="not-there.png" alt="Broken picture" onerror="fetch('${origin}/onerror-ran');document.body.textContent='HANDLER RAN'">
<script>fetch('${origin}/script-ran'); try { parent.document.title = 'owned'; } catch (e) {} document.body.textContent = 'SCRIPT RAN'; top.location = '${origin}/navigated';</script>
<div class="escaped" style="background-image: url('${origin}/style-background.png')">Styled block</div>
<table background="${origin}/table-background.png"><tr><td>Table cell</td></tr></table>
<img srcset="${origin}/srcset-1x.png 1x, ${origin}/srcset-2x.png 2x" alt="Responsive picture">
<p class="by-variable by-string">Variables</p>
<svg><image href="${origin}/svg-image.png" width="10" height="10"></image></svg>
<input type="image" src="${origin}/input.png" alt="Go">
<iframe src="${origin}/iframe"></iframe>
<object data="${origin}/object"></object>
<video poster="${origin}/poster.png" src="${origin}/video.mp4"></video>
<p><a href="https://example.com/offer?id=${tag}" title="Totally safe">Read the offer</a></p>
<form action="${origin}/form"><input name="q"><button>Send</button></form>
</body></html>`;
  return crlf([
    ...receivedWith(SIGNED_BY_SENDER),
    'From: Weekly News <news@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} hostile`,
    `Message-ID: <${tag}.hostile@twinbox.test>`,
    'Date: Thu, 01 Jan 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    html.replace(/\n/g, '\r\n'),
    '',
  ]);
}

/** The same sender again, with one remote picture. */
function secondMail(origin: string, tag: string): string {
  return crlf([
    ...receivedWith(SIGNED_BY_SENDER),
    'From: Weekly News <news@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} second`,
    `Message-ID: <${tag}.second@twinbox.test>`,
    'Date: Fri, 02 Jan 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<p>Second issue.</p><img src="${origin}/second.png" alt="Second picture">`,
    '',
  ]);
}

/** A one-picture issue of the newsletter, under the trace fields given (none: a message nobody checked). */
function newsIssue(origin: string, tag: string, issue: string, day: number, trace: string[]): string {
  return crlf([
    ...trace,
    'From: Weekly News <news@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} ${issue}`,
    `Message-ID: <${tag}.${issue}@twinbox.test>`,
    `Date: Mon, ${String(day).padStart(2, '0')} Feb 2026 10:00:00 +0000`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<p>Issue ${issue}.</p><img src="${origin}/${issue}.png" alt="Picture of ${issue}">`,
    '',
  ]);
}

/** HTML and text, a picture shown inside it (cid:), a file, and a signature. */
function richMail(tag: string, file: Buffer): string {
  return crlf([
    'From: Colleague <colleague@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} report`,
    `Message-ID: <${tag}.report@twinbox.test>`,
    'Date: Sat, 03 Jan 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mixed"',
    '',
    '--mixed',
    'Content-Type: multipart/related; boundary="related"',
    '',
    '--related',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The plain version: the report is attached.',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<p>The <b>HTML</b> version: the report is attached.</p><img src="cid:logo@${tag}" alt="Company logo">`,
    '--alt--',
    '--related',
    'Content-Type: image/png',
    `Content-ID: <logo@${tag}>`,
    'Content-Disposition: inline; filename="logo.png"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(PNG),
    '--related--',
    '--mixed',
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename="report.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(file),
    '--mixed',
    'Content-Type: application/pkcs7-signature; name="smime.p7s"',
    'Content-Disposition: attachment; filename="smime.p7s"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(randomBytes(64)),
    '--mixed--',
    '',
  ]);
}

function textMail(tag: string): string {
  return crlf([
    'From: Plain Sender <plain@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} plain`,
    `Message-ID: <${tag}.plain@twinbox.test>`,
    'Date: Sun, 04 Jan 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Markup in a text mail is text: <b>not bold</b> <img src="http://127.0.0.1:1/never.png">',
    '',
  ]);
}

async function saveAndRead(page: Page, article: Locator, name: string): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), article.getByRole('button', { name: `Save ${name}` }).click()]);
  expect(download.suggestedFilename()).toBe(name);
  return readFile(await download.path());
}

describe('reading an HTML mail', () => {
  it('fetches nothing and runs nothing until the user allows pictures, then exactly the pictures; "always" holds for the sender', async (context) => {
    recorder = await startRecorder();
    const { origin } = recorder;
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [hostileMail(origin, tag), secondMail(origin, tag)]);
    const page = await open(context, user!, 'imap', {}, recorder);
    const startUrl = page.url();

    const article = await openMessage(page, `${tag} hostile`);
    await mailText(page).getByText('Hello reader, this is the news.').waitFor();
    await frameSettled(page);
    // Nothing reached the senders' server: no picture, no style sheet, no font, no frame, no script.
    expect(paths(recorder)).toEqual([]);
    await expect(page.title()).resolves.toBe('Twinbox');
    expect(page.url()).toBe(startUrl);
    expect(await mailText(page).getByText(/SCRIPT RAN|HANDLER RAN/).count()).toBe(0);
    await mailText(page).getByText('Styled block').waitFor();
    // Three layers stop all this (the sanitiser, the frame's sandbox, the policies), and any one would hide the loss
    // of another from the checks above; so each is checked on its own: the document names no address of the sender's
    // server at all, and the frame may run no script.
    const frame = page.getByTitle('Message text');
    expect(await frame.getAttribute('srcdoc')).not.toContain(origin);
    expect(await frame.getAttribute('sandbox')).toBe('');

    // The bar says what was blocked: every distinct picture, in <img>, srcset, background and CSS alike.
    const bar = article.getByRole('region', { name: 'Remote images' });
    await bar.getByText(/^7 remote images were blocked/).waitFor();
    const always = bar.getByRole('button', { name: 'Always load images from news@example.org' });
    expect(await always.getAttribute('aria-pressed')).toBe('false');

    // A link shows where it goes (not what its author's title claims), and clicking it goes nowhere.
    const link = mailText(page).getByText('Read the offer');
    expect(await link.getAttribute('title')).toBe(`https://example.com/offer?id=${tag}`);
    await link.click();
    expect(page.url()).toBe(startUrl);
    expect((await frameSettled(page)).url()).toBe('about:srcdoc');
    await mailText(page).getByText('Hello reader, this is the news.').waitFor();
    await article.getByText('Links in this message (1)').click();
    await article.getByText(`https://example.com/offer?id=${tag}`).waitFor();

    // "Load images": main fetches the pictures and nothing else, without cookies or referrer.
    await bar.getByRole('button', { name: 'Load images', exact: true }).click();
    const tracker = mailText(page).getByRole('img', { name: 'Tracker picture' });
    await expect.poll(() => tracker.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await expectDrawn(page, tracker);
    await bar.getByText('Remote images are shown.').waitFor();
    expect(paths(recorder)).toEqual(
      ['/escaped.png', '/sheet-background.png', '/srcset-1x.png', '/srcset-2x.png', '/style-background.png', '/table-background.png', '/tracker.png'].sort(),
    );
    expect(recorder.requests.every((r) => r.headers.cookie === undefined && r.headers.referer === undefined)).toBe(true);
    // Still no script, handler or navigation once the pictures are in.
    await frameSettled(page);
    expect(await mailText(page).getByText(/SCRIPT RAN|HANDLER RAN/).count()).toBe(0);
    await expect(page.title()).resolves.toBe('Twinbox');

    // "Always load images from …": the next message from this sender loads its picture without being asked.
    await always.click();
    await expect.poll(() => always.getAttribute('aria-pressed')).toBe('true');
    const before = recorder.requests.length;
    await openMessage(page, `${tag} second`);
    const second = mailText(page).getByRole('img', { name: 'Second picture' });
    await expectDrawn(page, second, before);
    expect(recorder.requests.slice(before).map((r) => r.path)).toEqual(['/second.png']);
    await page.getByRole('region', { name: 'Remote images' }).getByText('Remote images are shown.').waitFor();
    expect(session!.pageErrors).toEqual([]);
  });

  // Whether a picture then arrives is up to main's image fetching; what is checked here is whether the reader
  // asks first, which the bar shows either way (and the recorder, for pictures that must not be fetched).
  it('"always" holds only for mail that shows it comes from the sender: a forged or unchecked message asks, and says why', async (context) => {
    recorder = await startRecorder();
    const { origin } = recorder;
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    await appendMessages(user!, [
      newsIssue(origin, tag, 'first', 2, receivedWith(SIGNED_BY_SENDER)),
      // The receiving server found a signature by someone else and DMARC failing; the forger's own field, claiming
      // the server's name, came with the message and so stands below the server's.
      newsIssue(origin, tag, 'forged', 3, [
        ...receivedWith('dkim=pass header.d=evil.test; spf=pass smtp.mailfrom=evil.test; dmarc=fail (p=reject) header.from=example.org'),
        'Authentication-Results: mx.twinbox.test; dkim=pass header.d=example.org; dmarc=pass header.from=example.org',
      ]),
      newsIssue(origin, tag, 'unchecked', 4, []),
      newsIssue(origin, tag, 'later', 5, receivedWith(SIGNED_BY_SENDER)),
    ]);
    // Main may fetch from the recorder, so a picture loaded without asking would show up there.
    const page = await open(context, user!, 'imap', {}, recorder);
    const bar = page.getByRole('article', { name: 'Message' }).getByRole('region', { name: 'Remote images' });
    const always = bar.getByRole('button', { name: 'Always load images from news@example.org' });
    const blocked = bar.getByText(/^1 remote image was blocked/);
    const notVerified = bar.getByText(/^Sender not verified: nothing shows that this message really comes from news@example\.org/);

    // A verified message offers "always", and the user takes it.
    await openMessage(page, `${tag} first`);
    await blocked.waitFor();
    expect(await notVerified.count()).toBe(0);
    await always.click();
    await expect.poll(() => always.getAttribute('aria-pressed')).toBe('true');

    // Forged and unchecked mail under the same From: the prompt, the reason, no "always", nothing asked of the server.
    for (const issue of ['forged', 'unchecked']) {
      await openMessage(page, `${tag} ${issue}`);
      await mailText(page).getByText(`Issue ${issue}.`).waitFor();
      await frameSettled(page);
      await notVerified.waitFor();
      await blocked.waitFor();
      expect(await bar.getByRole('button', { name: /^Always load images/ }).count()).toBe(0);
      expect(await bar.getByRole('status').count()).toBe(0);
      expect(recorder.requests.map((r) => r.path)).not.toContain(`/${issue}.png`);
    }
    // "Load images" still works for the one message.
    await bar.getByRole('button', { name: 'Load images', exact: true }).click();
    await expect.poll(() => blocked.count()).toBe(0);

    // The next verified message from the sender loads without asking.
    await openMessage(page, `${tag} later`);
    await mailText(page).getByText('Issue later.').waitFor();
    await expect.poll(() => blocked.count()).toBe(0);
    expect(await always.getAttribute('aria-pressed')).toBe('true');
    expect(await notVerified.count()).toBe(0);
    expect(session!.pageErrors).toEqual([]);
  });
});

describe('reading in IMAP mode', () => {
  it('shows inline pictures, saves a file byte for byte, shows the source, and text as text', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const file = randomBytes(48 * 1024);
    const rich = richMail(tag, file);
    await appendMessages(user!, [rich, textMail(tag)]);
    const page = await open(context, user!, 'imap');

    let article = await openMessage(page, `${tag} report`);
    // The picture the HTML names by Content-ID comes from the message itself.
    const logo = mailText(page).getByRole('img', { name: 'Company logo' });
    await expectDrawn(page, logo);
    // Files are listed with name, type and size; the inline picture is not a file, the signature is "Signed".
    const attachments = article.getByRole('region', { name: 'Attachments' });
    const listed = attachments.getByRole('listitem');
    await listed.first().waitFor();
    expect(await listed.count()).toBe(1);
    await listed.getByText('report.bin', { exact: true }).waitFor();
    await listed.getByText('application/octet-stream', { exact: true }).waitFor();
    await listed.getByText('48 KB', { exact: true }).waitFor();
    expect(await attachments.getByRole('button').allTextContents()).toEqual(['Save report.bin']);
    await article.getByText('Signed', { exact: true }).waitFor();

    // Save goes through the browser's download here: the bytes are exactly the attachment's.
    expect((await saveAndRead(page, article, 'report.bin')).equals(file)).toBe(true);

    // HTML and text: the toggle shows the text version, as text, and back.
    const toggle = article.getByRole('button', { name: 'Show plain text' });
    await toggle.press('Enter');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await article.getByRole('region', { name: 'Message text' }).getByText('The plain version: the report is attached.').waitFor();
    expect(await page.getByTitle('Message text').count()).toBe(0);
    await toggle.press('Enter');
    await mailText(page).getByText('version: the report is attached.').waitFor();

    // View source: the exact message, from the server.
    await article.getByRole('button', { name: 'View source' }).press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Message source' });
    const source = dialog.getByLabel('Message source text');
    await source.waitFor();
    expect(await source.textContent()).toBe(rich);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // A text mail is shown as text: its markup is characters, not elements.
    article = await openMessage(page, `${tag} plain`);
    await article.getByText('Markup in a text mail is text: <b>not bold</b> <img src="http://127.0.0.1:1/never.png">').waitFor();
    expect(await article.getByRole('button', { name: 'Show plain text' }).count()).toBe(0);
    expect(await page.getByTitle('Message text').count()).toBe(0);
    expect(session!.pageErrors).toEqual([]);
  });
});

describe('reading in POP3 mode', () => {
  it('saves a file byte for byte from the local copy, shows inline pictures and the source from it', async (context) => {
    const [user] = await leaseMailboxes(context, 1);
    const tag = uniqueTag();
    const file = randomBytes(30 * 1024);
    const rich = richMail(tag, file);
    await appendMessages(user!, [rich]);
    const page = await open(context, user!, 'pop3', { pop3: { retention: { kind: 'keep' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 } });

    const article = await openMessage(page, `${tag} report`);
    const logo = mailText(page).getByRole('img', { name: 'Company logo' });
    await expectDrawn(page, logo);
    expect((await saveAndRead(page, article, 'report.bin')).equals(file)).toBe(true);

    await article.getByRole('button', { name: 'View source' }).click();
    const source = page.getByRole('dialog', { name: 'Message source' }).getByLabel('Message source text');
    expect(await source.textContent()).toBe(rich);
    expect(session!.pageErrors).toEqual([]);
  });
});
