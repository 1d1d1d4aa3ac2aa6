/**
 * Header fields as text: raw header bytes decoded (UTF-8, or the charset the
 * message most plausibly used when a mailer wrote 8-bit bytes without
 * saying), structured values split into parameters (RFC 2045 and the RFC 2231
 * continuations and charsets), address lists, and unstructured text with its
 * encoded words decoded.
 */
import { addressParser } from 'postal-mime';
import type { Address as PostalAddress } from 'postal-mime';
import type { Address } from '../../shared/model';
import { decodeBytes, detectCharset, hasHighBytes, isValidUtf8, mostlyUtf8, resolveCharset, undoDoubleEncoding } from './charsets';
import { decodeEncodedWords } from './encoded-words';
import type { Notes } from './notes';

/** What decoding header text needs from the message around it. */
export interface DecodeContext {
  notes: Notes;
  /** Charsets the message names elsewhere, the best guesses for undeclared 8-bit text. */
  hints(): readonly string[];
}

/** One header field: its name as written and its value unfolded, 8-bit bytes decoded, encoded words kept. */
export interface HeaderField {
  name: string;
  /** Lower-case name, for look-ups. */
  key: string;
  value: string;
}

/** A header field as it was split from the message: name and the unfolded value bytes. */
export interface RawHeaderField {
  name: string;
  value: Uint8Array;
}

/**
 * Decodes the values of one header block. Values in valid UTF-8 (RFC 6532)
 * are read as such; the other 8-bit values of the block are read together
 * in the one charset that suits them best, since a mailer that writes raw
 * 8-bit headers writes them all in its own charset.
 */
export function decodeHeaderFields(fields: readonly RawHeaderField[], context: DecodeContext): HeaderField[] {
  const legacy = new Set(fields.filter((field) => hasHighBytes(field.value) && !isValidUtf8(field.value) && !mostlyUtf8(field.value)));
  let legacyCharset = 'utf-8';
  if (legacy.size > 0) {
    legacyCharset = detectCharset(Buffer.concat([...legacy].flatMap((field) => [field.value, Buffer.from(' ')])), context.hints());
    const names = [...new Set([...legacy].map((field) => field.name))].slice(0, 4).join(', ');
    context.notes.add(`Header fields (${names}) hold 8-bit characters without a declared character set; they were read as ${legacyCharset}.`);
  }
  return fields.map((field) => {
    const charset = legacy.has(field) ? legacyCharset : 'utf-8';
    let value = decodeBytes(field.value, charset);
    if (charset === 'utf-8' && hasHighBytes(field.value)) value = undoMangledHeader(value, field.name, context);
    value = value.replace(/\0/g, '').replace(/[\r\n]+/g, ' ').trim();
    return { name: field.name, key: field.name.toLowerCase(), value };
  });
}

// Raw UTF-8 that is really CJK text mangled through Latin-1, in a message whose parts name that CJK charset.
function undoMangledHeader(value: string, name: string, context: DecodeContext): string {
  const charset = context.hints()[0];
  const repaired = charset === undefined ? undefined : undoDoubleEncoding(value, charset);
  if (repaired === undefined || charset === undefined) return value;
  context.notes.add(`The ${name} header had been converted to UTF-8 as if it were Latin-1; it was read as ${charset}.`);
  return repaired;
}

/** The first field with this (lower-case) name, if any. */
export function firstField(fields: readonly HeaderField[], key: string): HeaderField | undefined {
  return fields.find((field) => field.key === key);
}

/**
 * Unstructured header text (Subject, Content-Description) for display:
 * encoded words decoded, control characters and runs of whitespace made one
 * space.
 */
export function headerText(value: string, context: DecodeContext): string {
  return tidy(decodeEncodedWords(value, context.notes, context.hints()));
}

function tidy(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return text.replace(/[\u0000-\u0020\u007f]+/g, ' ').trim();
}

/** A structured value such as `text/plain; charset=utf-8`: the lower-cased value and its parameters. */
export interface StructuredValue {
  value: string;
  params: Map<string, string>;
}

interface ParameterSection {
  index: number;
  encoded: boolean;
  text: string;
}

/**
 * Splits a Content-Type or Content-Disposition value into its value and
 * parameters, tolerating what mailers get wrong: parameters separated by
 * whitespace instead of `;`, an unterminated quote, spaces around `=`,
 * backslashes that are not escapes (Windows paths), RFC 2231 continuations
 * and charsets, and RFC 2047 encoded words inside quoted filenames.
 * Duplicated parameters resolve to their first occurrence.
 */
export function parseStructuredValue(text: string, context: DecodeContext): StructuredValue {
  const segments = splitOutsideQuotes(text);
  const head = (segments.shift() ?? '').replace(/\([^)]*\)/g, ' ').trim();
  // "multipart/mixed boundary=x": a folded parameter whose ";" the mailer forgot.
  const glued = /^(\S+)\s+([\w.*-]+\s*=.*)$/.exec(head);
  const value = (glued ? (glued[1] ?? '') : head).replace(/^["']|["']$/g, '').toLowerCase();
  if (glued) segments.unshift(glued[2] ?? '');

  const params = new Map<string, string>();
  const extended = new Map<string, ParameterSection[]>();
  for (const segment of segments) {
    const equals = segment.indexOf('=');
    if (equals <= 0) continue;
    const name = segment.slice(0, equals).trim().toLowerCase();
    const raw = unquote(segment.slice(equals + 1).trim());
    const continuation = /^(.+?)\*(?:(\d{1,3})(\*)?|)$/.exec(name);
    if (continuation) {
      const base = continuation[1] ?? name;
      const sections = extended.get(base) ?? [];
      const index = continuation[2] === undefined ? 0 : Number(continuation[2]);
      const encoded = continuation[2] === undefined || continuation[3] === '*';
      if (!sections.some((section) => section.index === index)) sections.push({ index, encoded, text: raw });
      extended.set(base, sections);
    } else if (!params.has(name)) {
      params.set(name, raw);
    }
  }
  for (const [name, sections] of extended) params.set(name, joinSections(sections, context));
  for (const name of ['name', 'filename']) {
    const current = params.get(name);
    if (current?.includes('=?')) params.set(name, decodeEncodedWords(current, context.notes, context.hints()));
  }
  return { value, params };
}

function splitOutsideQuotes(text: string): string[] {
  const segments: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (char === '\\' && quoted) {
      current += char + text.charAt(index + 1);
      index++;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (char === ';' && !quoted) {
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value.replace(/"$/, '').trim();
  let output = '';
  for (let index = 1; index < value.length; index++) {
    const char = value.charAt(index);
    const next = value.charAt(index + 1);
    // Only \" and \\ are escapes in practice; Outlook writes C:\path\name unescaped.
    if (char === '\\' && (next === '"' || next === '\\')) {
      output += next;
      index++;
    } else if (char === '"') {
      break;
    } else {
      output += char;
    }
  }
  return output;
}

function joinSections(sections: ParameterSection[], context: DecodeContext): string {
  sections.sort((a, b) => a.index - b.index);
  let charsetLabel: string | undefined;
  const bytes: number[] = [];
  for (const section of sections) {
    let text = section.text;
    if (section.encoded && section.index === 0) {
      const prefix = /^([^']*)'[^']*'(.*)$/s.exec(text);
      if (prefix) {
        charsetLabel = prefix[1];
        text = prefix[2] ?? '';
      }
    }
    if (!section.encoded) {
      bytes.push(...Buffer.from(text, 'utf8'));
      continue;
    }
    for (let index = 0; index < text.length; index++) {
      const hex = text.charAt(index) === '%' ? /^[0-9a-f]{2}/i.exec(text.slice(index + 1, index + 3)) : null;
      if (hex) {
        bytes.push(parseInt(hex[0], 16));
        index += 2;
      } else {
        bytes.push(...Buffer.from(text.charAt(index), 'utf8'));
      }
    }
  }
  const raw = Uint8Array.from(bytes);
  const declared = charsetLabel === undefined || charsetLabel === '' ? undefined : resolveCharset(charsetLabel);
  if (declared !== undefined) return decodeBytes(raw, declared);
  if (charsetLabel !== undefined && charsetLabel !== '') {
    context.notes.add(`A parameter names an unknown character set "${charsetLabel.slice(0, 40)}"; it was guessed.`);
  }
  return decodeBytes(raw, detectCharset(raw, context.hints()));
}

const ENCODED_WORD_RUN = /=\?[^?\s"]{1,60}\?[bBqQ]\?.{0,500}?\?=(?:[ \t]+=\?[^?\s"]{1,60}\?[bBqQ]\?.{0,500}?\?=)*/g;

/**
 * An address list (From, To, Cc, Reply-To) as mailboxes: groups flattened,
 * encoded words decoded with the same rules as every other header (so an
 * encoded name may hold commas or quotes without splitting the list), and
 * empty entries left out.
 */
export function parseAddressList(value: string, context: DecodeContext): Address[] {
  const prepared = value.includes('=?') ? decodeWordsInAddressList(value, context) : value;
  let parsed: PostalAddress[];
  try {
    parsed = addressParser(prepared);
  } catch {
    context.notes.add('An address list could not be read.');
    return [];
  }
  return parsed
    .flatMap((entry) => (entry.group ? entry.group : [entry]))
    .map((mailbox) => ({ name: tidy(mailbox.name).replace(/^(["'])(.*)\1$/, '$2'), address: tidy(mailbox.address).replace(/^<|>$/g, '') }))
    .filter((mailbox) => mailbox.name !== '' || mailbox.address !== '');
}

function decodeWordsInAddressList(value: string, context: DecodeContext): string {
  let output = '';
  let position = 0;
  // Quote and comment state, carried forward so that a header with thousands of words stays linear.
  const scanner = { index: 0, quoted: false, depth: 0 };
  for (const match of value.matchAll(ENCODED_WORD_RUN)) {
    const after = value.charAt(match.index + match[0].length);
    if (after === '@') continue;
    advanceSyntaxState(value, match.index, scanner);
    const decoded = decodeEncodedWords(match[0], context.notes, context.hints());
    output += value.slice(position, match.index);
    if (scanner.quoted) output += decoded.replace(/(["\\])/g, '\\$1');
    else if (scanner.depth > 0) output += decoded.replace(/[()\\]/g, '');
    else output += `"${decoded.replace(/(["\\])/g, '\\$1')}"`;
    position = match.index + match[0].length;
  }
  return output + value.slice(position);
}

function advanceSyntaxState(text: string, end: number, state: { index: number; quoted: boolean; depth: number }): void {
  for (; state.index < end; state.index++) {
    const char = text.charAt(state.index);
    if (char === '\\') state.index++;
    else if (char === '"' && state.depth === 0) state.quoted = !state.quoted;
    else if (char === '(' && !state.quoted) state.depth++;
    else if (char === ')' && !state.quoted && state.depth > 0) state.depth--;
  }
}
