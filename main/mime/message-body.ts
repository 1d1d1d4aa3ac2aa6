/**
 * Turns a parsed message into what crosses IPC. Attachments get ids that
 * name where they live (account, folder, message, part) so main can find the
 * bytes again when the user saves one, without keeping them in memory and
 * without the page ever choosing a path.
 */
import type { AttachmentInfo, MessageBody } from '../../shared/model';
import { senderVerification } from './authentication-results';
import type { ParsedMessage } from './parse';

/** Where a message lives: the account, the folder path, and its id there (IMAP UID or POP3 UIDL). */
export interface MessageRef {
  accountId: string;
  folder: string;
  serverId: string;
}

/** Where an attachment lives: its message, and its position among the message's attachments. */
export interface AttachmentRef extends MessageRef {
  /** Position in ParsedMessage.attachments. */
  index: number;
}

const ID_PREFIX = 'att1.';
// Far beyond any real folder path or UIDL, small enough that a hostile page cannot make main parse megabytes.
const MAX_ID_LENGTH = 4096;
const MAX_ATTACHMENT_INDEX = 100_000;

/** The opaque id the page uses for one attachment: its location, encoded. */
export function attachmentId(ref: AttachmentRef): string {
  return `${ID_PREFIX}${Buffer.from(JSON.stringify([ref.accountId, ref.folder, ref.serverId, ref.index]), 'utf8').toString('base64url')}`;
}

/**
 * The location an attachment id names, or undefined for anything that is not
 * an id attachmentId could have issued: wrong prefix or alphabet, another
 * encoding of the same data, wrong shape or types, an empty account or
 * message id, control characters, or an index out of range. Input comes from
 * the page, so it is typed `unknown`.
 */
export function parseAttachmentId(id: unknown): AttachmentRef | undefined {
  if (typeof id !== 'string' || id.length > MAX_ID_LENGTH || !/^att1\.[A-Za-z0-9_-]+$/.test(id)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(id.slice(ID_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 4) return undefined;
  const [accountId, folder, serverId, index] = value as unknown[];
  if (!isCleanString(accountId) || !isCleanString(folder) || !isCleanString(serverId)) return undefined;
  if (accountId === '' || serverId === '') return undefined;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index > MAX_ATTACHMENT_INDEX) return undefined;
  const ref = { accountId, folder, serverId, index };
  // Only the exact encoding attachmentId produces is accepted, so one location has one id.
  return attachmentId(ref) === id ? ref : undefined;
}

function isCleanString(value: unknown): value is string {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  return typeof value === 'string' && !/[\u0000-\u001f\u007f]/.test(value);
}

/**
 * The body as the reader receives it over IPC: text, HTML, headers and
 * warnings, whether its sender is verified, and each attachment described
 * with an id instead of its bytes.
 * `raw` is passed through when the caller wants the exact message.
 */
export function toMessageBody(parsed: ParsedMessage, ref: MessageRef, raw?: Uint8Array): MessageBody {
  const attachments = parsed.attachments.map(
    (attachment, index): AttachmentInfo => ({
      id: attachmentId({ ...ref, index }),
      filename: attachment.filename,
      contentType: attachment.contentType,
      size: attachment.size,
      inline: attachment.inline,
      ...(attachment.contentId === undefined ? {} : { contentId: attachment.contentId }),
      ...(attachment.role === undefined ? {} : { role: attachment.role }),
    }),
  );
  return {
    serverId: ref.serverId,
    ...(parsed.text === undefined ? {} : { text: parsed.text }),
    ...(parsed.html === undefined ? {} : { html: parsed.html }),
    attachments,
    headers: parsed.headers,
    ...(raw === undefined ? {} : { raw }),
    warnings: parsed.warnings,
    senderVerification: senderVerification(parsed.headers, parsed.summary.from),
  };
}
