/**
 * Whether a message shows that it comes from its From address, read from the
 * Authentication-Results field (RFC 8601) that the receiving server wrote
 * when it checked the message's DKIM signatures and DMARC policy. The From
 * address alone proves nothing: anyone can write any address there. The
 * reader lets "always load images from this sender" apply only to a message
 * that is verified here.
 *
 * Which field is believed. A message arrives with whatever header fields
 * its sender wrote, Authentication-Results included, and each server on
 * the way adds its own fields above the ones it received. RFC 8601 section 5
 * says a receiving server removes fields that claim its own name (its
 * authserv-id), and that a client believes only fields whose authserv-id it
 * trusts. A desktop client cannot know the name its provider's servers use
 * (Gmail writes mx.google.com, Fastmail mx6.messagingengine.com, Microsoft
 * none at all), so the rule here is:
 *
 * - Only the topmost Authentication-Results field counts. The receiving
 *   server's own field is added after everything that came with the
 *   message, so it is above any field a sender forged. Every field below the
 *   topmost one is ignored, forged or not: lower ones were written earlier,
 *   by servers on the way (or by the sender) and say nothing the receiving
 *   server vouched for.
 * - That field must stand above the fields the author's program writes
 *   (From, To, Subject, Date, Message-ID...). It cannot be placed before the
 *   first Received field: the big providers write theirs below their own
 *   Received fields (Gmail and Fastmail below the one recording the hop into
 *   their network). Sending servers, on the other hand, write results among
 *   the author's fields (Exchange Online does, below From), and a message
 *   delivered by a server that adds no field of its own would otherwise
 *   bring such a field to the top.
 *
 * What this cannot catch: a receiving server that adds no field of its own
 * and keeps the fields a message arrives with lets a sender's forged field
 * be the topmost one. Providers that check mail (Gmail, Microsoft, Yahoo,
 * Fastmail and most hosted mail) write their own, above anything forged.
 *
 * When a pass counts, against the domain of the single From address:
 * - `dmarc=pass` whose `header.from` is that domain (case aside): DMARC has
 *   already checked that an SPF or DKIM pass aligns with the From domain.
 * - `dkim=pass` whose signing domain (`header.d`, or the domain of
 *   `header.i` when no `header.d` is given, as older Gmail fields do) is the
 *   From domain or a parent of it: relaxed alignment, narrowed to the safe
 *   direction. Whoever holds example.com's DNS holds news.example.com too,
 *   so a signature by example.com speaks for mail from news.example.com;
 *   a signature by mail.example.com does not speak for example.com (the
 *   subdomain may belong to a mailing service). A signing domain of one
 *   label (a top-level domain) never counts.
 * - Neither counts when the field also says `dmarc=fail` for the From
 *   domain: the server's own DMARC verdict stands (see alignedPass).
 * A pass for any other domain (a mailing service signing with its own name,
 * a forger signing with theirs) does not count; neither do SPF (it checks
 * the envelope sender, not From), ARC, or Microsoft's compauth. A message
 * with more than one From address, or more than one From field, is not
 * verified: which of them would the pass be for?
 */
import { domainToASCII } from 'node:url';
import type { Address, SenderVerification } from '../../shared/model';

/** One Authentication-Results field, parsed. */
export interface AuthenticationResults {
  /** Who made the checks (the authserv-id), lower-case; absent when the field names nobody, as Microsoft's do not. */
  authservId?: string;
  /** The field's version number, when it gives one (RFC 8601 allows only 1 today). */
  version?: number;
  /** One entry per result (resinfo), in order. "none" gives none. */
  results: AuthenticationResult[];
}

/** One method's result, as `dkim=pass (comment) header.d=example.com header.s=sel`. */
export interface AuthenticationResult {
  /** Lower-case, without its version: `dkim`, `spf`, `dmarc`, `arc`, `compauth`... */
  method: string;
  /** Lower-case: `pass`, `fail`, `none`, `neutral`, `temperror`... */
  result: string;
  reason?: string;
  /** Properties in order: the name lower-case (`header.d`, `smtp.mailfrom`, Microsoft's `action`), the value as written, quotes removed. */
  properties: [string, string][];
}

const NOT_VERIFIED: SenderVerification = { verified: false };

// Fields the author's program writes (RFC 5322 section 3.6): a result below any of them did not come from the receiving server.
const AUTHOR_FIELDS = new Set(['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'in-reply-to', 'references']);

/**
 * Whether the message's receiving server recorded a DKIM or DMARC pass
 * aligned with its one From address (see the rules at the top of this file).
 * `headers` are the message's top-level fields in order, `from` the
 * addresses of its From field.
 */
export function senderVerification(headers: readonly (readonly [string, string])[], from: readonly Address[]): SenderVerification {
  const fromFields = headers.filter(([name]) => name.toLowerCase() === 'from').length;
  const [sender] = from;
  if (from.length !== 1 || fromFields !== 1 || sender === undefined) return NOT_VERIFIED;
  const address = sender.address.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  const fromDomain = at <= 0 ? undefined : normalDomain(address.slice(at + 1));
  if (fromDomain === undefined) return NOT_VERIFIED;
  const results = receivingServerResults(headers);
  const pass = results === undefined ? undefined : alignedPass(results, fromDomain);
  return pass === undefined ? NOT_VERIFIED : { verified: true, address, by: pass.by, domain: pass.domain };
}

/** The one Authentication-Results field believed: the topmost, if it stands above the author's fields. */
export function receivingServerResults(headers: readonly (readonly [string, string])[]): AuthenticationResults | undefined {
  const topmost = headers.findIndex(([name]) => name.toLowerCase() === 'authentication-results');
  if (topmost === -1) return undefined;
  const authorStart = headers.findIndex(([name]) => AUTHOR_FIELDS.has(name.toLowerCase()));
  if (authorStart !== -1 && authorStart < topmost) return undefined;
  const field = headers[topmost];
  return field === undefined ? undefined : parseAuthenticationResults(field[1]);
}

/**
 * The DMARC or DKIM pass in these results that speaks for `fromDomain` (a
 * lower-case ASCII domain), DMARC first; undefined when none does, and when
 * the results say DMARC failed for that domain: the receiving server's own
 * verdict stands over a DKIM pass read here (the domain may ask for strict
 * alignment, which this relaxed reading would not see; or a result was
 * smuggled into the field through a value the server copied from the
 * message, such as the envelope sender in a comment).
 */
export function alignedPass(results: AuthenticationResults, fromDomain: string): { by: 'dkim' | 'dmarc'; domain: string } | undefined {
  const dmarc = results.results.filter((result) => result.method === 'dmarc');
  const checkedDomain = (result: AuthenticationResult): string | undefined => domainOfProperty(propertyOf(result, 'header.from'));
  const failedForFrom = (result: AuthenticationResult): boolean => {
    const judged = checkedDomain(result);
    // Without header.from the verdict can only be about this message's From domain.
    return result.result === 'fail' && (judged === undefined || judged === fromDomain);
  };
  if (dmarc.some(failedForFrom)) return undefined;
  const dmarcPass = dmarc.find((result) => result.result === 'pass' && checkedDomain(result) === fromDomain);
  if (dmarcPass !== undefined) return { by: 'dmarc', domain: fromDomain };
  for (const result of results.results) {
    if (result.method !== 'dkim' || result.result !== 'pass') continue;
    const signingDomain = domainOfProperty(propertyOf(result, 'header.d') ?? propertyOf(result, 'header.i'));
    if (signingDomain !== undefined && speaksFor(signingDomain, fromDomain)) return { by: 'dkim', domain: signingDomain };
  }
  return undefined;
}

/** Relaxed alignment, one way only: the From domain is the signing domain or below it; a top-level domain speaks for nobody. */
export function speaksFor(signingDomain: string, fromDomain: string): boolean {
  if (!signingDomain.includes('.')) return false;
  return fromDomain === signingDomain || fromDomain.endsWith(`.${signingDomain}`);
}

function propertyOf(result: AuthenticationResult, name: string): string | undefined {
  return result.properties.find(([key]) => key === name)?.[1];
}

// A property may be a domain (header.d=example.com) or an identity (header.i=@example.com, header.from=user@example.com).
function domainOfProperty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return normalDomain(value.slice(value.lastIndexOf('@') + 1));
}

/** Lower-case ASCII (IDNA) form, without a final dot; undefined for anything that is not a domain name. */
function normalDomain(text: string): string | undefined {
  const trimmed = text.trim().replace(/\.$/, '');
  if (trimmed === '' || /[\s@<>()[\]\\,;:"]/.test(trimmed)) return undefined;
  const ascii = domainToASCII(trimmed);
  return ascii === '' ? undefined : ascii.toLowerCase();
}

// ---- the field's grammar ----------------------------------------------------

type Token = { kind: 'word' | 'quoted'; text: string; spaced: boolean } | { kind: '='; spaced: boolean } | { kind: ';'; spaced: boolean };

/**
 * Parses one Authentication-Results field value (RFC 8601 section 2.2):
 * `authserv-id [version] ; method[/version]=result [reason=value] [ptype.property=value ...] ; ...`,
 * with comments in parentheses (nested, with backslash escapes) and quoted
 * strings anywhere a value may stand. Also reads what big providers write
 * outside the grammar: Microsoft's fields without an authserv-id, `;`
 * without a space, and words such as `action=none` among the properties.
 * A segment without `method=result` is skipped. Undefined for a value that
 * cannot be read as a whole (an unclosed comment or quoted string): half a
 * field is not believed.
 */
export function parseAuthenticationResults(value: string): AuthenticationResults | undefined {
  const tokens = tokenize(value);
  if (tokens === undefined) return undefined;
  const segments: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === ';') segments.push([]);
    else segments[segments.length - 1]?.push(token);
  }
  const [head = [], ...rest] = segments;
  const parsed: AuthenticationResults = { results: [] };
  // Microsoft starts with a result ("spf=pass ..."), naming no authserv-id.
  if (head[1]?.kind === '=') rest.unshift(head);
  else {
    const [id, version] = head;
    if (id !== undefined && id.kind !== '=' && id.kind !== ';') parsed.authservId = id.text.toLowerCase();
    if (version?.kind === 'word' && /^\d{1,9}$/.test(version.text)) parsed.version = Number(version.text);
  }
  for (const segment of rest) {
    const result = parseResult(segment);
    if (result !== undefined) parsed.results.push(result);
  }
  return parsed;
}

function parseResult(segment: readonly Token[]): AuthenticationResult | undefined {
  const pairs = keyValuePairs(segment);
  const [first, ...others] = pairs;
  // The result must open the segment: "stray dkim=pass" is not a result a server wrote.
  if (first === undefined || first.strayWordsBefore || segment[0]?.kind === '=') return undefined;
  // "dkim/1": a method may carry a version, which changes nothing here.
  const method = (first.key.split('/')[0] ?? '').trim();
  if (method === '' || first.value === '') return undefined;
  const result: AuthenticationResult = { method, result: first.value.toLowerCase(), properties: [] };
  for (const { key, value } of others) {
    if (key === 'reason' && result.reason === undefined) result.reason = value;
    else result.properties.push([key, value]);
  }
  return result;
}

interface KeyValuePair {
  key: string;
  value: string;
  /** Words stood before the key that were not part of it (and were dropped). */
  strayWordsBefore: boolean;
}

/**
 * `key=value` pairs in order. A key is the words before `=`; words joined by
 * `.` or `/` with blanks around them (`header . d`, which the grammar
 * allows) are one key, and any other stray word before a key is dropped.
 * A value is one word or quoted string, with what is written against it
 * (`"john doe"@example.com`); a key with nothing after `=` has an empty value.
 */
function keyValuePairs(segment: readonly Token[]): KeyValuePair[] {
  const pairs: KeyValuePair[] = [];
  let words: string[] = [];
  for (let index = 0; index < segment.length; index++) {
    const token = segment[index];
    if (token === undefined) break;
    if (token.kind !== '=') {
      if (token.kind === 'word' || token.kind === 'quoted') words.push(token.text);
      continue;
    }
    const { key: joined, used } = joinKey(words);
    const key = joined.toLowerCase();
    const strayWordsBefore = used < words.length;
    words = [];
    let value = '';
    let next = segment[index + 1];
    if (next !== undefined && next.kind !== '=' && next.kind !== ';') {
      value = next.text;
      index++;
      for (next = segment[index + 1]; next !== undefined && next.kind !== '=' && next.kind !== ';' && !next.spaced; next = segment[index + 1]) {
        // A word written against the value is part of it, unless it is the start of the next key ("a=b c=d" has blanks).
        value += next.text;
        index++;
      }
    }
    if (key !== '') pairs.push({ key, value, strayWordsBefore });
  }
  return pairs;
}

/** The key the last words make, and how many words it took. */
function joinKey(words: readonly string[]): { key: string; used: number } {
  let key = words[words.length - 1] ?? '';
  let used = words.length === 0 ? 0 : 1;
  for (let index = words.length - 2; index >= 0; index--) {
    const word = words[index] ?? '';
    if (!/[./]$/.test(word) && !/^[./]/.test(key)) break;
    key = word + key;
    used++;
  }
  return { key, used };
}

/** Words, quoted strings, `=` and `;`; comments dropped (they only mark a blank). Undefined when a comment or quoted string is never closed. */
function tokenize(value: string): Token[] | undefined {
  const tokens: Token[] = [];
  let spaced = true;
  let index = 0;
  while (index < value.length) {
    const char = value[index] ?? '';
    if (/\s/.test(char)) {
      spaced = true;
      index++;
    } else if (char === '(') {
      const end = commentEnd(value, index);
      if (end === undefined) return undefined;
      spaced = true;
      index = end;
    } else if (char === '"') {
      const quoted = quotedString(value, index);
      if (quoted === undefined) return undefined;
      tokens.push({ kind: 'quoted', text: quoted.text, spaced });
      spaced = false;
      index = quoted.end;
    } else if (char === '=' || char === ';') {
      tokens.push(char === '=' ? { kind: '=', spaced } : { kind: ';', spaced });
      spaced = false;
      index++;
    } else if (char === ')') {
      // A stray closing parenthesis: nothing to close, read as a blank.
      spaced = true;
      index++;
    } else {
      let end = index;
      while (end < value.length && !/[\s()";=]/.test(value[end] ?? '')) end++;
      tokens.push({ kind: 'word', text: value.slice(index, end), spaced });
      spaced = false;
      index = end;
    }
  }
  return tokens;
}

/** The index after the comment that opens at `start`, nested comments and `\` escapes included. */
function commentEnd(value: string, start: number): number | undefined {
  let depth = 0;
  for (let index = start; index < value.length; index++) {
    const char = value[index];
    if (char === '\\') index++;
    else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return index + 1;
  }
  return undefined;
}

function quotedString(value: string, start: number): { text: string; end: number } | undefined {
  let text = '';
  for (let index = start + 1; index < value.length; index++) {
    const char = value[index] ?? '';
    if (char === '"') return { text, end: index + 1 };
    if (char === '\\') {
      index++;
      text += value[index] ?? '';
    } else text += char;
  }
  return undefined;
}
