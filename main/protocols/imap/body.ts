/**
 * Opening a message: the whole of it, parsed.
 */
import { TwinboxError } from '../../../shared/errors';
import type { MessageBody } from '../../../shared/model';
import { toMessageBody } from '../../mime/message-body';
import { parseMessage } from '../../mime/parse';
import type { FetchBodyOptions } from '../adapter';
import { uidSetOfServerIds } from './sequence-set';
import type { ImapSession } from './session';

/**
 * Several messages in one UID FETCH, parsed, in the order the server sends
 * them. UIDs no longer in the folder are simply not returned.
 */
export async function fetchBodies(
  session: ImapSession,
  accountId: string,
  folder: string,
  serverIds: string[],
  options: FetchBodyOptions = {},
): Promise<MessageBody[]> {
  if (serverIds.length === 0) return [];
  const set = uidSetOfServerIds(serverIds).toString();
  const sources = await session.withFolder(folder, async () => {
    const found: { uid: number; source: Buffer }[] = [];
    for await (const message of session.client.fetch(set, { uid: true, source: true }, { uid: true })) {
      if (message.source) found.push({ uid: message.uid, source: message.source });
    }
    return found;
  });
  const bodies: MessageBody[] = [];
  for (const { uid, source } of sources) {
    const raw = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    bodies.push(toMessageBody(await parseMessage(raw), { accountId, folder, serverId: String(uid) }, options.raw === true ? raw : undefined));
  }
  return bodies;
}

/**
 * The message with this UID, parsed, and with its exact bytes when `raw` is
 * asked for. Fetched as BODY.PEEK[], so opening it does not mark it read:
 * whether it counts as read is the caller's decision (setFlags \Seen).
 * MESSAGE_GONE when the UID is no longer in the folder.
 */
export async function fetchBody(
  session: ImapSession,
  accountId: string,
  folder: string,
  serverId: string,
  options: FetchBodyOptions = {},
): Promise<MessageBody> {
  const uid = uidSetOfServerIds([serverId]).toString();
  const source = await session.withFolder(folder, async () => {
    const message = await session.client.fetchOne(uid, { uid: true, source: true }, { uid: true });
    return message === false ? undefined : message.source;
  });
  if (source === undefined) throw new TwinboxError('MESSAGE_GONE', `UID ${uid} is no longer in ${folder}`);
  const raw = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  const parsed = await parseMessage(raw);
  return toMessageBody(parsed, { accountId, folder, serverId: uid }, options.raw === true ? raw : undefined);
}
