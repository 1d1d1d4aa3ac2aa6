/**
 * Finding an attachment's bytes from its opaque id. The id names a message
 * and a part; the bytes are read again from the message (from the message
 * store, or else the IMAP server), so main keeps no attachments in memory
 * and the page never names a file.
 */
import { join, relative } from 'node:path';
import type { AttachmentContent } from '../shared/contract';
import { TwinboxError } from '../shared/errors';
import { safeFileName } from '../shared/file-names';
import { parseAttachmentId } from './mime/message-body';
import type { MessageRef } from './mime/message-body';
import { parseMessage } from './mime/parse';

export async function attachmentContent(
  ref: MessageRef & { attachmentId: string },
  read: () => Promise<Uint8Array>,
): Promise<AttachmentContent> {
  const named = parseAttachmentId(ref.attachmentId);
  if (!named || named.accountId !== ref.accountId || named.serverId !== ref.serverId || named.folder !== ref.folder) {
    throw new TwinboxError('INVALID_REQUEST', 'the attachment id does not belong to this message');
  }
  const bytes = await read();
  const attachment = (await parseMessage(bytes)).attachments[named.index];
  if (!attachment) throw new TwinboxError('MESSAGE_GONE', 'the message no longer has this attachment');
  // Safe already (the parser made it so); again here because this name leaves main to be saved.
  return { filename: safeFileName(attachment.filename), contentType: attachment.contentType, content: attachment.content };
}

/**
 * Where the save dialog first proposes an attachment: inside `folder`,
 * whatever the message called the file. The name is made safe, so it has no
 * separator and is neither "." nor ".."; the check after it keeps that true
 * should the rules ever change.
 */
export function proposedSavePath(folder: string, suggestedName: string): string {
  const name = safeFileName(suggestedName);
  const path = join(folder, name);
  if (relative(folder, path) !== name) throw new TwinboxError('INVALID_REQUEST', 'the attachment name leaves the folder it is saved in');
  return path;
}
