/**
 * MIME parsing for every message that enters Twinbox, on postal-mime: it is
 * maintained, typed, pure (no Node streams), and decodes legacy charsets
 * through the platform's TextDecoder (full ICU in Node and Electron).
 */
import PostalMime from 'postal-mime';
import type { Address as PostalAddress, Email } from 'postal-mime';
import type { Address, MessageSummary } from '../../shared/model';

/** A part of a message that is listed as an attachment, with its bytes. */
export interface ParsedAttachment {
  filename: string;
  contentType: string;
  size: number;
  inline: boolean;
  contentId?: string;
  content: Uint8Array;
}

/** The summary fields a header block yields (the rest of a summary comes from the server). */
export type HeaderSummary = Pick<
  MessageSummary,
  'messageId' | 'inReplyTo' | 'references' | 'subject' | 'from' | 'to' | 'cc' | 'replyTo' | 'date' | 'hasAttachments' | 'snippet'
>;

export interface ParsedMessage {
  summary: HeaderSummary;
  text?: string;
  html?: string;
  headers: [string, string][];
  attachments: ParsedAttachment[];
  warnings: string[];
}

/**
 * Parses a whole message, or just its header block (POP3 TOP n 0). Never
 * throws for malformed input: what cannot be read is left out and noted in
 * `warnings`, so a broken message still shows in the list.
 */
export async function parseMessage(raw: Uint8Array): Promise<ParsedMessage> {
  const warnings: string[] = [];
  let email: Email;
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  } catch (error) {
    warnings.push(`could not parse the MIME structure: ${error instanceof Error ? error.message : String(error)}`);
    return { summary: emptySummary(), headers: [], attachments: [], warnings };
  }
  const attachments = email.attachments.map((attachment, index): ParsedAttachment => {
    const content = typeof attachment.content === 'string' ? new TextEncoder().encode(attachment.content) : new Uint8Array(attachment.content);
    return {
      filename: attachment.filename ?? `attachment-${index + 1}`,
      contentType: attachment.mimeType,
      size: content.byteLength,
      inline: attachment.disposition === 'inline' || attachment.related === true,
      ...(attachment.contentId ? { contentId: attachment.contentId.replace(/^<|>$/g, '') } : {}),
      content,
    };
  });
  const date = email.date && !Number.isNaN(Date.parse(email.date)) ? new Date(email.date).toISOString() : undefined;
  return {
    summary: {
      ...optional('messageId', stripBrackets(email.messageId)),
      ...optional('inReplyTo', stripBrackets(email.inReplyTo)),
      references: messageIds(email.references),
      subject: email.subject ?? '',
      from: addresses(email.from ? [email.from] : []),
      to: addresses(email.to ?? []),
      cc: addresses(email.cc ?? []),
      replyTo: addresses(email.replyTo ?? []),
      ...optional('date', date),
      hasAttachments: attachments.some((a) => !a.inline),
      ...optional('snippet', snippetOf(email.text, email.html)),
    },
    ...optional('text', email.text),
    ...optional('html', email.html),
    headers: email.headers.map((header) => [header.originalKey, header.value]),
    attachments,
    warnings,
  };
}

function emptySummary(): HeaderSummary {
  return { references: [], subject: '', from: [], to: [], cc: [], replyTo: [], hasAttachments: false };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function stripBrackets(value: string | undefined): string | undefined {
  const trimmed = value?.trim().replace(/^<|>$/g, '');
  return trimmed === '' ? undefined : trimmed;
}

function messageIds(value: string | undefined): string[] {
  return [...(value ?? '').matchAll(/<([^<>\s]+)>/g)].map((match) => match[1] ?? '').filter((id) => id !== '');
}

function addresses(list: PostalAddress[]): Address[] {
  return list.flatMap((entry) => (entry.group ? entry.group : [entry])).map((mailbox) => ({ name: mailbox.name, address: mailbox.address }));
}

const SNIPPET_LENGTH = 200;

function snippetOf(text: string | undefined, html: string | undefined): string | undefined {
  const source = text ?? (html ? html.replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ') : undefined);
  const snippet = source?.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_LENGTH);
  return snippet === '' ? undefined : snippet;
}
