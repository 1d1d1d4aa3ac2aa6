import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WebRoute {
  status?: number;
  body?: string;
  contentType?: string;
  /** answer only after this long */
  delayMs?: number;
  /** a 302 to this absolute URL */
  redirect?: string;
}

export interface WebRequest {
  scheme: 'http' | 'https';
  host: string;
  /** The request target as sent, query string included. */
  path: string;
}

export interface WebServer {
  httpsPort: number;
  httpPort: number;
  /** The CA that signed the HTTPS certificate, PEM: what the test tells Twinbox to trust. */
  caPem: string;
  /** Every request received, in order. */
  requests: WebRequest[];
  /**
   * Serves `route` for requests to `host` (the Host header without the port, case-insensitive) and `path`,
   * over `scheme` (default: both). Unrouted requests get 404. A path without "?" matches whatever query
   * string the request carries (clients add ?emailaddress=...); one with "?" matches only exactly.
   * Routing the same host, path and scheme again replaces the route.
   */
  route(host: string, path: string, route: WebRoute, scheme?: 'http' | 'https'): void;
  stop(): Promise<void>;
}

interface ServerCertificate {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/**
 * A test CA and a certificate it signed for `names`, so that a client trusting only the CA verifies the
 * names as it would a real site's (chain, SAN, SNI), not by pinning one self-signed certificate.
 * EC P-256 because openssl makes those in milliseconds. Only the PEM text is kept: the directory goes at once.
 */
function makeCertificate(names: string[]): ServerCertificate {
  for (const name of names) {
    // Anything else would break the extension line or name something that is not a host.
    if (!/^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name)) throw new Error(`"${name}" is not a DNS name`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'twinbox-web-'));
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const p256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  try {
    openssl([
      'req', '-x509', ...p256, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2',
      '-subj', '/CN=Twinbox test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
    ]);
    openssl(['req', '-new', ...p256, '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', `/CN=${names[0] ?? 'localhost'}`]);
    const altNames = [...names.map((name) => `DNS:${name}`), 'IP:127.0.0.1'].join(',');
    writeFileSync(
      join(dir, 'leaf.ext'),
      `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`,
    );
    openssl([
      'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-set_serial', `0x${randomBytes(8).toString('hex')}`,
      '-days', '2', '-extfile', 'leaf.ext', '-out', 'cert.pem',
    ]);
    const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
    return { caPem: read('ca.pem'), certPem: read('cert.pem'), keyPem: read('key.pem') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Host header's name: without the port, lower case, without a trailing dot. */
function hostOf(header: string | undefined): string {
  const value = (header ?? '').trim().toLowerCase();
  const withoutPort = value.startsWith('[') ? value.slice(0, value.indexOf(']') + 1) : value.replace(/:\d*$/, '');
  return withoutPort.replace(/\.$/, '');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the OS picks a free port at bind time, so there is no race to retry.
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    // Keep-alive connections (Node's default agent keeps them) would hold close() open indefinitely.
    server.closeAllConnections();
  });
}

/**
 * One server on 127.0.0.1 with an HTTPS and an HTTP port; the certificate is valid for `names`
 * (DNS SANs, e.g. 'autoconfig.example.test', 'example.test').
 */
export async function startWebServer(names: string[]): Promise<WebServer> {
  const certificate = makeCertificate(names);
  const routes = new Map<string, WebRoute>();
  const key = (scheme: 'http' | 'https', host: string, path: string): string => `${scheme} ${hostOf(host)} ${path}`;
  const requests: WebRequest[] = [];
  const pending = new Set<NodeJS.Timeout>();
  let stopped = false;

  const handler =
    (scheme: 'http' | 'https') =>
    (request: IncomingMessage, response: ServerResponse): void => {
      const host = hostOf(request.headers.host);
      const path = request.url ?? '/';
      requests.push({ scheme, host, path });
      const route = routes.get(key(scheme, host, path)) ?? routes.get(key(scheme, host, path.split('?')[0] ?? path));
      // The body is never read: drain it so the connection stays usable.
      request.resume();
      const answer = (): void => {
        if (route === undefined) {
          response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
          return;
        }
        const headers: Record<string, string> = { 'content-type': route.contentType ?? 'text/plain; charset=utf-8' };
        if (route.redirect !== undefined) headers.location = route.redirect;
        const status = route.status ?? (route.redirect === undefined ? 200 : 302);
        response.writeHead(status, headers).end(route.body ?? '');
      };
      if (route?.delayMs === undefined || route.delayMs <= 0) {
        answer();
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(timer);
        answer();
      }, route.delayMs);
      pending.add(timer);
    };

  const https = createHttpsServer({ cert: certificate.certPem, key: certificate.keyPem }, handler('https'));
  const http = createHttpServer(handler('http'));
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const timer of pending) clearTimeout(timer);
    pending.clear();
    await Promise.all([close(https), close(http)]);
  };
  try {
    const [httpsPort, httpPort] = await Promise.all([listen(https), listen(http)]);
    return {
      httpsPort,
      httpPort,
      caPem: certificate.caPem,
      requests,
      route(host, path, route, scheme) {
        for (const each of scheme === undefined ? (['http', 'https'] as const) : [scheme]) routes.set(key(each, host, path), route);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
