import type { ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { captureOutput, delay, freePorts, spawnDaemon, stopGroup } from './processes';

export interface DnsRecords {
  /** name → IPv4 address (always 127.0.0.1 or another 127.x address in our tests) */
  a?: Record<string, string>;
  /** A target of "." says the service is not offered (RFC 2782). */
  srv?: Array<{ name: string; target: string; port: number; priority?: number; weight?: number }>;
  mx?: Array<{ name: string; host: string; preference: number }>;
}

export interface DnsServer {
  /** '127.0.0.1:PORT', for Node's Resolver.setServers */
  address: string;
  stop(): Promise<void>;
}

/**
 * Debian installs dnsmasq in /usr/sbin, which a normal user's PATH often
 * lacks; PATH still comes first so that another build can be put in front.
 */
function findDnsmasq(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== ''), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'dnsmasq');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Why DNS tests cannot run here (dnsmasq missing), or undefined. */
export function dnsServerUnavailable(): string | undefined {
  if (findDnsmasq() !== undefined) return undefined;
  return 'no DNS server for the tests: dnsmasq not found in PATH or /usr/sbin (Debian package dnsmasq-base)';
}

const START_ATTEMPTS = 4;
const READY_TIMEOUT_MS = 5000;

/**
 * Answers authoritatively for `zones` (other names under them: NXDOMAIN/no data, as from a real zone;
 * names outside: refused, never forwarded anywhere).
 */
export async function startDnsServer(zones: string[], records: DnsRecords): Promise<DnsServer> {
  const dnsmasq = findDnsmasq();
  if (dnsmasq === undefined) throw new Error(dnsServerUnavailable());
  const zoneArgs = zones.map((zone) => `--local=/${checkedName(zone, 'zone')}/`);
  const recordArgs = recordArguments(zones, records);
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    // dnsmasq takes the same port for UDP and TCP; the probe only sees TCP, hence the retries.
    const { dns: port } = await freePorts(['dns']);
    try {
      const child = await launch(dnsmasq, port, [...zoneArgs, ...recordArgs]);
      return { address: `127.0.0.1:${port}`, stop: () => stopGroup(child, 'SIGTERM') };
    } catch (error) {
      lastError = error;
      if (!/Address already in use/.test(String(error))) throw error;
    }
  }
  throw lastError;
}

async function launch(dnsmasq: string, port: number, zoneAndRecordArgs: string[]): Promise<ChildProcess> {
  const args = [
    // In the foreground dnsmasq keeps the uid it was started with and writes no pid file; as root (CI) it
    // stays root, which is harmless here: it binds one high loopback port and reads no file.
    '--no-daemon',
    '--pid-file=',
    // Nothing from /etc: no dnsmasq.conf, no /etc/hosts, no resolv.conf, so no upstream to forward to.
    '--conf-file=/dev/null',
    '--no-hosts',
    '--no-resolv',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    ...(process.env.TWINBOX_MAILSTACK_VERBOSE === '1' ? ['--log-queries'] : []),
    ...zoneAndRecordArgs,
  ];
  const child = spawnDaemon(dnsmasq, args);
  const output = captureOutput(child);
  // 'exit' can come before the last of stderr is read, and the reason to retry is written there.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  try {
    await waitUntilAnswering(port, child, output, closed);
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  return child;
}

/** Any DNS answer, even a refusal, shows that dnsmasq reads its records and listens. */
async function waitUntilAnswering(port: number, child: ChildProcess, output: () => string, closed: Promise<void>): Promise<void> {
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (hasExited(child)) {
      throw new Error(`dnsmasq exited with ${child.exitCode ?? child.signalCode} before answering: ${await closed.then(output)}`);
    }
    let answered = false;
    try {
      await resolver.resolve4('twinbox-readiness-probe.invalid');
      answered = true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      answered = code === 'EREFUSED' || code === 'ENOTFOUND' || code === 'ENODATA';
    }
    // An answer from a dnsmasq that has meanwhile exited came from whoever else holds the port.
    if (answered && !hasExited(child)) return;
    if (answered) continue;
    if (Date.now() > deadline) throw new Error(`dnsmasq did not answer on 127.0.0.1:${port} after ${READY_TIMEOUT_MS} ms: ${output()}`);
    await delay(10);
  }
}

/** A function, not an inline test: TypeScript would take the fields as still null after the first check. */
function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function recordArguments(zones: string[], records: DnsRecords): string[] {
  const inZones = (name: string, what: string): string => {
    const checked = checkedName(name, what);
    const lower = checked.toLowerCase();
    const inside = zones.some((zone) => lower === zone.toLowerCase() || lower.endsWith(`.${zone.toLowerCase()}`));
    // dnsmasq would answer it anyway, contradicting the promise that names outside the zones are refused.
    if (!inside) throw new Error(`${what} ${name} is outside the zones ${zones.join(', ')}`);
    return checked;
  };
  const args: string[] = [];
  for (const [name, address] of Object.entries(records.a ?? {})) {
    // Tests must never lead the client anywhere but this machine.
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) throw new Error(`A record ${name}: ${address} is not a 127.x address`);
    args.push(`--host-record=${inZones(name, 'A record')},${address}`);
  }
  for (const srv of records.srv ?? []) {
    const numbers = [srv.port, srv.priority ?? 0, srv.weight ?? 0];
    if (!numbers.every((n) => Number.isInteger(n) && n >= 0 && n <= 65535)) throw new Error(`SRV record ${srv.name}: bad numbers`);
    // RFC 2782's "." target, "decidedly not available here", is what dnsmasq answers for a name alone.
    if (srv.target === '.') args.push(`--srv-host=${inZones(srv.name, 'SRV record')}`);
    else args.push(`--srv-host=${inZones(srv.name, 'SRV record')},${checkedName(srv.target, 'SRV target')},${numbers.join(',')}`);
  }
  for (const mx of records.mx ?? []) {
    if (!Number.isInteger(mx.preference) || mx.preference < 0 || mx.preference > 65535) throw new Error(`MX record ${mx.name}: bad preference`);
    args.push(`--mx-host=${inZones(mx.name, 'MX record')},${checkedName(mx.host, 'MX host')},${mx.preference}`);
  }
  return args;
}

/** A comma or slash would split dnsmasq's option into other fields. */
function checkedName(name: string, what: string): string {
  if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(name)) throw new Error(`${what} "${name}" is not a plain DNS name`);
  return name;
}
