/**
 * Recipients as people type them: `Name <a@b>, "Doe, Jane" <c@d>; e@f`.
 * Parsing is forgiving about separators and quoting and strict about the
 * address itself, so that what is reported as wrong is what the server
 * would refuse.
 */
import type { Address } from '../../../shared/model';

export interface ParsedAddresses {
  addresses: Address[];
  /** The pieces that are not an address, as the user typed them. */
  invalid: string[];
}

/** Local part and domain without spaces, brackets or separators; a domain of labels. */
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]*[A-Za-z0-9\u00a0-\uffff])?(?:\.[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]*[A-Za-z0-9\u00a0-\uffff])?)*$/;

export function isEmailAddress(value: string): boolean {
  return value.length <= 320 && ADDRESS.test(value);
}

/** Splits at commas and semicolons that are outside quotes and angle brackets. */
function splitRecipients(input: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angled = false;
  for (let i = 0; i < input.length; i++) {
    const char = input.charAt(i);
    if (char === '\\' && quoted && i + 1 < input.length) {
      current += char + input.charAt(++i);
      continue;
    }
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) angled = true;
    else if (char === '>' && !quoted) angled = false;
    if ((char === ',' || char === ';') && !quoted && !angled) {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function unquote(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  return trimmed;
}

export function parseAddressList(input: string): ParsedAddresses {
  const result: ParsedAddresses = { addresses: [], invalid: [] };
  for (const part of splitRecipients(input)) {
    const angled = /^(.*?)<([^<>]*)>$/s.exec(part);
    const name = angled ? unquote(angled[1] ?? '') : '';
    // "mailto:" is what a pasted link brings along.
    const address = (angled ? (angled[2] ?? '') : part).trim().replace(/^mailto:/i, '');
    if (isEmailAddress(address)) result.addresses.push({ name, address });
    else result.invalid.push(part);
  }
  return result;
}

/** One address as a header shows it, quoting a name that would otherwise be split. */
export function formatAddress(address: Address): string {
  const name = address.name.trim();
  if (name === '' || name.toLowerCase() === address.address.toLowerCase()) return address.address;
  const safe = /[,;<>"@()[\]:\\]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
  return `${safe} <${address.address}>`;
}

export function formatAddressList(addresses: readonly Address[]): string {
  return addresses.map(formatAddress).join(', ');
}

/** Drops repeats (by address, case-insensitively) and the addresses in `without`. */
export function uniqueAddresses(addresses: readonly Address[], without: readonly string[] = []): Address[] {
  const seen = new Set(without.map((a) => a.toLowerCase()));
  const result: Address[] = [];
  for (const address of addresses) {
    const key = address.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(address);
  }
  return result;
}
