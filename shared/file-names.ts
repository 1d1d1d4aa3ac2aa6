/**
 * Attachment file names, made safe to show and to save. A name comes from
 * whoever sent the message, so it is written to deceive as often as to
 * inform: a right-to-left override makes "a\u202Etxt.exe" read "aexe.txt",
 * "../../x" and "C:\x" name places outside the folder the user chose, and
 * "nul.txt" is a device, not a file, on Windows. Main makes each name safe
 * once, where it reads the MIME structure, so the name the reader lists is
 * the name the file is saved under; the page and the save path apply it again
 * because doing so changes nothing for a name that is already safe.
 *
 * Shared by main and the page: no Node, no DOM (Intl.Segmenter is ES2022).
 */

/** What a name becomes when nothing of it is usable (empty, only dots, only invisible characters). */
export const FALLBACK_FILE_NAME = 'attachment';

// Bytes in UTF-8, not characters: ext4 and APFS count bytes (255 at most), and the save dialog,
// a browser's ".crdownload" or a "(1)" for a name taken need room beyond the name.
export const MAX_FILE_NAME_BYTES = 200;

// An extension longer than this is more likely the tail of a dotted name than a file type.
const MAX_EXTENSION_LENGTH = 10;

// Characters that are not seen but change what is seen: C0 and C1 controls and DEL (Cc); bidi
// embeddings, overrides, isolates and marks, zero-width spaces, the BOM and soft hyphens (Cf);
// and lone surrogates (Cs), which no file system stores. Whitespace controls are left for the
// space rule below, and the zero-width (non-)joiners stay: Persian, Indic scripts and emoji
// sequences need them, and they reorder nothing.
const INVISIBLE = /(?![\t\n\v\f\r\u200c\u200d])[\p{Cc}\p{Cf}\p{Cs}]/gu;

// Path separators on any system, and the rest of what Windows refuses in a name.
const FORBIDDEN = /[/\\<>:"|?*]/g;

// Windows opens these as devices whatever follows the first dot ("nul.tar.gz" is NUL), in any
// case, also with a space before the dot; Microsoft lists COM0, LPT0 and the superscript digits too.
const RESERVED_ON_WINDOWS = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$) ?(?:\.|$)/i;

const EXTENSION = new RegExp(`\\.[^.\\s]{1,${MAX_EXTENSION_LENGTH}}$`, 'u');

/**
 * The safe form of `name`, or undefined when nothing usable is left, for a
 * caller with a better stand-in than "attachment" (such as "attachment-3.pdf").
 */
export function usableFileName(name: string): string | undefined {
  const cleaned = name
    .replace(INVISIBLE, '')
    .replace(FORBIDDEN, '_')
    // A run of spaces or dots can push the real extension out of sight ("invoice.pdf      .exe").
    .replace(/\s+/g, ' ')
    .replace(/\.{2,}/g, '.')
    // Windows drops trailing dots and spaces (so "a.pdf." saves as "a.pdf"), and a leading dot hides a file elsewhere.
    .replace(/^[ .]+|[ .]+$/g, '');
  if (cleaned === '') return undefined;
  return truncated(RESERVED_ON_WINDOWS.test(cleaned) ? `_${cleaned}` : cleaned);
}

/** The safe form of `name`; `fallback` (itself made safe) when nothing of it is usable. */
export function safeFileName(name: string, fallback: string = FALLBACK_FILE_NAME): string {
  return usableFileName(name) ?? usableFileName(fallback) ?? FALLBACK_FILE_NAME;
}

/** At most MAX_FILE_NAME_BYTES, cut between whole characters, keeping a short extension. */
function truncated(name: string): string {
  if (utf8Length(name) <= MAX_FILE_NAME_BYTES) return name;
  const extension = EXTENSION.exec(name)?.[0] ?? '';
  const stem = name.slice(0, name.length - extension.length);
  const budget = MAX_FILE_NAME_BYTES - utf8Length(extension);
  const kept = leadingGraphemes(stem, budget) || leadingCodePoints(stem, budget);
  // The cut may leave the stem ending in a dot or a space, which Windows would drop.
  return kept.replace(/[ .]+$/, '') + extension;
}

let graphemes: Intl.Segmenter | undefined;

/**
 * The longest start of `text` within `maxBytes` made of whole user-perceived
 * characters: an emoji sequence, a letter with its accents, a Hangul syllable.
 */
function leadingGraphemes(text: string, maxBytes: number): string {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let kept = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    bytes += utf8Length(segment);
    if (bytes > maxBytes) break;
    kept += segment;
  }
  return kept;
}

// For a first "character" too long to keep whole (a letter under hundreds of combining marks):
// cutting between code points still never leaves half a surrogate pair.
function leadingCodePoints(text: string, maxBytes: number): string {
  let kept = '';
  let bytes = 0;
  for (const char of text) {
    bytes += utf8Length(char);
    if (bytes > maxBytes) break;
    kept += char;
  }
  return kept;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
