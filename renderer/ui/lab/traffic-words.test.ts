import { describe, expect, it } from 'vitest';
import type { ProtocolLogLine } from '../../../shared/model';
import { summarize } from '../../lab/traffic';
import { describeTraffic } from './traffic-words';

function line(direction: 'in' | 'out', text: string, bytes: number): ProtocolLogLine {
  return { accountId: 'a', protocol: 'imap', direction, text, bytes, at: 0 };
}

describe('traffic in words', () => {
  it('says when nothing went over the wire, and otherwise what and how much', () => {
    expect(describeTraffic(summarize([]))).toBe('none: nothing went over the wire.');
    expect(describeTraffic(summarize([line('out', '3 UID STORE 1 +FLAGS (\\Seen)', 40), line('in', '3 OK done', 20)]))).toBe(
      'UID STORE — 1 command, 1 round trip, 40 B sent, 20 B received.',
    );
  });
});
