/**
 * The benchmark's mailboxes, written straight into Dovecot's Maildir: a
 * benchmark is not a test, and APPENDing 10,000 messages would take minutes
 * where writing the files takes seconds. A fixed seed makes every run hold
 * the same bytes, so runs on different days compare.
 *
 * The main mailbox imitates real mail: 2 to 50 KB, about a tenth with
 * attachments, conversations (Re:, In-Reply-To, References), subjects and
 * names in many scripts (RFC 2047 encoded), quoted-printable bodies, HTML
 * alternatives, and lines that start with a dot (which POP3 must
 * dot-stuff). The large mailbox holds many small messages: a no-change
 * resync costs the same whatever the size of the messages.
 */
import { chownSync, mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

/** A small, fast, seedable generator (sfc32): the same seed gives the same mailbox. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    const item = list[Math.floor(this.next() * list.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  bytes(length: number): Buffer {
    const words = new Uint32Array(Math.ceil(length / 4));
    for (let i = 0; i < words.length; i++) words[i] = (this.next() * 4294967296) >>> 0;
    return Buffer.from(words.buffer, 0, length);
  }
}

const WORDS = (
  'the of and to in is for on that with as this be are from at by it an or have not will we can all your has more about which ' +
  'one their there new when time been were some would other into only what these could after first also two well work need ' +
  'project meeting report budget review release draft schedule invoice contract customer server backup network update deadline ' +
  'quarter figures proposal agenda minutes team office travel conference slides summary feedback question answer request ' +
  'approval policy account password payment order delivery shipment warehouse inventory supplier quote estimate design ' +
  'prototype testing results analysis database migration security incident ticket support weekend holiday family dinner ' +
  'garden bicycle library museum concert weather morning afternoon evening tomorrow yesterday monday tuesday wednesday ' +
  'thursday friday january february march april june july august september october november december please thanks regards ' +
  'attached document spreadsheet calendar invitation reminder confirm cancel postpone discuss consider prepare finish'
).split(' ');

/** Words in other scripts and accents: what makes charsets and encoded-words matter. */
const FOREIGN_WORDS = [
  'Grüße', 'Änderung', 'Straße', 'Übersicht', 'Bestätigung', 'réunion', 'déjà', 'façade', 'élève', 'crème', 'niño', 'año',
  'señal', 'información', 'zażółć', 'gęślą', 'jaźń', 'Kraków', 'привет', 'отчёт', 'встреча', 'проект', 'спасибо', 'καλημέρα',
  'συνάντηση', '会議', '報告書', '確認', '予定', '项目', '会议', '谢谢', 'Ελλάδα', 'Þórsmörk', 'smörgåsbord', 'øl', 'naïve',
  'café', 'résumé', 'Zürich', 'İstanbul', 'ğüşöç', '🎉', '📎', '✅', 'שלום', 'مرحبا',
];

const FIRST_NAMES = [
  'Alice', 'Bob', 'Carol', 'David', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory', 'Niaj', 'Olivia', 'Peggy',
  'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'José', 'Zoë', 'Søren', 'Ólafur', 'François', 'Małgorzata', 'Jürgen',
  'Иван', 'Наталья', '太郎', '美咲', 'Αθηνά', 'Chloé', 'Björn', 'Ayşe',
];
const LAST_NAMES = [
  'Smith', 'Jones', 'Miller', 'Brown', 'Taylor', 'Wilson', 'Müller', 'Muñoz', 'Kierkegaard', 'Nowak', 'Dubois', 'Petrov',
  'Иванова', '山田', 'Παπαδόπουλος', 'García', 'Øster', 'Yılmaz', 'Schröder', 'Lefèvre', 'Kowalczyk', 'Nakamura',
];
const DOMAINS = ['example.org', 'example.com', 'mail.example.net', 'corp.example', 'lists.example.org', 'univ.example.edu', 'müller.example'];

/** Lines that start with a dot: a POP3 server must stuff them, a client must unstuff them. */
const DOT_LINES = ['.', '..', '.profile and .bashrc were changed', '. . . and so on', '...', '.NET 8 is installed on the build server', '.hidden'];

const ATTACHMENTS = [
  { type: 'application/pdf', names: ['report.pdf', 'invoice-2024.pdf', 'Übersicht.pdf', 'contract signed.pdf'], header: '%PDF-1.7\n' },
  { type: 'image/png', names: ['photo.png', 'screenshot.png', 'диаграмма.png'], header: '\x89PNG\r\n\x1a\n' },
  { type: 'application/zip', names: ['archive.zip', 'logs.zip'], header: 'PK\x03\x04' },
  { type: 'image/jpeg', names: ['IMG_2041.jpg', 'café.jpg'], header: '\xff\xd8\xff\xe0' },
];

export interface SeedOptions {
  /** The Maildir (…/home/<user>/Maildir); created if missing. */
  maildir: string;
  count: number;
  seed: number;
  /** Small messages only (the 100k resync mailbox). */
  small?: boolean;
  /** Owner of the files (Dovecot's mail user when it runs as root). */
  owner?: { uid: number; gid: number };
  recipient: string;
}

export interface SeedResult {
  count: number;
  bytes: number;
  withAttachments: number;
  nonAsciiSubjects: number;
  withDotLines: number;
  replies: number;
  seconds: number;
}

interface Sent {
  messageId: string;
  subject: string;
  references: string[];
  from: string;
  text: string;
}

/** Files written at once: creating files is slow on a busy disk, and the thread pool overlaps it with generating the next ones. */
const WRITES_IN_FLIGHT = 16;

/** Writes `count` messages into the Maildir's cur/, oldest first, so that UIDs follow dates. */
export async function seedMaildir(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const random = new Random(options.seed);
  const { maildir } = options;
  for (const sub of ['', 'cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  const result: SeedResult = { count: 0, bytes: 0, withAttachments: 0, nonAsciiSubjects: 0, withDotLines: 0, replies: 0, seconds: 0 };
  const recent: Sent[] = [];
  // Both mailboxes span about fourteen months.
  const spanSeconds = 420 * 24 * 3600;
  let when = Date.UTC(2024, 0, 2, 8, 0, 0) / 1000;
  const step = spanSeconds / options.count;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < options.count; i++) {
    when += Math.max(1, Math.round(step * (0.2 + 1.6 * random.next())));
    const message = options.small === true ? smallMessage(random, when, i, options.recipient, recent) : realisticMessage(random, when, i, options.recipient, recent);
    const bytes = Buffer.from(message.text, 'utf8');
    let newlines = 0;
    for (let p = bytes.indexOf(10); p !== -1; p = bytes.indexOf(10, p + 1)) newlines++;
    const flags = random.chance(0.08) ? '' : random.chance(0.03) ? 'FS' : 'S';
    // Dovecot gives files it has not seen before UIDs in the order of the time in their names.
    const name = `${when}.M${String(i).padStart(6, '0')}P${options.seed}.bench,S=${bytes.length},W=${bytes.length + newlines}:2,${flags}`;
    const write = writeMessage(join(maildir, 'cur', name), bytes, when).finally(() => inFlight.delete(write));
    inFlight.add(write);
    if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
    result.count++;
    result.bytes += bytes.length;
    if (message.attachment) result.withAttachments++;
    if (message.nonAsciiSubject) result.nonAsciiSubjects++;
    if (message.dotLines) result.withDotLines++;
    if (message.reply) result.replies++;
  }
  await Promise.all(inFlight);
  // Dovecot, running as the mail user, renames files (flags) and writes its index next to them: the folders must be its own.
  if (options.owner) {
    for (const sub of ['', 'cur', 'new', 'tmp']) chownSync(join(maildir, sub), options.owner.uid, options.owner.gid);
    chownSync(join(maildir, '..'), options.owner.uid, options.owner.gid);
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

async function writeMessage(file: string, bytes: Buffer, when: number): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(bytes);
    // INTERNALDATE of a Maildir message is the file's time.
    await handle.utimes(when, when);
  } finally {
    await handle.close();
  }
}

interface Generated {
  text: string;
  attachment: boolean;
  nonAsciiSubject: boolean;
  dotLines: boolean;
  reply: boolean;
}

function person(random: Random): { name: string; address: string } {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const local = `${asciiOnly(first)}.${asciiOnly(last)}`.toLowerCase().replace(/^\.|\.$/g, '') || `user${random.int(1, 999)}`;
  return { name: `${first} ${last}`, address: `${local}@${random.pick(DOMAINS.slice(0, 6))}` };
}

function asciiOnly(text: string): string {
  return text.normalize('NFD').replace(/[^A-Za-z]/g, '');
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** An RFC 2047 encoded-word (B or Q) for a header value that is not ASCII; long ones are split and folded. */
function encodeHeader(random: Random, value: string): string {
  if (isAscii(value)) return value;
  const useQ = random.chance(0.4);
  const words: string[] = [];
  // Encoded words stay under 75 characters: split the text by characters, never inside one.
  let chunk = '';
  const flush = (): void => {
    if (chunk === '') return;
    const bytes = Buffer.from(chunk, 'utf8');
    words.push(useQ ? `=?UTF-8?Q?${qEncode(bytes)}?=` : `=?UTF-8?B?${bytes.toString('base64')}?=`);
    chunk = '';
  };
  for (const char of value) {
    chunk += char;
    if (Buffer.byteLength(chunk) > 30) flush();
  }
  flush();
  return words.join('\n ');
}

function qEncode(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x20) out += '_';
    else if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) out += String.fromCharCode(byte);
    else out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function addressHeader(random: Random, who: { name: string; address: string }): string {
  if (random.chance(0.1)) return who.address;
  return isAscii(who.name) ? `"${who.name}" <${who.address}>` : `${encodeHeader(random, who.name)} <${who.address}>`;
}

/** Quoted-printable, lines under 76 characters with soft breaks. */
function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    // Bytes as latin1 characters, so that one regular expression escapes all that is not plain.
    let encoded = Buffer.from(line, 'utf8')
      .toString('latin1')
      .replace(/[^\x21-\x3c\x3e-\x7e \t]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
      // A space or tab at the end of a line must be encoded, else transports may strip it.
      .replace(/[ \t]$/, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    while (encoded.length > 75) {
      let cut = 75;
      // Never split an =XX escape.
      const escape = encoded.lastIndexOf('=', cut);
      if (escape > cut - 3) cut = escape;
      out.push(`${encoded.slice(0, cut)}=`);
      encoded = encoded.slice(cut);
    }
    out.push(encoded);
  }
  return out.join('\n');
}

function sentence(random: Random, foreign: boolean): string {
  const length = random.int(6, 18);
  const words: string[] = [];
  for (let i = 0; i < length; i++) words.push(foreign && random.chance(0.12) ? random.pick(FOREIGN_WORDS) : random.pick(WORDS));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${random.pick(['.', '.', '.', '?', '!'])}`;
}

function wrap(text: string, width = 72): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Plain text of about `bytes` bytes: paragraphs, maybe a quote of the parent, maybe lines starting with a dot. */
function bodyText(random: Random, bytes: number, foreign: boolean, parent: Sent | undefined, dotLines: boolean): string {
  const lines: string[] = [random.pick(['Hello,', 'Hi all,', 'Dear team,', 'Hallo zusammen,', 'Bonjour,', 'Здравствуйте,', 'Hi,']), ''];
  let size = 0;
  let paragraph = 0;
  while (size < bytes) {
    const sentences: string[] = [];
    for (let i = random.int(2, 6); i > 0; i--) sentences.push(sentence(random, foreign));
    for (const line of wrap(sentences.join(' '))) {
      lines.push(line);
      size += Buffer.byteLength(line) + 1;
    }
    if (dotLines && paragraph === 1) {
      for (let i = random.int(1, 3); i > 0; i--) lines.push(random.pick(DOT_LINES));
    }
    lines.push('');
    paragraph++;
  }
  lines.push('Regards,', random.pick(FIRST_NAMES));
  if (parent) {
    lines.push('', `On 2024-05-0${random.int(1, 9)}, ${parent.from} wrote:`);
    for (const line of parent.text.split('\n').slice(0, 30)) lines.push(`> ${line}`);
  }
  return lines.join('\n');
}

function htmlOf(text: string): string {
  const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const paragraphs = text.split('\n\n').map((p) => `<p>${escape(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>p{font-family:Arial,sans-serif;font-size:14px}</style></head>\n<body>\n${paragraphs.join('\n')}\n<p><a href="https://www.example.org/unsubscribe">Manage preferences</a></p>\n</body></html>`;
}

function rfc2822Date(seconds: number): string {
  return new Date(seconds * 1000).toUTCString().replace('GMT', '+0000');
}

function boundary(random: Random): string {
  return `----=_Part_${random.int(100000, 999999)}_${random.int(100000000, 999999999)}`;
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\n');
}

function pickParent(random: Random, recent: Sent[]): Sent | undefined {
  return recent.length > 0 && random.chance(0.35) ? random.pick(recent) : undefined;
}

function remember(recent: Sent[], sent: Sent): void {
  recent.push(sent);
  if (recent.length > 300) recent.shift();
}

function commonHeaders(random: Random, when: number, index: number, recipient: string, from: { name: string; address: string }, subject: string, parent: Sent | undefined): { lines: string[]; messageId: string; references: string[] } {
  const messageId = `${when.toString(36)}.${index}.${random.int(1000, 9999)}@${from.address.split('@')[1] ?? 'example.org'}`;
  const references = parent ? [...parent.references, parent.messageId].slice(-10) : [];
  const relay = random.int(1, 254);
  const lines = [
    `Return-Path: <${from.address}>`,
    `Delivered-To: ${recipient}`,
    `Received: from mail${relay}.example.org (mail${relay}.example.org [192.0.2.${relay}])`,
    `\tby mx.twinbox.test (Postfix) with ESMTPS id ${random.int(0x10000000, 0x7fffffff).toString(16).toUpperCase()}`,
    `\tfor <${recipient}>; ${rfc2822Date(when)}`,
  ];
  if (random.chance(0.3)) {
    lines.push(
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${from.address.split('@')[1] ?? 'example.org'}; s=mail;`,
      `\th=from:to:subject:date:message-id; bh=${random.bytes(32).toString('base64')};`,
      `\tb=${base64Lines(random.bytes(256)).replace(/\n/g, '\n\t  ')}`,
    );
  }
  lines.push(`Date: ${rfc2822Date(when)}`, `From: ${addressHeader(random, from)}`, `To: ${recipient}`);
  if (random.chance(0.3)) lines.push(`Cc: ${addressHeader(random, person(random))}, ${addressHeader(random, person(random))}`);
  lines.push(`Subject: ${encodeHeader(random, subject)}`, `Message-ID: <${messageId}>`);
  if (parent) lines.push(`In-Reply-To: <${parent.messageId}>`, `References: ${references.map((r) => `<${r}>`).join('\n ')}`);
  if (random.chance(0.1)) lines.push(`List-Id: Announcements <announce.${random.pick(DOMAINS)}>`, `List-Unsubscribe: <mailto:leave@example.org>`);
  lines.push(`X-Mailer: ${random.pick(['Twinbox Bench 1.0', 'Thunderbird 115.8', 'Apple Mail (2.3774)', 'Microsoft Outlook 16.0'])}`, 'MIME-Version: 1.0');
  return { lines, messageId, references };
}

function subjectFor(random: Random, parent: Sent | undefined): { subject: string; foreign: boolean } {
  if (parent) return { subject: parent.subject.startsWith('Re: ') ? parent.subject : `Re: ${parent.subject}`, foreign: !isAscii(parent.subject) };
  const foreign = random.chance(0.25);
  const words: string[] = [];
  for (let i = random.int(3, 8); i > 0; i--) words.push(foreign && random.chance(0.35) ? random.pick(FOREIGN_WORDS) : random.pick(WORDS));
  const text = words.join(' ');
  const tag = random.chance(0.1) ? `[${random.pick(['team', 'ops', 'announce', 'Verein'])}] ` : '';
  return { subject: `${tag}${text.charAt(0).toUpperCase()}${text.slice(1)}`, foreign: foreign && !isAscii(text) };
}

function textPart(text: string, foreign: boolean): string[] {
  return foreign
    ? ['Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(text)]
    : ['Content-Type: text/plain; charset=us-ascii; format=flowed', 'Content-Transfer-Encoding: 7bit', '', text];
}

function realisticMessage(random: Random, when: number, index: number, recipient: string, recent: Sent[]): Generated {
  const parent = pickParent(random, recent);
  const from = person(random);
  const { subject, foreign: foreignSubject } = subjectFor(random, parent);
  const foreign = foreignSubject || random.chance(0.2);
  const attachment = random.chance(0.1);
  const html = random.chance(0.4);
  const dotLines = random.chance(0.06);
  // Sizes: most mail is a few KB; attachments make the heavy tenth (about 94 MB for 10,000 in all).
  const target = attachment ? random.int(16_000, 44_000) : 2_000 + Math.floor(Math.pow(random.next(), 3) * 14_000);
  const headers = commonHeaders(random, when, index, recipient, from, subject, parent);
  const headerBytes = headers.lines.join('\n').length;
  const attachmentBytes = attachment ? Math.max(2_000, Math.floor(((target - headerBytes) * 0.75) / 1.37)) : 0;
  const textBudget = Math.max(300, (target - headerBytes - attachmentBytes * 1.37) / (html ? 2.4 : 1.05));
  const text = bodyText(random, textBudget, foreign, parent, dotLines);

  const parts: string[] = [...headers.lines];
  const alternative = (): string[] => {
    if (!html) return textPart(text, foreign);
    const b = boundary(random);
    return [
      `Content-Type: multipart/alternative; boundary="${b}"`,
      '',
      `--${b}`,
      ...textPart(text, foreign),
      `--${b}`,
      'Content-Type: text/html; charset=UTF-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      quotedPrintable(htmlOf(text)),
      `--${b}--`,
    ];
  };
  if (attachment) {
    const kind = random.pick(ATTACHMENTS);
    const name = random.pick(kind.names);
    const bytes = Buffer.concat([Buffer.from(kind.header, 'latin1'), random.bytes(attachmentBytes)]);
    const b = boundary(random);
    const filename = isAscii(name) ? `filename="${name}"` : `filename*=UTF-8''${encodeURIComponent(name)}`;
    parts.push(
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      'This is a multi-part message in MIME format.',
      `--${b}`,
      ...alternative(),
      `--${b}`,
      `Content-Type: ${kind.type}; name="${isAscii(name) ? name : 'attachment'}"`,
      `Content-Disposition: attachment; ${filename}`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(bytes),
      `--${b}--`,
      '',
    );
  } else {
    parts.push(...alternative());
  }
  remember(recent, { messageId: headers.messageId, subject, references: headers.references, from: from.name, text: text.slice(0, 1500) });
  return { text: `${parts.join('\n')}\n`, attachment, nonAsciiSubject: !isAscii(subject), dotLines, reply: parent !== undefined };
}

/** About 600 bytes to 1.2 KB: headers and a few lines, for the 100,000-message resync mailbox. */
function smallMessage(random: Random, when: number, index: number, recipient: string, recent: Sent[]): Generated {
  const parent = pickParent(random, recent);
  const from = person(random);
  const { subject, foreign } = subjectFor(random, parent);
  const headers = commonHeaders(random, when, index, recipient, from, subject, parent);
  const lines: string[] = [];
  for (let i = random.int(1, 3); i > 0; i--) lines.push(...wrap(sentence(random, foreign)));
  const text = lines.join('\n');
  remember(recent, { messageId: headers.messageId, subject, references: headers.references, from: from.name, text });
  const message = [...headers.lines, ...textPart(text, foreign)].join('\n');
  return { text: `${message}\n`, attachment: false, nonAsciiSubject: !isAscii(subject), dotLines: false, reply: parent !== undefined };
}
