/**
 * The readable body of a parsed MIME tree. Each part is classified once
 * (text shown in the body, message shown inline, attachment, container);
 * text parts are decoded here, then postal-mime assembles text and HTML
 * from a clean rewrite of the tree, so that its rules (one rendering per
 * multipart/alternative, forwarded messages with a header block, text turned
 * into HTML where only one side has HTML) apply to input it cannot misread:
 * fresh boundaries, UTF-8 text in base64, and no attachment bytes at all.
 */
import PostalMime from 'postal-mime';
import { firstField, headerText, parseAddressList } from './header-fields';
import type { DecodeContext } from './header-fields';
import { parseMailDate } from './dates';
import { isNestedMessageType } from './structure';
import type { MimeEntity } from './structure';
import { decodedContent, decodeText } from './text-parts';
import { extractEmbeddedFiles } from './transfer-encodings';

/** How a part is presented. */
export type PartRole = 'container' | 'text' | 'message' | 'attachment';

/** The presentation of a part. `inReport` is true inside a multipart/report, whose returned message is evidence, not content. */
export function roleOf(entity: MimeEntity, inReport: boolean): PartRole {
  if (entity.contentType.startsWith('multipart/')) return 'container';
  if (isNestedMessageType(entity.contentType) && entity.nested && entity.disposition !== 'attachment' && !inReport) return 'message';
  if ((entity.contentType === 'text/plain' || entity.contentType === 'text/html') && entity.disposition !== 'attachment') return 'text';
  return 'attachment';
}

/** A part (or a file embedded in a text part) that is listed as an attachment. */
export interface AttachmentSource {
  /** The part it came from; for a file embedded in text, the text part. */
  entity: MimeEntity;
  content: Uint8Array;
  /** The name a uuencode or yEnc block gives the file it holds. */
  embeddedName?: string;
  /**
   * True for a part of a message that is itself listed (as an .eml): saving
   * that message saves the part, so it is listed only when shown inline.
   */
  withinListedMessage?: boolean;
}

/** Text and attachments of a message, before assembly. */
export interface BodyParts {
  /** Decoded text of every part shown in the body. */
  texts: Map<MimeEntity, string>;
  attachments: AttachmentSource[];
}

/**
 * Walks the tree in document order, decoding text parts and collecting
 * attachments; without `attachmentBytes` their content is left undecoded
 * (empty), for a reader that needs only the text and what the files are.
 */
export function collectBodyParts(root: MimeEntity, context: DecodeContext, options: { attachmentBytes: boolean } = { attachmentBytes: true }): BodyParts {
  const parts: BodyParts = { texts: new Map(), attachments: [] };
  visit(root, false, false, parts, { ...context, attachmentBytes: options.attachmentBytes });
  return parts;
}

const UNREAD = new Uint8Array(0);

function visit(entity: MimeEntity, inReport: boolean, within: boolean, parts: BodyParts, context: DecodeContext & { attachmentBytes: boolean }): void {
  const mark = within ? { withinListedMessage: true } : {};
  switch (roleOf(entity, inReport)) {
    case 'container': {
      const report = inReport || entity.contentType === 'multipart/report';
      entity.children.forEach((child, index) => {
        visit(child, report, within, parts, context);
        if (index > 0 && entity.contentType !== 'multipart/alternative' && roleOf(child, report) === 'text' && namesFile(child)) {
          // A named text part after the body (a .txt sent inline) is shown and also listed, so it can be saved as the file it is.
          parts.attachments.push({ entity: child, content: context.attachmentBytes ? decodedContent(child, context) : UNREAD, ...mark });
        }
      });
      return;
    }
    case 'message': {
      // Shown inline, and unless marked inline also listed, so it can be saved or opened as a message of its own.
      const listed = entity.disposition !== 'inline';
      if (listed) parts.attachments.push({ entity, content: context.attachmentBytes ? decodedContent(entity, context) : UNREAD, ...mark });
      if (entity.nested) visit(entity.nested, false, within || listed, parts, context);
      return;
    }
    case 'text': {
      let bytes = decodedContent(entity, context);
      if (entity.contentType === 'text/plain') {
        const embedded = extractEmbeddedFiles(bytes);
        bytes = embedded.text;
        for (const file of embedded.files) parts.attachments.push({ entity, content: file.content, embeddedName: file.filename, ...mark });
      }
      parts.texts.set(entity, decodeText(bytes, entity, context));
      return;
    }
    case 'attachment':
      // Reports are read as text when a message has nothing else to show (reportText): always decoded.
      parts.attachments.push({ entity, content: context.attachmentBytes || REPORT_TYPES.has(entity.contentType) ? decodedContent(entity, context) : UNREAD, ...mark });
      return;
  }
}

function namesFile(entity: MimeEntity): boolean {
  return (entity.dispositionParams.get('filename') ?? entity.params.get('name') ?? '').trim() !== '';
}

const REPORT_TYPES = new Set(['message/delivery-status', 'message/disposition-notification', 'message/feedback-report', 'text/rfc822-headers']);

/**
 * The machine-readable reports of a bounce or receipt, as text: what the
 * reader shows when the message has no human-readable part at all. The
 * parts stay listed as attachments too.
 */
export function reportText(parts: BodyParts, context: DecodeContext): string | undefined {
  const reports = parts.attachments.filter((source) => source.embeddedName === undefined && REPORT_TYPES.has(source.entity.contentType));
  if (reports.length === 0) return undefined;
  return reports.map((source) => decodeText(source.content, source.entity, context).trimEnd()).join('\n\n');
}

// postal-mime's assembly slows down badly with thousands of parts; no real message has that many.
const MAX_ASSEMBLED_TEXTS = 500;

/** The assembled body: plain text and HTML, each present when the message has any. */
export interface AssembledBody {
  text?: string;
  html?: string;
}

/** Joins the decoded text parts into the text and HTML a reader shows. */
export async function assembleBody(root: MimeEntity, parts: BodyParts, context: DecodeContext): Promise<AssembledBody> {
  if (parts.texts.size === 0) return {};
  if (parts.texts.size > MAX_ASSEMBLED_TEXTS) {
    context.notes.add(`The message has ${parts.texts.size} text parts; they are shown one after another.`);
    return joinTexts(parts);
  }
  const lines: string[] = [];
  const boundaries = { next: 0 };
  writeEntity(root, [], false, parts, context, lines, boundaries);
  try {
    const skeleton = lines.join('\r\n') + '\r\n';
    // The rewrite's headers are our own and bounded by its size; postal-mime's 2 MiB default would refuse a message with very many parts.
    const email = await PostalMime.parse(skeleton, { attachmentEncoding: 'arraybuffer', maxHeadersSize: skeleton.length });
    return { ...(email.text === undefined ? {} : { text: email.text }), ...(email.html === undefined ? {} : { html: email.html }) };
  } catch (error) {
    context.notes.add(`The body was assembled without the usual rules (${error instanceof Error ? error.message : String(error)}).`);
    return joinTexts(parts);
  }
}

function joinTexts(parts: BodyParts): AssembledBody {
  const plain: string[] = [];
  const html: string[] = [];
  for (const [entity, text] of parts.texts) (entity.contentType === 'text/html' ? html : plain).push(text);
  return { ...(plain.length > 0 ? { text: plain.join('\n') } : {}), ...(html.length > 0 ? { html: html.join('\n') } : {}) };
}

function writeEntity(entity: MimeEntity, leadingHeaders: string[], inReport: boolean, parts: BodyParts, context: DecodeContext, lines: string[], boundaries: { next: number }): void {
  switch (roleOf(entity, inReport)) {
    case 'container': {
      const boundary = `=_twinbox_${boundaries.next++}`;
      const report = inReport || entity.contentType === 'multipart/report';
      lines.push(...leadingHeaders, `Content-Type: ${entity.contentType}; boundary="${boundary}"`, '');
      for (const child of entity.children) {
        if (roleOf(child, report) === 'attachment') continue;
        lines.push(`--${boundary}`);
        writeEntity(child, [], report, parts, context, lines, boundaries);
      }
      lines.push(`--${boundary}--`);
      return;
    }
    case 'message': {
      lines.push(...leadingHeaders, 'Content-Type: message/rfc822', '');
      if (entity.nested) writeEntity(entity.nested, summaryHeaders(entity.nested, context), false, parts, context, lines, boundaries);
      return;
    }
    case 'text': {
      const format = entity.params.get('format')?.toLowerCase() === 'flowed' ? `; format=flowed${entity.params.get('delsp')?.toLowerCase() === 'yes' ? '; delsp=yes' : ''}` : '';
      const text = parts.texts.get(entity) ?? '';
      lines.push(...leadingHeaders, `Content-Type: ${entity.contentType}; charset=utf-8${format}`, 'Content-Transfer-Encoding: base64', '');
      lines.push(...(Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []));
      return;
    }
    case 'attachment':
      lines.push(...leadingHeaders, 'Content-Type: application/octet-stream', '');
      return;
  }
}

// The fields postal-mime shows in the header block of a forwarded message, already decoded.
function summaryHeaders(message: MimeEntity, context: DecodeContext): string[] {
  const headers: string[] = [];
  const clean = (value: string): string => value.replace(/[\r\n]+/g, ' ');
  const addresses = (key: string): string =>
    message.fields
      .filter((field) => field.key === key)
      .flatMap((field) => parseAddressList(field.value, context))
      .map((address) => (address.name ? `"${address.name.replace(/(["\\])/g, '\\$1')}" <${address.address}>` : `<${address.address}>`))
      .join(', ');
  const from = addresses('from');
  if (from) headers.push(`From: ${clean(from)}`);
  const subject = firstField(message.fields, 'subject');
  if (subject) headers.push(`Subject: ${clean(headerText(subject.value, context))}`);
  const date = parseMailDate(firstField(message.fields, 'date')?.value);
  if (date) headers.push(`Date: ${date}`);
  const to = addresses('to');
  if (to) headers.push(`To: ${clean(to)}`);
  const cc = addresses('cc');
  if (cc) headers.push(`Cc: ${clean(cc)}`);
  return headers;
}
