/**
 * Remote pictures against loopback servers that misbehave the way real ones
 * do (a kept-alive connection closed just as it is reused, a server that
 * drops every request, a "picture" that is really a page), and against the
 * ways a mail could reach inside this computer or its network: an internal
 * address, a redirect to one, a name that resolves to one. Every connection
 * goes to 127.0.0.1; the other internal addresses come from a resolver the
 * test answers for, with connecting itself forbidden, so that a mistake
 * would fail the test rather than reach them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, Socket } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeSelfSignedCertificate } from '../test/mailstack/certificate';
import { allowedEndpoints } from './address-policy';
import { fetchRemoteImages } from './remote-images';
import type { ResolveName } from './remote-images';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 1)]);

const servers: Server[] = [];
const sockets = new Set<Socket>();
const cleanups: (() => void)[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface ScriptedServer {
  origin: string;
  /** Requests seen, by connection (0 is the first connection). */
  requests: { connection: number; path: string }[];
}

/**
 * An HTTP/1.1 server written by hand, so that it can do what Node's own
 * would not: `answer` says, for the n-th request on a connection, whether to
 * send the body (keeping the connection open) or to close without a word.
 */
async function scriptedServer(answer: (requestOnConnection: number) => { body: Buffer; type: string } | 'drop'): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  let connections = 0;
  const server = createServer((socket) => {
    const connection = connections++;
    let onThisConnection = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        requests.push({ connection, path: head.split(' ')[1] ?? '' });
        const reply = answer(onThisConnection++);
        if (reply === 'drop') {
          socket.destroy();
          return;
        }
        socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: ${reply.type}\r\nContent-Length: ${reply.body.length}\r\n\r\n`), reply.body]));
      }
    });
  });
  const port = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, requests };
}

interface WebServer {
  origin: string;
  port: number;
  /** `127.0.0.1:port`, as the setting names it. */
  endpoint: string;
  /** TCP connections accepted. */
  readonly connections: number;
  requests: { path: string; host: string | undefined }[];
}

/** A web server on loopback that counts its connections and remembers each request's path and Host. */
async function webServer(answer: (path: string, response: ServerResponse) => void): Promise<WebServer> {
  const requests: WebServer['requests'] = [];
  let connections = 0;
  const server: HttpServer = createHttpServer((request, response) => {
    requests.push({ path: request.url ?? '', host: request.headers.host });
    answer(request.url ?? '', response);
  });
  server.on('connection', () => connections++);
  const port = await listen(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    endpoint: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    requests,
  };
}

const png = (response: ServerResponse): void => void response.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);

/** A resolver answering for made-up names, which remembers what it was asked. */
function resolver(answers: Record<string, string[]>): { resolve: ResolveName; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve: (hostname) => {
      asked.push(hostname);
      const addresses = answers[hostname];
      if (addresses === undefined) return Promise.reject(new Error(`no such name ${hostname}`));
      return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    },
  };
}

/** Makes every outgoing connection fail at once, and counts the attempts: none may be made. */
function forbidConnecting(): { readonly attempts: number } {
  let attempts = 0;
  vi.spyOn(Socket.prototype, 'connect').mockImplementation(function (this: Socket) {
    attempts++;
    // Once the caller has its listeners on: the attempt fails as a refused connection would.
    process.nextTick(() => this.destroy(new Error('this test allows no connection')));
    return this;
  });
  return {
    get attempts() {
      return attempts;
    },
  };
}

describe('remote pictures', () => {
  it('still come when the server closes a kept-alive connection just as it is reused', async () => {
    const scripted = await scriptedServer((n) => (n === 0 ? { body: PNG, type: 'image/png' } : 'drop'));
    const allowedInternal = allowedEndpoints([new URL(scripted.origin).host]);
    // One at a time, so that the second picture goes on the connection the first one used.
    const images = await fetchRemoteImages([`${scripted.origin}/first.png`, `${scripted.origin}/second.png`], { allowedInternal, limits: { concurrency: 1 } });
    expect(images).toMatchObject([
      { ok: true, bytes: PNG.length },
      { ok: true, bytes: PNG.length },
    ]);
    expect(scripted.requests).toEqual([
      { connection: 0, path: '/first.png' },
      { connection: 0, path: '/second.png' },
      { connection: 1, path: '/second.png' },
    ]);
  });

  it('are not asked for again when a new connection is dropped, and say so', async () => {
    const scripted = await scriptedServer(() => 'drop');
    const [image] = await fetchRemoteImages([`${scripted.origin}/gone.png`], { allowedInternal: allowedEndpoints([new URL(scripted.origin).host]) });
    expect(image).toMatchObject({ ok: false });
    expect(scripted.requests.map((r) => r.path)).toEqual(['/gone.png']);
  });

  it('refuses what is not a picture whatever the server calls it, and answers each address once', async () => {
    const page = Buffer.from('<html><script>alert(1)</script></html>');
    const scripted = await scriptedServer(() => ({ body: page, type: 'image/png' }));
    const url = `${scripted.origin}/fake.png`;
    const images = await fetchRemoteImages([url, url, 'file:///etc/passwd'], { allowedInternal: allowedEndpoints([new URL(scripted.origin).host]) });
    expect(images).toEqual([
      { url, ok: false, error: 'not a picture' },
      { url: 'file:///etc/passwd', ok: false, error: 'not an http or https address' },
    ]);
    expect(scripted.requests).toHaveLength(1);
  });

  it('gives up on a server that does not answer in time', async () => {
    const silent = await webServer(() => undefined);
    const [image] = await fetchRemoteImages([`${silent.origin}/slow.png`], { allowedInternal: allowedEndpoints([silent.endpoint]), limits: { timeoutMs: 300 } });
    expect(image).toEqual({ url: `${silent.origin}/slow.png`, ok: false, error: 'no answer within 0.3 s' });
  });
});

describe('internal addresses', () => {
  it('are refused without the setting, however the address is spelt, before any connection', async () => {
    const web = await webServer((_path, response) => png(response));
    const names = resolver({});
    const urls = [
      `${web.origin}/plain.png`,
      `http://0x7f.1:${web.port}/hex.png`,
      `http://2130706433:${web.port}/number.png`,
      `http://127.1:${web.port}/short.png`,
      `http://[::ffff:127.0.0.1]:${web.port}/mapped.png`,
      `http://[::ffff:7f00:1]:${web.port}/mapped-hex.png`,
    ];
    const images = await fetchRemoteImages(urls, { resolve: names.resolve });
    expect(images).toEqual(urls.map((url) => ({ url, ok: false, error: 'internal address' })));
    expect(web.connections).toBe(0);
    // Addresses need no lookup.
    expect(names.asked).toEqual([]);
  });

  it('are fetched from exactly the address and port the setting names', async () => {
    const web = await webServer((_path, response) => png(response));
    const other = await webServer((_path, response) => png(response));
    const allowedInternal = allowedEndpoints([web.endpoint]);
    const images = await fetchRemoteImages([`${web.origin}/a.png`, `http://127.1:${web.port}/short.png`, `${other.origin}/b.png`], { allowedInternal });
    expect(images).toEqual([
      expect.objectContaining({ url: `${web.origin}/a.png`, ok: true, bytes: PNG.length }),
      expect.objectContaining({ url: `http://127.1:${web.port}/short.png`, ok: true }),
      { url: `${other.origin}/b.png`, ok: false, error: 'internal address' },
    ]);
    expect(web.requests.map((r) => r.path)).toEqual(['/a.png', '/short.png']);
    expect(other.connections).toBe(0);
  });

  it('are refused when an allowed server redirects to one, which then sees no connection', async () => {
    const elsewhere = await webServer((_path, response) => png(response));
    const web = await webServer((path, response) => {
      if (path === '/away.png') response.writeHead(302, { location: `${elsewhere.origin}/inside.png` }).end();
      else if (path === '/relative.png') response.writeHead(301, { location: '/here.png' }).end();
      else if (path === '/file.png') response.writeHead(307, { location: 'file:///etc/passwd' }).end();
      else png(response);
    });
    const allowedInternal = allowedEndpoints([web.endpoint]);
    const images = await fetchRemoteImages([`${web.origin}/away.png`, `${web.origin}/relative.png`, `${web.origin}/file.png`], { allowedInternal });
    expect(images).toEqual([
      { url: `${web.origin}/away.png`, ok: false, error: 'internal address' },
      expect.objectContaining({ url: `${web.origin}/relative.png`, ok: true }),
      { url: `${web.origin}/file.png`, ok: false, error: 'redirected to an address that is not http or https' },
    ]);
    expect(elsewhere.connections).toBe(0);
  });

  it('are refused when a name resolves to one, without connecting; any one internal answer is enough', async () => {
    const connecting = forbidConnecting();
    const answers = {
      'metadata.example': ['169.254.169.254'],
      'router.example': ['192.168.1.1'],
      'office.example': ['10.0.0.7'],
      'shared.example': ['100.64.0.1'],
      'site.example': ['fd00::1'],
      'mapped.example': ['::ffff:127.0.0.1'],
      'nat64.example': ['64:ff9b::a00:1'],
      'sixtofour.example': ['2002:a9fe:a9fe::1'],
      'mixed.example': ['93.184.215.14', '127.0.0.1'],
    };
    const names = resolver(answers);
    const urls = Object.keys(answers).map((name) => `http://${name}/picture.png`);
    const images = await fetchRemoteImages(urls, { resolve: names.resolve });
    expect(images).toEqual(urls.map((url) => ({ url, ok: false, error: 'internal address' })));
    expect(names.asked.sort()).toEqual(urls.map((url) => new URL(url).hostname).sort());
    expect(connecting.attempts).toBe(0);
  });

  it('are refused when a redirect leads to a name that resolves to one', async () => {
    const web = await webServer((_path, response) => response.writeHead(302, { location: 'http://metadata.example/latest/meta-data/' }).end());
    const names = resolver({ 'metadata.example': ['169.254.169.254'] });
    const [image] = await fetchRemoteImages([`${web.origin}/a.png`], { allowedInternal: allowedEndpoints([web.endpoint]), resolve: names.resolve });
    expect(image).toEqual({ url: `${web.origin}/a.png`, ok: false, error: 'internal address' });
    expect(names.asked).toEqual(['metadata.example']);
  });
});

describe('redirects', () => {
  it('are followed five times, each one checked again, and a sixth is refused', async () => {
    // /hop/N redirects to /hop/N-1; /hop/0 is the picture.
    const web = await webServer((path, response) => {
      const left = Number(path.split('/')[2]);
      if (left > 0) response.writeHead(left % 2 === 0 ? 307 : 308, { location: `/hop/${left - 1}` }).end();
      else png(response);
    });
    const host = `images.example:${web.port}`;
    const names = resolver({ 'images.example': ['127.0.0.1'] });
    const allowedInternal = allowedEndpoints([web.endpoint]);
    const [five] = await fetchRemoteImages([`http://${host}/hop/5`], { allowedInternal, resolve: names.resolve });
    expect(five).toMatchObject({ ok: true, bytes: PNG.length });
    expect(names.asked).toHaveLength(6);
    const [six] = await fetchRemoteImages([`http://${host}/hop/6`], { allowedInternal, resolve: names.resolve });
    expect(six).toEqual({ url: `http://${host}/hop/6`, ok: false, error: 'too many redirects' });
    expect(web.requests.slice(6).map((r) => r.path)).toEqual(['/hop/6', '/hop/5', '/hop/4', '/hop/3', '/hop/2', '/hop/1']);
  });

  it('of 303 and 302 are followed too, and other statuses are answers', async () => {
    const web = await webServer((path, response) => {
      if (path === '/see-other.png') response.writeHead(303, { location: '/found.png' }).end();
      else if (path === '/found.png') response.writeHead(302, { location: '/picture.png' }).end();
      else if (path === '/not-modified.png') response.writeHead(304).end();
      else png(response);
    });
    const allowedInternal = allowedEndpoints([web.endpoint]);
    const [followed, notModified] = await fetchRemoteImages([`${web.origin}/see-other.png`, `${web.origin}/not-modified.png`], { allowedInternal });
    expect(followed).toMatchObject({ ok: true });
    expect(notModified).toEqual({ url: `${web.origin}/not-modified.png`, ok: false, error: 'the server answered 304' });
  });
});

describe('the connection', () => {
  it('goes to the address that was checked, once looked up per hop, with the name as Host', async () => {
    const web = await webServer((path, response) => {
      if (path === '/moved.png') response.writeHead(301, { location: '/picture.png' }).end();
      else png(response);
    });
    const names = resolver({ 'images.example': ['127.0.0.1'] });
    const url = `http://images.example:${web.port}/moved.png`;
    // images.example exists in no DNS: the picture comes only if nothing looked the name up but the test's resolver.
    const [image] = await fetchRemoteImages([url], { allowedInternal: allowedEndpoints([web.endpoint]), resolve: names.resolve });
    expect(image).toMatchObject({ url, ok: true, bytes: PNG.length });
    expect(names.asked).toEqual(['images.example', 'images.example']);
    expect(web.requests).toEqual([
      { path: '/moved.png', host: `images.example:${web.port}` },
      { path: '/picture.png', host: `images.example:${web.port}` },
    ]);
  });

  it('over TLS sends the name, never the address, and verifies the certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinbox-remote-images-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const certificate = makeSelfSignedCertificate(dir);
    const names: string[] = [];
    let requests = 0;
    const server = createHttpsServer(
      {
        cert: certificate.pem,
        key: readFileSync(certificate.keyFile),
        // Called only for a ClientHello that names a server; the server's own certificate answers either way.
        SNICallback: (name, done) => {
          names.push(name);
          done(null);
        },
      },
      (_request, response) => {
        requests++;
        png(response);
      },
    );
    const port = await listen(server);
    const resolve = resolver({ 'images.example': ['127.0.0.1'] }).resolve;
    const allowedInternal = allowedEndpoints([`127.0.0.1:${port}`]);
    const images = await fetchRemoteImages([`https://images.example:${port}/a.png`, `https://127.0.0.1:${port}/b.png`], { allowedInternal, resolve, limits: { concurrency: 1 } });
    // The certificate is its own issuer, which nobody trusts: refused, whichever name it is for.
    expect(images.map((image) => (image.ok ? 'fetched' : image.error))).toEqual([
      expect.stringMatching(/self-signed certificate/),
      expect.stringMatching(/self-signed certificate/),
    ]);
    expect(names).toEqual(['images.example']);
    expect(requests).toBe(0);
  });
});

describe('limits per call', () => {
  it('fetch at most so many distinct pictures, and say why the rest did not come', async () => {
    const web = await webServer((_path, response) => png(response));
    const url = (name: string): string => `${web.origin}/${name}.png`;
    const images = await fetchRemoteImages([url('a'), url('a'), url('b'), url('c'), url('d')], {
      allowedInternal: allowedEndpoints([web.endpoint]),
      limits: { images: 2 },
    });
    expect(images).toEqual([
      expect.objectContaining({ url: url('a'), ok: true }),
      expect.objectContaining({ url: url('b'), ok: true }),
      { url: url('c'), ok: false, error: 'too many images' },
      { url: url('d'), ok: false, error: 'too many images' },
    ]);
    expect(web.requests.map((r) => r.path).sort()).toEqual(['/a.png', '/b.png']);
  });

  it('stop at so many bytes in all, declared or counted as they come, besides the limit for one picture', async () => {
    const web = await webServer((path, response) => {
      if (path.startsWith('/chunked')) {
        // No length: counted as it arrives.
        response.writeHead(200, { 'content-type': 'image/png' });
        response.write(PNG);
        response.end();
      } else if (path === '/big.png') {
        response.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length + 100 }).end(Buffer.concat([PNG, Buffer.alloc(100)]));
      } else {
        png(response);
      }
    });
    const url = (name: string): string => `${web.origin}/${name}.png`;
    const images = await fetchRemoteImages([url('big'), url('a'), url('b'), url('c'), url('chunked')], {
      allowedInternal: allowedEndpoints([web.endpoint]),
      // The big one declares its length and is refused unread; then there is room for two.
      limits: { concurrency: 1, imageBytes: PNG.length + 50, totalBytes: PNG.length * 2 + 10 },
    });
    expect(images).toEqual([
      { url: url('big'), ok: false, error: 'too large' },
      expect.objectContaining({ url: url('a'), ok: true }),
      expect.objectContaining({ url: url('b'), ok: true }),
      { url: url('c'), ok: false, error: 'too much for one message' },
      { url: url('chunked'), ok: false, error: 'too much for one message' },
    ]);
  });
});
