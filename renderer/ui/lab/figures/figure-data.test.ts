import { describe, expect, it } from 'vitest';
import { formatLabDate } from '../../../lab/lab-model';
import { DAY_MS } from '../../../sync/retention';
import type { Measurements, SideMeasure } from '../../../lab/lab-model';
import { modeMetrics, retentionTimeline } from './figure-data';

/** The chart's bars and the timeline's marks: the numbers the tables beside them show. */

function side(bytesIn: number, bytesOut: number, roundTrips: number, elapsedMs: number, bodyBytes: number): SideMeasure {
  return {
    traffic: { commands: roundTrips, roundTrips, bytesIn, bytesOut, names: [] },
    elapsedMs,
    storage: { messages: 3, bodies: 3, bodyBytes },
  };
}

describe('the chart of the two modes', () => {
  it('scales each metric on its own, the larger side full length, with the Measurements table’s words', () => {
    const measurements: Measurements = { pop3: side(200_000, 300, 8, 1500, 150_000), imap: side(50_000, 900, 2, 3000, 0), estimate: undefined };
    const metrics = modeMetrics(measurements);
    expect(metrics.map((m) => m.label)).toEqual(['Bytes down', 'Bytes up', 'Round trips', 'Time', 'Mail folder size']);
    expect(metrics[0]).toMatchObject({ pop3: { value: 200_000, text: '195 KB' }, imap: { value: 50_000, text: '49 KB' }, scale: { pop3: 1, imap: 0.25 } });
    expect(metrics[1]!.scale).toEqual({ pop3: 300 / 900, imap: 1 });
    expect(metrics[3]).toMatchObject({ pop3: { text: '1.5 s' }, imap: { text: '3.0 s' } });
    expect(metrics[4]!.scale).toEqual({ pop3: 1, imap: 0 });
  });

  it('draws no bar for a metric both sides left at nothing', () => {
    const [down] = modeMetrics({ pop3: side(0, 0, 0, 0, 0), imap: side(0, 0, 0, 0, 0), estimate: undefined });
    expect(down!.scale).toEqual({ pop3: 0, imap: 0 });
  });
});

describe('the timeline of a retention plan', () => {
  const now = Date.UTC(2026, 0, 10, 12);

  it('puts what is due now at now, and the rest where they fall due, the last at the end', () => {
    const data = retentionTimeline({
      labNow: now,
      due: [{ subject: 'Old' }],
      upcoming: [
        { subject: 'Soon', dueAt: now + DAY_MS },
        { subject: 'Later', dueAt: now + 4 * DAY_MS },
      ],
    });
    expect(data.marks).toEqual([
      { subject: 'Old', at: now, dueNow: true, position: 0, when: `${formatLabDate(now)} (due now)` },
      { subject: 'Soon', at: now + DAY_MS, dueNow: false, position: 0.25, when: formatLabDate(now + DAY_MS) },
      { subject: 'Later', at: now + 4 * DAY_MS, dueNow: false, position: 1, when: formatLabDate(now + 4 * DAY_MS) },
    ]);
    expect(data.ticks.map((t) => t.position)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(data.ticks[0]!.text).toBe('now');
  });

  it('spaces the dates out over a long span, and has only now when nothing is waiting', () => {
    const long = retentionTimeline({ labNow: now, due: [], upcoming: [{ subject: 'A', dueAt: now + 90 * DAY_MS }] });
    expect(long.ticks.length).toBeLessThanOrEqual(5);
    expect(long.ticks.every((t) => t.position >= 0 && t.position <= 1)).toBe(true);
    const short = retentionTimeline({ labNow: now, due: [], upcoming: [{ subject: 'A', dueAt: now + DAY_MS / 2 }] });
    expect(short.ticks.map((t) => t.position)).toEqual([0, 1]);
    expect(short.ticks[1]!.text).toMatch(/\d:\d\d/);
    const none = retentionTimeline({ labNow: now, due: [{ subject: 'A' }], upcoming: [] });
    expect(none.ticks).toEqual([{ at: now, position: 0, text: 'now' }]);
    expect(none.marks[0]!.position).toBe(0);
  });
});
