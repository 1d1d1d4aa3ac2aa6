import { describe, expect, it } from 'vitest';
import { FALLBACK_FILE_NAME, MAX_FILE_NAME_BYTES, safeFileName, usableFileName } from './file-names';

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).byteLength;
const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'; // 👨‍👩‍👧: three people joined by ZWJ, 18 bytes
const LONE_SURROGATE = /\p{Cs}/u;

// [what it tries, the name as sent, the name shown and saved]
const HOSTILE_NAMES: [string, string, string][] = [
  // Reordering: each of these would show a different extension from the real one.
  ['a right-to-left override', 'a\u202Etxt.exe', 'atxt.exe'],
  ['every embedding and override', '\u202Ai\u202Bn\u202Cv\u202Do\u202Eice.pdf', 'invoice.pdf'],
  ['an isolate around a reversed extension', 'invoice\u2067fdp.exe\u2069', 'invoicefdp.exe'],
  ['the other isolates', '\u2066report\u2068.pdf\u2069', 'report.pdf'],
  ['left-to-right and right-to-left marks', '\u200Ereport\u200F.pdf', 'report.pdf'],
  ['the Arabic letter mark', 'photo\u061C.jpg', 'photo.jpg'],
  ['a BOM and a zero-width space', '\uFEFFre\u200Bport.pdf', 'report.pdf'],
  // Controls.
  ['C1 controls (NEL, CSI, the ends of the range)', 'file\u0080\u0085\u009B31m\u009F.txt', 'file31m.txt'],
  ['C0 controls and DEL', 'a\u0000b\u0007c\u001B\u007F.txt', 'abc.txt'],
  ['a line break', 'line\r\nbreak.txt', 'line break.txt'],
  ['a tab', 'tab\tname.txt', 'tab name.txt'],
  ['a lone surrogate', 'a\uD800b\uDFFF.txt', 'ab.txt'],
  // Dots and spaces.
  ['the parent folder', '..', FALLBACK_FILE_NAME],
  ['this folder', '.', FALLBACK_FILE_NAME],
  ['only dots', '...', FALLBACK_FILE_NAME],
  ['a dot in spaces', '  .  ', FALLBACK_FILE_NAME],
  ['trailing dots and spaces', 'report.pdf...   ', 'report.pdf'],
  ['a run of dots before the real extension', 'invoice.pdf.....exe', 'invoice.pdf.exe'],
  ['a run of spaces before the real extension', `invoice.pdf${' '.repeat(40)}.exe`, 'invoice.pdf .exe'],
  ['other spaces', 'a\u00A0\u3000\u2028b.txt', 'a b.txt'],
  ['a hidden file', '.bashrc', 'bashrc'],
  // Paths and what Windows refuses.
  ['climbing out of the folder', '../../etc/passwd', '_._etc_passwd'],
  ['a Windows path', 'C:\\Windows\\evil.dll', 'C__Windows_evil.dll'],
  ['an absolute path', '/etc/passwd', '_etc_passwd'],
  ['only separators', '/\\/', '___'],
  ['every character Windows forbids', 'a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
  ['an NTFS stream', 'file.pdf:Zone.Identifier', 'file.pdf_Zone.Identifier'],
  // Windows devices.
  ['CON', 'CON', '_CON'],
  ['con with an extension', 'con.txt', '_con.txt'],
  ['NUL with two extensions', 'Nul.tar.gz', '_Nul.tar.gz'],
  ['COM1', 'COM1', '_COM1'],
  ['lpt9 with an extension', 'lpt9.log', '_lpt9.log'],
  ['PRN', 'prn', '_prn'],
  ['AUX with a space before the dot', 'aux .txt', '_aux .txt'],
  ['a superscript COM port', 'COM\u00B9.txt', '_COM\u00B9.txt'],
  ['the console input', 'CONIN$', '_CONIN$'],
  ['a device hidden by trailing dots', 'NUL...', '_NUL'],
  ['COM10, which is no device', 'COM10', 'COM10'],
  ['a longer word starting with con', 'console.txt', 'console.txt'],
  ['nul inside a word', 'nul_report.txt', 'nul_report.txt'],
  // Nothing left.
  ['an empty name', '', FALLBACK_FILE_NAME],
  ['only spaces', '   ', FALLBACK_FILE_NAME],
  ['only invisible characters', '\u202E\u200F\u0000', FALLBACK_FILE_NAME],
  // Length: cut by whole characters, keeping the extension.
  ['400 characters with an extension', `${'x'.repeat(396)}.pdf`, `${'x'.repeat(196)}.pdf`],
  ['a long name without an extension', 'y'.repeat(400), 'y'.repeat(200)],
  ['a long tail that is no extension', `${'z'.repeat(300)}.${'q'.repeat(20)}`, 'z'.repeat(200)],
  ['long emoji (surrogate pairs)', `${'\u{1F600}'.repeat(100)}.png`, `${'\u{1F600}'.repeat(49)}.png`],
  ['long joined emoji', `${FAMILY.repeat(20)}.jpg`, `${FAMILY.repeat(10)}.jpg`],
  ['long CJK', `${'報告書'.repeat(50)}.docx`, `${'報告書'.repeat(21)}報告.docx`],
  ['long decomposed Hangul', '\u1100\u1161'.repeat(100), '\u1100\u1161'.repeat(33)],
  ['long letters with combining accents', `${'e\u0301'.repeat(150)}.txt`, `${'e\u0301'.repeat(65)}.txt`],
  ['one letter under hundreds of marks', `a${'\u0300'.repeat(300)}.txt`, `a${'\u0300'.repeat(97)}.txt`],
  ['a cut that ends in a space', `${'a'.repeat(195)} ${'b'.repeat(10)}.pdf`, `${'a'.repeat(195)}.pdf`],
  ['a long device name', `con.${'w'.repeat(300)}`, `_con.${'w'.repeat(195)}`],
];

const ORDINARY_NAMES = [
  'Quarterly report (final).pdf',
  'Résumé über.txt',
  '개.txt',
  '写真 2024-05-01.jpg',
  'مرحبا بالعالم.pdf',
  `${FAMILY} family.jpg`,
  'نامه\u200Cها.docx', // Persian with a zero-width non-joiner, which shapes the letters
  'archive.tar.gz',
  'smime.p7s',
  `${'n'.repeat(196)}.pdf`,
];

describe('attachment file names', () => {
  it.each(HOSTILE_NAMES)('%s', (_what, name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });

  it.each(ORDINARY_NAMES)('passes %j unchanged', (name) => {
    expect(safeFileName(name)).toBe(name);
  });

  it.each([...HOSTILE_NAMES.map(([, name]) => name), ...ORDINARY_NAMES])('gives a name that is safe already: %j', (name) => {
    const safe = safeFileName(name);
    expect(safeFileName(safe)).toBe(safe);
    expect(utf8Bytes(safe)).toBeLessThanOrEqual(MAX_FILE_NAME_BYTES);
    expect(safe).not.toMatch(LONE_SURROGATE);
    expect(safe).not.toMatch(/[/\\<>:"|?*]/);
  });

  it('says when nothing is usable, for a caller with its own stand-in', () => {
    expect(usableFileName('..')).toBeUndefined();
    expect(usableFileName('\u202E')).toBeUndefined();
    expect(usableFileName('con.txt')).toBe('_con.txt');
    expect(safeFileName('..', 'attachment-3.pdf')).toBe('attachment-3.pdf');
    // A stand-in is made safe as well.
    expect(safeFileName('', '../nul')).toBe('_nul');
    expect(safeFileName('', '..')).toBe(FALLBACK_FILE_NAME);
  });
});
