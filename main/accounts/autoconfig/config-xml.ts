/**
 * Reads Thunderbird's autoconfig format (config-v1.1), which both a domain's
 * own autoconfig document and Twinbox's table of well-known providers use.
 * The document may come from anyone on the network, so every value is checked
 * before it can reach the account form, and a server that fails a check is
 * dropped rather than repaired.
 */
import { EntityDecoder } from '@nodable/entities';
import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { isIP } from 'node:net';
import type { DiscoveredServer, OAuth2Endpoints, ServerProtocol, SignIn } from '../../../shared/discovery';
import type { Security } from '../../../shared/model';

export interface ParsedConfig {
  providerName?: string;
  domains: string[];
  imap?: DiscoveredServer;
  pop3?: DiscoveredServer;
  smtp?: DiscoveredServer;
  oauth2?: OAuth2Endpoints;
}

/** The document can't be used: its message says why in a few words, for the discovery log. */
export class ConfigXmlError extends Error {
  override name = 'ConfigXmlError';
}

type XmlElement = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Ports and ids stay strings: "0993" or "1e3" must not turn into numbers before they are checked.
  parseTagValue: false,
  parseAttributeValue: false,
  // Every element is a list, so a repeated element never changes the shape of what we read.
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
  // XML's five entities and character references only. The parser never reads an external entity (it
  // refuses a document that declares one), and an autoconfig document has no use for the DOCTYPE's own
  // entities, so those stay unexpanded: no entity expansion bombs, nothing smuggled into a host name.
  entityDecoder: new EntityDecoder({ onInputEntity: () => 'block' }),
});

const SOCKET_TYPES: Partial<Record<string, Security>> = { SSL: 'tls', STARTTLS: 'starttls', plain: 'plain' };

// "plain" and "secure" are the older names Thunderbird still accepts for the two password methods.
const SIGN_IN_METHODS: Partial<Record<string, SignIn>> = {
  'password-cleartext': 'password',
  plain: 'password',
  'password-encrypted': 'password',
  secure: 'password',
  OAuth2: 'oauth2',
};

// Anything else (a URL, "user@host", spaces) is not a host name; IP addresses are checked by node:net.
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;

export function parseConfigXml(xml: string, email: string): ParsedConfig {
  const root = parseDocument(xml);
  const config = elements(root, 'clientConfig')[0];
  const provider = config && elements(config, 'emailProvider')[0];
  if (!config || !provider) throw new ConfigXmlError('not an autoconfig document');

  const fill = placeholderFiller(email);
  const parsed: ParsedConfig = { domains: texts(provider, 'domain').map((domain) => domain.toLowerCase()).filter(isHostName) };
  const providerName = text(provider, 'displayName') ?? text(provider, 'displayShortName');
  if (providerName) parsed.providerName = providerName;
  for (const protocol of ['imap', 'pop3'] as const) {
    const server = chooseServer(elements(provider, 'incomingServer'), protocol, fill);
    if (server) parsed[protocol] = server;
  }
  const smtp = chooseServer(elements(provider, 'outgoingServer'), 'smtp', fill);
  if (smtp) parsed.smtp = smtp;
  if (!parsed.imap && !parsed.pop3 && !parsed.smtp) throw new ConfigXmlError('no usable server');

  const oauth2Element = elements(config, 'oAuth2')[0];
  const oauth2 = oauth2Element && readOAuth2(oauth2Element);
  if (oauth2) parsed.oauth2 = oauth2;
  return parsed;
}

function parseDocument(xml: string): XmlElement {
  try {
    // The parser alone accepts broken documents (a truncated download, an unclosed tag); the validator does not.
    SyntaxValidator.validate(xml);
    return parser.parse(xml) as XmlElement;
  } catch {
    throw new ConfigXmlError('malformed XML');
  }
}

function chooseServer(candidates: XmlElement[], protocol: ServerProtocol, fill: (value: string) => string): DiscoveredServer | undefined {
  const usable = candidates
    .filter((element) => element['@_type'] === protocol)
    .map((element) => readServer(element, protocol, fill))
    .filter((server) => server !== undefined);
  // Never fall back to clear text while the same document offers an encrypted way to the same service.
  return usable.find((server) => server.security !== 'plain') ?? usable[0];
}

function readServer(element: XmlElement, protocol: ServerProtocol, fill: (value: string) => string): DiscoveredServer | undefined {
  const host = fill(text(element, 'hostname') ?? '').toLowerCase();
  const portText = text(element, 'port') ?? '';
  const port = Number(portText);
  const security = SOCKET_TYPES[text(element, 'socketType') ?? ''];
  const signIn = [...new Set(texts(element, 'authentication').map((method) => SIGN_IN_METHODS[method]))].filter((method) => method !== undefined);
  if (!isHostName(host) || !/^\d{1,5}$/.test(portText) || port < 1 || port > 65535 || !security || signIn.length === 0) return undefined;
  // Most providers sign in with the address itself; the form shows the value and keeps it editable.
  const username = fill(text(element, 'username') ?? '%EMAILADDRESS%');
  return { protocol, host, port, security, username, signIn };
}

function isHostName(host: string): boolean {
  return HOSTNAME.test(host) || isIP(host) !== 0;
}

function readOAuth2(element: XmlElement): OAuth2Endpoints | undefined {
  const issuer = text(element, 'issuer');
  const scopes = (text(element, 'scope') ?? '').split(/\s+/).filter((scope) => scope !== '');
  const authorizationUrl = text(element, 'authURL');
  const tokenUrl = text(element, 'tokenURL');
  // Tokens and authorization codes must never travel in clear text.
  if (!issuer || scopes.length === 0 || !isHttpsUrl(authorizationUrl) || !isHttpsUrl(tokenUrl)) return undefined;
  return { issuer, scopes, authorizationUrl, tokenUrl };
}

function isHttpsUrl(value: string | undefined): value is string {
  return value !== undefined && URL.canParse(value) && new URL(value).protocol === 'https:';
}

function placeholderFiller(email: string): (value: string) => string {
  const at = email.lastIndexOf('@');
  const localPart = at < 0 ? email : email.slice(0, at);
  const domain = at < 0 ? '' : email.slice(at + 1);
  return (value) => value.replaceAll('%EMAILADDRESS%', email).replaceAll('%EMAILLOCALPART%', localPart).replaceAll('%EMAILDOMAIN%', domain);
}

function elements(parent: XmlElement, name: string): XmlElement[] {
  const children = parent[name];
  return Array.isArray(children) ? children.filter((child): child is XmlElement => typeof child === 'object' && child !== null) : [];
}

/** The text of each child element called name (an element with attributes keeps its text under '#text'). */
function texts(parent: XmlElement, name: string): string[] {
  const children = parent[name];
  if (!Array.isArray(children)) return [];
  return children
    .map((child: unknown) => (typeof child === 'object' && child !== null ? (child as XmlElement)['#text'] : child))
    .filter((value): value is string => typeof value === 'string' && value !== '');
}

function text(parent: XmlElement, name: string): string | undefined {
  return texts(parent, name)[0];
}
