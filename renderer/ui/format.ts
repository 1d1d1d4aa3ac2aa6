import type { Address } from '../../shared/model';
import { locale, t } from '../i18n';
import type { Language } from '../i18n/resources';

/** Intl formatters are costly to build and the list formats thousands of dates: one per language and style. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function dateFormat(style: 'time' | 'dayMonth' | 'date' | 'full'): Intl.DateTimeFormat {
  const language: Language = locale();
  const key = `${language} ${style}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const options: Intl.DateTimeFormatOptions =
      style === 'time'
        ? { hour: '2-digit', minute: '2-digit' }
        : style === 'dayMonth'
          ? { day: 'numeric', month: 'short' }
          : style === 'date'
            ? { day: 'numeric', month: 'short', year: 'numeric' }
            : { dateStyle: 'full', timeStyle: 'short' };
    formatter = new Intl.DateTimeFormat(language, options);
    formatters.set(key, formatter);
  }
  return formatter;
}

/** A list date as mail clients show it: the time today, the day this year, the full date before. */
export function listDate(ms: number, now = Date.now()): string {
  if (ms === 0) return '';
  const date = new Date(ms);
  const today = new Date(now);
  if (date.toDateString() === today.toDateString()) return dateFormat('time').format(date);
  if (date.getFullYear() === today.getFullYear()) return dateFormat('dayMonth').format(date);
  return dateFormat('date').format(date);
}

export function fullDate(ms: number): string {
  return ms === 0 ? t('noDate') : dateFormat('full').format(new Date(ms));
}

/** A time of day in the interface's language, to the second when `seconds`. */
export function timeOfDay(ms: number, seconds = false): string {
  return new Date(ms).toLocaleTimeString(locale(), seconds ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
}

/** A date and time, medium length ("5 Dec 2026, 09:14" / "05.12.2026, 09:14"). */
export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale(), options).format(value);
}

export function senderName(addresses: Address[]): string {
  const first = addresses[0];
  if (!first) return t('noSender');
  return first.name.trim() !== '' ? first.name : first.address;
}

export function addressList(addresses: Address[]): string {
  return addresses.map((a) => (a.name.trim() !== '' ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

/** A size as people read it, with the decimal separator of the interface's language ("1.5 KB", "1,5 KB"). */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return t('size.bytes', { value: formatNumber(bytes) });
  if (bytes < 1024 * 1024) {
    return t('size.kilobytes', { value: formatNumber(bytes / 1024, { maximumFractionDigits: bytes < 10 * 1024 ? 1 : 0, minimumFractionDigits: bytes < 10 * 1024 ? 1 : 0 }) });
  }
  if (bytes < 1024 * 1024 * 1024) return t('size.megabytes', { value: formatNumber(bytes / (1024 * 1024), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
  return t('size.gigabytes', { value: formatNumber(bytes / (1024 * 1024 * 1024), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
}
