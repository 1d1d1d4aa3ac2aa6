/**
 * Finding an attachment's bytes from its opaque id. The id names a message
 * and a part; the bytes are read again from the message (from the message
 * store, or else the IMAP server), so main keeps no attachments in memory
 * and the page never names a file.
 */
import type { AttachmentContent } from '../shared/contract';
import { TwinboxError } from '../shared/errors';
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
  return { filename: safeFilename(attachment.filename), contentType: attachment.contentType, content: attachment.content };
}

/** A name that cannot climb out of the folder it is saved in, nor hide what it is. */
export function safeFilename(name: string): string {
  const printable = Array.from(name, (char) => char).map((char) => (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f ? '_' : char)).join('');
  const base = printable.replace(/[\\/<>:"|?*]/g, '_').replace(/^\.+/, '').trim();
  return base === '' ? 'attachment' : base.slice(0, 200);
}
