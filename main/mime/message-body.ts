/**
 * Turns a parsed message into what crosses IPC. Attachments get ids that
 * name where they live (account, folder, message, part) so main can find the
 * bytes again when the user saves one, without keeping them in memory and
 * without the page ever choosing a path.
 */
import type { AttachmentInfo, MessageBody } from '../../shared/model';
import type { ParsedMessage } from './parse';

export interface MessageRef {
  accountId: string;
  folder: string;
  serverId: string;
}

export interface AttachmentRef extends MessageRef {
  /** Position in ParsedMessage.attachments. */
  index: number;
}

export function attachmentId(ref: AttachmentRef): string {
  return `att1.${Buffer.from(JSON.stringify([ref.accountId, ref.folder, ref.serverId, ref.index]), 'utf8').toString('base64url')}`;
}

/** The location an attachment id names, or undefined for anything that is not one. */
export function parseAttachmentId(id: string): AttachmentRef | undefined {
  if (!id.startsWith('att1.')) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(id.slice(5), 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 4) return undefined;
    const [accountId, folder, serverId, index] = value as unknown[];
    if (typeof accountId !== 'string' || typeof folder !== 'string' || typeof serverId !== 'string') return undefined;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) return undefined;
    return { accountId, folder, serverId, index };
  } catch {
    return undefined;
  }
}

export function toMessageBody(parsed: ParsedMessage, ref: MessageRef, raw?: Uint8Array): MessageBody {
  const attachments = parsed.attachments.map(
    (attachment, index): AttachmentInfo => ({
      id: attachmentId({ ...ref, index }),
      filename: attachment.filename,
      contentType: attachment.contentType,
      size: attachment.size,
      inline: attachment.inline,
      ...(attachment.contentId === undefined ? {} : { contentId: attachment.contentId }),
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
  };
}
