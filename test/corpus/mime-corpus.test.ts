/**
 * Every message of the shared mail corpus (../shared/mail-corpus, or
 * TWINBOX_MAIL_CORPUS) goes through parseMessage: none may throw, and each
 * must come out in a shape the reader can show. The corpus is read in place;
 * when it is absent the tests are skipped and say why.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { parseAttachmentId, toMessageBody } from '../../main/mime/message-body';
import { parseMessage, searchableText } from '../../main/mime/parse';
import type { ParsedMessage } from '../../main/mime/parse';
import { GOLDENS } from './mime-goldens';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDir = process.env.TWINBOX_MAIL_CORPUS ?? path.resolve(repoRoot, '../shared/mail-corpus');
const manifestPath = path.join(corpusDir, 'MANIFEST.tsv');
const corpusPresent = existsSync(manifestPath);

interface CorpusEntry {
  file: string;
  flags: Set<string>;
  topContentType: string;
}

function readManifest(): CorpusEntry[] {
  const [header, ...rows] = readFileSync(manifestPath, 'utf8').trimEnd().split('\n');
  const columns = (header ?? '').split('\t');
  const column = (name: string): number => columns.indexOf(name);
  return rows.map((row) => {
    const cells = row.split('\t');
    return {
      file: cells[column('file')] ?? '',
      flags: new Set((cells[column('flags')] ?? '').split(',').filter((flag) => flag !== '')),
      topContentType: (cells[column('top_content_type')] ?? '').toLowerCase(),
    };
  });
}

let toldWhySkipped = false;

function skipWithoutCorpus(context: TestContext): void {
  if (corpusPresent) return;
  const reason = `mail corpus not found at ${corpusDir} (set TWINBOX_MAIL_CORPUS to its folder)`;
  if (!toldWhySkipped) console.warn(`[mime corpus] skipped: ${reason}`);
  toldWhySkipped = true;
  context.skip(reason);
}

function readCorpusFile(file: string): Uint8Array {
  return readFileSync(path.join(corpusDir, file));
}

const REPLACEMENT_BYTES = Buffer.from('\ufffd', 'utf8');
const ENCODED_WORD = /=\?[\w.:-]+\?[bq]\?[^?\s]+\?=/i;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
// eslint-disable-next-line no-control-regex -- control characters are what must not reach the reader
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** What a reader could trip over in one parsed message; empty when it is fine. */
function problemsOf(entry: CorpusEntry, raw: Uint8Array, parsed: ParsedMessage): string[] {
  const problems: string[] = [];
  const problem = (text: string): void => {
    problems.push(`${entry.file}: ${text}`);
  };
  const { summary } = parsed;
  const sourceHasReplacement = Buffer.from(raw).includes(REPLACEMENT_BYTES);

  if (typeof summary.subject !== 'string') problem('subject is not a string');
  if (CONTROL.test(summary.subject)) problem(`subject holds control characters: ${JSON.stringify(summary.subject.slice(0, 80))}`);
  if (ENCODED_WORD.test(summary.subject)) problem(`subject keeps an undecoded encoded word: ${JSON.stringify(summary.subject.slice(0, 80))}`);
  if (summary.subject.includes('\ufffd') && !sourceHasReplacement) problem(`subject has undecodable characters: ${JSON.stringify(summary.subject.slice(0, 80))}`);

  for (const address of [...summary.from, ...summary.to, ...summary.cc, ...summary.replyTo]) {
    if (typeof address.name !== 'string' || typeof address.address !== 'string') problem('an address is not two strings');
    else if (CONTROL.test(address.name + address.address)) problem(`an address holds control characters: ${JSON.stringify(address)}`);
    else if (address.name === '' && address.address === '') problem('an address is empty');
  }

  if (summary.date !== undefined) {
    const time = Date.parse(summary.date);
    if (Number.isNaN(time) || new Date(time).toISOString() !== summary.date) problem(`date is not ISO 8601: ${summary.date}`);
    else if (new Date(time).getUTCFullYear() < 1900 || new Date(time).getUTCFullYear() > 2199) problem(`date is out of range: ${summary.date}`);
  } else {
    const dateHeader = parsed.headers.find(([name]) => name.toLowerCase() === 'date');
    // A Date header that yields no date must be explained; a missing one needs no words.
    if (dateHeader && dateHeader[1].trim() !== '' && !parsed.warnings.some((warning) => warning.includes('Date header'))) problem(`Date "${dateHeader[1]}" was dropped without a warning`);
  }

  // A text/plain or text/html message (not sent as an attachment, not empty) must come out readable.
  const textMessage = entry.topContentType.startsWith('text/plain') || entry.topContentType.startsWith('text/html') || entry.flags.has('html-only');
  const bodyExpected = textMessage && !parsed.headersOnly && parsed.attachments.length === 0 && !/^\s*$/.test(bodyOf(raw));
  if (bodyExpected && parsed.text === undefined && parsed.html === undefined) problem('a text message came out with neither text nor HTML');
  if (entry.flags.has('html-only') && !parsed.headersOnly && parsed.html === undefined) problem('an HTML-only message has no HTML');
  for (const [kind, value] of [
    ['text', parsed.text],
    ['html', parsed.html],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') problem(`${kind} is not a string`);
    if (value?.includes('\r') === true) problem(`${kind} keeps carriage returns`);
  }

  for (const attachment of parsed.attachments) {
    const label = JSON.stringify(attachment.filename);
    if (attachment.filename.trim() === '' || /[/\\]/.test(attachment.filename) || CONTROL.test(attachment.filename)) problem(`attachment name ${label} is not a safe file name`);
    if (!MEDIA_TYPE.test(attachment.contentType)) problem(`attachment ${label} has content type ${JSON.stringify(attachment.contentType)}`);
    if (attachment.size !== attachment.content.byteLength) problem(`attachment ${label} says ${attachment.size} bytes but holds ${attachment.content.byteLength}`);
    if (typeof attachment.inline !== 'boolean') problem(`attachment ${label} has no inline flag`);
  }
  const listed = parsed.attachments.some((attachment) => !attachment.inline && attachment.role !== 'signature');
  if (!parsed.headersOnly && summary.hasAttachments !== listed) problem(`hasAttachments is ${summary.hasAttachments} but listed attachments say ${listed}`);

  if (entry.flags.has('tnef') && !parsed.attachments.some((attachment) => attachment.role === 'tnef' && attachment.filename === 'winmail.dat')) problem('TNEF message without winmail.dat');
  if (entry.flags.has('smime') && !parsed.attachments.some((attachment) => attachment.role === 'signature')) problem('S/MIME message without its signature part');
  if (entry.flags.has('inline-image-cid') && parsed.html !== undefined && !parsed.attachments.some((attachment) => attachment.inline)) problem('cid-referenced image is not inline');

  const snippet = summary.snippet;
  if (snippet !== undefined) {
    if (snippet.length > 200 || snippet.trim() !== snippet || /\s{2}|[\r\n\t]/.test(snippet)) problem(`snippet is not one short line: ${JSON.stringify(snippet.slice(0, 80))}`);
    const fromHtml = parsed.html !== undefined && (parsed.text ?? '').trim() === '';
    if (fromHtml && /<\/?(p|div|br|span|td|html|body|style|script)\b/i.test(snippet)) problem(`snippet keeps HTML tags: ${JSON.stringify(snippet.slice(0, 80))}`);
  }

  for (const [name, value] of parsed.headers) {
    if (name === '' || typeof value !== 'string') problem(`header ${JSON.stringify(name)} is malformed`);
  }
  for (const warning of parsed.warnings) {
    if (!/^[A-Z].*\.$/s.test(warning)) problem(`warning is not a sentence: ${JSON.stringify(warning)}`);
  }

  const body = toMessageBody(parsed, { accountId: 'corpus', folder: 'INBOX', serverId: entry.file });
  body.attachments.forEach((attachment, index) => {
    if (parseAttachmentId(attachment.id)?.index !== index) problem(`attachment id ${attachment.id} does not lead back to attachment ${index}`);
  });
  return problems;
}

// The top-level body as bytes after the header block, to tell an empty message from a lost body.
function bodyOf(raw: Uint8Array): string {
  const text = Buffer.from(raw).toString('latin1');
  const separator = /\r?\n\r?\n/.exec(text);
  return separator ? text.slice(separator.index + separator[0].length) : '';
}

describe('mail corpus', () => {
  it('parses every message into something the reader can show', async (context) => {
    skipWithoutCorpus(context);
    const entries = readManifest();
    expect(entries.length).toBeGreaterThan(0);
    const problems: string[] = [];
    const totals = { messages: 0, text: 0, html: 0, attachments: 0, dates: 0, warnings: 0, headersOnly: 0 };
    for (const entry of entries) {
      const raw = readCorpusFile(entry.file);
      let parsed: ParsedMessage;
      try {
        parsed = await parseMessage(raw);
      } catch (error) {
        problems.push(`${entry.file}: threw ${String(error)}`);
        continue;
      }
      problems.push(...problemsOf(entry, raw, parsed));
      totals.messages++;
      if (parsed.text !== undefined) totals.text++;
      if (parsed.html !== undefined) totals.html++;
      if (parsed.attachments.length > 0) totals.attachments++;
      if (parsed.summary.date !== undefined) totals.dates++;
      if (parsed.warnings.length > 0) totals.warnings++;
      if (parsed.headersOnly === true) totals.headersOnly++;
    }
    console.log(
      `[mime corpus] ${totals.messages}/${entries.length} parsed: ${totals.text} with text, ${totals.html} with HTML, ${totals.attachments} with attachments, ${totals.dates} with a date, ${totals.warnings} with warnings, ${totals.headersOnly} without a body`,
    );
    expect(problems).toEqual([]);
    expect(totals.messages).toBe(entries.length);
    // 400 messages: about a second and a half here, several times that on a busy machine.
  }, 60_000);

  it('reads every message for search as the reader shows it: the same paperclip, its words, and mostly the same preview', async (context) => {
    skipWithoutCorpus(context);
    const paperclips: string[] = [];
    const previews: string[] = [];
    let words = 0;
    const missing: string[] = [];
    for (const entry of readManifest()) {
      const raw = readCorpusFile(entry.file);
      const parsed = await parseMessage(raw);
      const read = searchableText(raw);
      if (read.hasAttachments !== parsed.summary.hasAttachments) paperclips.push(entry.file);
      if (read.snippet !== parsed.summary.snippet) previews.push(entry.file);
      const wordsOf = (text: string | undefined): string[] => (text ?? '').toLowerCase().match(/[\p{L}\p{N}]{3,}/gu)?.slice(0, 1000) ?? [];
      const searchable = new Set(wordsOf(read.text));
      const shown = wordsOf(parsed.text);
      words += shown.length;
      missing.push(...shown.filter((word) => !searchable.has(word)).map((word) => `${entry.file}: ${word}`));
    }
    expect(paperclips).toEqual([]);
    // The reader lays forwarded messages out with separator lines, unfolds format=flowed text and
    // writes link addresses into the text of HTML; search reads the text without them. Measured: 26
    // of 400 previews differ (forwarded messages), and 27 of 21,811 words (0.12%) are not read.
    expect(previews.length, previews.join('\n')).toBeLessThan(40);
    expect(missing.length / words, missing.slice(0, 20).join('\n')).toBeLessThan(0.005);
  });

  describe('golden messages', () => {
    it.for(GOLDENS)('$file', async (golden, context) => {
      skipWithoutCorpus(context);
      const parsed = await parseMessage(readCorpusFile(golden.file));
      const { summary } = parsed;
      if (typeof golden.subject === 'string') expect(summary.subject).toBe(golden.subject);
      else {
        expect(summary.subject.startsWith(golden.subject.startsWith)).toBe(true);
        expect(summary.subject).toHaveLength(golden.subject.length);
      }
      expect(summary.from).toEqual(golden.from);
      expect(summary.date).toBe(golden.date);
      if (golden.textStartsWith !== undefined) expect(parsed.text?.startsWith(golden.textStartsWith), JSON.stringify(parsed.text?.slice(0, 200))).toBe(true);
      for (const fragment of golden.textIncludes ?? []) expect(parsed.text).toContain(fragment);
      for (const fragment of golden.htmlIncludes ?? []) expect(parsed.html).toContain(fragment);
      expect(
        parsed.attachments.map((attachment) => ({
          filename: attachment.filename,
          contentType: attachment.contentType,
          size: attachment.size,
          inline: attachment.inline,
        })),
      ).toEqual(golden.attachments.map(({ filename, contentType, size, inline }) => ({ filename, contentType, size, inline })));
      golden.attachments.forEach((expected, index) => {
        const actual = parsed.attachments[index]!;
        if (expected.role !== undefined) expect(actual.role).toBe(expected.role);
        if (expected.sha256 !== undefined) expect(createHash('sha256').update(actual.content).digest('hex').slice(0, 16)).toBe(expected.sha256);
      });
      for (const fragment of golden.warningsMention ?? []) expect(parsed.warnings.some((warning) => warning.includes(fragment)), parsed.warnings.join(' | ')).toBe(true);
    });
  });
});
