/**
 * How the message store names things on disk, so that other mail tools can
 * read it (Maildir: https://cr.yp.to/proto/maildir.html) and so that
 * everything Twinbox needs to rebuild its index is in the names themselves.
 *
 * A message file is named
 *
 *   <seconds>.M<micros>P<pid>Q<n>.twinbox,S=<size>,U=<server id>[,H]:2,<flags>
 *
 * `S=` is the size in bytes (as Dovecot writes it), so byte totals need no
 * stat and a file torn by a crash is recognised by its length; `U=` is the
 * IMAP UID or POP3 UIDL the message has on the server, `L=` instead for a
 * message made on this computer (a POP3 account's draft or sent copy); `H`
 * marks a header block without its body (POP3 headers-only download). The
 * flags after `:2,` are Maildir's letters (D F P R S T). Windows forbids `:`
 * in names, so there the info separator is `;`, as mbsync writes it.
 *
 * Ids and folder names are percent-encoded so that the result is safe on
 * every file system: in ids anything outside `a-z 0-9 - _` becomes `%XX`,
 * upper-case letters too, because macOS and Windows compare names without
 * case while UIDLs are case-sensitive. Folder names keep their letters, so
 * that a folder reads as itself in other tools (two server folders whose
 * names differ only in case would share a directory there, as they do for
 * Dovecot on such a disk).
 */

export type IdKind = 'server' | 'local';

export interface ParsedName {
  /** The unique part before the first comma. */
  unique: string;
  size: number;
  kind: IdKind;
  id: string;
  partial: boolean;
  /** Maildir flag letters, sorted. */
  letters: string;
}

export const INFO_SEPARATOR = process.platform === 'win32' ? ';' : ':';

const ID_SAFE = /[a-z0-9_-]/;
const FOLDER_SAFE = /[A-Za-z0-9_. -]/;

function encodeWith(text: string, safe: RegExp): string {
  const parts: string[] = [];
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    parts.push(byte < 0x80 && safe.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  return parts.join('');
}

function decode(encoded: string): string | undefined {
  if (!/^([A-Za-z0-9_. -]|%[0-9A-F]{2})*$/.test(encoded)) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

export function encodeId(id: string): string {
  return encodeWith(id, ID_SAFE);
}

/**
 * The directory of a folder. A leading dot is encoded too: Maildir++ tools
 * treat `.Name` as a subfolder, and `.` and `..` are not names at all.
 */
export function folderDirName(folder: string): string {
  const encoded = encodeWith(folder, FOLDER_SAFE);
  return encoded.startsWith('.') ? `%2E${encoded.slice(1)}` : encoded;
}

export function folderOfDirName(name: string): string | undefined {
  return decode(name);
}

export function accountDirName(accountId: string): string {
  return folderDirName(accountId);
}

export function accountOfDirName(name: string): string | undefined {
  return decode(name);
}

let sequence = 0;

export function messageFileName(options: { size: number; kind: IdKind; id: string; partial: boolean; letters: string; now?: number }): string {
  const now = options.now ?? Date.now();
  sequence++;
  // Time, process and a counter: unique without asking the file system (Maildir's own recipe).
  const unique = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${sequence}.twinbox`;
  // Joined rather than concatenated: the store keeps every name in memory, and V8 keeps a concatenated string as
  // a rope of its pieces (100,000 names took 71.6 MB of heap that way, 9.7 MB joined).
  return [unique, ',S=', options.size, options.kind === 'server' ? ',U=' : ',L=', encodeId(options.id), options.partial ? ',H' : '', INFO_SEPARATOR, '2,', options.letters].join('');
}

/** What a name says, or undefined for a file Twinbox did not write (left alone). */
export function parseFileName(name: string): ParsedName | undefined {
  const info = Math.max(name.lastIndexOf(':2,'), name.lastIndexOf(';2,'));
  const base = info < 0 ? name : name.slice(0, info);
  const letters = info < 0 ? '' : (name.slice(info + 3).match(/[A-Z]/g) ?? []).sort().join('');
  const [unique, ...fields] = base.split(',');
  if (unique === undefined || unique === '') return undefined;
  let size: number | undefined;
  let kind: IdKind | undefined;
  let id: string | undefined;
  let partial = false;
  for (const field of fields) {
    if (field === 'H') partial = true;
    else if (field.startsWith('S=') && /^\d+$/.test(field.slice(2))) size = Number(field.slice(2));
    else if (field.startsWith('U=') || field.startsWith('L=')) {
      kind = field.startsWith('U=') ? 'server' : 'local';
      id = decode(field.slice(2));
    }
  }
  if (size === undefined || kind === undefined || id === undefined || id === '') return undefined;
  return { unique, size, kind, id, partial, letters };
}

/** The same file with other flags: only the part after `:2,` changes. */
export function withLetters(name: string, letters: string): string {
  const info = Math.max(name.lastIndexOf(':2,'), name.lastIndexOf(';2,'));
  const base = info < 0 ? name : name.slice(0, info);
  return [base, INFO_SEPARATOR, '2,', letters].join('');
}

const LETTER_OF_FLAG: Record<string, string> = {
  '\\draft': 'D',
  '\\flagged': 'F',
  $forwarded: 'P',
  '\\answered': 'R',
  '\\seen': 'S',
  '\\deleted': 'T',
};

const FLAG_OF_LETTER: Record<string, string> = {
  D: '\\Draft',
  F: '\\Flagged',
  P: '$Forwarded',
  R: '\\Answered',
  S: '\\Seen',
  T: '\\Deleted',
};

/** Maildir letters for IMAP-style flags; keywords Maildir has no letter for are not kept. */
export function lettersOf(flags: readonly string[]): string {
  const letters = new Set<string>();
  for (const flag of flags) {
    const letter = LETTER_OF_FLAG[flag.toLowerCase()];
    if (letter) letters.add(letter);
  }
  return [...letters].sort().join('');
}

export function flagsOf(letters: string): string[] {
  return (letters.match(/[A-Z]/g) ?? []).flatMap((letter) => {
    const flag = FLAG_OF_LETTER[letter];
    return flag ? [flag] : [];
  });
}
