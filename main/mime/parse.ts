/**
 * MIME parsing for every message that enters Twinbox (IMAP bodies, POP3
 * downloads, POP3 TOP header blocks). The structure is read by our own
 * forgiving reader (structure.ts), which repairs what real-world mail gets
 * wrong (boundaries, header blocks, charsets, transfer encodings); postal-mime
 * then assembles the text and HTML a reader shows from a clean rewrite of
 * that structure, and provides the address parser. Nothing here throws for
 * malformed input: what cannot be read is left out and said in `warnings`.
 */
import PostalMime from 'postal-mime';
import type { Address as PostalAddress } from 'postal-mime';
import type { Address, AttachmentInfo, MessageSummary } from '../../shared/model';
import { describeAttachments, sentFileName } from './attachments';
import { assembleBody, collectBodyParts, reportText } from './body';
import type { AssembledBody } from './body';
import { charsetsNamedIn } from './charsets';
import { parseMailDate } from './dates';
import { firstField, headerText, parseAddressList } from './header-fields';
import type { DecodeContext, HeaderField } from './header-fields';
import { Notes } from './notes';
import { decodeEntities, htmlToPlainText, snippetOf } from './snippet';
import { parentsOf, parseMimeTree } from './structure';
import type { MimeEntity } from './structure';

/** A part of a message that is listed as an attachment, with its bytes (its id is given when it is stored). */
export type ParsedAttachment = Omit<AttachmentInfo, 'id'> & { content: Uint8Array };

/** The summary fields a header block yields (the rest of a summary comes from the server). */
export type HeaderSummary = Pick<
  MessageSummary,
  'messageId' | 'inReplyTo' | 'references' | 'subject' | 'from' | 'to' | 'cc' | 'replyTo' | 'date' | 'hasAttachments' | 'snippet'
>;

/** Everything a message yields: its summary, readable body, headers, attachments, and what was repaired. */
export interface ParsedMessage {
  summary: HeaderSummary;
  text?: string;
  html?: string;
  /** Top-level header fields in order: name as written, value unfolded (encoded words kept), for "show original". */
  headers: [string, string][];
  attachments: ParsedAttachment[];
  /** Plain sentences about damage that was worked around; empty for a clean message. */
  warnings: string[];
  /**
   * True when the input was a header block with no body (POP3 TOP n 0, IMAP
   * BODY[HEADER]). `summary.hasAttachments` is then a guess from the
   * Content-Type (multipart/mixed, or a non-text top-level type).
   */
  headersOnly?: boolean;
}

/**
 * Parses a whole message, or just its header block (POP3 TOP n 0). Never
 * throws for malformed input: what cannot be read is left out and noted in
 * `warnings`, so a broken message still shows in the list.
 *
 * `summary.date` is absent when the Date header is missing or names no real
 * instant (never "Invalid Date" or the raw text). `summary.hasAttachments`
 * is true when some attachment is listed for the user: not shown inline,
 * not a signature. `text` and `html` are present when the message has any.
 */
export async function parseMessage(raw: Uint8Array): Promise<ParsedMessage> {
  const notes = new Notes();
  let hints: string[] | undefined;
  const context: DecodeContext = { notes, hints: () => (hints ??= charsetsNamedIn(raw)) };
  if (raw.byteLength === 0) {
    notes.add('The message is empty.');
    return { summary: emptySummary(), headers: [], attachments: [], warnings: notes.list(), headersOnly: true };
  }
  try {
    return await parseTree(raw, context);
  } catch (error) {
    notes.add(`The message structure could not be read (${describe(error)}); it was read in a simpler way.`);
    return parseWithPostalMimeAlone(raw, notes);
  }
}

/** What local search and the list need of a body: its text, a preview, and whether files are attached. */
export interface SearchableText {
  text: string;
  snippet?: string;
  hasAttachments: boolean;
}

/**
 * The text of a message for search, read the cheap way: the structure and
 * its text parts only, no attachment decoded and no HTML assembled (HTML is
 * reduced to its text). Several times faster than `parseMessage`, for
 * reading thousands of messages in the background. Never throws.
 */
export function searchableText(raw: Uint8Array): SearchableText {
  const notes = new Notes();
  let hints: string[] | undefined;
  const context: DecodeContext = { notes, hints: () => (hints ??= charsetsNamedIn(raw)) };
  try {
    const root = parseMimeTree(raw, context);
    const parts = collectBodyParts(root, context, { attachmentBytes: false });
    const of = (type: string): string | undefined => {
      const found = [...parts.texts].filter(([entity]) => entity.contentType === type).map(([, text]) => text);
      return found.length === 0 ? undefined : found.join('\n');
    };
    const html = of('text/html');
    // A blank plain alternative (as bulk mailers send) says nothing: the HTML speaks, as in the reader.
    const written = of('text/plain');
    const plain = written !== undefined && written.trim() === '' && html !== undefined ? undefined : written;
    const report = plain === undefined && html === undefined ? reportText(parts, context) : undefined;
    const attachments = describeAttachments(parts.attachments, html, parentsOf(root), context);
    const hasAttachments = root.bodyMissing ? attachmentsLikely(root) : attachments.some((attachment) => !attachment.inline && attachment.role !== 'signature');
    const snippet = snippetOf(plain ?? report, html);
    // Forwarded and attached messages are found by who sent them and what they were about, as in the reader.
    const text = [plain ?? (html === undefined ? (report ?? '') : htmlToPlainText(html)), ...nestedHeaderLines(root, context)].join('\n');
    return { text, ...optional('snippet', snippet), hasAttachments };
  } catch {
    return { text: '', hasAttachments: false };
  }
}

/** The main header lines of every message nested in this one (forwarded, attached), as text. */
function nestedHeaderLines(root: MimeEntity, context: DecodeContext): string[] {
  const lines: string[] = [];
  const walk = (entity: MimeEntity): void => {
    for (const child of entity.children) walk(child);
    if (!entity.nested) return;
    for (const key of ['from', 'to', 'cc', 'subject', 'date']) {
      const field = firstField(entity.nested.fields, key);
      if (field) lines.push(`${field.name}: ${headerText(field.value, context)}`);
    }
    walk(entity.nested);
  };
  walk(root);
  return lines;
}

async function parseTree(raw: Uint8Array, context: DecodeContext): Promise<ParsedMessage> {
  const root = parseMimeTree(raw, context);
  const parts = collectBodyParts(root, context);
  const assembled = withoutBlankHtml(await assembleBody(root, parts, context));
  const report = assembled.text === undefined && assembled.html === undefined ? reportText(parts, context) : undefined;
  const body = report === undefined ? assembled : { text: report };
  const attachments = describeAttachments(parts.attachments, body.html, parentsOf(root), context);
  const hasAttachments = root.bodyMissing ? attachmentsLikely(root) : attachments.some((attachment) => !attachment.inline && attachment.role !== 'signature');
  for (const source of parts.attachments) if (source.embeddedName === undefined && source.entity.contentType === 'message/partial') noteFragment(source.entity, context);
  return {
    summary: { ...headerSummary(root.fields, context), hasAttachments, ...optional('snippet', snippetOf(body.text, body.html)) },
    ...optional('text', body.text),
    ...optional('html', body.html),
    headers: root.fields.map((field): [string, string] => [field.name, field.value]),
    attachments,
    warnings: context.notes.list(),
    ...(root.bodyMissing ? { headersOnly: true } : {}),
  };
}

// Elements that show something without any text.
const VISIBLE_WITHOUT_TEXT = /<(img|svg|video|audio|picture|canvas|object|embed|iframe|input|hr)\b|\bbackground\s*=|url\s*\(/i;

/**
 * The body without an HTML part that shows nothing (as Outlook sends for a
 * message that is only an attachment: a white page with one &nbsp;). The
 * reader then says the message has no text, as other clients do, instead of
 * showing an empty white frame.
 */
function withoutBlankHtml(body: AssembledBody): AssembledBody {
  if (body.html === undefined || VISIBLE_WITHOUT_TEXT.test(body.html)) return body;
  // Tags are stripped directly rather than by htmlToPlainText, which drops text after an unclosed <head>, text a browser still shows.
  const shown = body.html
    .replace(/<!--[\s\S]*?(-->|$)/g, '')
    .replace(/<(style|script|title)\b[\s\S]*?(<\/\1\s*>|$)/gi, '')
    .replace(/<[^>]*>?/g, '');
  if (decodeEntities(shown).replace(/\u00a0/g, ' ').trim() !== '') return body;
  return body.text === undefined ? {} : { text: body.text };
}

/**
 * A message/partial fragment (RFC 2046 5.2.2) shows no text: its body is a
 * slice of a larger message. Joining fragments needs the other messages, so
 * the reader is told why there is nothing to read instead.
 */
function noteFragment(entity: MimeEntity, context: DecodeContext): void {
  const number = /^\d{1,6}$/.test(entity.params.get('number') ?? '') ? Number(entity.params.get('number')) : undefined;
  const total = /^\d{1,6}$/.test(entity.params.get('total') ?? '') ? Number(entity.params.get('total')) : undefined;
  const which = number === undefined ? 'This is one part' : total === undefined ? `This is part ${number}` : `This is part ${number} of ${total}`;
  context.notes.add(`${which} of a message split for sending; Twinbox cannot join the parts.`);
}

// Without a body only the Content-Type hints at attachments, as it does for other clients' header-only lists.
function attachmentsLikely(root: MimeEntity): boolean {
  return root.contentType === 'multipart/mixed' || !/^(text|multipart|message)\//.test(root.contentType);
}

function headerSummary(fields: readonly HeaderField[], context: DecodeContext): Omit<HeaderSummary, 'hasAttachments' | 'snippet'> {
  const all = (key: string): Address[] => fields.filter((field) => field.key === key).flatMap((field) => parseAddressList(field.value, context));
  const first = (key: string): string | undefined => firstField(fields, key)?.value;
  const dateValue = first('date');
  const date = parseMailDate(dateValue);
  if (dateValue !== undefined && dateValue !== '' && date === undefined) context.notes.add(`The Date header "${dateValue.slice(0, 80)}" is not a date; the message has no date.`);
  const fromField = first('from');
  return {
    ...optional('messageId', messageIdOf(first('message-id'))),
    ...optional('inReplyTo', messageIdOf(first('in-reply-to'))),
    references: messageIds(first('references')),
    // RFC 5322 allows one Subject. IMAP lists show the server's ENVELOPE, which takes the last one
    // (as Dovecot does), and the server's choice cannot be changed: the last is taken here too, so a
    // message shows the same subject over IMAP and POP3.
    subject: headerText(fields.findLast((field) => field.key === 'subject')?.value ?? '', context),
    // Only the first From field: a second one is either damage or an attempt to spoof the sender.
    from: fromField === undefined ? [] : parseAddressList(fromField, context),
    to: all('to'),
    cc: all('cc'),
    replyTo: all('reply-to'),
    ...optional('date', date),
  };
}

function messageIdOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bracketed = /<([^<>\s]+)>/.exec(value);
  if (bracketed) return bracketed[1];
  const bare = value.trim().replace(/^<|>$/g, '');
  return bare === '' || /\s/.test(bare) ? undefined : bare;
}

function messageIds(value: string | undefined): string[] {
  return [...(value ?? '').matchAll(/<([^<>\s]+)>/g)].map((match) => match[1] ?? '').filter((id) => id !== '');
}

function emptySummary(): HeaderSummary {
  return { references: [], subject: '', from: [], to: [], cc: [], replyTo: [], hasAttachments: false };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The last resort, for input our own reader failed on (a bug, not bad
 * mail): postal-mime on the raw bytes, and an empty summary if even that fails.
 */
async function parseWithPostalMimeAlone(raw: Uint8Array, notes: Notes): Promise<ParsedMessage> {
  try {
    const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
    const attachments = email.attachments.map(
      (attachment, index): ParsedAttachment => ({
        // postal-mime gives the name as sent: made safe as our own reader makes it.
        filename: sentFileName(attachment.filename ?? '') ?? `attachment-${index + 1}`,
        contentType: attachment.mimeType,
        size: attachment.content instanceof ArrayBuffer ? attachment.content.byteLength : 0,
        inline: attachment.related === true,
        ...(attachment.contentId ? { contentId: attachment.contentId.replace(/^<|>$/g, '') } : {}),
        content: attachment.content instanceof ArrayBuffer ? new Uint8Array(attachment.content) : new Uint8Array(0),
      }),
    );
    const mailboxes = (list: PostalAddress[]): Address[] => list.flatMap((entry) => (entry.group ? entry.group : [entry])).map((mailbox) => ({ name: mailbox.name, address: mailbox.address }));
    return {
      summary: {
        ...optional('messageId', messageIdOf(email.messageId)),
        ...optional('inReplyTo', messageIdOf(email.inReplyTo)),
        references: messageIds(email.references),
        subject: email.subject ?? '',
        from: mailboxes(email.from ? [email.from] : []),
        to: mailboxes(email.to ?? []),
        cc: mailboxes(email.cc ?? []),
        replyTo: mailboxes(email.replyTo ?? []),
        ...optional('date', parseMailDate(email.date)),
        hasAttachments: attachments.some((attachment) => !attachment.inline),
        ...optional('snippet', snippetOf(email.text, email.html)),
      },
      ...optional('text', email.text),
      ...optional('html', email.html),
      headers: email.headers.map((header): [string, string] => [header.originalKey, header.value]),
      attachments,
      warnings: notes.list(),
    };
  } catch (error) {
    notes.add(`The message could not be read at all (${describe(error)}).`);
    return { summary: emptySummary(), headers: [], attachments: [], warnings: notes.list() };
  }
}
