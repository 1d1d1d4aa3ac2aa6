/**
 * Reading autoconfig documents (Thunderbird's config-v1.1): what the account
 * form gets from a document, which of several servers it proposes, and what a
 * hostile or broken document cannot make it do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigXmlError, parseConfigXml } from './config-xml';

const EMAIL = 'jane.doe@example.org';

/** A document with one provider whose servers are given as XML. */
function documentWith(servers: string, extra = '', prolog = '<?xml version="1.0" encoding="UTF-8"?>'): string {
  return `${prolog}
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <displayName>Example Mail</displayName>
    ${servers}
  </emailProvider>
  ${extra}
</clientConfig>`;
}

function server(kind: 'incomingServer' | 'outgoingServer', type: string, fields: Record<string, string | string[]>): string {
  const body = Object.entries(fields)
    .flatMap(([name, values]) => (Array.isArray(values) ? values : [values]).map((value) => `<${name}>${value}</${name}>`))
    .join('');
  return `<${kind} type="${type}">${body}</${kind}>`;
}

const imap = (fields: Record<string, string | string[]>): string => server('incomingServer', 'imap', fields);
const pop3 = (fields: Record<string, string | string[]>): string => server('incomingServer', 'pop3', fields);
const smtp = (fields: Record<string, string | string[]>): string => server('outgoingServer', 'smtp', fields);

const base = { hostname: 'mail.example.org', port: '993', socketType: 'SSL', authentication: 'password-cleartext', username: '%EMAILADDRESS%' };

describe('parseConfigXml', () => {
  it('reads a full document, filling in the placeholders', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <domain>Example.NET</domain>
    <domain>not a domain</domain>
    <displayName>Example Mail</displayName>
    <displayShortName>Example</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
      <username>%EMAILLOCALPART%</username>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.example.org</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <authentication>password-encrypted</authentication>
      <username>%EMAILADDRESS%</username>
      <pop3><leaveMessagesOnServer>true</leaveMessagesOnServer></pop3>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILLOCALPART%@%EMAILDOMAIN%</username>
    </outgoingServer>
    <documentation url="https://example.org/help"><descr lang="en">Help</descr></documentation>
  </emailProvider>
  <oAuth2>
    <issuer>login.example.org</issuer>
    <scope>imap smtp   offline_access</scope>
    <authURL>https://login.example.org/authorize</authURL>
    <tokenURL>https://login.example.org/token</tokenURL>
  </oAuth2>
</clientConfig>`;
    expect(parseConfigXml(xml, EMAIL)).toEqual({
      providerName: 'Example Mail',
      domains: ['example.org', 'example.net'],
      imap: { protocol: 'imap', host: 'imap.example.org', port: 993, security: 'tls', username: 'jane.doe', signIn: ['oauth2', 'password'] },
      pop3: { protocol: 'pop3', host: 'pop.example.org', port: 995, security: 'tls', username: EMAIL, signIn: ['password'] },
      smtp: { protocol: 'smtp', host: 'smtp.example.org', port: 587, security: 'starttls', username: EMAIL, signIn: ['password'] },
      oauth2: {
        issuer: 'login.example.org',
        scopes: ['imap', 'smtp', 'offline_access'],
        authorizationUrl: 'https://login.example.org/authorize',
        tokenUrl: 'https://login.example.org/token',
      },
    });
  });

  it('maps each socket type to its security, and skips a server with an unknown one', () => {
    const securityOf = (socketType: string) => parseConfigXml(documentWith(imap({ ...base, socketType })), EMAIL).imap?.security;
    expect(securityOf('SSL')).toBe('tls');
    expect(securityOf('STARTTLS')).toBe('starttls');
    expect(securityOf('plain')).toBe('plain');
    const unknown = documentWith(imap({ ...base, socketType: 'TLS-ish' }) + smtp({ ...base, port: '465' }));
    expect(parseConfigXml(unknown, EMAIL).imap).toBeUndefined();
  });

  it('takes the display short name when there is no display name, and no name when there is neither', () => {
    const shortOnly = `<clientConfig><emailProvider id="x"><displayShortName>Ex</displayShortName>${imap(base)}</emailProvider></clientConfig>`;
    expect(parseConfigXml(shortOnly, EMAIL).providerName).toBe('Ex');
    const none = `<clientConfig><emailProvider id="x">${imap(base)}</emailProvider></clientConfig>`;
    expect(parseConfigXml(none, EMAIL)).toEqual({ domains: [], imap: expect.objectContaining({ host: 'mail.example.org' }) as unknown });
  });

  it('proposes the first usable server of a kind, in document order', () => {
    const xml = documentWith(
      imap({ ...base, hostname: 'first.example.org', authentication: 'GSSAPI' }) +
        imap({ ...base, hostname: 'second.example.org', socketType: 'STARTTLS', port: '143' }) +
        imap({ ...base, hostname: 'third.example.org' }),
    );
    expect(parseConfigXml(xml, EMAIL).imap).toMatchObject({ host: 'second.example.org', port: 143, security: 'starttls' });
  });

  it('never proposes a clear-text server when the document offers the same protocol with TLS or STARTTLS', () => {
    const xml = documentWith(
      imap({ ...base, hostname: 'plain.example.org', socketType: 'plain', port: '143' }) +
        imap({ ...base, hostname: 'secure.example.org', socketType: 'STARTTLS', port: '143' }) +
        smtp({ ...base, hostname: 'plain.example.org', socketType: 'plain', port: '25' }) +
        smtp({ ...base, hostname: 'tls.example.org', socketType: 'SSL', port: '465' }),
    );
    const config = parseConfigXml(xml, EMAIL);
    expect(config.imap).toMatchObject({ host: 'secure.example.org', security: 'starttls' });
    expect(config.smtp).toMatchObject({ host: 'tls.example.org', security: 'tls' });
  });

  it('proposes a clear-text server when it is all the document offers for that protocol', () => {
    const xml = documentWith(pop3({ ...base, socketType: 'plain', port: '110' }) + imap(base));
    expect(parseConfigXml(xml, EMAIL).pop3).toMatchObject({ security: 'plain', port: 110 });
  });

  it('keeps only the sign-in methods Twinbox knows, once each, in the document’s order', () => {
    const xml = documentWith(
      imap({ ...base, authentication: ['NTLM', 'password-encrypted', 'OAuth2', 'password-cleartext', 'client-IP-address'] }) +
        smtp({ ...base, hostname: 'smtp.example.org', authentication: ['GSSAPI', 'TLS-client-cert', 'none'] }),
    );
    const config = parseConfigXml(xml, EMAIL);
    expect(config.imap?.signIn).toEqual(['password', 'oauth2']);
    // A server with no method Twinbox can use is no proposal at all.
    expect(config.smtp).toBeUndefined();
  });

  it.each([
    ['0', 'a port of 0'],
    ['65536', 'a port above 65535'],
    ['99.5', 'a fractional port'],
    ['-993', 'a negative port'],
    ['993abc', 'a port with letters'],
    ['', 'an empty port'],
  ])('skips a server with %j as port (%s)', (port) => {
    const xml = documentWith(imap({ ...base, port }) + smtp({ ...base, port: '465' }));
    expect(parseConfigXml(xml, EMAIL).imap).toBeUndefined();
  });

  it.each([
    ['mail example.org', 'a space'],
    ['mail.example.org/path', 'a slash'],
    ['https://mail.example.org', 'a URL'],
    ['user@mail.example.org', 'an @'],
    ['%EMAILADDRESS%', 'a placeholder that brings in an @'],
    ['', 'nothing'],
    ['mail..example.org', 'an empty label'],
  ])('skips a server with %j as host name (%s)', (hostname) => {
    const xml = documentWith(imap({ ...base, hostname }) + imap({ ...base, hostname: 'good.example.org' }));
    expect(parseConfigXml(xml, EMAIL).imap?.host).toBe('good.example.org');
  });

  it('accepts IP addresses and lower-cases host names', () => {
    const xml = documentWith(imap({ ...base, hostname: '127.0.0.1', port: '1143' }) + smtp({ ...base, hostname: 'SMTP.Example.ORG', port: '465' }));
    const config = parseConfigXml(xml, EMAIL);
    expect(config.imap?.host).toBe('127.0.0.1');
    expect(config.smtp?.host).toBe('smtp.example.org');
  });

  it('reads CDATA, character references, entities and comments, and ignores whitespace around values', () => {
    const xml = documentWith(`
      <incomingServer type="imap">
        <!-- the primary server -->
        <hostname>
          imap.example.org
        </hostname>
        <port><![CDATA[993]]></port>
        <socketType>S<!-- split -->SL</socketType>
        <authentication>password&#45;cleartext</authentication>
        <username><![CDATA[%EMAILADDRESS%]]></username>
      </incomingServer>
      <outgoingServer type="smtp">
        <hostname>smtp.example.org</hostname>
        <port>&#x34;65</port>
        <socketType>SSL</socketType>
        <authentication>password-cleartext</authentication>
        <username>a&amp;b&lt;c&gt;&quot;&apos;</username>
      </outgoingServer>`);
    const config = parseConfigXml(xml, EMAIL);
    expect(config.imap).toEqual({ protocol: 'imap', host: 'imap.example.org', port: 993, security: 'tls', username: EMAIL, signIn: ['password'] });
    expect(config.smtp).toMatchObject({ port: 465, username: 'a&b<c>"\'' });
  });

  it('fills in every placeholder, also several in one value', () => {
    const xml = documentWith(imap({ ...base, username: '%EMAILLOCALPART%+%EMAILDOMAIN%/%EMAILADDRESS%' }));
    expect(parseConfigXml(xml, 'a@b.example').imap?.username).toBe('a+b.example/a@b.example');
  });

  it('uses the address as user name when the document names none', () => {
    const { username: _omitted, ...withoutUsername } = base;
    expect(parseConfigXml(documentWith(imap(withoutUsername)), EMAIL).imap?.username).toBe(EMAIL);
  });

  it('ignores other kinds of server (Exchange, EWS) and takes the first provider', () => {
    const xml = `<clientConfig version="1.1">
      <emailProvider id="one">${server('incomingServer', 'exchange', base)}${imap({ ...base, hostname: 'one.example.org' })}</emailProvider>
      <emailProvider id="two">${imap({ ...base, hostname: 'two.example.org' })}</emailProvider>
    </clientConfig>`;
    const config = parseConfigXml(xml, EMAIL);
    expect(config.imap?.host).toBe('one.example.org');
    expect(config.pop3).toBeUndefined();
  });

  it('leaves out OAuth2 endpoints that are incomplete or not HTTPS', () => {
    const oauth = (authURL: string, scope = 'mail') =>
      `<oAuth2><issuer>login.example.org</issuer><scope>${scope}</scope><authURL>${authURL}</authURL><tokenURL>https://login.example.org/token</tokenURL></oAuth2>`;
    const parse = (extra: string) => parseConfigXml(documentWith(imap(base), extra), EMAIL).oauth2;
    expect(parse(oauth('https://login.example.org/auth'))?.scopes).toEqual(['mail']);
    expect(parse(oauth('http://login.example.org/auth'))).toBeUndefined();
    expect(parse(oauth('not a url'))).toBeUndefined();
    expect(parse(oauth('https://login.example.org/auth', ' '))).toBeUndefined();
    expect(parse('')).toBeUndefined();
  });

  it.each([
    ['an unclosed element', documentWith(imap(base)).replace('</clientConfig>', '')],
    ['a truncated document', documentWith(imap(base)).slice(0, 200)],
    ['mismatched tags', '<clientConfig><emailProvider></clientConfig></emailProvider>'],
    ['a stray ampersand', documentWith(imap({ ...base, username: 'a & b' }))],
    ['an HTML error page', '<html><body><p>Not found<br></body></html>'],
    ['plain text', 'Not Found'],
    ['nothing', ''],
  ])('rejects malformed XML (%s) with ConfigXmlError', (_what, xml) => {
    expect(() => parseConfigXml(xml, EMAIL)).toThrow(ConfigXmlError);
  });

  it.each([
    ['another kind of document', '<feed><entry>hi</entry></feed>'],
    ['a config without a provider', '<clientConfig version="1.1"></clientConfig>'],
    ['a provider without servers', documentWith('')],
    ['a provider with only unusable servers', documentWith(imap({ ...base, port: '0' }) + smtp({ ...base, authentication: 'GSSAPI' }))],
  ])('rejects a well-formed document without a usable server (%s) with ConfigXmlError', (_what, xml) => {
    expect(() => parseConfigXml(xml, EMAIL)).toThrow(ConfigXmlError);
  });

  describe('entities declared in a DOCTYPE', () => {
    const secretHost = 'secret-from-the-file.example.org';

    /** Runs test with the file: URL of a file holding content, which the parse must never see. */
    function withFile(content: string, test: (url: string) => void): void {
      const dir = mkdtempSync(join(tmpdir(), 'twinbox-autoconfig-'));
      try {
        const file = join(dir, 'secret');
        writeFileSync(file, content);
        test(pathToFileURL(file).href);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it('refuses a document that declares an external entity, without reading it', () => {
      withFile(secretHost, (url) => {
        const xml = documentWith(imap({ ...base, hostname: '&host;' }) + smtp({ ...base, hostname: 'smtp.example.org', username: '&host;' }), '', `<?xml version="1.0"?>
<!DOCTYPE clientConfig [<!ENTITY host SYSTEM "${url}">]>`);
        expect(() => parseConfigXml(xml, EMAIL)).toThrow(ConfigXmlError);
      });
    });

    it('never reads an external DTD', () => {
      withFile(`<!ENTITY host "${secretHost}">`, (url) => {
        const xml = documentWith(imap({ ...base, username: '&host;' }), '', `<?xml version="1.0"?>
<!DOCTYPE clientConfig SYSTEM "${url}">`);
        expect(JSON.stringify(parseConfigXml(xml, EMAIL))).not.toContain(secretHost);
      });
    });

    it('does not expand the DOCTYPE’s own entities, so they cannot bring in a host name', () => {
      const xml = documentWith(imap({ ...base, hostname: '&evil;' }) + imap({ ...base, hostname: 'imap.example.org', username: '&evil;' }), '', `<?xml version="1.0"?>
<!DOCTYPE clientConfig [
  <!ENTITY evil "evil.example.net">
]>`);
      const config = parseConfigXml(xml, EMAIL);
      expect(config.imap?.host).toBe('imap.example.org');
      expect(JSON.stringify(config)).not.toContain('evil.example.net');
    });

    it('survives nested entities (a "billion laughs" document) without expanding them', () => {
      const xml = documentWith(imap({ ...base, username: '&c;' }), '', `<?xml version="1.0"?>
<!DOCTYPE clientConfig [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>`);
      let result: unknown;
      try {
        result = parseConfigXml(xml, EMAIL);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigXmlError);
        return;
      }
      expect(JSON.stringify(result)).not.toContain('aaaaaaaaaa');
    });
  });
});
