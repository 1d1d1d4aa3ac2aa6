/**
 * The address book as vCards, through ical.js (Mozilla's, which Thunderbird
 * uses for its own address books): vCard 3.0 (RFC 2426) and 4.0 (RFC 6350)
 * read, 4.0 written. Each card is parsed on its own, so one malformed card
 * is reported and skipped instead of failing the file.
 */
import ICAL from 'ical.js';
import type { Address } from '../../../shared/model';
import { t } from '../../i18n';
import { isEmailAddress } from '../compose/addresses';

export interface VCardImport {
  /** One per e-mail address of every card read (a card with three addresses gives three). */
  people: Address[];
  /** Cards not taken, each with why, in the user's words. */
  skipped: string[];
}

/** The cards of a .vcf file as separate texts: lines from BEGIN:VCARD to its END:VCARD. */
function splitCards(text: string): string[] {
  const cards: string[] = [];
  let current: string[] | undefined;
  let depth = 0;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const upper = line.trim().toUpperCase();
    if (upper === 'BEGIN:VCARD') {
      if (depth === 0) current = [];
      depth++;
    }
    current?.push(line);
    if (upper === 'END:VCARD' && depth > 0 && --depth === 0 && current) {
      cards.push(current.join('\r\n'));
      current = undefined;
    }
  }
  return cards;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(text).filter((part) => part !== '').join(' ');
  return '';
}

/** The name a card gives: FN, or else the given and family names of N. */
function cardName(card: ICAL.Component): string {
  const formatted = text(card.getFirstPropertyValue('fn'));
  if (formatted !== '') return formatted;
  const structured: unknown = card.getFirstProperty('n')?.getValues()[0];
  if (!Array.isArray(structured)) return text(structured);
  // N is family; given; additional; prefixes; suffixes.
  const [family, given, additional] = structured.map(text);
  return [given, additional, family].filter((part) => part !== undefined && part !== '').join(' ');
}

function label(card: ICAL.Component, index: number): string {
  const name = cardName(card);
  return name === '' ? t('compose:vcard.numbered', { number: index + 1 }) : t('compose:vcard.named', { name });
}

export function parseVCards(input: string): VCardImport {
  const result: VCardImport = { people: [], skipped: [] };
  const cards = splitCards(input);
  if (cards.length === 0) {
    result.skipped.push(t('compose:vcard.noCard'));
    return result;
  }
  cards.forEach((raw, index) => {
    let card: ICAL.Component;
    try {
      card = new ICAL.Component(ICAL.parse(raw) as unknown[]);
    } catch {
      result.skipped.push(t('compose:vcard.unreadable', { number: index + 1 }));
      return;
    }
    const name = cardName(card);
    const addresses = card
      .getAllProperties('email')
      .map((property) => text(property.getFirstValue()).replace(/^mailto:/i, ''))
      .filter((address) => address !== '');
    const valid = addresses.filter(isEmailAddress);
    if (valid.length === 0) {
      const which = label(card, index);
      result.skipped.push(addresses.length === 0 ? t('compose:vcard.noAddress', { card: which }) : t('compose:vcard.notAnAddress', { card: which, addresses: addresses.join(', ') }));
      return;
    }
    for (const address of valid) result.people.push({ name, address });
  });
  return result;
}

/** vCard 4.0, one card per address: FN (the name, or the address when there is none, since 4.0 requires it) and EMAIL. */
export function writeVCards(people: readonly Address[]): string {
  return people
    .map((person) => {
      const card = new ICAL.Component('vcard');
      card.addPropertyWithValue('version', '4.0');
      card.addPropertyWithValue('fn', person.name.trim() === '' ? person.address : person.name.trim());
      card.addPropertyWithValue('email', person.address);
      return `${card.toString()}\r\n`;
    })
    .join('');
}
