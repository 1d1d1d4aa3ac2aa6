/** What crossed the wire (lab/traffic.ts), in words. */
import { t } from '../../i18n';
import type { Traffic } from '../../lab/traffic';
import { byteSize } from '../format';

/** "UID STORE — 1 command, 1 round trip, 52 B sent, 31 B received", or that nothing was sent. */
export function describeTraffic(traffic: Traffic): string {
  if (traffic.commands === 0 && traffic.bytesIn === 0) return t('lab:traffic.none');
  // Command names are the protocol's own words.
  const names = traffic.names.map((n) => (n.count > 1 ? `${n.name} ×${n.count}` : n.name)).join(', ');
  return t('lab:traffic.summary', {
    names: names || t('lab:traffic.noneSent'),
    commands: t('lab:traffic.commands', { count: traffic.commands }),
    roundTrips: t('lab:traffic.roundTrips', { count: traffic.roundTrips }),
    sent: byteSize(traffic.bytesOut),
    received: byteSize(traffic.bytesIn),
  });
}
