import { describe, expect, it } from 'vitest';
import type { ProtocolLogLine } from '../../../../shared/model';
import { summarize } from '../../../lab/traffic';
import { FOLD_AT, MAX_STEPS, replyLabel, sequenceSteps, stepTime, totals } from './sequence-layout';
import type { SequenceStep } from './sequence-layout';

/** The sequence diagram's steps: every arrow where the log has a line, long runs folded, and never a byte or command lost. */

let clock = 1_000_000;
function line(direction: 'in' | 'out', text: string, bytes = 10, protocol: 'imap' | 'pop3' = 'pop3'): ProtocolLogLine {
  clock += 3;
  return { accountId: 'a', protocol, direction, text, bytes, at: clock };
}

function expectSameTotals(lines: ProtocolLogLine[], steps: SequenceStep[]): void {
  const traffic = summarize(lines);
  const t = totals(steps);
  expect({ lines: t.lines, commands: t.commands, bytesOut: t.bytesOut, bytesIn: t.bytesIn }).toEqual({
    lines: lines.length,
    commands: traffic.commands,
    bytesOut: traffic.bytesOut,
    bytesIn: traffic.bytesIn,
  });
  expect(t.spanMs).toBe(lines.length === 0 ? 0 : lines[lines.length - 1]!.at - lines[0]!.at);
}

describe('the sequence diagram of a protocol log', () => {
  it('draws a short exchange line by line, with each arrow’s name, bytes and time after the first line', () => {
    const lines = [line('in', '+OK Dovecot ready.', 20), line('out', 'STAT', 6), line('in', '+OK 3 4521', 12), line('out', 'UIDL', 6), line('in', '+OK', 90)];
    const steps = sequenceSteps(lines);
    expect(steps).toEqual([
      { kind: 'line', direction: 'in', label: '+OK', bytes: 20, atMs: 0 },
      { kind: 'line', direction: 'out', label: 'STAT', bytes: 6, atMs: 3 },
      { kind: 'line', direction: 'in', label: '+OK', bytes: 12, atMs: 6 },
      { kind: 'line', direction: 'out', label: 'UIDL', bytes: 6, atMs: 9 },
      { kind: 'line', direction: 'in', label: '+OK', bytes: 90, atMs: 12 },
    ]);
    expect(stepTime(steps[4]!)).toBe('+12 ms');
    expectSameTotals(lines, steps);
  });

  it('folds 52 RETRs with their replies, pipelined or not, into one step with their totals', () => {
    const oneByOne = Array.from({ length: 52 }, (_, i) => [line('out', `RETR ${i + 1}`, 8), line('in', '+OK 2000 octets', 2000)]).flat();
    const lines = [line('out', 'STAT', 6), line('in', '+OK 52 104000', 14), ...oneByOne, line('out', 'QUIT', 6), line('in', '+OK Logging out.', 18)];
    const steps = sequenceSteps(lines);
    expect(steps.map((s) => s.label)).toEqual(['STAT', '+OK', 'RETR ×52', 'QUIT', '+OK']);
    expect(steps[2]).toMatchObject({ kind: 'run', direction: 'both', lines: 104, commands: 52, bytesOut: 52 * 8, bytesIn: 52 * 2000 });
    expectSameTotals(lines, steps);

    const pipelined = [...Array.from({ length: 5 }, (_, i) => line('out', `RETR ${i + 1}`, 8)), ...Array.from({ length: 5 }, () => line('in', '+OK', 500))];
    const folded = sequenceSteps(pipelined);
    expect(folded).toHaveLength(1);
    expect(folded[0]).toMatchObject({ label: 'RETR ×5', commands: 5, bytesIn: 2500 });
    expectSameTotals(pipelined, folded);
  });

  it('folds a FETCH’s many answers, and leaves a run shorter than FOLD_AT as it is', () => {
    const fetch = [
      line('out', '5 UID FETCH 1:* (UID FLAGS)', 30, 'imap'),
      ...Array.from({ length: 52 }, (_, i) => line('in', `* ${i + 1} FETCH (UID ${i + 40} FLAGS (\\Seen))`, 40, 'imap')),
      line('in', '5 OK Fetch completed (0.001 + 0.000 secs).', 45, 'imap'),
    ];
    const steps = sequenceSteps(fetch);
    expect(steps.map((s) => s.label)).toEqual(['UID FETCH', '* FETCH ×52', 'OK']);
    expect(steps[1]).toMatchObject({ kind: 'run', direction: 'in', commands: 0, lines: 52, bytesIn: 52 * 40, bytesOut: 0 });
    expectSameTotals(fetch, steps);

    const few = [line('out', 'DELE 1'), line('in', '+OK'), line('out', 'DELE 2'), line('in', '+OK'), line('out', 'DELE 3'), line('in', '+OK')];
    expect(FOLD_AT).toBeGreaterThan(3);
    expect(sequenceSteps(few).every((s) => s.kind === 'line')).toBe(true);
  });

  it('folds the middle of a long log that does not fold by itself, keeping its first and last steps', () => {
    const names = ['NOOP', 'STAT', 'LIST', 'UIDL'];
    const lines = Array.from({ length: 120 }, (_, i) => [line('out', names[i % names.length]!, 6), line('in', '+OK', 7 + i)]).flat();
    const steps = sequenceSteps(lines);
    expect(steps).toHaveLength(MAX_STEPS);
    expect(steps[0]).toMatchObject({ kind: 'line', label: 'NOOP', atMs: 0 });
    expect(steps[steps.length - 1]).toMatchObject({ kind: 'line', label: '+OK' });
    const folded = steps.filter((s) => s.kind === 'run');
    expect(folded).toHaveLength(1);
    expect(folded[0]!.label).toMatch(/^\d+ more lines: (NOOP|STAT|LIST|UIDL) ×\d+, (NOOP|STAT|LIST|UIDL) ×\d+, (NOOP|STAT|LIST|UIDL) ×\d+, …$/);
    expectSameTotals(lines, steps);
  });

  it('keeps every byte and command of any log', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const outs = ['RETR 1', 'DELE 2', 'UIDL', '4 UID FETCH 1:*', '5 IDLE', 'DONE'];
    const ins = ['+OK', '-ERR no such message', '* 3 FETCH (FLAGS ())', '* 4 EXISTS', '5 OK done', '+ idling'];
    for (let round = 0; round < 200; round++) {
      const lines = Array.from({ length: random(300) }, () => {
        const out = random(3) === 0;
        const texts = out ? outs : ins;
        // Runs of the same line, as real logs have them.
        return Array.from({ length: 1 + random(8) }, () => line(out ? 'out' : 'in', texts[random(texts.length)]!, random(5000), random(2) ? 'imap' : 'pop3'));
      }).flat();
      const steps = sequenceSteps(lines);
      expect(steps.length).toBeLessThanOrEqual(MAX_STEPS);
      expectSameTotals(lines, steps);
    }
  });

  it('reads the first words of a reply without what changes from one to the next', () => {
    expect(replyLabel({ protocol: 'imap', text: '* 12 FETCH (UID 40 FLAGS (\\Seen))' })).toBe('* FETCH');
    expect(replyLabel({ protocol: 'imap', text: '* OK [CAPABILITY IMAP4rev1] Dovecot ready.' })).toBe('* OK');
    expect(replyLabel({ protocol: 'imap', text: 'A7 NO [TRYCREATE] Mailbox does not exist' })).toBe('NO');
    expect(replyLabel({ protocol: 'imap', text: '+ idling' })).toBe('+ (go on)');
    expect(replyLabel({ protocol: 'pop3', text: '-ERR Unknown message' })).toBe('-ERR');
    expect(sequenceSteps([])).toEqual([]);
  });
});
