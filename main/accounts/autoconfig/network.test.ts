import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscoveryFetchError, DiscoveryNetwork } from './network';

/** A scripted web server on loopback: redirect loops and oversized answers, which real providers do not send on purpose. */
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<DiscoveryNetwork> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return new DiscoveryNetwork({ portMap: { 80: address.port } });
}

describe('fetching an autoconfig document', () => {
  it('follows a few redirects by hand and says where the document came from', async () => {
    const network = await serve((request, response) => {
      const hop = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('hop') ?? '0');
      if (hop < 3) response.writeHead(302, { location: `/doc?hop=${hop + 1}` }).end();
      else response.end('<clientConfig/>');
    });
    const document = await network.fetchDocument('http://127.0.0.1/doc', AbortSignal.timeout(5_000));
    expect(document).toMatchObject({ redirected: true, body: '<clientConfig/>' });
    expect(document.url.search).toBe('?hop=3');
  });

  it('stops a redirect loop, and refuses an answer too large to be a document', async () => {
    const loop = await serve((_request, response) => response.writeHead(302, { location: '/again' }).end());
    await expect(loop.fetchDocument('http://127.0.0.1/', AbortSignal.timeout(5_000))).rejects.toThrow(/redirects/);
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const huge = await serve((_request, response) => {
      response.write('<clientConfig>');
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 10; i++) response.write(chunk);
      response.end('</clientConfig>');
    });
    await expect(huge.fetchDocument('http://127.0.0.1/', AbortSignal.timeout(5_000))).rejects.toBeInstanceOf(DiscoveryFetchError);
  });

  it('reports an error status as such', async () => {
    const network = await serve((_request, response) => response.writeHead(404).end('not here'));
    await expect(network.fetchDocument('http://127.0.0.1/', AbortSignal.timeout(5_000))).rejects.toThrow('HTTP 404');
  });
});
