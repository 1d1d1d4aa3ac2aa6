/**
 * What the scenario chart and the retention timeline draw, worked out apart
 * from the drawing: each bar's length and words, each mark's place on the
 * time axis. Pure, so the figures and their tables say the same numbers.
 */
import { locale, t } from '../../../i18n';
import type { Catalog } from '../../../i18n/resources';
import type { Measurements, SideMeasure } from '../../../lab/lab-model';
import { formatLabDate } from '../../../lab/lab-model';
import { DAY_MS } from '../../../sync/retention';
import { seconds } from '../../../lab/verdicts';
import { byteSize, formatNumber } from '../../format';

/** A row of the Measurements table and the chart: its words are the catalog's lab:measure.<key>. */
export type MeasureKey = keyof Catalog['lab']['measure'];

export interface ModeMetric {
  /** The same words as the Measurements table's row. */
  label: string;
  pop3: { value: number; text: string };
  imap: { value: number; text: string };
  /** Each bar's length as a share of the longer of the two (0 to 1): each metric is scaled on its own. */
  scale: { pop3: number; imap: number };
}

const METRICS: { key: MeasureKey; value: (side: SideMeasure) => number; text: (value: number) => string }[] = [
  { key: 'bytesDown', value: (side) => side.traffic.bytesIn, text: byteSize },
  { key: 'bytesUp', value: (side) => side.traffic.bytesOut, text: byteSize },
  { key: 'roundTrips', value: (side) => side.traffic.roundTrips, text: (value) => formatNumber(value) },
  { key: 'time', value: (side) => side.elapsedMs, text: seconds },
  { key: 'folderSize', value: (side) => side.storage.bodyBytes, text: byteSize },
];

export function modeMetrics(measurements: Measurements): ModeMetric[] {
  return METRICS.map((metric) => {
    const pop3 = Math.max(0, metric.value(measurements.pop3));
    const imap = Math.max(0, metric.value(measurements.imap));
    const most = Math.max(pop3, imap);
    return {
      label: t(`lab:measure.${metric.key}`),
      pop3: { value: pop3, text: metric.text(pop3) },
      imap: { value: imap, text: metric.text(imap) },
      scale: { pop3: most === 0 ? 0 : pop3 / most, imap: most === 0 ? 0 : imap / most },
    };
  });
}

export interface RetentionMark {
  subject: string;
  /** When it leaves the server: the Lab clock's now for what is due now. */
  at: number;
  dueNow: boolean;
  /** Its place on the axis, 0 (now) to 1 (the last one to leave). */
  position: number;
  when: string;
}

export interface RetentionTimelineData {
  from: number;
  to: number;
  marks: RetentionMark[];
  /** Dates along the axis, at most `maxTicks`, now first. */
  ticks: { at: number; position: number; text: string }[];
}

/** The axis's dates, in the interface's language of the moment they are drawn. */
function tickText(at: number, withTime: boolean): string {
  const options: Intl.DateTimeFormatOptions = withTime ? { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' } : { day: 'numeric', month: 'short' };
  return new Date(at).toLocaleString(locale(), options);
}

/** What the timeline needs of a RetentionPlan. */
export interface RetentionDates {
  labNow: number;
  due: readonly { subject: string }[];
  upcoming: readonly { subject: string; dueAt: number }[];
}

export function retentionTimeline(plan: RetentionDates, maxTicks = 5): RetentionTimelineData {
  const from = plan.labNow;
  const to = Math.max(from, ...plan.upcoming.map((item) => item.dueAt));
  const span = to - from;
  const position = (at: number): number => (span <= 0 ? 0 : Math.min(1, Math.max(0, (at - from) / span)));
  const marks: RetentionMark[] = [
    ...plan.due.map((item) => ({ subject: item.subject, at: from, dueNow: true, position: 0, when: t('lab:figures.dueNowAt', { date: formatLabDate(from) }) })),
    ...plan.upcoming.map((item) => ({ subject: item.subject, at: item.dueAt, dueNow: false, position: position(item.dueAt), when: formatLabDate(item.dueAt) })),
  ];
  // Whole days from now, spread evenly, none crowding the end, which has its own date (and time, over a short span).
  const days = Math.floor(span / DAY_MS);
  const every = Math.max(1, Math.ceil(days / Math.max(1, maxTicks - 1)));
  const ticks = [{ at: from, position: 0, text: t('lab:figures.now') }];
  for (let day = every; day * DAY_MS < span && position(from + day * DAY_MS) <= 0.85; day += every) {
    const at = from + day * DAY_MS;
    ticks.push({ at, position: position(at), text: tickText(at, false) });
  }
  if (span > 0) ticks.push({ at: to, position: 1, text: tickText(to, span < 3 * DAY_MS) });
  return { from, to, marks, ticks };
}

/** Whole bytes, grouped ("12,345 B"): the tables give the log's exact counts where the pictures round them. */
export function exactBytes(bytes: number): string {
  return t('common:size.bytes', { value: formatNumber(bytes) });
}
