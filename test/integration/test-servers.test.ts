import { Resolver } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dnsServerUnavailable, startDnsServer } from '../mailstack/dns-server';
import { skipBecause } from '../mailstack/index';
import { startWebServer } from '../mailstack/web-server';

/**
 * The loopback DNS and web servers that autoconfig tests point Twinbox at: they answer as a real zone
 * and a real site would, on 127.0.0.1 only, and leave nothing listening once stopped.
 */

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether something still holds the UDP port: binding it ourselves fails if so. */
function udpPortTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(true));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)));
  });
}

function resolverFor(address: string): Resolver {
  // Short timeouts: a server that is gone should fail the test quickly, not after c-ares' default retries.
  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([address]);
  return resolver;
}

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(options: { scheme: 'http' | 'https'; port: number; host: string; path: string; ca?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const common = { host: '127.0.0.1', port: options.port, path: options.path, headers: { host: options.host }, agent: false } as const;
    const onResponse = (response: IncomingMessage): void => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      response.on('error', reject);
    };
    const request =
      options.scheme === 'https'
        ? // Only the test CA is trusted: `ca` replaces Node's bundled roots.
          httpsRequest({ ...common, servername: options.host, ca: options.ca ?? [] }, onResponse)
        : httpRequest(common, onResponse);
    request.on('error', reject);
    request.end();
  });
}

describe('loopback DNS server', () => {
  it('answers SRV, MX and A for its zone, as a real zone for unknown names, and refuses others', async (context) => {
    const unavailable = dnsServerUnavailable();
    if (unavailable !== undefined) skipBecause(context, unavailable);
    const startedAt = performance.now();
    const server = await startDnsServer(['example.test'], {
      a: { 'imap.example.test': '127.0.0.1', 'mail.example.test': '127.0.0.2' },
      srv: [
        { name: '_imaps._tcp.example.test', target: 'imap.example.test', port: 993, priority: 0, weight: 1 },
        { name: '_submissions._tcp.example.test', target: 'mail.example.test', port: 465 },
      ],
      mx: [
        { name: 'example.test', host: 'mx1.example.test', preference: 10 },
        { name: 'example.test', host: 'mx2.example.test', preference: 20 },
      ],
    });
    console.info(`dns server up in ${Math.round(performance.now() - startedAt)} ms at ${server.address}`);
    const port = Number(server.address.split(':')[1]);
    try {
      expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
      const resolver = resolverFor(server.address);
      expect(await resolver.resolveSrv('_imaps._tcp.example.test')).toEqual([{ name: 'imap.example.test', port: 993, priority: 0, weight: 1 }]);
      expect(await resolver.resolveSrv('_submissions._tcp.example.test')).toEqual([
        { name: 'mail.example.test', port: 465, priority: 0, weight: 0 },
      ]);
      const mx = await resolver.resolveMx('example.test');
      expect(mx.sort((x, y) => x.priority - y.priority)).toEqual([
        { exchange: 'mx1.example.test', priority: 10 },
        { exchange: 'mx2.example.test', priority: 20 },
      ]);
      expect(await resolver.resolve4('imap.example.test')).toEqual(['127.0.0.1']);
      expect(await resolver.resolve4('mail.example.test')).toEqual(['127.0.0.2']);
      // Case does not matter in DNS names.
      expect(await resolver.resolve4('IMAP.Example.TEST')).toEqual(['127.0.0.1']);

      // Inside the zone: no such name, or a name without that type, as a real zone answers.
      expect(await errorCode(resolver.resolve4('nothing.example.test'))).toBe('ENOTFOUND');
      expect(await errorCode(resolver.resolveSrv('_imaps._tcp.nothing.example.test'))).toBe('ENOTFOUND');
      expect(['ENOTFOUND', 'ENODATA']).toContain(await errorCode(resolver.resolve4('example.test')));
      expect(['ENOTFOUND', 'ENODATA']).toContain(await errorCode(resolver.resolveSrv('_pop3s._tcp.example.test')));
      // Outside: refused, never forwarded.
      expect(await errorCode(resolver.resolve4('example.com'))).toBe('EREFUSED');
    } finally {
      await server.stop();
    }
    expect(await accepts(port)).toBe(false);
    expect(await udpPortTaken(port)).toBe(false);
    expect(['ECONNREFUSED', 'ETIMEOUT']).toContain(await errorCode(resolverFor(server.address).resolve4('imap.example.test')));
    // Stopping twice is harmless (a finally block after a failed test may do it).
    await server.stop();
  });

  it('refuses records that would point outside loopback or outside its zones', async (context) => {
    const unavailable = dnsServerUnavailable();
    if (unavailable !== undefined) skipBecause(context, unavailable);
    await expect(startDnsServer(['example.test'], { a: { 'imap.example.test': '192.0.2.1' } })).rejects.toThrow(/127\.x/);
    await expect(startDnsServer(['example.test'], { a: { 'imap.example.org': '127.0.0.1' } })).rejects.toThrow(/outside the zones/);
    await expect(
      startDnsServer(['example.test'], { mx: [{ name: 'example.test', host: 'mx,evil', preference: 1 }] }),
    ).rejects.toThrow(/not a plain DNS name/);
  });

  it('runs several servers at once, each with its own records', async (context) => {
    const unavailable = dnsServerUnavailable();
    if (unavailable !== undefined) skipBecause(context, unavailable);
    const [one, two] = await Promise.all([
      startDnsServer(['one.test'], { a: { 'imap.one.test': '127.0.0.1' } }),
      startDnsServer(['two.test'], { a: { 'imap.two.test': '127.0.0.3' } }),
    ]);
    try {
      expect(one.address).not.toBe(two.address);
      expect(await resolverFor(one.address).resolve4('imap.one.test')).toEqual(['127.0.0.1']);
      expect(await errorCode(resolverFor(one.address).resolve4('imap.two.test'))).toBe('EREFUSED');
      expect(await resolverFor(two.address).resolve4('imap.two.test')).toEqual(['127.0.0.3']);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });
});

describe('loopback web server', () => {
  it('serves routed names over HTTPS (verified against its CA, with SNI) and HTTP, and logs every request', async () => {
    const startedAt = performance.now();
    const server = await startWebServer(['autoconfig.example.test', 'example.test']);
    console.info(`web server up in ${Math.round(performance.now() - startedAt)} ms: https ${server.httpsPort}, http ${server.httpPort}`);
    const { httpsPort, httpPort, caPem } = server;
    try {
      const xml = '<?xml version="1.0"?><clientConfig version="1.1"/>';
      server.route('AutoConfig.Example.test', '/mail/config-v1.1.xml', { body: xml, contentType: 'text/xml' });
      server.route('example.test', '/.well-known/autoconfig/mail/config-v1.1.xml', { redirect: 'https://autoconfig.example.test/mail/config-v1.1.xml' }, 'https');
      server.route('example.test', '/slow', { body: 'late', delayMs: 300 }, 'http');
      server.route('example.test', '/gone', { status: 410, body: 'gone' });

      const config = await get({ scheme: 'https', port: httpsPort, host: 'autoconfig.example.test', path: '/mail/config-v1.1.xml?emailaddress=a%40example.test', ca: caPem });
      expect(config.status).toBe(200);
      expect(config.headers['content-type']).toBe('text/xml');
      expect(config.body).toBe(xml);
      // Plain HTTP serves the same route when no scheme was given.
      expect((await get({ scheme: 'http', port: httpPort, host: 'autoconfig.example.test:80', path: '/mail/config-v1.1.xml' })).body).toBe(xml);

      const redirect = await get({ scheme: 'https', port: httpsPort, host: 'example.test', path: '/.well-known/autoconfig/mail/config-v1.1.xml', ca: caPem });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.location).toBe('https://autoconfig.example.test/mail/config-v1.1.xml');
      // That route was for HTTPS only.
      expect((await get({ scheme: 'http', port: httpPort, host: 'example.test', path: '/.well-known/autoconfig/mail/config-v1.1.xml' })).status).toBe(404);

      expect((await get({ scheme: 'https', port: httpsPort, host: 'example.test', path: '/gone', ca: caPem })).status).toBe(410);
      expect((await get({ scheme: 'https', port: httpsPort, host: 'autoconfig.example.test', path: '/nowhere', ca: caPem })).status).toBe(404);

      const slowStart = performance.now();
      const slow = await get({ scheme: 'http', port: httpPort, host: 'example.test', path: '/slow' });
      expect(slow.body).toBe('late');
      expect(performance.now() - slowStart).toBeGreaterThanOrEqual(290);

      expect(server.requests).toEqual([
        { scheme: 'https', host: 'autoconfig.example.test', path: '/mail/config-v1.1.xml?emailaddress=a%40example.test' },
        { scheme: 'http', host: 'autoconfig.example.test', path: '/mail/config-v1.1.xml' },
        { scheme: 'https', host: 'example.test', path: '/.well-known/autoconfig/mail/config-v1.1.xml' },
        { scheme: 'http', host: 'example.test', path: '/.well-known/autoconfig/mail/config-v1.1.xml' },
        { scheme: 'https', host: 'example.test', path: '/gone' },
        { scheme: 'https', host: 'autoconfig.example.test', path: '/nowhere' },
        { scheme: 'http', host: 'example.test', path: '/slow' },
      ]);
    } finally {
      await server.stop();
    }
    expect(await accepts(httpsPort)).toBe(false);
    expect(await accepts(httpPort)).toBe(false);
  });

  it('is trusted only through its own CA, and only for its names', async () => {
    const server = await startWebServer(['autoconfig.example.test']);
    const other = await startWebServer(['autoconfig.example.test']);
    try {
      server.route('autoconfig.example.test', '/', { body: 'ok' });
      const at = { scheme: 'https', port: server.httpsPort, path: '/' } as const;
      // Node's bundled roots do not know the test CA.
      await expect(get({ ...at, host: 'autoconfig.example.test' })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      // Another run's CA does not vouch for this certificate.
      await expect(get({ ...at, host: 'autoconfig.example.test', ca: other.caPem })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      // A name not in the certificate fails host name verification.
      await expect(get({ ...at, host: 'elsewhere.example.test', ca: server.caPem })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect((await get({ ...at, host: 'autoconfig.example.test', ca: server.caPem })).body).toBe('ok');
    } finally {
      await Promise.all([server.stop(), other.stop()]);
    }
  });

  it('stops at once even with an answer still waiting', async () => {
    const server = await startWebServer(['example.test']);
    server.route('example.test', '/never', { body: 'too late', delayMs: 60_000 });
    const waiting = get({ scheme: 'http', port: server.httpPort, host: 'example.test', path: '/never' });
    await expect.poll(() => server.requests.length).toBe(1);
    // Waiting for the answer would outlast the test's timeout.
    await server.stop();
    await expect(waiting).rejects.toThrow();
    expect(await accepts(server.httpPort)).toBe(false);
    expect(await accepts(server.httpsPort)).toBe(false);
  });
});
