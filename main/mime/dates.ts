/**
 * The Date header as an instant. RFC 5322 dates are read strictly enough to
 * refuse garbage (a bare number, an impossible time) and loosely enough for
 * what mailers write: comments, missing weekday or seconds, two-digit years,
 * zone names, an ISO 8601 stamp.
 */

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

// Offsets in minutes. RFC 5322 obsolete zones, plus the names mailers commonly write.
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  wet: 0,
  bst: 60,
  cet: 60,
  met: 60,
  mez: 60,
  cest: 120,
  mest: 120,
  eet: 120,
  eest: 180,
  msk: 180,
  ist: 330,
  hkt: 480,
  sgt: 480,
  jst: 540,
  kst: 540,
  aest: 600,
  nzst: 720,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  hst: -600,
};

const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 2199;

const RFC5322 =
  /^(?:[a-z]+\.?,?\s*)?(\d{1,2})[\s-]+([a-z]{3})[a-z]*\.?[\s-]+(\d{2,4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:([ap])\.?m\.?\b\s*)?([+-]\s?\d{3,4}|[a-z]{1,5}(?:[+-]\d{1,4})?)?/i;
// "Mon Jan 5 10:00:00 2004" (asctime, as some scripts and mbox lines write it)
const ASCTIME = /^(?:[a-z]+\s+)?([a-z]{3})[a-z]*\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([a-z]{1,5}|[+-]\d{4})\s+)?(\d{4})/i;
const ISO8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** The instant a Date header names, as ISO 8601, or undefined when it names none. */
export function parseMailDate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return undefined;
  const rfc = RFC5322.exec(text);
  if (rfc) {
    return instant(Number(rfc[3]), MONTHS[(rfc[2] ?? '').toLowerCase()], Number(rfc[1]), twentyFourHour(Number(rfc[4]), rfc[7]), Number(rfc[5]), Number(rfc[6] ?? 0), rfc[8]);
  }
  const asctime = ASCTIME.exec(text);
  if (asctime) {
    return instant(Number(asctime[7]), MONTHS[(asctime[1] ?? '').toLowerCase()], Number(asctime[2]), Number(asctime[3]), Number(asctime[4]), Number(asctime[5] ?? 0), asctime[6]);
  }
  if (ISO8601.test(text)) {
    const time = Date.parse(text.replace(' ', 'T'));
    if (!Number.isNaN(time)) return withinRange(new Date(time));
  }
  return undefined;
}

// "12:29:13 AM", as some mass mailers write it.
function twentyFourHour(hour: number, meridiem: string | undefined): number {
  if (meridiem === undefined || hour > 12) return hour;
  const afternoon = meridiem.toLowerCase() === 'p';
  if (hour === 12) return afternoon ? 12 : 0;
  return afternoon ? hour + 12 : hour;
}

function instant(rawYear: number, month: number | undefined, day: number, hour: number, minute: number, second: number, zone: string | undefined): string | undefined {
  if (month === undefined) return undefined;
  // RFC 5322 4.3: two-digit years below 50 are 20xx, three-digit years add 1900.
  const year = rawYear < 50 ? rawYear + 2000 : rawYear < 1000 ? rawYear + 1900 : rawYear;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const offset = zoneOffset(zone);
  const time = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  const date = new Date(time);
  // A day past the month's end ("31 Feb") rolls over in Date.UTC: refuse it instead.
  if (new Date(Date.UTC(year, month, day)).getUTCDate() !== day) return undefined;
  return withinRange(date);
}

function zoneOffset(zone: string | undefined): number {
  if (zone === undefined) return 0;
  const numeric = /^([+-])\s?(\d{1,2}?)(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2] || 0) * 60 + Number(numeric[3]);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const named = /^([a-z]+)(?:([+-])(\d{1,2})(\d{2})?)?$/i.exec(zone);
  if (!named) return 0;
  const base = ZONES[(named[1] ?? '').toLowerCase()] ?? 0;
  if (named[2] === undefined) return base;
  const extra = Number(named[3]) * 60 + Number(named[4] ?? 0);
  return base + (named[2] === '-' ? -extra : extra);
}

function withinRange(date: Date): string | undefined {
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < EARLIEST_YEAR || year > LATEST_YEAR ? undefined : date.toISOString();
}
