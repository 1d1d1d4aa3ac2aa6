/**
 * RFC 2047 encoded words ("=?charset?B?...?=") in header text, decoded the
 * way mail clients have to: adjacent words are joined at the byte level
 * before decoding (senders split multi-byte characters between words), the
 * charset label is matched loosely (case, RFC 2231 language suffix), and a
 * word in an unknown charset is decoded by guessing instead of being dropped.
 */
import { decodeBytes, detectCharset, resolveCharset } from './charsets';
import type { Notes } from './notes';
import { decodeBase64 } from './transfer-encodings';

// The text may hold a "?" (damaged Q words do); only "?=" ends a word. Its length is
// bounded so that an unterminated word cannot make the scan quadratic in a huge header.
const ENCODED_WORD = /=\?([^?\s"]{1,60})\?([bBqQ])\?(.{0,500}?)\?=/g;
const LINEAR_WHITESPACE = /^[ \t\r\n]*$/;

interface EncodedWord {
  start: number;
  end: number;
  charsetLabel: string;
  bytes: Uint8Array;
}

function wordBytes(encoding: string, text: string): Uint8Array {
  if (encoding.toUpperCase() === 'B') return decodeBase64(Buffer.from(text, 'latin1')).bytes;
  const bytes: number[] = [];
  const source = text.replace(/_/g, ' ');
  for (let index = 0; index < source.length; index++) {
    const char = source.charAt(index);
    const hex = char === '=' ? /^[0-9a-f]{2}/i.exec(source.slice(index + 1, index + 3)) : null;
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      index += 2;
    } else {
      for (const byte of Buffer.from(char, 'utf8')) bytes.push(byte);
    }
  }
  return Uint8Array.from(bytes);
}

function charsetKey(label: string): string {
  return label.replace(/\*.*$/, '').toLowerCase();
}

/**
 * Decodes every encoded word in `text`. Whitespace between two encoded words
 * is dropped (it is folding, not content); other text is kept as it stands.
 * Unknown charsets are guessed and noted in `notes`.
 */
export function decodeEncodedWords(text: string, notes?: Notes, hints: readonly string[] = []): string {
  if (!text.includes('=?')) return text;
  const words: EncodedWord[] = [];
  for (const match of text.matchAll(ENCODED_WORD)) {
    words.push({ start: match.index, end: match.index + match[0].length, charsetLabel: match[1] ?? '', bytes: wordBytes(match[2] ?? 'Q', match[3] ?? '') });
  }
  if (words.length === 0) return text;
  let output = '';
  let position = 0;
  for (let index = 0; index < words.length; ) {
    const first = words[index];
    if (!first) break;
    output += text.slice(position, first.start);
    // Join a run of words in the same charset that only whitespace separates.
    const parts: EncodedWord[] = [first];
    let last = first;
    let next = index + 1;
    for (; next < words.length; next++) {
      const candidate = words[next];
      if (!candidate || !LINEAR_WHITESPACE.test(text.slice(last.end, candidate.start))) break;
      if (charsetKey(candidate.charsetLabel) !== charsetKey(first.charsetLabel)) break;
      parts.push(candidate);
      last = candidate;
    }
    output += decodeRun(parts, first.charsetLabel, notes, hints);
    position = last.end;
    index = next;
    const following = words[index];
    if (following && LINEAR_WHITESPACE.test(text.slice(position, following.start))) position = following.start;
  }
  return output + text.slice(position);
}

// Joined at the byte level a character split between words comes out whole; but a stateful
// charset (ISO-2022-JP) resets at every word, and joining makes its escapes collide. Whichever
// reading has fewer replacement characters wins.
function decodeRun(words: readonly EncodedWord[], label: string, notes: Notes | undefined, hints: readonly string[]): string {
  const joined = decodeWordBytes(Buffer.concat(words.map((word) => word.bytes)), label, notes, hints);
  if (words.length === 1 || !joined.includes('\ufffd')) return joined;
  const separate = words.map((word) => decodeWordBytes(word.bytes, label, notes, hints)).join('');
  return replacements(separate) < replacements(joined) ? separate : joined;
}

function replacements(text: string): number {
  return text.split('\ufffd').length - 1;
}

function decodeWordBytes(bytes: Uint8Array, label: string, notes: Notes | undefined, hints: readonly string[]): string {
  const charset = resolveCharset(label);
  if (charset !== undefined) return decodeBytes(bytes, charset);
  const guessed = detectCharset(bytes, hints);
  notes?.add(`A header names an unknown character set "${label.slice(0, 40)}"; it was read as ${guessed}.`);
  return decodeBytes(bytes, guessed);
}
