/**
 * The Protocol Lab's "other devices": connections of their own, with the
 * account's credentials, that look at or change the mailbox the way a phone
 * or a second computer would. They never share a connection with the
 * accounts the Lab shows, so what the Lab reports is what really crossed
 * the wire.
 */
import { TwinboxError } from '../../shared/errors';
import type { OtherDeviceResult, ServerSnapshot, SpecialUse } from '../../shared/model';
import type { FetchQueryObject } from 'imapflow';
import { IDENTITY_FIELDS, messageIdentity } from '../mime/identity';
import { parseMessage } from '../mime/parse';
import type { AdapterOptions } from '../protocols/adapter';
import { specialUseOf } from '../protocols/imap/folders';
import { ImapSession } from '../protocols/imap/session';
import { Pop3Session } from '../protocols/pop3/session';

/** Enough for the demo mailbox and then some; the Lab is not for 100,000 messages. */
const SNAPSHOT_LIMIT = 500;

/** What the other devices read of each message: enough to show it and to name it as the two sides do. */
const IDENTIFIED = { uid: true, flags: true, envelope: true, size: true, headers: [...IDENTITY_FIELDS] } satisfies FetchQueryObject;

/** Every folder and its messages with their flags, as the server holds them now. */
export async function serverSnapshot(options: AdapterOptions): Promise<ServerSnapshot> {
  const session = await ImapSession.open(options);
  try {
    const listed = await session.run(() => session.client.list());
    const folders: ServerSnapshot['folders'] = [];
    for (const entry of listed) {
      if (entry.flags.has('\\Noselect') || entry.flags.has('\\NonExistent')) continue;
      const messages = await session.withFolder(
        entry.path,
        async (mailbox) => {
          if (mailbox.exists === 0) return [];
          const found: ServerSnapshot['folders'][number]['messages'] = [];
          const from = Math.max(1, mailbox.exists - SNAPSHOT_LIMIT + 1);
          for await (const message of session.client.fetch(`${from}:*`, IDENTIFIED)) {
            found.push({
              uid: message.uid,
              ...(message.envelope?.messageId ? { messageId: message.envelope.messageId.replace(/^<|>$/g, '') } : {}),
              identity: messageIdentity(message.headers ?? new Uint8Array(), message.size ?? 0),
              subject: message.envelope?.subject ?? '',
              flags: [...(message.flags ?? [])].sort(),
              size: message.size ?? 0,
            });
          }
          return found;
        },
        { fresh: true },
      );
      const specialUse: SpecialUse | undefined = specialUseOf(entry, session.server.has('SPECIAL-USE'));
      folders.push({ path: entry.path, ...(specialUse ? { specialUse } : {}), messages });
    }
    return { observedAt: Date.now(), folders };
  } finally {
    await session.close();
  }
}

export type OtherImapAction = 'read' | 'unread' | 'flag' | 'delete';

/** What a scenario names a message by: its identity (any message) or its Message-ID (mail the Lab sent itself). */
export type MessageTarget = { identity: string } | { messageId: string };

/**
 * Another device changes one message (found in the INBOX by identity or
 * Message-ID; every copy that answers to it) on the server.
 */
export async function otherImapDevice(options: AdapterOptions, action: OtherImapAction, target: MessageTarget): Promise<OtherDeviceResult> {
  const session = await ImapSession.open(options);
  try {
    return await session.withFolder('INBOX', async (mailbox) => {
      const matching: { uid: number; message: OtherDeviceResult['messages'][number] }[] = [];
      if (mailbox.exists > 0) {
        // A mailbox the Lab is for is small: reading every message's identity fields costs little.
        for await (const message of session.client.fetch('1:*', IDENTIFIED)) {
          const identity = messageIdentity(message.headers ?? new Uint8Array(), message.size ?? 0);
          const messageId = message.envelope?.messageId?.replace(/^<|>$/g, '');
          const wanted = 'identity' in target ? identity === target.identity : messageId === target.messageId;
          if (wanted) matching.push({ uid: message.uid, message: { ...(messageId ? { messageId } : {}), identity, subject: message.envelope?.subject ?? '' } });
        }
      }
      const name = 'identity' in target ? `with identity ${target.identity}` : target.messageId;
      if (matching.length === 0) throw new TwinboxError('MESSAGE_GONE', `no message ${name} in the INBOX`);
      const set = matching.map((m) => m.uid).join(',');
      const subjects = matching.map((m) => m.message);
      switch (action) {
        case 'read':
          await session.run(() => session.client.messageFlagsAdd(set, ['\\Seen'], { uid: true }));
          break;
        case 'unread':
          await session.run(() => session.client.messageFlagsRemove(set, ['\\Seen'], { uid: true }));
          break;
        case 'flag':
          await session.run(() => session.client.messageFlagsAdd(set, ['\\Flagged'], { uid: true }));
          break;
        case 'delete':
          await session.run(() => session.client.messageDelete(set, { uid: true }));
          break;
      }
      return { messages: subjects };
    });
  } finally {
    await session.close();
  }
}

/**
 * Another computer on POP3 checks the same mailbox: it downloads every
 * message and, set to delete after download, removes them all from the
 * server. Whatever it takes, the Lab's own POP3 side will never see.
 */
export async function otherPop3Device(options: AdapterOptions, deleteAfterDownload: boolean): Promise<OtherDeviceResult> {
  const session = await Pop3Session.open(options);
  let ended = false;
  try {
    const maildrop = await session.maildrop();
    const fetched = await session.fetchMany(maildrop.map((entry) => ({ number: entry.number, headersOnly: session.supportsTop })));
    const messages: OtherDeviceResult['messages'] = [];
    for (const [index, item] of fetched.entries()) {
      if (!('bytes' in item)) continue;
      const parsed = await parseMessage(item.bytes);
      const identity = messageIdentity(item.bytes, maildrop[index]?.size ?? item.bytes.byteLength);
      messages.push({ ...(parsed.summary.messageId ? { messageId: parsed.summary.messageId } : {}), identity, subject: parsed.summary.subject });
    }
    if (deleteAfterDownload) await session.deleteUidlsAndQuit(maildrop.map((entry) => entry.uidl));
    else await session.end();
    ended = true;
    return { messages };
  } finally {
    if (!ended) await session.end().catch(() => undefined);
  }
}
