import type { Address } from '../../shared/model';

const sameDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const sameYear = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const older = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** A list date as mail clients show it: the time today, the day this year, the full date before. */
export function listDate(ms: number, now = Date.now()): string {
  if (ms === 0) return '';
  const date = new Date(ms);
  const today = new Date(now);
  if (date.toDateString() === today.toDateString()) return sameDay.format(date);
  if (date.getFullYear() === today.getFullYear()) return sameYear.format(date);
  return older.format(date);
}

export function fullDate(ms: number): string {
  return ms === 0 ? 'No date' : full.format(new Date(ms));
}

export function senderName(addresses: Address[]): string {
  const first = addresses[0];
  if (!first) return '(no sender)';
  return first.name.trim() !== '' ? first.name : first.address;
}

export function addressList(addresses: Address[]): string {
  return addresses.map((a) => (a.name.trim() !== '' ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
