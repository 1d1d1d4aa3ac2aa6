/**
 * Which network addresses main may reach on behalf of a mail. A remote
 * picture names any address it likes; fetched by main, it must not become a
 * way into this computer or its network (the router's page, a cloud
 * metadata service, a printer). Only globally reachable unicast addresses
 * pass, and IPv6 addresses that carry an IPv4 one are judged by the IPv4
 * address they lead to. Pure: no lookups, no sockets.
 */

/** The kind of range an address lies in; only `public` may be reached. */
export type AddressRange =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier-grade NAT'
  | 'link-local'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'not an IP address';

/** Names the variable that lets main reach internal image servers (the tests' and the demo's); never set by the app. */
export const ALLOW_INTERNAL_IMAGE_HOSTS = 'TWINBOX_ALLOW_INTERNAL_IMAGE_HOSTS';

interface Prefix {
  bytes: readonly number[];
  length: number;
}

/** An IPv4 range's own kind, or where to find the IPv4 address an IPv6 one carries (its first byte). */
type Rule = { prefix: Prefix; range: AddressRange } | { prefix: Prefix; embeddedIpv4At: number };

function ipv4Prefix(text: string): Prefix {
  const [address = '', length = ''] = text.split('/');
  return { bytes: address.split('.').map(Number), length: Number(length) };
}

function ipv6Prefix(text: string): Prefix {
  const [address = '', length = ''] = text.split('/');
  const bytes = parseIpv6(address);
  if (bytes === undefined) throw new Error(`bad prefix ${text}`);
  return { bytes: [...bytes], length: Number(length) };
}

// IANA's IPv4 special-purpose registry, less what it marks globally reachable; first match wins.
const IPV4_RULES: readonly Rule[] = (
  [
    ['0.0.0.0/8', 'unspecified'],
    ['10.0.0.0/8', 'private'],
    ['100.64.0.0/10', 'carrier-grade NAT'],
    ['127.0.0.0/8', 'loopback'],
    ['169.254.0.0/16', 'link-local'],
    ['172.16.0.0/12', 'private'],
    ['192.0.0.0/24', 'reserved'],
    ['192.0.2.0/24', 'documentation'],
    // The old 6to4 relay anycast: deprecated, nobody's picture server.
    ['192.88.99.0/24', 'reserved'],
    ['192.168.0.0/16', 'private'],
    ['198.18.0.0/15', 'benchmarking'],
    ['198.51.100.0/24', 'documentation'],
    ['203.0.113.0/24', 'documentation'],
    ['224.0.0.0/4', 'multicast'],
    // Before 240.0.0.0/4, which holds it.
    ['255.255.255.255/32', 'broadcast'],
    ['240.0.0.0/4', 'reserved'],
  ] as const
).map(([prefix, range]) => ({ prefix: ipv4Prefix(prefix), range }));

const IPV6_RULES: readonly Rule[] = [
  { prefix: ipv6Prefix('::/128'), range: 'unspecified' },
  { prefix: ipv6Prefix('::1/128'), range: 'loopback' },
  // IPv4-mapped (::ffff:a.b.c.d): a socket given one reaches the IPv4 address itself.
  { prefix: ipv6Prefix('::ffff:0:0/96'), embeddedIpv4At: 12 },
  // IPv4-translated (SIIT, ::ffff:0:a.b.c.d).
  { prefix: ipv6Prefix('::ffff:0:0:0/96'), embeddedIpv4At: 12 },
  // IPv4-compatible (::a.b.c.d), deprecated but still parsed by every stack.
  { prefix: ipv6Prefix('::/96'), embeddedIpv4At: 12 },
  // NAT64: a DNS64 resolver answers with these for IPv4-only names, and the gateway connects to the IPv4 address.
  { prefix: ipv6Prefix('64:ff9b::/96'), embeddedIpv4At: 12 },
  // Local-use NAT64 (RFC 8215): translates into a network of its operator's choosing.
  { prefix: ipv6Prefix('64:ff9b:1::/48'), range: 'private' },
  { prefix: ipv6Prefix('100::/64'), range: 'reserved' },
  { prefix: ipv6Prefix('2001:2::/48'), range: 'benchmarking' },
  { prefix: ipv6Prefix('2001:db8::/32'), range: 'documentation' },
  // IETF protocol assignments, Teredo among them (whose IPv4 addresses are hidden, so it cannot be judged).
  { prefix: ipv6Prefix('2001::/23'), range: 'reserved' },
  // 6to4: the IPv4 address of the site's relay follows the prefix.
  { prefix: ipv6Prefix('2002::/16'), embeddedIpv4At: 2 },
  { prefix: ipv6Prefix('3fff::/20'), range: 'documentation' },
  // SRv6 segment identifiers (RFC 9602): never a host on the internet.
  { prefix: ipv6Prefix('5f00::/16'), range: 'reserved' },
  { prefix: ipv6Prefix('fc00::/7'), range: 'unique-local' },
  { prefix: ipv6Prefix('fe80::/10'), range: 'link-local' },
  { prefix: ipv6Prefix('fec0::/10'), range: 'site-local' },
  { prefix: ipv6Prefix('ff00::/8'), range: 'multicast' },
];

// Only 2000::/3 is handed out as global unicast; the rest of the IPv6 space (but what the rules above name) is reserved.
const IPV6_GLOBAL_UNICAST = ipv6Prefix('2000::/3');

function within(bytes: Uint8Array, prefix: Prefix): boolean {
  for (let bit = 0; bit < prefix.length; bit += 8) {
    const bitsHere = Math.min(8, prefix.length - bit);
    const mask = (0xff << (8 - bitsHere)) & 0xff;
    const index = bit / 8;
    if (((bytes[index] ?? 0) & mask) !== ((prefix.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * The range of an IP address as DNS answers it or a URL holds it: dotted
 * IPv4, or IPv6 (with or without brackets, with or without a zone). Anything
 * else is 'not an IP address', which is never reached either.
 */
export function classifyAddress(address: string): AddressRange {
  const ipv4 = parseIpv4(address);
  if (ipv4 !== undefined) return matchRules(ipv4, IPV4_RULES) ?? 'public';
  const ipv6 = parseIpv6(address);
  if (ipv6 === undefined) return 'not an IP address';
  return matchRules(ipv6, IPV6_RULES) ?? (within(ipv6, IPV6_GLOBAL_UNICAST) ? 'public' : 'reserved');
}

/** The range of the first rule that holds the address (an embedded IPv4 address's own), or undefined when none does. */
function matchRules(bytes: Uint8Array, rules: readonly Rule[]): AddressRange | undefined {
  const rule = rules.find((candidate) => within(bytes, candidate.prefix));
  if (rule === undefined) return undefined;
  if ('range' in rule) return rule.range;
  return matchRules(bytes.subarray(rule.embeddedIpv4At, rule.embeddedIpv4At + 4), IPV4_RULES) ?? 'public';
}

/**
 * The IP address a URL's hostname spells, or undefined for a name to look
 * up. WHATWG URL has already turned every IPv4 spelling (`0x7f.1`,
 * `2130706433`, `127.1`) into dotted decimal and bracketed IPv6.
 */
export function literalAddress(hostname: string): string | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return parseIpv4(hostname) === undefined ? undefined : hostname;
}

/** Dotted decimal only, without leading zeros: the one form DNS answers and URLs produce, so no other is guessed at. */
function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

/** The 16 bytes of an IPv6 address (brackets and a zone allowed, the zone ignored), or undefined. */
function parseIpv6(text: string): Uint8Array | undefined {
  let address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  if (!address.includes(':')) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  // Dotted IPv4 may only end the whole address.
  const groups = (half: string | undefined, endsAddress: boolean): number[] | undefined => {
    if (half === undefined || half === '') return [];
    const result: number[] = [];
    const pieces = half.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (endsAddress && i === pieces.length - 1 && piece.includes('.')) {
        const ipv4 = parseIpv4(piece);
        if (ipv4 === undefined) return undefined;
        result.push(((ipv4[0] ?? 0) << 8) | (ipv4[1] ?? 0), ((ipv4[2] ?? 0) << 8) | (ipv4[3] ?? 0));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        result.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return result;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = groups(halves[1], true);
  if (head === undefined || tail === undefined) return undefined;
  const compressed = halves.length === 2;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (const [i, group] of all.entries()) {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  }
  return bytes;
}

/** Internal endpoints that may be reached all the same: exact addresses with their ports, never a range. */
export interface AllowedEndpoints {
  /** As given, for a start-up message. */
  readonly entries: readonly string[];
  allows(address: string, port: number): boolean;
}

/** One spelling per endpoint, so that `::1` and `0:0:0:0:0:0:0:1` are the same entry. */
function endpointKey(address: string, port: number): string | undefined {
  const ipv4 = parseIpv4(address);
  if (ipv4 !== undefined) return `${ipv4.join('.')}:${port}`;
  const ipv6 = parseIpv6(address);
  if (ipv6 === undefined) return undefined;
  const groups = Array.from({ length: 8 }, (_, i) => (((ipv6[i * 2] ?? 0) << 8) | (ipv6[i * 2 + 1] ?? 0)).toString(16));
  return `[${groups.join(':')}]:${port}`;
}

/**
 * Endpoints written `address:port` (`127.0.0.1:41234`, `[::1]:41234`).
 * Throws on anything else (a name, a missing port, a range), so that a
 * mistyped setting stops main at start rather than letting more through.
 */
export function allowedEndpoints(entries: readonly string[]): AllowedEndpoints {
  const keys = new Set<string>();
  for (const entry of entries) {
    const found = /^(\[[^\]]+\]|[0-9.]+):([0-9]{1,5})$/.exec(entry);
    const address = found?.[1] ?? '';
    const port = Number(found?.[2]);
    const key = found && port >= 1 && port <= 65535 ? endpointKey(address, port) : undefined;
    if (key === undefined) {
      throw new Error(`"${entry}" is not an IP address with a port (such as 127.0.0.1:41234 or [::1]:41234)`);
    }
    keys.add(key);
  }
  return {
    entries: [...entries],
    allows: (address, port) => {
      const key = endpointKey(address, port);
      return key !== undefined && keys.has(key);
    },
  };
}

export const NO_ALLOWED_ENDPOINTS: AllowedEndpoints = allowedEndpoints([]);

/**
 * The endpoints TWINBOX_ALLOW_INTERNAL_IMAGE_HOSTS names in `environment`,
 * comma-separated (`127.0.0.1:41234,127.0.0.1:41235`); none when it is unset.
 * Throws on a bad entry, as allowedEndpoints does.
 */
export function internalImageHostsFrom(environment: Readonly<Record<string, string | undefined>>): AllowedEndpoints {
  const entries = (environment[ALLOW_INTERNAL_IMAGE_HOSTS] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return allowedEndpoints(entries);
}
