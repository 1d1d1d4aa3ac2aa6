/**
 * One table, printed and written as JSON: each row is a job, Twinbox's
 * median time for it, each peer's and the raw limit's on the same data in
 * the same run, the ratios, and the goal the figures are held against, met
 * or missed. Ratios are what hold on a noisy machine; absolute figures are
 * for this machine, described in the JSON.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

export type Unit = 'ms' | 'bytes' | 'µs' | 'ratio';

export interface Row {
  id: string;
  work: string;
  unit: Unit;
  /** Medians over the rounds; undefined when not measured (or the peer is missing). */
  twinbox: number | undefined;
  mbsync?: number | undefined;
  fetchmail?: number | undefined;
  limit?: number | undefined;
  /** Twinbox divided by the peer of this row, and by the limit. */
  ratioPeer?: number | undefined;
  ratioLimit?: number | undefined;
  goal?: string;
  /** undefined: no goal, or not enough figures to judge. */
  met?: boolean | undefined;
  /** Each round's figure, for the spread. */
  rounds: (number | undefined)[];
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function medianOf(values: readonly (number | undefined)[]): number | undefined {
  return median(values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
}

export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined) return '–';
  if (unit === 'bytes') return `${(value / (1024 * 1024)).toFixed(0)} MB`;
  if (unit === 'µs') return `${value.toFixed(0)} µs`;
  if (unit === 'ratio') return `${value.toFixed(2)}×`;
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${value.toFixed(0)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

function formatRatio(value: number | undefined): string {
  return value === undefined ? '–' : `${value < 0.1 ? value.toFixed(3) : value.toFixed(2)}×`;
}

/** The table as fixed-width text, for the terminal and for the README. */
export function renderTable(rows: Row[], missing: Record<string, string>): string {
  const cell = (row: Row, key: 'mbsync' | 'fetchmail'): string => {
    if (!(key in row)) return '';
    if (row[key] === undefined && missing[key] !== undefined) return 'missing';
    return formatValue(row[key], row.unit);
  };
  const header = ['work', 'Twinbox', 'mbsync', 'fetchmail', 'limit', 'Twinbox/peer', 'Twinbox/limit', 'goal', 'met'];
  const body = rows.map((row) => [
    row.work,
    formatValue(row.twinbox, row.unit),
    cell(row, 'mbsync'),
    cell(row, 'fetchmail'),
    'limit' in row ? formatValue(row.limit, row.unit) : '',
    'ratioPeer' in row ? formatRatio(row.ratioPeer) : '',
    'ratioLimit' in row ? formatRatio(row.ratioLimit) : '',
    row.goal ?? '',
    row.met === undefined ? (row.goal ? '?' : '') : row.met ? 'met' : 'MISSED',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((line) => (line[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export interface Machine {
  cpu: string;
  cores: number;
  ramBytes: number;
  freeRamBytesAtStart: number;
  disk: string;
  kernel: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

/** What the figures were measured on: they mean little without it. */
export function describeMachine(workDir: string): Machine {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown';
  return {
    cpu,
    cores: cpus().length,
    ramBytes: totalmem(),
    freeRamBytesAtStart: freemem(),
    disk: describeDisk(workDir),
    kernel: release(),
    loadAverageAtStart: loadavg(),
  };
}

function describeDisk(path: string): string {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => fields.length >= 3 && path.startsWith(fields[1] ?? '\0'))
      .sort((a, b) => (b[1]?.length ?? 0) - (a[1]?.length ?? 0));
    const [device = '?', mountPoint = '?', type = '?'] = mounts[0] ?? [];
    const name = device.replace(/^\/dev\//, '');
    const base = name.replace(/p?\d+$/, '');
    const rotational = readText(`/sys/block/${base}/queue/rotational`);
    const model = readText(`/sys/block/${base}/device/model`);
    const stats = statfsSync(path);
    const size = (stats.blocks * stats.bsize) / 1024 ** 3;
    const kind = rotational === '1' ? 'rotational' : rotational === '0' ? 'non-rotational' : 'unknown kind';
    return `${device} (${type} on ${mountPoint}, ${size.toFixed(0)} GiB, ${kind}${model ? `, ${model}` : ''})`;
  } catch (error) {
    return `unknown (${String(error)})`;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function commandOutput(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    const text = `${output.stdout ?? ''}${output.stderr ?? ''}`.trim();
    return text === '' ? undefined : text;
  }
}

function packageVersion(root: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export type Versions = Record<string, string | undefined>;

/** Every program whose speed is in the table. */
export function describeVersions(root: string, chromium: string, peers: { mbsync?: string; fetchmail?: string }): Versions {
  const twinbox = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const commit = commandOutput('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
  return {
    twinbox: `${twinbox.version}${commit && /^[0-9a-f]+$/.test(commit) ? ` (${commit})` : ''}`,
    node: process.version,
    chromium: commandOutput(chromium, ['--version'])?.split('\n')[0],
    dovecot: commandOutput('dovecot', ['--version'])?.split('\n')[0],
    postfix: commandOutput('postconf', ['-d', '-h', 'mail_version'])?.split('\n').pop(),
    mbsync: peers.mbsync,
    fetchmail: peers.fetchmail,
    imapflow: packageVersion(root, 'imapflow'),
    dexie: packageVersion(root, 'dexie'),
    'playwright-core': packageVersion(root, 'playwright-core'),
  };
}
