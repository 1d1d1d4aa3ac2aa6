import { afterEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { discoverServers } from '../../main/accounts/autoconfig/discover';
import type { DiscoveryOptions } from '../../main/accounts/autoconfig/discover';
import type { DiscoveryResult } from '../../shared/discovery';
import { mailStack, requireEndpoint, skipBecause } from '../mailstack';
import { dnsServerUnavailable, startDnsServer } from '../mailstack/dns-server';
import type { DnsRecords, DnsServer } from '../mailstack/dns-server';
import { startWebServer } from '../mailstack/web-server';
import type { WebServer } from '../mailstack/web-server';

/**
 * Finding an address's servers, against real servers on loopback: a DNS
 * server (dnsmasq) for the A, SRV and MX records, a web server with a test CA
 * for the autoconfig documents, and the test mail stack for probing. Main is
 * pointed at them by configuration; nothing reaches any other address (names
 * outside the test zones are refused by the DNS server, never forwarded).
 */
const DOMAIN = 'example.test';
const EMAIL = `alice@${DOMAIN}`;
const ZONES = [DOMAIN, 'mailhost.test', 'elsewhere.test', 'gmail.com'];

let dns: DnsServer | undefined;
let web: WebServer | undefined;

afterEach(async () => {
  await dns?.stop();
  await web?.stop();
  dns = undefined;
  web = undefined;
});

async function servers(context: TestContext, records: DnsRecords): Promise<{ dns: DnsServer; web: WebServer }> {
  const unavailable = dnsServerUnavailable();
  if (unavailable) skipBecause(context, unavailable);
  dns = await startDnsServer(ZONES, records);
  web = await startWebServer([`autoconfig.${DOMAIN}`, DOMAIN, 'autoconfig.mailhost.test', 'autoconfig.elsewhere.test']);
  return { dns, web };
}

function optionsFor(dnsServer: DnsServer, webServer: WebServer, extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return { dnsServers: [dnsServer.address], trustedCertificates: [webServer.caPem], portMap: { 443: webServer.httpsPort, 80: webServer.httpPort }, ...extra };
}

function configXml(servers: { imap?: string | string[]; pop3?: string; smtp?: string }): string {
  const incoming = (type: string, bodies: string | string[] | undefined): string =>
    [bodies ?? []].flat().map((body) => `<incomingServer type="${type}">${body}</incomingServer>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${DOMAIN}">
    <domain>${DOMAIN}</domain>
    <displayName>Example Mail</displayName>
    ${incoming('imap', servers.imap)}
    ${incoming('pop3', servers.pop3)}
    ${servers.smtp ? `<outgoingServer type="smtp">${servers.smtp}</outgoingServer>` : ''}
  </emailProvider>
</clientConfig>`;
}

const server = (host: string, port: number, socketType: string, username = '%EMAILADDRESS%'): string =>
  `<hostname>${host}</hostname><port>${port}</port><socketType>${socketType}</socketType><authentication>password-cleartext</authentication><username>${username}</username>`;

const EXAMPLE_XML = configXml({
  imap: server('imap.%EMAILDOMAIN%', 993, 'SSL'),
  pop3: server('pop.example.test', 995, 'SSL', '%EMAILLOCALPART%'),
  smtp: server('smtp.example.test', 587, 'STARTTLS'),
});

function found(result: DiscoveryResult) {
  if (!result.found) throw new Error(`nothing found: ${JSON.stringify(result.steps)}`);
  return result.discovery;
}

describe('finding the servers from the address', () => {
  it('uses the domain’s own autoconfig document, filling in the address', async (context) => {
    const { dns, web } = await servers(context, { a: { [`autoconfig.${DOMAIN}`]: '127.0.0.1' } });
    web.route(`autoconfig.${DOMAIN}`, '/mail/config-v1.1.xml', { body: EXAMPLE_XML, contentType: 'application/xml' });
    const result = await discoverServers(EMAIL, optionsFor(dns, web));
    const discovery = found(result);
    expect(discovery).toMatchObject({
      source: 'provider',
      providerName: 'Example Mail',
      insecureSource: false,
      plainTextOnly: false,
      imap: { host: 'imap.example.test', port: 993, security: 'tls', username: EMAIL, signIn: ['password'] },
      pop3: { host: 'pop.example.test', port: 995, security: 'tls', username: 'alice' },
      smtp: { host: 'smtp.example.test', port: 587, security: 'starttls', username: EMAIL },
    });
    expect(discovery.redirectedTo).toBeUndefined();
    expect(discovery.origin).toMatch(/^https:\/\/autoconfig\.example\.test\//);
    // Asked over HTTPS only, with the address, as Thunderbird asks.
    expect(web.requests.filter((r) => r.host === `autoconfig.${DOMAIN}`).every((r) => r.scheme === 'https')).toBe(true);
    expect(web.requests.some((r) => r.path.includes(`emailaddress=${encodeURIComponent(EMAIL)}`))).toBe(true);
  });

  it('falls back to the well-known address on the domain itself', async (context) => {
    const { dns, web } = await servers(context, { a: { [DOMAIN]: '127.0.0.1' } });
    web.route(DOMAIN, '/.well-known/autoconfig/mail/config-v1.1.xml', { body: EXAMPLE_XML });
    const discovery = found(await discoverServers(EMAIL, optionsFor(dns, web)));
    expect(discovery.source).toBe('provider');
    expect(discovery.origin).toBe(`https://${DOMAIN}/.well-known/autoconfig/mail/config-v1.1.xml`);
  });

  it('shows a redirect to another domain, and never takes a plain-text server over TLS', async (context) => {
    const { dns, web } = await servers(context, { a: { [`autoconfig.${DOMAIN}`]: '127.0.0.1', 'autoconfig.elsewhere.test': '127.0.0.1' } });
    web.route(`autoconfig.${DOMAIN}`, '/mail/config-v1.1.xml', { redirect: 'https://autoconfig.elsewhere.test/shared.xml' });
    web.route(
      'autoconfig.elsewhere.test',
      '/shared.xml',
      // The plain-text server comes first in the document; the TLS one is proposed.
      { body: configXml({ imap: [server('imap.elsewhere.test', 143, 'plain'), server('imap.elsewhere.test', 993, 'SSL')] }) },
    );
    const discovery = found(await discoverServers(EMAIL, optionsFor(dns, web)));
    expect(discovery.redirectedTo).toBe('autoconfig.elsewhere.test');
    expect(discovery.insecureSource).toBe(false);
    expect(discovery.imap).toMatchObject({ host: 'imap.elsewhere.test', port: 993, security: 'tls' });
  });

  it('flags settings read over plain HTTP, and prefers the built-in table to them', async (context) => {
    const { dns, web } = await servers(context, { a: { [`autoconfig.${DOMAIN}`]: '127.0.0.1' } });
    web.route(`autoconfig.${DOMAIN}`, '/mail/config-v1.1.xml', { body: EXAMPLE_XML }, 'http');
    const discovery = found(await discoverServers(EMAIL, optionsFor(dns, web)));
    expect(discovery.source).toBe('provider-http');
    expect(discovery.insecureSource).toBe(true);
    expect(discovery.origin).toMatch(/^http:\/\//);

    // A well-known provider is answered from the table before any plain-HTTP document is read.
    const gmail = found(await discoverServers('bob@gmail.com', optionsFor(dns, web)));
    expect(gmail).toMatchObject({ source: 'builtin', insecureSource: false, imap: { host: 'imap.gmail.com', security: 'tls' } });
    expect(gmail.imap?.signIn).toContain('oauth2');
    expect(web.requests.some((r) => r.scheme === 'http' && r.host === 'autoconfig.gmail.com')).toBe(false);
  });

  it('reads DNS SRV records (RFC 6186), implicit TLS first, and skips a service marked as not offered', async (context) => {
    const { dns, web } = await servers(context, {
      srv: [
        { name: `_imap._tcp.${DOMAIN}`, target: 'mail.example.test', port: 143 },
        { name: `_imaps._tcp.${DOMAIN}`, target: 'mail.example.test', port: 993 },
        { name: `_pop3s._tcp.${DOMAIN}`, target: '.', port: 0 },
        { name: `_submission._tcp.${DOMAIN}`, target: 'smtp.example.test', port: 587 },
      ],
    });
    const result = await discoverServers(EMAIL, optionsFor(dns, web));
    const discovery = found(result);
    expect(discovery).toMatchObject({
      source: 'srv',
      imap: { host: 'mail.example.test', port: 993, security: 'tls', username: EMAIL },
      smtp: { host: 'smtp.example.test', port: 587, security: 'starttls' },
    });
    expect(discovery.pop3).toBeUndefined();
    // The steps before it say why they found nothing.
    expect(result.steps.filter((step) => step.kind === 'provider').map((step) => step.outcome)).toEqual(['nothing', 'nothing']);
  });

  it('follows the MX record to a known provider, or to its own autoconfig', async (context) => {
    const { dns, web } = await servers(context, {
      mx: [{ name: DOMAIN, host: 'aspmx.l.google.com', preference: 10 }],
    });
    const google = found(await discoverServers(EMAIL, optionsFor(dns, web)));
    expect(google).toMatchObject({ source: 'mx', imap: { host: 'imap.gmail.com', username: EMAIL } });

    await dns.stop();
    const hosted = await startDnsServer(ZONES, {
      mx: [
        { name: DOMAIN, host: 'mx2.mailhost.test', preference: 20 },
        { name: DOMAIN, host: 'mx1.mailhost.test', preference: 10 },
      ],
      a: { 'autoconfig.mailhost.test': '127.0.0.1' },
    });
    try {
      web.route('autoconfig.mailhost.test', '/mail/config-v1.1.xml', { body: configXml({ imap: server('imap.mailhost.test', 993, 'SSL') }) });
      const viaMx = found(await discoverServers(EMAIL, optionsFor(hosted, web)));
      expect(viaMx).toMatchObject({ source: 'mx', imap: { host: 'imap.mailhost.test' } });
      expect(viaMx.origin).toContain('mx1.mailhost.test');
    } finally {
      await hosted.stop();
    }
  });

  it('probes the usual names, and proposes the security each server really offers', async (context) => {
    const stack = mailStack();
    if (stack.origin !== 'local') skipBecause(context, 'probing maps the well-known ports to the local test stack’s');
    const imap = requireEndpoint(context, 'imap', stack);
    const imaps = requireEndpoint(context, 'imaps', stack);
    const pop3 = requireEndpoint(context, 'pop3', stack);
    const smtp = requireEndpoint(context, 'smtp', stack);
    const { dns, web } = await servers(context, {
      a: { [`imap.${DOMAIN}`]: '127.0.0.1', [`pop3.${DOMAIN}`]: '127.0.0.1', [`mail.${DOMAIN}`]: '127.0.0.1' },
    });
    // Only the clear-text ports exist for POP3 and SMTP here: what they offer after connecting decides.
    const options = optionsFor(dns, web, { portMap: { 443: web.httpsPort, 80: web.httpPort, 993: imaps.port, 143: imap.port, 110: pop3.port, 587: smtp.port } });
    const result = await discoverServers(EMAIL, options);
    const discovery = found(result);
    expect(discovery.source).toBe('probe');
    expect(discovery.imap).toMatchObject({ host: `imap.${DOMAIN}`, port: 993, security: 'tls', username: EMAIL });
    expect(discovery.pop3).toMatchObject({ host: `pop3.${DOMAIN}`, port: 110, security: 'starttls' });
    expect(discovery.smtp).toMatchObject({ host: `mail.${DOMAIN}`, port: 587, security: 'starttls' });
    expect(discovery.plainTextOnly).toBe(false);
  });

  it('says what it tried when nothing is found', async (context) => {
    const { dns, web } = await servers(context, {});
    const result = await discoverServers(EMAIL, optionsFor(dns, web, { stepTimeoutMs: 2_000 }));
    expect(result.found).toBe(false);
    expect(new Set(result.steps.map((step) => step.kind))).toEqual(new Set(['provider', 'builtin', 'provider-http', 'srv', 'mx', 'probe']));
    expect(result.steps.every((step) => step.outcome !== 'found')).toBe(true);
  });

  it('gives up on a server that does not answer in time, and goes on to the next way', async (context) => {
    const { dns, web } = await servers(context, {
      a: { [`autoconfig.${DOMAIN}`]: '127.0.0.1' },
      srv: [{ name: `_imaps._tcp.${DOMAIN}`, target: 'mail.example.test', port: 993 }],
    });
    web.route(`autoconfig.${DOMAIN}`, '/mail/config-v1.1.xml', { body: EXAMPLE_XML, delayMs: 5_000 });
    const started = Date.now();
    const result = await discoverServers(EMAIL, optionsFor(dns, web, { stepTimeoutMs: 500 }));
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(result.steps.find((step) => step.kind === 'provider')).toMatchObject({ outcome: 'timeout' });
    expect(found(result).source).toBe('srv');
  });

  it('reports a malformed document as found nothing there, and goes on', async (context) => {
    const { dns, web } = await servers(context, {
      a: { [`autoconfig.${DOMAIN}`]: '127.0.0.1' },
      srv: [{ name: `_imaps._tcp.${DOMAIN}`, target: 'mail.example.test', port: 993 }],
    });
    web.route(`autoconfig.${DOMAIN}`, '/mail/config-v1.1.xml', { body: '<clientConfig><emailProvider><incomingServer type="imap"><hostname>x' });
    const result = await discoverServers(EMAIL, optionsFor(dns, web));
    expect(result.steps[0]).toMatchObject({ kind: 'provider', outcome: 'nothing' });
    expect(result.steps[0]?.detail).toBeTruthy();
    expect(found(result).source).toBe('srv');
  });
});
