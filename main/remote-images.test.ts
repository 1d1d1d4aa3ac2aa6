/**
 * Remote pictures against loopback servers that misbehave the way real ones
 * do: a kept-alive connection closed just as it is reused, a server that
 * drops every request, a "picture" that is really a page.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchRemoteImages } from './remote-images';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 1)]);

interface ScriptedServer {
  origin: string;
  /** Requests seen, by connection (0 is the first connection). */
  requests: { connection: number; path: string }[];
}

let server: Server | undefined;
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/**
 * An HTTP/1.1 server written by hand, so that it can do what Node's own
 * would not: `answer` says, for the n-th request on a connection, whether to
 * send the body (keeping the connection open) or to close without a word.
 */
async function scriptedServer(answer: (requestOnConnection: number) => { body: Buffer; type: string } | 'drop'): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  let connections = 0;
  server = createServer((socket) => {
    sockets.add(socket);
    const connection = connections++;
    let onThisConnection = 0;
    let buffered = '';
    socket.on('error', () => undefined);
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
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('remote pictures', () => {
  it('still come when the server closes a kept-alive connection just as it is reused', async () => {
    const scripted = await scriptedServer((n) => (n === 0 ? { body: PNG, type: 'image/png' } : 'drop'));
    const [first] = await fetchRemoteImages([`${scripted.origin}/first.png`]);
    expect(first).toMatchObject({ ok: true });
    // The next message's picture, a moment later (the idle connection is back in fetch's pool): fetch reuses it,
    // and the server closes it unanswered.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [second] = await fetchRemoteImages([`${scripted.origin}/second.png`]);
    expect(second).toMatchObject({ ok: true, bytes: PNG.length });
    expect(scripted.requests).toEqual([
      { connection: 0, path: '/first.png' },
      { connection: 0, path: '/second.png' },
      { connection: 1, path: '/second.png' },
    ]);
  });

  it('gives up on a picture after a second attempt when the server drops every request, and says so', async () => {
    const scripted = await scriptedServer(() => 'drop');
    const [image] = await fetchRemoteImages([`${scripted.origin}/gone.png`]);
    expect(image).toMatchObject({ ok: false });
    expect(scripted.requests.map((r) => r.path)).toEqual(['/gone.png', '/gone.png']);
  });

  it('refuses what is not a picture whatever the server calls it, and answers each address once', async () => {
    const page = Buffer.from('<html><script>alert(1)</script></html>');
    const scripted = await scriptedServer(() => ({ body: page, type: 'image/png' }));
    const url = `${scripted.origin}/fake.png`;
    const images = await fetchRemoteImages([url, url, 'file:///etc/passwd']);
    expect(images).toEqual([
      { url, ok: false, error: 'not a picture' },
      { url: 'file:///etc/passwd', ok: false, error: 'not an http or https address' },
    ]);
    expect(scripted.requests).toHaveLength(1);
  });
});
