/**
 * Content-Transfer-Encoding decoders that take what real mail holds: base64
 * with stray characters or padding in the middle, quoted-printable with
 * lower-case hex or broken escapes, uuencode, and the encoding names mailers
 * misspell. None of them throws; damage is counted for a warning.
 */

/** How a part's bytes are to be decoded. */
export type TransferEncoding = 'identity' | 'base64' | 'quoted-printable' | 'uuencode';

const IDENTITY_SPELLINGS = /^(?:[78]-?bits?|[678]|binary|none|plain|text|7-?bit|8-?bit)$/;

/**
 * The decoder a Content-Transfer-Encoding value asks for, tolerating the
 * misspellings seen in the wild ("quoted printable", "7-bit", "8bits").
 * `recognized` is false for values that name no encoding at all (the part is
 * then read as it stands).
 */
export function transferEncodingOf(value: string | undefined): { encoding: TransferEncoding; recognized: boolean } {
  const token = (value ?? '').replace(/\([^)]*\)/g, ' ').trim().toLowerCase().replace(/^["']|["']$/g, '').replace(/[\s_]+/g, '-');
  if (token === '') return { encoding: 'identity', recognized: true };
  if (token.includes('base64') || token === 'b64') return { encoding: 'base64', recognized: true };
  if (token.includes('quoted') || token === 'qp') return { encoding: 'quoted-printable', recognized: true };
  if (/^(x-)?uu(encode|e)?$/.test(token)) return { encoding: 'uuencode', recognized: true };
  return { encoding: 'identity', recognized: IDENTITY_SPELLINGS.test(token) };
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Int8Array(256).fill(-1);
for (let index = 0; index < BASE64_ALPHABET.length; index++) BASE64_VALUE[BASE64_ALPHABET.charCodeAt(index)] = index;

/**
 * Decodes base64, skipping line breaks and any character outside the
 * alphabet. Padding ends a line's data: what follows it on the same line is
 * junk, and a later line starts afresh (some mailers pad every line).
 * `skipped` counts the characters that were neither alphabet, padding nor
 * whitespace.
 */
export function decodeBase64(input: Uint8Array): { bytes: Uint8Array; skipped: number } {
  const output = new Uint8Array(Math.ceil((input.length * 3) / 4) + 3);
  let length = 0;
  let bits = 0;
  let bitCount = 0;
  // Text after the last clean base64 line (a mailing-list footer appended to an encoded
  // part) is not data: decoding it would append garbage to the content.
  const dataEnd = endOfLastBase64Line(input);
  let skipped = countVisible(input.subarray(dataEnd));
  let padded = false;
  for (const byte of input.subarray(0, dataEnd)) {
    if (byte === 0x0a) {
      padded = false;
      continue;
    }
    if (padded) continue;
    const value = BASE64_VALUE[byte] ?? -1;
    if (value >= 0) {
      bits = ((bits << 6) | value) & 0xffffff;
      bitCount += 6;
      if (bitCount >= 8) {
        bitCount -= 8;
        output[length++] = (bits >> bitCount) & 0xff;
      }
    } else if (byte === 0x3d) {
      // Padding closes a group: leftover bits carry no data.
      bits = 0;
      bitCount = 0;
      padded = true;
    } else if (byte !== 0x0d && byte !== 0x20 && byte !== 0x09) {
      skipped++;
    }
  }
  return { bytes: output.slice(0, length), skipped };
}

function isBase64LineByte(byte: number): boolean {
  return (BASE64_VALUE[byte] ?? -1) >= 0 || byte === 0x3d || byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

function endOfLastBase64Line(input: Uint8Array): number {
  let end = input.length;
  while (end > 0) {
    const lineStart = input.lastIndexOf(0x0a, end - 1) + 1;
    const line = input.subarray(lineStart, end);
    let visible = 0;
    let clean = true;
    for (const byte of line) {
      if (byte === 0x0a) continue;
      if (!isBase64LineByte(byte)) {
        clean = false;
        break;
      }
      if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) visible++;
    }
    if (clean && visible >= 4) return end;
    if (lineStart === 0) return input.length;
    end = lineStart - 1;
  }
  return input.length;
}

function countVisible(input: Uint8Array): number {
  let count = 0;
  for (const byte of input) if (byte > 0x20 && byte < 0x7f) count++;
  return count;
}

/**
 * True when a body declared as base64 plainly is not: base64 lines hold no
 * blanks between their characters, while text has them between words.
 */
export function looksLikePlainTextNotBase64(input: Uint8Array): boolean {
  const head = Buffer.from(input.subarray(0, 1024)).toString('latin1');
  const firstLine = /^\s*(\S[^\r\n]*)/.exec(head)?.[1]?.trimEnd() ?? '';
  // A first line of pure base64 settles it, whatever junk follows later.
  if (/^[A-Za-z0-9+/]{16,}={0,2}$/.test(firstLine)) return false;
  let inner = 0;
  let visible = 0;
  let lineHasText = false;
  let pendingBlanks = 0;
  for (const byte of input.subarray(0, 16 * 1024)) {
    if (byte === 0x0a || byte === 0x0d) {
      lineHasText = false;
      pendingBlanks = 0;
    } else if (byte === 0x20 || byte === 0x09) {
      if (lineHasText) pendingBlanks++;
    } else {
      visible++;
      inner += pendingBlanks;
      pendingBlanks = 0;
      lineHasText = true;
    }
  }
  return visible > 0 && inner > visible * 0.05;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * Decodes quoted-printable. Soft line breaks join lines, trailing whitespace
 * (added in transit) is dropped, and an `=` that starts no valid escape is
 * kept as a literal, as RFC 2045 suggests for robustness.
 */
export function decodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const output = new Uint8Array(input.length);
  let length = 0;
  let lineStart = 0;
  while (lineStart <= input.length) {
    let lineEnd = input.indexOf(0x0a, lineStart);
    const hasBreak = lineEnd >= 0;
    if (!hasBreak) lineEnd = input.length;
    let contentEnd = lineEnd;
    while (contentEnd > lineStart && (input[contentEnd - 1] === 0x0d || input[contentEnd - 1] === 0x20 || input[contentEnd - 1] === 0x09)) contentEnd--;
    let softBreak = false;
    for (let index = lineStart; index < contentEnd; index++) {
      const byte = input[index] ?? 0;
      if (byte !== 0x3d) {
        output[length++] = byte;
        continue;
      }
      if (index === contentEnd - 1) {
        softBreak = true;
        break;
      }
      const high = hexValue(input[index + 1] ?? 0);
      const low = hexValue(input[index + 2] ?? 0);
      if (high >= 0 && low >= 0 && index + 2 < contentEnd) {
        output[length++] = (high << 4) | low;
        index += 2;
      } else {
        output[length++] = byte;
      }
    }
    if (!hasBreak) break;
    if (!softBreak) {
      output[length++] = 0x0d;
      output[length++] = 0x0a;
    }
    lineStart = lineEnd + 1;
  }
  return output.slice(0, length);
}

/** A file carried inside a text body (uuencode or yEnc) rather than in a MIME part of its own. */
export interface EmbeddedFile {
  filename: string;
  content: Uint8Array;
}

function lineAt(input: Uint8Array, start: number): { text: string; end: number; next: number } {
  let end = input.indexOf(0x0a, start);
  const next = end < 0 ? input.length : end + 1;
  if (end < 0) end = input.length;
  let contentEnd = end;
  while (contentEnd > start && input[contentEnd - 1] === 0x0d) contentEnd--;
  return { text: Buffer.from(input.subarray(start, contentEnd)).toString('latin1'), end: contentEnd, next };
}

// One uuencoded line: a length character, then groups of four characters for three bytes.
// Characters missing at the end of a line (trailing blanks stripped in transit) count as zero.
function decodeUuLine(line: string, output: number[]): void {
  const declared = ((line.charCodeAt(0) || 0x20) - 0x20) & 0x3f;
  let produced = 0;
  for (let index = 1; index < line.length && produced < declared; index += 4) {
    const value = (offset: number): number => ((line.charCodeAt(index + offset) || 0x20) - 0x20) & 0x3f;
    const group = (value(0) << 18) | (value(1) << 12) | (value(2) << 6) | value(3);
    for (let shift = 16; shift >= 0 && produced < declared; shift -= 8) {
      output.push((group >> shift) & 0xff);
      produced++;
    }
  }
}

/**
 * Decodes a uuencoded part (Content-Transfer-Encoding: x-uuencode): the
 * lines between `begin` and `end`, or every line when the markers are
 * missing.
 */
export function decodeUuencode(input: Uint8Array): { bytes: Uint8Array; filename?: string } {
  const output: number[] = [];
  let filename: string | undefined;
  let started = false;
  let sawBegin = false;
  for (let position = 0; position < input.length; ) {
    const line = lineAt(input, position);
    position = line.next;
    const begin = /^begin(?:-base64)?\s+[0-7]{3,4}\s+(.+?)\s*$/.exec(line.text);
    if (begin) {
      filename = begin[1];
      started = true;
      sawBegin = true;
      continue;
    }
    if (started && /^end\s*$/.test(line.text)) break;
    if ((started || !sawBegin) && line.text !== '' && line.text !== '`') decodeUuLine(line.text, output);
  }
  return { bytes: Uint8Array.from(output), ...(filename === undefined ? {} : { filename }) };
}

function decodeYencLines(input: Uint8Array, start: number, end: number): Uint8Array {
  const output = new Uint8Array(end - start);
  let length = 0;
  for (let index = start; index < end; index++) {
    const byte = input[index] ?? 0;
    if (byte === 0x0d || byte === 0x0a) continue;
    if (byte === 0x3d) {
      index++;
      output[length++] = ((input[index] ?? 0) - 64 - 42) & 0xff;
    } else {
      output[length++] = (byte - 42) & 0xff;
    }
  }
  return output.slice(0, length);
}

/**
 * Finds uuencoded (`begin 644 name` ... `end`) and yEnc (`=ybegin` ...
 * `=yend`) blocks in a text body, as old mailers and news clients send
 * attachments. Returns the text without the blocks and the files they hold.
 */
export function extractEmbeddedFiles(input: Uint8Array): { text: Uint8Array; files: EmbeddedFile[] } {
  if (!containsMarker(input)) return { text: input, files: [] };
  const files: EmbeddedFile[] = [];
  const kept: Uint8Array[] = [];
  let keptFrom = 0;
  for (let position = 0; position < input.length; ) {
    const blockStart = position;
    const line = lineAt(input, position);
    position = line.next;
    const uuBegin = /^begin\s+[0-7]{3,4}\s+(\S.*?)\s*$/.exec(line.text);
    const yBegin = /^=ybegin\s.*\bname=\s*(.+?)\s*$/.exec(line.text);
    if (!uuBegin && !yBegin) continue;
    const endPattern = uuBegin ? /^end\s*$/ : /^=yend(\s|$)/;
    let blockEnd = -1;
    let dataStart = position;
    let dataEnd = position;
    for (let scan = position; scan < input.length; ) {
      const inner = lineAt(input, scan);
      if (yBegin && scan === dataStart && inner.text.startsWith('=ypart')) dataStart = inner.next;
      if (endPattern.test(inner.text)) {
        dataEnd = scan;
        blockEnd = inner.next;
        break;
      }
      scan = inner.next;
    }
    if (blockEnd < 0) continue;
    const filename = (uuBegin?.[1] ?? yBegin?.[1] ?? 'attachment').trim();
    const content = uuBegin ? decodeUuencode(input.subarray(blockStart, blockEnd)).bytes : decodeYencLines(input, dataStart, dataEnd);
    files.push({ filename, content });
    kept.push(input.subarray(keptFrom, blockStart));
    keptFrom = blockEnd;
    position = blockEnd;
  }
  if (files.length === 0) return { text: input, files };
  kept.push(input.subarray(keptFrom));
  return { text: Buffer.concat(kept), files };
}

function containsMarker(input: Uint8Array): boolean {
  const view = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return view.includes('=ybegin ') || /(^|\n)begin [0-7]{3,4} /.test(view.toString('latin1'));
}
