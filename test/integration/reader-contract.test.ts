import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import type { Account, MessageBody } from '../../shared/model';
import { attachmentId } from '../../main/mime/message-body';
import { appendMessage, leaseMailboxes, openImap, uniqueTag } from '../mailstack';
import { clientHarness, saveAccount } from './client-harness';
import { accountFor } from '../mailstack/fixtures';
import type { ClientHarness } from './client-harness';

/**
 * What the reader asks of main, through the same dispatch as both hosts:
 * an attachment's bytes by its opaque id (from the IMAP server, or from the
 * bytes a POP3 page sends), and remote pictures fetched by main within its
 * limits, against the real servers and a web server on loopback.
 */
let harness: ClientHarness | undefined;
let web: WebServer | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await web?.close();
  web = undefined;
});

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const LIMIT = 5 * 1024 * 1024;

function messageWithFile(tag: string, file: Buffer): string {
  return [
    'From: Colleague <colleague@example.org>',
    'To: reader@example.org',
    `Subject: ${tag} report`,
    `Message-ID: <${tag}@twinbox.test>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The report is attached.',
    '--b',
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename="report.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    (file.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'),
    '--b--',
    '',
  ].join('\r\n');
}

async function failure(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TwinboxError) return error.code;
    throw error;
  }
  throw new Error('the call succeeded');
}

async function account(context: Parameters<typeof accountFor>[0], protocol: 'imap' | 'pop3', extra: Partial<Account> = {}) {
  const [user] = await leaseMailboxes(context, 1);
  harness = clientHarness();
  const saved = await saveAccount(harness.client, accountFor(context, user!, protocol, extra), user!.password);
  return { user: user!, account: saved, client: harness.client };
}

describe('attachments.fetch', () => {
  it('IMAP: reads the file from the server by its id, and refuses an id that names another message', async (context) => {
    const { user, account: imap, client } = await account(context, 'imap');
    const tag = uniqueTag();
    const file = randomBytes(20_000);
    const uid = String(await appendMessage(user, messageWithFile(tag, file)));
    const other = String(await appendMessage(user, messageWithFile(`${tag}-other`, randomBytes(10))));
    const ref = { accountId: imap.id, folder: 'INBOX', serverId: uid };
    const body = await client.call('mail.open', ref);
    const listed = body.attachments.find((a) => a.filename === 'report.bin');
    expect(listed).toBeDefined();

    const fetched = await client.call('attachments.fetch', { ...ref, attachmentId: listed!.id });
    expect(fetched.filename).toBe('report.bin');
    expect(fetched.contentType).toBe('application/octet-stream');
    expect(Buffer.from(fetched.content).equals(file)).toBe(true);

    // An id is honoured only for the message it was issued for.
    expect(await failure(client.call('attachments.fetch', { ...ref, serverId: other, attachmentId: listed!.id }))).toBe('INVALID_REQUEST');
    expect(await failure(client.call('attachments.fetch', { ...ref, folder: 'Archive', attachmentId: listed!.id }))).toBe('INVALID_REQUEST');
    const forged = attachmentId({ accountId: 'someone-else', folder: 'INBOX', serverId: uid, index: 0 });
    expect(await failure(client.call('attachments.fetch', { ...ref, attachmentId: forged }))).toBe('INVALID_REQUEST');
    expect(await failure(client.call('attachments.fetch', { ...ref, attachmentId: `${listed!.id}x` }))).toBe('INVALID_REQUEST');
    expect(await failure(client.call('attachments.fetch', { ...ref, attachmentId: 'att1.W10' }))).toBe('INVALID_REQUEST');
    // A well-formed id for a part the message does not have.
    const beyond = attachmentId({ ...ref, index: 7 });
    expect(await failure(client.call('attachments.fetch', { ...ref, attachmentId: beyond }))).toBe('MESSAGE_GONE');
  });

  it('POP3: reads the file from this computer’s store, also once the server has deleted the message and after a local move', async (context) => {
    const { user, account: pop3, client } = await account(context, 'pop3', {
      pop3: { retention: { kind: 'keep' }, pollMinutes: 60, headersOnly: false, maxMessageBytes: 0 },
    });
    const tag = uniqueTag();
    const file = randomBytes(30_000);
    await appendMessage(user, messageWithFile(tag, file));
    const maildrop = await client.call('mail.syncStart', { accountId: pop3.id, folder: 'INBOX', state: { protocol: 'pop3' } });
    let serverId: string | undefined;
    for (;;) {
      const delta = await client.call('mail.syncNext', { syncId: maildrop.syncId });
      if (delta.kind === 'messages') serverId = delta.summaries[0]?.serverId;
      if (delta.kind === 'end') break;
    }
    if (serverId === undefined) throw new Error('POP3 sync brought no message');
    const ref = { accountId: pop3.id, folder: 'INBOX', serverId };

    // The server's copy goes (another device, or the retention policy): this computer's copy still has the file.
    const imap = await openImap(user);
    try {
      const lock = await imap.getMailboxLock('INBOX');
      try {
        await imap.messageDelete('1:*');
      } finally {
        lock.release();
      }
    } finally {
      await imap.logout();
    }
    const body: MessageBody = await client.call('mail.open', ref);
    const listed = body.attachments.find((a) => a.filename === 'report.bin')!;
    const fetched = await client.call('attachments.fetch', { ...ref, attachmentId: listed.id });
    expect(Buffer.from(fetched.content).equals(file)).toBe(true);
    // Moved to this computer's Trash, it is opened there, with ids of its own.
    await client.call('store.move', { accountId: pop3.id, folder: 'INBOX', serverIds: [serverId], target: 'Trash' });
    const inTrash = { ...ref, folder: 'Trash' };
    const moved = await client.call('mail.open', inTrash);
    const movedFile = await client.call('attachments.fetch', { ...inTrash, attachmentId: moved.attachments.find((a) => a.filename === 'report.bin')!.id });
    expect(Buffer.from(movedFile.content).equals(file)).toBe(true);
    // An id for another message (or another folder) is not honoured.
    expect(await failure(client.call('attachments.fetch', { ...inTrash, attachmentId: listed.id }))).toBe('INVALID_REQUEST');
    expect(await failure(client.call('attachments.fetch', { ...ref, serverId: 'another-uidl', attachmentId: listed.id }))).toBe('INVALID_REQUEST');
    // The source is the exact bytes the server sent.
    expect(new TextDecoder().decode(await client.call('mail.source', inTrash))).toContain(`Subject: ${tag}`);
  });
});

interface WebServer {
  origin: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** The senders' web servers: a picture, and each way an answer can fail to be one. */
async function startWebServer(): Promise<WebServer> {
  const requests: WebServer['requests'] = [];
  const routes: Record<string, (response: ServerResponse) => void> = {
    '/picture.png': (r) => r.writeHead(200, { 'content-type': 'image/png' }).end(PNG),
    '/page.html': (r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>not a picture</body></html>'),
    // Says PNG, is HTML: the bytes decide.
    '/disguised.png': (r) => r.writeHead(200, { 'content-type': 'image/png' }).end('<html><script>alert(1)</script></html>'),
    '/drawing.svg': (r) => r.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    // A picture of more than the limit, sent without a length (chunked): counted as it arrives.
    '/endless.png': (r) => {
      r.writeHead(200, { 'content-type': 'image/png' });
      r.write(PNG);
      const chunk = Buffer.alloc(256 * 1024);
      let sent = 0;
      const more = (): void => {
        while (sent <= LIMIT) {
          sent += chunk.length;
          if (!r.write(chunk)) {
            r.once('drain', more);
            return;
          }
        }
        r.end();
      };
      r.on('error', () => undefined);
      more();
    },
    '/declared-large.png': (r) => {
      r.writeHead(200, { 'content-type': 'image/png', 'content-length': String(LIMIT + 1) });
      r.write(PNG);
    },
    '/moved.png': (r) => r.writeHead(302, { location: '/picture.png' }).end(),
    '/moved-inside.png': (r) => r.writeHead(302, { location: 'http://127.0.0.1:1/picture.png' }).end(),
    '/missing.png': (r) => r.writeHead(404).end(),
  };
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.push({ path, headers: request.headers });
    (routes[path] ?? ((r: ServerResponse) => r.writeHead(404).end()))(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('mail.remoteImages', () => {
  it('returns a picture as a data: URI and refuses whatever is not a picture within the limit', async () => {
    web = await startWebServer();
    harness = clientHarness({ internalImageHosts: [new URL(web.origin).host] });
    const { origin } = web;
    const url = (path: string): string => `${origin}${path}`;
    const asked = [
      '/picture.png',
      '/picture.png',
      '/page.html',
      '/disguised.png',
      '/drawing.svg',
      '/endless.png',
      '/declared-large.png',
      '/moved.png',
      '/moved-inside.png',
      '/missing.png',
    ];
    const results = await harness.client.call('mail.remoteImages', { urls: asked.map(url) });
    const byPath = new Map(results.map((result) => [result.url.slice(origin.length), result]));

    // Asked twice, fetched once.
    expect(results).toHaveLength(asked.length - 1);
    expect(web.requests.filter((r) => r.path === '/picture.png')).toHaveLength(2); // once directly, once through the redirect
    const picture = byPath.get('/picture.png');
    expect(picture).toMatchObject({ ok: true, bytes: PNG.length });
    expect(picture?.ok && picture.dataUri.startsWith('data:image/png;base64,')).toBe(true);
    expect(picture?.ok && Buffer.from(picture.dataUri.slice('data:image/png;base64,'.length), 'base64').equals(PNG)).toBe(true);
    expect(byPath.get('/moved.png')).toMatchObject({ ok: true, bytes: PNG.length });

    expect(byPath.get('/page.html')).toEqual({ url: url('/page.html'), ok: false, error: 'not a picture' });
    expect(byPath.get('/disguised.png')).toEqual({ url: url('/disguised.png'), ok: false, error: 'not a picture' });
    expect(byPath.get('/drawing.svg')).toEqual({ url: url('/drawing.svg'), ok: false, error: 'not a picture' });
    expect(byPath.get('/endless.png')).toEqual({ url: url('/endless.png'), ok: false, error: 'too large' });
    expect(byPath.get('/declared-large.png')).toEqual({ url: url('/declared-large.png'), ok: false, error: 'too large' });
    expect(byPath.get('/missing.png')).toEqual({ url: url('/missing.png'), ok: false, error: 'the server answered 404' });
    // The test's server is allowed; another port on the same loopback address is not, even by a redirect.
    expect(byPath.get('/moved-inside.png')).toEqual({ url: url('/moved-inside.png'), ok: false, error: 'internal address' });
    // Nothing about the reader goes along.
    expect(web.requests.every((r) => r.headers.cookie === undefined && r.headers.referer === undefined)).toBe(true);
  });

  it('refuses any address that is not http or https, before fetching anything', async () => {
    web = await startWebServer();
    harness = clientHarness({ internalImageHosts: [new URL(web.origin).host] });
    for (const address of ['file:///etc/passwd', 'ftp://127.0.0.1/picture.png', 'data:image/png;base64,AAAA', 'javascript:alert(1)', '//127.0.0.1/picture.png']) {
      expect(await failure(harness.client.call('mail.remoteImages', { urls: [`${web.origin}/picture.png`, address] }))).toBe('INVALID_REQUEST');
    }
    expect(web.requests).toEqual([]);
  });
});
