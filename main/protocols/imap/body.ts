/**
 * Whole messages, as the server has them: what the message store keeps and
 * main parses when a message is opened.
 */
import type { FetchedMessages, MessageSource } from '../adapter';
import { uidSetOfServerIds } from '../../../shared/sequence-set';
import type { ImapSession } from './session';

/**
 * Several messages in one UID FETCH (BODY.PEEK[], so nothing is marked
 * read), in the order the server sends them, with the folder's UIDVALIDITY
 * they belong to. UIDs no longer in the folder are simply not returned.
 */
export async function fetchMessages(session: ImapSession, folder: string, serverIds: string[]): Promise<FetchedMessages> {
  if (serverIds.length === 0) return { messages: [] };
  const set = uidSetOfServerIds(serverIds).toString();
  return session.withFolder(folder, async (mailbox) => {
    const messages: MessageSource[] = [];
    for await (const message of session.client.fetch(set, { uid: true, source: true }, { uid: true })) {
      if (!message.source) continue;
      const bytes = new Uint8Array(message.source.buffer, message.source.byteOffset, message.source.byteLength);
      messages.push({ serverId: String(message.uid), bytes, partial: false });
    }
    return { uidValidity: mailbox.uidValidity.toString(), messages };
  });
}
