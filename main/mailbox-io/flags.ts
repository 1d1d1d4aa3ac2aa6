/**
 * Flags as other mail programs leave them in a message: Thunderbird's
 * X-Mozilla-Status, and the Status / X-Status fields of mutt, Pine and
 * Apple Mail. IMAP-style names throughout, as the rest of Twinbox uses.
 */

export const SEEN = '\\Seen';
export const ANSWERED = '\\Answered';
export const FLAGGED = '\\Flagged';
export const DELETED = '\\Deleted';
export const DRAFT = '\\Draft';

export interface HeaderFlags {
  flags: string[];
  /** Thunderbird expunged it but had not compacted the folder yet: not a message any more. */
  expunged: boolean;
}

const MOZILLA_READ = 0x0001;
const MOZILLA_REPLIED = 0x0002;
const MOZILLA_MARKED = 0x0004;
const MOZILLA_EXPUNGED = 0x0008;

export function flagsFromHeaders(fields: Map<string, string[]>): HeaderFlags {
  const mozilla = fields.get('x-mozilla-status')?.[0];
  if (mozilla !== undefined && /^[0-9a-f]{1,4}$/i.test(mozilla)) {
    const bits = Number.parseInt(mozilla, 16);
    const flags: string[] = [];
    if (bits & MOZILLA_READ) flags.push(SEEN);
    if (bits & MOZILLA_REPLIED) flags.push(ANSWERED);
    if (bits & MOZILLA_MARKED) flags.push(FLAGGED);
    return { flags, expunged: (bits & MOZILLA_EXPUNGED) !== 0 };
  }
  const status = fields.get('status')?.[0] ?? '';
  const xStatus = fields.get('x-status')?.[0] ?? '';
  const flags: string[] = [];
  if (status.includes('R')) flags.push(SEEN);
  if (xStatus.includes('A')) flags.push(ANSWERED);
  if (xStatus.includes('F')) flags.push(FLAGGED);
  if (xStatus.includes('T')) flags.push(DRAFT);
  return { flags, expunged: false };
}
