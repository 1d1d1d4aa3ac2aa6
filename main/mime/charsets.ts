/**
 * Character sets: what a label in a message means, how bytes become text,
 * and a best guess when a message does not say or says wrong. Decoding goes
 * through the platform's TextDecoder (full ICU in Node and Electron); UTF-7
 * and byte-order sniffing for a bare "utf-16" label are done here because
 * WHATWG decoders do neither.
 */
import { COMMON_HANGUL, COMMON_SIMPLIFIED, COMMON_TRADITIONAL } from './charset-frequencies';

/** Our own decoders, for labels TextDecoder does not take. */
const UTF7 = 'utf-7';
const UTF16_UNMARKED = 'utf-16';

// Windows and IBM code page numbers as mail clients write them (cp932, windows-936, ms949...).
const CODE_PAGES: Record<string, string> = {
  '866': 'ibm866',
  '874': 'windows-874',
  '932': 'shift_jis',
  '936': 'gbk',
  '949': 'euc-kr',
  '950': 'big5',
  '1200': 'utf-16le',
  '1201': 'utf-16be',
  '10000': 'macintosh',
  '20866': 'koi8-r',
  '21866': 'koi8-u',
  '20932': 'euc-jp',
  '51932': 'euc-jp',
  '50220': 'iso-2022-jp',
  '50221': 'iso-2022-jp',
  '50222': 'iso-2022-jp',
  '54936': 'gb18030',
  '65001': 'utf-8',
};

const resolvedLabels = new Map<string, string | null>();

/**
 * The decoder name for a charset label from a message (case, quotes, vendor
 * prefixes, code page numbers and RFC 2231 language tags tolerated), or
 * undefined when the label names nothing this platform can decode.
 */
export function resolveCharset(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const key = label
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .replace(/\*.*$/, '')
    .trim()
    .toLowerCase();
  if (key === '' || key.length > 40) return undefined;
  let resolved = resolvedLabels.get(key);
  if (resolved === undefined) {
    resolved = lookUpLabel(key) ?? null;
    // Labels come from untrusted mail: keep the cache from growing without bound.
    if (resolvedLabels.size < 512) resolvedLabels.set(key, resolved);
  }
  return resolved ?? undefined;
}

function lookUpLabel(key: string): string | undefined {
  if (/^(x-)?(unicode-1-1-)?utf-?7$/.test(key) || key === 'csunicode11utf7') return UTF7;
  if (['utf-16', 'utf16', 'ucs-2', 'ucs2', 'unicode', 'iso-10646-ucs-2', 'csunicode'].includes(key)) return UTF16_UNMARKED;
  const bare = key.replace(/^(x-|cs)/, '');
  const codePage = /^(?:cp|windows-?|ms-?|ibm-?)(\d+)$/.exec(bare);
  const candidates = [
    key,
    key.replace(/_/g, '-'),
    bare,
    bare.replace(/_/g, '-'),
    key.replace(/[-_ ]/g, ''),
    bare.replace(/^iso[-_]?8859[-_]?(\d+).*$/, 'iso-8859-$1'),
    bare.replace(/^koi8[-_]?([ru])$/, 'koi8-$1'),
    bare.replace(/^iso-2022-jp(-\d)?$/, 'iso-2022-jp'),
    bare.replace(/^ks[-_]c[-_]5601.*$/, 'euc-kr'),
    bare.replace(/^euc[-_]?(kr|jp)$/, 'euc-$1'),
    bare.replace(/^(latin)-?(\d)$/, '$1$2'),
    codePage ? (CODE_PAGES[codePage[1] ?? ''] ?? `windows-${codePage[1] ?? ''}`) : '',
  ];
  for (const candidate of candidates) {
    const encoding = platformEncoding(candidate);
    if (encoding !== undefined) return encoding;
  }
  return undefined;
}

function platformEncoding(label: string): string | undefined {
  if (label === '') return undefined;
  try {
    const encoding = new TextDecoder(label).encoding;
    // The WHATWG "replacement" decoder turns a whole text into one U+FFFD: worse than a guess.
    return encoding === 'replacement' ? undefined : encoding;
  } catch {
    return undefined;
  }
}

/** True for labels that promise 7-bit text, which 8-bit bytes then prove wrong. */
export function isAsciiLabel(label: string | undefined): boolean {
  return /^\s*["']?(us-?ascii|ascii|ansi_x3\.4-1968|iso646-us|us)["']?\s*$/i.test(label ?? '');
}

const decoders = new Map<string, InstanceType<typeof TextDecoder>>();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decoderFor(encoding: string): InstanceType<typeof TextDecoder> {
  let decoder = decoders.get(encoding);
  if (!decoder) {
    decoder = new TextDecoder(encoding);
    decoders.set(encoding, decoder);
  }
  return decoder;
}

// windows-1252 in 0x80-0x9F (smart quotes, dashes, euro sign). Node 20's TextDecoder reads the
// label as ISO-8859-1 and yields C1 control characters there instead.
const WINDOWS_1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_HIGH.charAt(char.charCodeAt(0) - 0x80));
}

/** Decodes bytes with a name returned by resolveCharset or detectCharset; bad sequences become U+FFFD. */
export function decodeBytes(bytes: Uint8Array, charset: string): string {
  if (charset === 'windows-1252') return decodeWindows1252(bytes);
  if (charset === UTF7) return decodeUtf7(bytes);
  if (charset === UTF16_UNMARKED) return decoderFor(utf16ByteOrder(bytes)).decode(bytes);
  // GB18030 is a superset of GBK and GB2312 that mailers send under the older labels.
  return decoderFor(charset === 'gbk' ? 'gb18030' : charset).decode(bytes);
}

/** True when some byte is outside 7-bit ASCII. */
export function hasHighBytes(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte >= 0x80) return true;
  return false;
}

/** True when the bytes are well-formed UTF-8 (ASCII included). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when nearly all 8-bit bytes form valid UTF-8 sequences: UTF-8 text
 * with a little damage, better read as UTF-8 with a few replacement
 * characters than as mojibake in another charset.
 */
export function mostlyUtf8(bytes: Uint8Array): boolean {
  const { valid, invalid } = utf8SequenceCounts(bytes);
  return valid > 0 && invalid * 4 <= valid;
}

function utf8SequenceCounts(bytes: Uint8Array): { valid: number; invalid: number } {
  let valid = 0;
  let invalid = 0;
  for (let index = 0; index < bytes.length; index++) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) continue;
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    let ok = length > 0;
    for (let offset = 1; ok && offset < length; offset++) ok = ((bytes[index + offset] ?? 0) & 0xc0) === 0x80;
    if (ok) {
      valid++;
      index += length - 1;
    } else {
      invalid++;
    }
  }
  return { valid, invalid };
}

// RFC 2781: unmarked UTF-16 is big-endian, but Windows writes little-endian without a
// mark; ASCII-heavy text shows its order by where the zero bytes sit.
function utf16ByteOrder(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  let zeroEven = 0;
  let zeroOdd = 0;
  const limit = Math.min(bytes.length, 4096);
  for (let index = 0; index < limit; index++) {
    if (bytes[index] === 0) {
      if (index % 2 === 0) zeroEven++;
      else zeroOdd++;
    }
  }
  return zeroOdd > zeroEven ? 'utf-16le' : 'utf-16be';
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUES = new Map(Array.from({ length: BASE64_ALPHABET.length }, (_, index) => [BASE64_ALPHABET.charCodeAt(index), index]));

/** RFC 2152 UTF-7, which no platform decoder reads any more. Invalid shifts are kept as they stand. */
function decodeUtf7(bytes: Uint8Array): string {
  const text = decoderFor('windows-1252').decode(bytes);
  let output = '';
  let index = 0;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char !== '+') {
      output += char;
      index++;
      continue;
    }
    let end = index + 1;
    while (end < text.length && BASE64_VALUES.has(text.charCodeAt(end))) end++;
    if (end === index + 1) {
      // "+-" is a literal plus; a "+" before anything else is kept as written.
      output += '+';
      index = text.charAt(end) === '-' ? end + 1 : end;
      continue;
    }
    let bits = 0;
    let bitCount = 0;
    let units = '';
    for (let position = index + 1; position < end; position++) {
      bits = ((bits << 6) | (BASE64_VALUES.get(text.charCodeAt(position)) ?? 0)) & 0xffffff;
      bitCount += 6;
      if (bitCount >= 16) {
        bitCount -= 16;
        units += String.fromCharCode((bits >> bitCount) & 0xffff);
      }
    }
    output += units.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    index = text.charAt(end) === '-' ? end + 1 : end;
  }
  return output;
}

/** True for 7-bit text that switches character sets with ISO-2022-JP escape sequences. */
export function looksLikeIso2022Jp(bytes: Uint8Array): boolean {
  for (let index = 0; index + 2 < bytes.length; index++) {
    if (bytes[index] !== 0x1b) continue;
    const next = bytes[index + 1];
    const last = bytes[index + 2];
    if ((next === 0x24 && (last === 0x42 || last === 0x40)) || (next === 0x28 && last === 0x4a)) return true;
  }
  return false;
}

// Candidates for text whose charset is missing or wrong, in order of preference on a tie.
const DETECTION_CANDIDATES = ['windows-1252', 'utf-8', 'shift_jis', 'euc-jp', 'gb18030', 'big5', 'euc-kr', 'windows-1251', 'koi8-r'];
const DETECTION_SAMPLE_BYTES = 64 * 1024;
// A charset the message itself names elsewhere wins over the statistics once its decoding is plausible.
const HINTED_PLAUSIBLE_SCORE = 0.45;

/**
 * The most plausible charset for text that does not say or says wrong:
 * UTF-8 when the bytes are valid UTF-8, else the charset that turns them into
 * the most natural text, preferring the charsets `hints` (named elsewhere in
 * the same message) once they read plausibly. Always returns a decodable name.
 */
export function detectCharset(bytes: Uint8Array, hints: readonly string[] = []): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return utf16ByteOrder(bytes);
  if (!hasHighBytes(bytes)) return looksLikeIso2022Jp(bytes) ? 'iso-2022-jp' : looksLikeUtf16(bytes) ? utf16ByteOrder(bytes) : 'utf-8';
  if (isValidUtf8(bytes)) return 'utf-8';
  const sample = bytes.subarray(0, DETECTION_SAMPLE_BYTES);
  const hinted = [...new Set(hints.map((hint) => resolveCharset(hint)).filter((name): name is string => name !== undefined && name !== UTF7 && name !== UTF16_UNMARKED && name !== 'utf-8'))];
  for (const charset of hinted) {
    if (plausibility(decodeBytes(sample, charset), charset) >= HINTED_PLAUSIBLE_SCORE) return charset;
  }
  let best = 'windows-1252';
  let bestScore = -Infinity;
  for (const charset of DETECTION_CANDIDATES) {
    const score = plausibility(decodeBytes(sample, charset), charset);
    if (score > bestScore) {
      best = charset;
      bestScore = score;
    }
  }
  return best;
}

const CJK_MULTI_BYTE = new Set(['shift_jis', 'euc-jp', 'gbk', 'gb18030', 'big5', 'euc-kr']);

/**
 * Undoes a classic server-side mangling: text in a CJK charset read as
 * Latin-1 (or windows-1252) and re-encoded as UTF-8, which turns every
 * Chinese character into two accented Latin letters. Returns the repaired
 * text when `text` consists of such letters and their bytes read as natural
 * text in `charset`; undefined otherwise.
 */
export function undoDoubleEncoding(text: string, charset: string): string | undefined {
  if (!CJK_MULTI_BYTE.has(charset)) return undefined;
  const bytes: number[] = [];
  let high = 0;
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    if (point >= 0x80) high++;
    if (point <= 0xff) {
      bytes.push(point);
      continue;
    }
    const windows1252 = WINDOWS_1252_HIGH.indexOf(char);
    if (windows1252 < 0) return undefined;
    bytes.push(0x80 + windows1252);
  }
  if (high < 4) return undefined;
  const repaired = decodeBytes(Uint8Array.from(bytes), charset);
  return !repaired.includes('\ufffd') && plausibility(repaired, charset) >= 1 ? repaired : undefined;
}

function looksLikeUtf16(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  let zeros = 0;
  for (const byte of bytes.subarray(0, 4096)) if (byte === 0) zeros++;
  return zeros * 3 > Math.min(bytes.length, 4096);
}

type Script = 'simplified' | 'traditional' | 'japanese' | 'korean' | 'other';

function scriptOf(charset: string): Script {
  if (charset === 'gb18030' || charset === 'gbk') return 'simplified';
  if (charset === 'big5') return 'traditional';
  if (charset === 'shift_jis' || charset === 'euc-jp' || charset === 'iso-2022-jp') return 'japanese';
  if (charset === 'euc-kr') return 'korean';
  return 'other';
}

/**
 * How natural a decoding reads, as the mean score of its non-ASCII
 * characters: letters in word context and frequent CJK characters score
 * high; replacement characters, C1 controls, runs of accented letters and
 * rare ideographs (what wrong decodings produce) score low.
 */
function plausibility(text: string, charset: string): number {
  const script = scriptOf(charset);
  const points: number[] = [];
  for (const char of text) points.push(char.codePointAt(0) ?? 0);
  let total = 0;
  let count = 0;
  for (let index = 0; index < points.length; index++) {
    const point = points[index] ?? 0;
    if (point < 0x80) continue;
    count++;
    total += characterScore(point, points[index - 1] ?? 0x20, points[index + 1] ?? 0x20, script);
  }
  return count === 0 ? 0 : total / count;
}

function isAsciiLetter(point: number): boolean {
  return (point >= 0x41 && point <= 0x5a) || (point >= 0x61 && point <= 0x7a);
}

function isLatinLetter(point: number): boolean {
  return point >= 0xc0 && point <= 0x24f && point !== 0xd7 && point !== 0xf7;
}

function isCyrillicLetter(point: number): boolean {
  return point >= 0x400 && point <= 0x45f;
}

const FREQUENT_RUSSIAN = new Set(Array.from('оеаинтсрвлкмдпуяыьгзбчй', (char) => char.codePointAt(0) ?? 0));

function characterScore(point: number, previous: number, next: number, script: Script): number {
  if (point === 0xfffd) return -4;
  if (point < 0xa0) return -3;
  if (point <= 0xbf) return -0.2;
  if (isLatinLetter(point)) {
    if (isAsciiLetter(previous) || isAsciiLetter(next)) return 1;
    if (isLatinLetter(previous) || isLatinLetter(next)) return -0.5;
    return 0.3;
  }
  if (point === 0xd7 || point === 0xf7) return -0.5;
  if (isCyrillicLetter(point)) return cyrillicScore(point, previous, next);
  if ((point >= 0x2010 && point <= 0x2030) || point === 0x2039 || point === 0x203a || point === 0x20ac || point === 0x2122) return 0.5;
  if (point >= 0x370 && point <= 0x3ff) return 0.8;
  if (point >= 0x590 && point <= 0x6ff) return 0.8;
  if (point >= 0xe00 && point <= 0xe7f) return 0.8;
  if (point >= 0x3000 && point <= 0x303f) return 1.5;
  if (point >= 0x3041 && point <= 0x30ff) return 2;
  if (point >= 0x4e00 && point <= 0x9fff) return frequentIdeograph(String.fromCodePoint(point), script) ? 2 : 0.3;
  if (point >= 0xac00 && point <= 0xd7a3) return COMMON_HANGUL.has(String.fromCodePoint(point)) ? 2 : 0.5;
  if (point >= 0xff01 && point <= 0xff5e) return 1;
  if (point >= 0xff61 && point <= 0xff9f) return -0.5;
  if (point >= 0xe000 && point <= 0xf8ff) return -2;
  if (point >= 0x1f000) return 0.5;
  return -0.5;
}

function cyrillicScore(point: number, previous: number, next: number): number {
  if (isAsciiLetter(previous) || isAsciiLetter(next)) return -1;
  const lower = point >= 0x430 && point <= 0x44f;
  if (lower) return FREQUENT_RUSSIAN.has(point) ? 1.2 : 1;
  if (point >= 0x450) return 0.6;
  if (point < 0x410) return -0.5;
  // An upper-case letter starts a word or sits in an all-capitals word, rarely between lower-case ones.
  if (!isCyrillicLetter(previous)) return 0.6;
  return previous >= 0x410 && previous <= 0x42f ? 0.1 : -0.5;
}

function frequentIdeograph(char: string, script: Script): boolean {
  if (script === 'simplified') return COMMON_SIMPLIFIED.has(char);
  if (script === 'traditional') return COMMON_TRADITIONAL.has(char);
  return COMMON_SIMPLIFIED.has(char) || COMMON_TRADITIONAL.has(char);
}

/**
 * The charsets a raw message names anywhere (charset parameters, encoded
 * words, HTML meta tags), most frequent first, ASCII and UTF-8 left out: the
 * best hints for its undeclared 8-bit headers and text.
 */
export function charsetsNamedIn(raw: Uint8Array): string[] {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const counts = new Map<string, number>();
  const patterns = [/charset\s*=\s*["']?([a-z0-9._:-]{2,40})/gi, /=\?([a-z0-9._:-]{2,40})(?:\*[a-z-]*)?\?[bq]\?/gi];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const name = resolveCharset(match[1]);
      if (name === undefined || name === 'utf-8' || name === UTF7 || isAsciiLabel(match[1])) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
}
