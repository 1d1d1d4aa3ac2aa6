/**
 * What answering and forwarding take from the original: recipients, subject,
 * threading headers and the quoted text. Pure functions, so that the rules
 * (RFC 5322 section 3.6.4 for threading) are tested apart from the page.
 */
import type { Address, MessageSummary } from '../../../shared/model';
import { t } from '../../i18n';
import { formatAddress, formatAddressList, uniqueAddresses } from './addresses';

export type AnswerKind = 'reply' | 'replyAll' | 'forward';

type Original = Pick<MessageSummary, 'subject' | 'from' | 'to' | 'cc' | 'replyTo' | 'messageId' | 'inReplyTo' | 'references'>;

/** Prefixes other clients use too ("Aw:", "Sv:", "Antw:", "Fw:"), so that none is doubled. */
const REPLY_PREFIX = /^\s*(re|aw|sv|antw|vs|ref)\s*(\[\d+\])?\s*:/i;
const FORWARD_PREFIX = /^\s*(fwd?|wg|tr|doorst)\s*:/i;

export function replySubject(subject: string): string {
  return REPLY_PREFIX.test(subject) ? subject.trim() : `Re: ${subject.trim()}`;
}

export function forwardSubject(subject: string): string {
  return FORWARD_PREFIX.test(subject) ? subject.trim() : `Fwd: ${subject.trim()}`;
}

export interface AnswerRecipients {
  to: Address[];
  cc: Address[];
}

/**
 * Reply goes to Reply-To, else From; reply all adds the original's To and Cc.
 * The account's own address is left out, except when answering one's own
 * message (from Sent), which goes to its recipients instead.
 */
export function answerRecipients(original: Original, kind: 'reply' | 'replyAll', ownAddresses: string | readonly string[]): AnswerRecipients {
  // Every address the account writes as is its own: none of them is answered.
  const own = (typeof ownAddresses === 'string' ? [ownAddresses] : ownAddresses).map((address) => address.toLowerCase());
  const fromSelf = original.from.length > 0 && original.from.every((a) => own.includes(a.address.toLowerCase()));
  const primary = fromSelf ? original.to : original.replyTo.length > 0 ? original.replyTo : original.from;
  if (kind === 'reply') {
    const to = uniqueAddresses(primary, fromSelf ? [] : own);
    return { to: to.length > 0 ? to : uniqueAddresses(primary), cc: [] };
  }
  const to = uniqueAddresses(fromSelf ? primary : [...primary, ...original.to], own);
  const cc = uniqueAddresses(original.cc, [...own, ...to.map((a) => a.address)]);
  return { to: to.length > 0 || cc.length > 0 ? to : uniqueAddresses(primary), cc };
}

/** In-Reply-To and References of an answer: the original's references (or its In-Reply-To) and its Message-ID. */
export function threadHeaders(original: Original): { inReplyTo?: string; references: string[] } {
  if (!original.messageId) return { references: [...original.references] };
  const parents = original.references.length > 0 ? original.references : original.inReplyTo ? [original.inReplyTo] : [];
  const references = [...parents.filter((id) => id !== original.messageId), original.messageId];
  return { inReplyTo: original.messageId, references };
}

/** "On <date>, <sender> wrote:", in the interface's language (as Thunderbird writes it in its own). */
export function attribution(original: Pick<MessageSummary, 'from'>, date: string): string {
  const first = original.from[0];
  if (!first) return date === '' ? t('compose:quote.attributionUndatedNoSender') : t('compose:quote.attributionNoSender', { date });
  const sender = formatAddress(first);
  return date === '' ? t('compose:quote.attributionUndated', { sender }) : t('compose:quote.attribution', { date, sender });
}

/** Each line of the original behind "> " (">" alone for an empty line, as format=flowed readers expect). */
export function quotePlain(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  return lines.map((line) => (line === '' ? '>' : line.startsWith('>') ? `>${line}` : `> ${line}`)).join('\n');
}

/** The header block a forwarded message starts with, as lines of text for a person (in the interface's language). */
export function forwardHeaderLines(original: Pick<MessageSummary, 'from' | 'to' | 'cc' | 'subject'>, date: string): string[] {
  return [
    t('compose:quote.forwarded'),
    t('compose:quote.from', { value: formatAddressList(original.from) }),
    ...(date === '' ? [] : [t('compose:quote.date', { value: date })]),
    t('compose:quote.subject', { value: original.subject }),
    ...(original.to.length > 0 ? [t('compose:quote.to', { value: formatAddressList(original.to) })] : []),
    ...(original.cc.length > 0 ? [t('compose:quote.cc', { value: formatAddressList(original.cc) })] : []),
  ];
}

/** The plain-text body an answer starts with: room to write on top, the original below. */
export function answerBodyPlain(kind: AnswerKind, original: Original, date: string, originalText: string): string {
  if (kind === 'forward') return `\n\n${forwardHeaderLines(original, date).join('\n')}\n\n${originalText.replace(/\s+$/, '')}\n`;
  return `\n\n${attribution(original, date)}\n${quotePlain(originalText)}\n`;
}
