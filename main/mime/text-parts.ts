/**
 * Bytes of a part turned into what the user reads: the transfer encoding
 * undone, and text decoded in the charset it really uses. Labels are trusted
 * when the bytes agree with them; a missing, unknown, "us-ascii" or "utf-8"
 * label on bytes that say otherwise is replaced by a detected charset, and
 * the replacement is noted.
 */
import { decodeBytes, detectCharset, hasHighBytes, isAsciiLabel, isValidUtf8, looksLikeIso2022Jp, mostlyUtf8, resolveCharset, undoDoubleEncoding } from './charsets';
import { firstField } from './header-fields';
import type { DecodeContext } from './header-fields';
import type { MimeEntity } from './structure';
import { decodeBase64, decodeQuotedPrintable, decodeUuencode, looksLikePlainTextNotBase64, transferEncodingOf } from './transfer-encodings';

/** A leaf's body with its Content-Transfer-Encoding undone. */
export function decodedContent(entity: MimeEntity, context: DecodeContext): Uint8Array {
  const declared = firstField(entity.fields, 'content-transfer-encoding')?.value;
  const { encoding, recognized } = transferEncodingOf(declared);
  if (!recognized) context.notes.add(`A part declares an unknown transfer encoding "${(declared ?? '').slice(0, 40)}"; it is shown as it stands.`);
  switch (encoding) {
    case 'base64': {
      if (looksLikePlainTextNotBase64(entity.body)) {
        context.notes.add('A part declared as base64 is plain text; it is shown as it stands.');
        return entity.body;
      }
      const { bytes, skipped } = decodeBase64(entity.body);
      if (skipped > 0) context.notes.add('A base64-encoded part contains characters outside base64; they were skipped.');
      return bytes;
    }
    case 'quoted-printable':
      return decodeQuotedPrintable(entity.body);
    case 'uuencode':
      return decodeUuencode(entity.body).bytes;
    case 'identity':
      return entity.body;
  }
}

const MULTI_BYTE = new Set(['shift_jis', 'euc-jp', 'iso-2022-jp', 'gbk', 'gb18030', 'big5', 'euc-kr']);
const ALWAYS_TRUSTED = new Set(['utf-16', 'utf-16le', 'utf-16be', 'utf-7']);
const LATIN_SINGLE_BYTE = /^(windows-125[0-8]|iso-8859-\d+|macintosh)$/;

/**
 * Text bytes as a string, in the charset the part declares when the bytes
 * agree with it, otherwise in the most plausible one. Line breaks become
 * "\n"; NUL characters are dropped.
 */
export function decodeText(bytes: Uint8Array, entity: MimeEntity, context: DecodeContext): string {
  return (mangledCjkText(bytes, entity, context) ?? latin1MisreadText(bytes, entity, context) ?? decodeBytes(bytes, textCharset(bytes, entity, context))).replace(/\r\n?/g, '\n').replace(/\0/g, '');
}

// Valid UTF-8 under a CJK label may be that CJK text converted to UTF-8 as if it were Latin-1.
function mangledCjkText(bytes: Uint8Array, entity: MimeEntity, context: DecodeContext): string | undefined {
  const declared = resolveCharset(entity.params.get('charset'));
  if (declared === undefined || !MULTI_BYTE.has(declared) || !hasHighBytes(bytes) || !isValidUtf8(bytes)) return undefined;
  const repaired = undoDoubleEncoding(decodeBytes(bytes, 'utf-8'), declared);
  if (repaired !== undefined) context.notes.add(`A text part in ${declared} had been converted to UTF-8 as if it were Latin-1; the conversion was undone.`);
  return repaired;
}

/**
 * Unlabelled HTML whose <meta charset> names a single-byte charset, but whose
 * bytes are UTF-8 holding C1 controls (U+0080-U+009F): the text was read as
 * Latin-1 on the way and re-encoded, which makes windows-1250's "€" (0x80)
 * U+0080. No one writes C1 controls, so the Latin-1 step is undone and the
 * bytes are read in the charset the HTML names.
 */
function latin1MisreadText(bytes: Uint8Array, entity: MimeEntity, context: DecodeContext): string | undefined {
  if (entity.params.get('charset') !== undefined || !hasHighBytes(bytes) || !isValidUtf8(bytes)) return undefined;
  const meta = resolveCharset(metaCharsets(bytes, entity)[0]);
  if (meta === undefined || !LATIN_SINGLE_BYTE.test(meta)) return undefined;
  const text = decodeBytes(bytes, 'utf-8');
  // eslint-disable-next-line no-control-regex -- C1 controls are the sign of the Latin-1 misreading
  if (!/[\u0080-\u009f]/.test(text) || /[^\u0000-\u00ff]/.test(text)) return undefined;
  context.notes.add(`A text part in ${meta} had been converted to UTF-8 as if it were Latin-1; the conversion was undone.`);
  return decodeBytes(Uint8Array.from(text, (char) => char.charCodeAt(0)), meta);
}

function textCharset(bytes: Uint8Array, entity: MimeEntity, context: DecodeContext): string {
  const label = entity.params.get('charset');
  const declared = resolveCharset(label);
  if (declared !== undefined && ALWAYS_TRUSTED.has(declared)) return declared;
  if (!hasHighBytes(bytes)) {
    if (declared !== 'iso-2022-jp' && looksLikeIso2022Jp(bytes)) return 'iso-2022-jp';
    return declared ?? 'utf-8';
  }
  const ascii = label === undefined || isAsciiLabel(label);
  if (declared !== undefined && !ascii && declared !== 'utf-8') {
    // Valid multi-byte UTF-8 is next to impossible by chance in Latin text: this is UTF-8 under a wrong label.
    if (LATIN_SINGLE_BYTE.test(declared) && isValidUtf8(bytes)) {
      context.notes.add(`A text part declared as ${declared} is UTF-8; it was read as UTF-8.`);
      return 'utf-8';
    }
    return checkedLegacyCharset(bytes, declared, context);
  }
  if (isValidUtf8(bytes) || (declared === 'utf-8' && mostlyUtf8(bytes))) return 'utf-8';
  const meta = metaCharsets(bytes, entity);
  // With no MIME label, an HTML part's own <meta charset> is its label, as browsers and other clients read it (a guess would make 0x80 "U+0080", not "€").
  const metaDeclared = label === undefined ? resolveCharset(meta[0]) : undefined;
  if (metaDeclared !== undefined && !isAsciiLabel(metaDeclared) && metaDeclared !== 'utf-8') {
    context.notes.add(`A text part has 8-bit characters but names no character set; it was read as ${metaDeclared}, as its HTML says.`);
    return checkedLegacyCharset(bytes, metaDeclared, context);
  }
  const hints = [...meta, ...context.hints()];
  const detected = detectCharset(bytes, hints);
  if (label === undefined) context.notes.add(`A text part has 8-bit characters but names no character set; it was read as ${detected}.`);
  else if (ascii) context.notes.add(`A text part declared as US-ASCII contains 8-bit characters; it was read as ${detected}.`);
  else if (declared === 'utf-8') context.notes.add(`A text part declared as UTF-8 is not valid UTF-8; it was read as ${detected}.`);
  else context.notes.add(`A text part names an unknown character set "${label.slice(0, 40)}"; it was read as ${detected}.`);
  return detected;
}

/** A declared multi-byte charset, unless its decoding is mostly damage and another reads cleanly. */
function checkedLegacyCharset(bytes: Uint8Array, declared: string, context: DecodeContext): string {
  if (!MULTI_BYTE.has(declared)) return declared;
  const damaged = replacementCount(decodeBytes(bytes, declared));
  if (damaged <= Math.max(2, bytes.length / 200)) return declared;
  const detected = detectCharset(bytes);
  if (detected !== declared && replacementCount(decodeBytes(bytes, detected)) < damaged / 4) {
    context.notes.add(`A text part declared as ${declared} does not decode as such; it was read as ${detected}.`);
    return detected;
  }
  return declared;
}

function replacementCount(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\ufffd'); index >= 0; index = text.indexOf('\ufffd', index + 1)) count++;
  return count;
}

// An HTML part often says its charset in a meta tag even when the MIME header does not.
function metaCharsets(bytes: Uint8Array, entity: MimeEntity): string[] {
  if (entity.contentType !== 'text/html') return [];
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const match = /<meta[^>]+charset\s*=\s*["']?([a-z0-9._:-]+)/i.exec(head);
  return match?.[1] ? [match[1]] : [];
}
