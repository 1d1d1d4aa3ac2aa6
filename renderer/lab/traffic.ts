/**
 * What crossed the wire, from the adapters' protocol log: commands, round
 * trips and bytes. Pure, so the counting rules are tested apart from the UI
 * (which says them in words: ui/lab/traffic-words.ts).
 */
import type { ProtocolLogLine } from '../../shared/model';

export interface Traffic {
  /** Lines Twinbox sent. */
  commands: number;
  /**
   * Runs of commands sent before the server answered: five pipelined RETRs
   * cost one, five sent one after another's reply cost five.
   */
  roundTrips: number;
  bytesOut: number;
  bytesIn: number;
  /** Each command's name and how often it was sent, in order of first use. */
  names: { name: string; count: number }[];
}

export const NO_TRAFFIC: Traffic = { commands: 0, roundTrips: 0, bytesOut: 0, bytesIn: 0, names: [] };

/**
 * The command's name without its tag and arguments: `UID STORE` from
 * `7 UID STORE 3 +FLAGS (\Seen)`, `RETR` from `RETR 4`. IMAP's `DONE` (which
 * ends IDLE) and a SASL continuation have no tag.
 */
export function commandName(line: Pick<ProtocolLogLine, 'protocol' | 'text'>): string {
  const words = line.text.trim().split(/\s+/);
  if (line.protocol !== 'imap') return (words[0] ?? '').toUpperCase();
  const first = (words[0] ?? '').toUpperCase();
  if (first === 'DONE' || words.length === 1 || first.startsWith('(')) return first;
  const verb = (words[1] ?? '').toUpperCase();
  return verb === 'UID' ? `UID ${(words[2] ?? '').toUpperCase()}` : verb;
}

export function summarize(lines: readonly ProtocolLogLine[]): Traffic {
  let commands = 0;
  let roundTrips = 0;
  let bytesOut = 0;
  let bytesIn = 0;
  let sending = false;
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (line.direction === 'out') {
      commands++;
      bytesOut += line.bytes;
      if (!sending) roundTrips++;
      sending = true;
      const name = commandName(line);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    } else {
      bytesIn += line.bytes;
      sending = false;
    }
  }
  return { commands, roundTrips, bytesOut, bytesIn, names: [...counts].map(([name, count]) => ({ name, count })) };
}

export function addTraffic(a: Traffic, b: Traffic): Traffic {
  const counts = new Map(a.names.map((n) => [n.name, n.count]));
  for (const n of b.names) counts.set(n.name, (counts.get(n.name) ?? 0) + n.count);
  return {
    commands: a.commands + b.commands,
    roundTrips: a.roundTrips + b.roundTrips,
    bytesOut: a.bytesOut + b.bytesOut,
    bytesIn: a.bytesIn + b.bytesIn,
    names: [...counts].map(([name, count]) => ({ name, count })),
  };
}
