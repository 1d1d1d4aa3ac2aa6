/**
 * Which addresses a remote picture may reach: every special-purpose range in
 * its IPv4 and IPv6 spellings, IPv6 addresses that carry an IPv4 one, and the
 * spellings a URL turns into an address before main ever sees it.
 */
import { describe, expect, it } from 'vitest';
import { ALLOW_INTERNAL_IMAGE_HOSTS, allowedEndpoints, classifyAddress, internalImageHostsFrom, literalAddress } from './address-policy';
import type { AddressRange } from './address-policy';

const IPV4: [string, AddressRange][] = [
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['93.184.215.14', 'public'],
  ['223.255.255.255', 'public'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.63.255.255', 'public'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.255', 'carrier-grade NAT'],
  ['100.128.0.0', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'link-local'],
  ['169.255.0.1', 'public'],
  ['172.15.255.255', 'public'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.0', 'public'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['192.169.0.1', 'public'],
  ['198.17.255.255', 'public'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.20.0.0', 'public'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.251', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.254', 'reserved'],
  ['255.255.255.255', 'broadcast'],
];

const IPV6: [string, AddressRange][] = [
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:81d::200e', 'public'],
  ['::', 'unspecified'],
  ['0:0:0:0:0:0:0:0', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['[::1]', 'loopback'],
  // IPv4-mapped, in both spellings and either case: judged by the IPv4 address.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::FFFF:7F00:0001', 'loopback'],
  ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:a9fe:a9fe', 'link-local'],
  ['::ffff:192.168.0.1', 'private'],
  ['::ffff:8.8.8.8', 'public'],
  ['::ffff:808:808', 'public'],
  // IPv4-translated (SIIT).
  ['::ffff:0:10.0.0.1', 'private'],
  ['::ffff:0:808:808', 'public'],
  // IPv4-compatible.
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::2', 'unspecified'],
  ['::a9fe:a9fe', 'link-local'],
  ['::8.8.8.8', 'public'],
  // NAT64.
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::10.1.2.3', 'private'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['64:ff9b:1::1', 'private'],
  // 6to4: the IPv4 address follows 2002.
  ['2002:7f00:1::', 'loopback'],
  ['2002:a00:1::1', 'private'],
  ['2002:c0a8:101::1', 'private'],
  ['2002:a9fe:a9fe::1', 'link-local'],
  ['2002:808:808::1', 'public'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['feff::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  // Teredo and the other IETF assignments.
  ['2001::1', 'reserved'],
  ['2001:1::1', 'reserved'],
  ['100::1', 'reserved'],
  ['5f00::1', 'reserved'],
  // Outside 2000::/3, which is all that is handed out.
  ['1::', 'reserved'],
  ['4000::1', 'reserved'],
  ['e000::1', 'reserved'],
];

const NOT_ADDRESSES = [
  '',
  'localhost',
  'images.example',
  // Spellings that a URL turns into dotted decimal first, and that are never guessed at here.
  '127.1',
  '0x7f.1',
  '2130706433',
  '0177.0.0.1',
  '127.0.0.01',
  '256.0.0.1',
  '1.2.3',
  '1.2.3.4.5',
  '[127.0.0.1]',
  '1::2::3',
  ':1:2:3:4:5:6:7',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7::8',
  '12345::',
  'g::1',
  '1.2.3.4::',
  '::1.2.3.4.5',
];

describe('classifyAddress', () => {
  it.each(IPV4)('IPv4 %s is %s', (address, range) => {
    expect(classifyAddress(address)).toBe(range);
  });

  it.each(IPV6)('IPv6 %s is %s', (address, range) => {
    expect(classifyAddress(address)).toBe(range);
  });

  it.each(NOT_ADDRESSES)('%j is not an IP address, so it is never reached', (text) => {
    expect(classifyAddress(text)).toBe('not an IP address');
  });
});

// What WHATWG URL makes of a host, as main parses every picture's address: numbers in any base, shortened
// forms, percent-encoded or full-width digits all become dotted decimal; IPv6 comes out compressed, in hex.
const URL_HOSTS: [url: string, literal: string | undefined, range: AddressRange | undefined][] = [
  ['http://0x7f.1/a.png', '127.0.0.1', 'loopback'],
  ['http://2130706433/a.png', '127.0.0.1', 'loopback'],
  ['http://0x7f000001/a.png', '127.0.0.1', 'loopback'],
  ['http://017700000001/a.png', '127.0.0.1', 'loopback'],
  ['http://127.1/a.png', '127.0.0.1', 'loopback'],
  ['http://0177.0.0.1/a.png', '127.0.0.1', 'loopback'],
  ['http://127.000.000.001/a.png', '127.0.0.1', 'loopback'],
  ['http://127.0.0.1./a.png', '127.0.0.1', 'loopback'],
  ['http://%31%32%37.0.0.1/a.png', '127.0.0.1', 'loopback'],
  ['http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/a.png', '127.0.0.1', 'loopback'],
  ['http://0/a.png', '0.0.0.0', 'unspecified'],
  ['http://0xa9fea9fe/latest/meta-data/', '169.254.169.254', 'link-local'],
  ['http://169.254.43518/latest/meta-data/', '169.254.169.254', 'link-local'],
  ['http://10.1/a.png', '10.0.0.1', 'private'],
  ['http://[::ffff:127.0.0.1]/a.png', '::ffff:7f00:1', 'loopback'],
  ['http://[0:0:0:0:0:ffff:7f00:1]/a.png', '::ffff:7f00:1', 'loopback'],
  ['http://[::127.0.0.1]/a.png', '::7f00:1', 'loopback'],
  ['http://[::ffff:169.254.169.254]/a.png', '::ffff:a9fe:a9fe', 'link-local'],
  ['http://[64:ff9b::10.0.0.1]/a.png', '64:ff9b::a00:1', 'private'],
  ['http://[2002:a00:1::]/a.png', '2002:a00:1::', 'private'],
  ['http://[fe80::1]/a.png', 'fe80::1', 'link-local'],
  ['http://[::]/a.png', '::', 'unspecified'],
  ['http://8.8.8.8/a.png', '8.8.8.8', 'public'],
  ['https://[2606:4700:4700::1111]/a.png', '2606:4700:4700::1111', 'public'],
  // Names: looked up, and then it is the answer that is judged.
  ['http://images.example/a.png', undefined, undefined],
  ['http://127.0.0.1.nip.io/a.png', undefined, undefined],
  ['http://localhost/a.png', undefined, undefined],
];

describe('a URL host', () => {
  it.each(URL_HOSTS)('%s names %s', (url, literal, range) => {
    const found = literalAddress(new URL(url).hostname);
    expect(found).toBe(literal);
    expect(found === undefined ? undefined : classifyAddress(found)).toBe(range);
  });
});

describe('allowed internal endpoints', () => {
  it('are exact addresses with their ports, whatever the spelling of the address', () => {
    const allowed = allowedEndpoints(['127.0.0.1:41234', '[::1]:41235']);
    expect(allowed.allows('127.0.0.1', 41234)).toBe(true);
    expect(allowed.allows('127.0.0.1', 41235)).toBe(false);
    expect(allowed.allows('127.0.0.2', 41234)).toBe(false);
    expect(allowed.allows('::1', 41235)).toBe(true);
    expect(allowed.allows('0:0:0:0:0:0:0:1', 41235)).toBe(true);
    expect(allowed.allows('::1', 41234)).toBe(false);
    // Exact: the IPv4-mapped form of an allowed address is another address.
    expect(allowed.allows('::ffff:127.0.0.1', 41234)).toBe(false);
    expect(allowed.allows('localhost', 41234)).toBe(false);
  });

  it.each([
    'localhost:41234',
    'images.example:80',
    '127.0.0.1',
    '127.0.0.1:',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:*',
    '127.0.0.1:80-90',
    '127.0.0.0/8:80',
    '127.0.0.*:80',
    '127.1:80',
    '::1:80',
    '[127.0.0.1]:80',
    ':80',
  ])('refuse %j, which is not one address with its port', (entry) => {
    expect(() => allowedEndpoints([entry])).toThrow(/is not an IP address with a port/);
  });

  it(`come from ${ALLOW_INTERNAL_IMAGE_HOSTS}, comma-separated, and there are none without it`, () => {
    expect(internalImageHostsFrom({}).entries).toEqual([]);
    expect(internalImageHostsFrom({ [ALLOW_INTERNAL_IMAGE_HOSTS]: '' }).allows('127.0.0.1', 80)).toBe(false);
    const allowed = internalImageHostsFrom({ [ALLOW_INTERNAL_IMAGE_HOSTS]: ' 127.0.0.1:41234, ,127.0.0.1:41235 ' });
    expect(allowed.entries).toEqual(['127.0.0.1:41234', '127.0.0.1:41235']);
    expect(allowed.allows('127.0.0.1', 41235)).toBe(true);
    expect(() => internalImageHostsFrom({ [ALLOW_INTERNAL_IMAGE_HOSTS]: '127.0.0.1:41234,10.0.0.0/8' })).toThrow(/10\.0\.0\.0\/8/);
  });
});
