/** What crossed the wire (lab/traffic.ts), in words. */
import type { Traffic } from '../../lab/traffic';
import { byteSize } from '../format';

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "UID STORE — 1 command, 1 round trip, 52 B sent, 31 B received", or that nothing was sent. */
export function describeTraffic(traffic: Traffic): string {
  if (traffic.commands === 0 && traffic.bytesIn === 0) return 'none: nothing went over the wire.';
  const names = traffic.names.map((n) => (n.count > 1 ? `${n.name} ×${n.count}` : n.name)).join(', ');
  return `${names || 'none sent'} — ${plural(traffic.commands, 'command')}, ${plural(traffic.roundTrips, 'round trip')}, ${byteSize(traffic.bytesOut)} sent, ${byteSize(traffic.bytesIn)} received.`;
}
