/**
 * The network as account discovery sees it: one resolver (the system's, or
 * the servers a test names), one way to fetch a small document over HTTP(S)
 * with the redirects followed by hand, and one way to open a connection to a
 * host by name. Every request has a deadline; nothing here retries.
 */
import { promises as dns } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { IncomingMessage } from 'node:http';

export interface DiscoveryNetworkOptions {
  /** DNS servers to ask instead of the system's ('127.0.0.1:5353'): the tests' own. */
  dnsServers?: string[];
  /** Certificates (PEM) trusted for HTTPS besides the system's: the tests' CA. */
  trustedCertificates?: string[];
  /** Well-known ports mapped to others (443 to the tests' web server, 993 to their Dovecot). */
  portMap?: Record<number, number>;
}

/** Larger than any real autoconfig document (they are 1 to 5 KB), small enough to hold in memory. */
const MAX_DOCUMENT_BYTES = 256 * 1024;
const MAX_REDIRECTS = 5;

export class DiscoveryNetwork {
  private readonly resolver: dns.Resolver | undefined;
  private readonly ca: string[] | undefined;

  constructor(private readonly options: DiscoveryNetworkOptions = {}) {
    if (options.dnsServers?.length) {
      this.resolver = new dns.Resolver({ timeout: 2_000, tries: 1 });
      this.resolver.setServers(options.dnsServers);
    }
    this.ca = options.trustedCertificates?.length ? [...rootCertificates, ...options.trustedCertificates] : undefined;
  }

  port(wellKnown: number): number {
    return this.options.portMap?.[wellKnown] ?? wellKnown;
  }

  resolveSrv(name: string): Promise<Array<{ name: string; port: number; priority: number; weight: number }>> {
    return this.resolver ? this.resolver.resolveSrv(name) : dns.resolveSrv(name);
  }

  resolveMx(name: string): Promise<Array<{ exchange: string; priority: number }>> {
    return this.resolver ? this.resolver.resolveMx(name) : dns.resolveMx(name);
  }

  /** The address to connect to for `host`, as the configured resolver says. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    if (!this.resolver) {
      dns.lookup(hostname, { family: options.family ?? 0, all: false }).then(
        ({ address, family }) => callback(null, address, family),
        (error: unknown) => callback(asErrno(error), '', 0),
      );
      return;
    }
    this.resolver.resolve4(hostname).then(
      (addresses) => {
        const address = addresses[0];
        if (address === undefined) callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        // Node's connect asks for every address (happy eyeballs) and expects a list then.
        else if (options.all) callback(null, [{ address, family: 4 }]);
        else callback(null, address, 4);
      },
      (error: unknown) => callback(asErrno(error), '', 0),
    );
  };

  /**
   * Fetches a small document, following redirects by hand (at most five), and
   * says where it finally came from: the caller decides whether a redirect to
   * another domain, or from HTTPS to HTTP, may be used.
   */
  async fetchDocument(url: string, signal: AbortSignal): Promise<FetchedDocument> {
    let current = new URL(url);
    const hops: URL[] = [];
    for (;;) {
      const response = await this.get(current, signal);
      if (response.status >= 300 && response.status < 400 && response.location !== undefined) {
        if (hops.length >= MAX_REDIRECTS) throw new DiscoveryFetchError(`more than ${MAX_REDIRECTS} redirects`);
        hops.push(current);
        current = new URL(response.location, current);
        if (current.protocol !== 'https:' && current.protocol !== 'http:') throw new DiscoveryFetchError(`redirected to ${current.protocol}`);
        continue;
      }
      if (response.status !== 200) throw new DiscoveryFetchError(`HTTP ${response.status}`);
      return { url: current, redirected: hops.length > 0, body: response.body };
    }
  }

  private get(url: URL, signal: AbortSignal): Promise<{ status: number; location?: string; body: string }> {
    const secure = url.protocol === 'https:';
    const port = url.port === '' ? this.port(secure ? 443 : 80) : Number(url.port);
    return new Promise((resolve, reject) => {
      const onResponse = (response: IncomingMessage): void => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_DOCUMENT_BYTES) {
            response.destroy(new DiscoveryFetchError('the answer is too large'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ status, ...(location === undefined ? {} : { location }), body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      };
      const common = { host: url.hostname, port, path: `${url.pathname}${url.search}`, method: 'GET', signal, lookup: this.lookup, headers: { accept: 'application/xml, text/xml' } };
      const request = secure
        ? httpsRequest({ ...common, servername: url.hostname, minVersion: 'TLSv1.2', rejectUnauthorized: true, ...(this.ca ? { ca: this.ca } : {}) }, onResponse)
        : httpRequest(common, onResponse);
      request.on('error', reject);
      request.end();
    });
  }
}

export interface FetchedDocument {
  /** Where the document finally came from. */
  url: URL;
  redirected: boolean;
  body: string;
}

export class DiscoveryFetchError extends Error {}

function asErrno(error: unknown): NodeJS.ErrnoException {
  return error instanceof Error ? error : new Error(String(error));
}
