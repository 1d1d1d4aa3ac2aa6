/**
 * A message list row from what the server already parsed: ENVELOPE, FLAGS,
 * INTERNALDATE, RFC822.SIZE, BODYSTRUCTURE, MODSEQ, plus the two threading
 * headers ENVELOPE leaves out (References) or may mangle (In-Reply-To).
 */
import type { FetchMessageObject, FetchQueryObject, MessageAddressObject, MessageStructureObject } from 'imapflow';
import type { Address, MessageSummary } from '../../../shared/model';
import { IDENTITY_FIELDS, messageIdentity } from '../../mime/identity';

/** What a sync fetches for each new message: everything a list row needs, no body. */
export const SUMMARY_QUERY: FetchQueryObject = {
  uid: true,
  flags: true,
  envelope: true,
  internalDate: true,
  size: true,
  bodyStructure: true,
  // The identity fields are a few hundred bytes a message; they let IMAP and POP3 name a message alike.
  headers: ['references', 'in-reply-to', ...IDENTITY_FIELDS],
};

/** The summary of one fetched message (which must carry a UID and an ENVELOPE). */
export function toMessageSummary(message: FetchMessageObject): MessageSummary {
  const envelope = message.envelope ?? {};
  const threading = threadingHeaders(message.headers);
  const messageId = bareMessageId(envelope.messageId);
  const inReplyTo = threading.inReplyTo ?? bareMessageId(envelope.inReplyTo);
  const date = isoDate(envelope.date);
  const receivedAt = isoDate(message.internalDate);
  return {
    serverId: String(message.uid),
    uid: message.uid,
    ...(messageId === undefined ? {} : { messageId }),
    identity: messageIdentity(message.headers ?? new Uint8Array(), message.size ?? 0),
    ...(inReplyTo === undefined ? {} : { inReplyTo }),
    references: threading.references,
    subject: envelope.subject ?? '',
    from: addresses(envelope.from),
    to: addresses(envelope.to),
    cc: addresses(envelope.cc),
    replyTo: addresses(envelope.replyTo),
    ...(date === undefined ? {} : { date }),
    ...(receivedAt === undefined ? {} : { receivedAt }),
    size: message.size ?? 0,
    flags: storedFlags(message.flags),
    hasAttachments: message.bodyStructure ? hasAttachments(message.bodyStructure) : false,
    ...(message.modseq === undefined ? {} : { modseq: message.modseq.toString() }),
  };
}

/**
 * The flags worth keeping in a cache: all but \Recent, which only says that
 * this session is the first to see the message (and is gone in IMAP4rev2).
 */
export function storedFlags(flags: Iterable<string> | undefined): string[] {
  return [...(flags ?? [])].filter((flag) => flag.toLowerCase() !== '\\recent');
}

/**
 * Whether the user would see an attachment: a part marked `attachment`, an
 * attached message, or a non-text part that is not an inline resource of an
 * HTML body (multipart/related) nor marked inline. Signatures do not count.
 */
export function hasAttachments(root: MessageStructureObject): boolean {
  const visit = (node: MessageStructureObject, insideRelated: boolean): boolean => {
    const disposition = node.disposition?.toLowerCase();
    const type = node.type.toLowerCase();
    // A signature is not something to open: no paperclip for a signed message (as the MIME parser decides).
    if (/^application\/(x-)?pkcs7-signature$|^application\/pgp-signature$/.test(type)) return false;
    if (disposition === 'attachment') return true;
    if (type.startsWith('multipart/')) {
      const related = insideRelated || type === 'multipart/related';
      return (node.childNodes ?? []).some((child) => visit(child, related));
    }
    if (node !== root && (type === 'message/rfc822' || type === 'message/global')) return disposition !== 'inline';
    if (disposition === 'inline' || insideRelated) return false;
    return !(type === 'text/plain' || type === 'text/html');
  };
  return visit(root, false);
}

/** References (oldest first) and In-Reply-To from the header block fetched with the envelope, ids without brackets. */
export function threadingHeaders(block: Uint8Array | undefined): { references: string[]; inReplyTo?: string } {
  if (!block || block.length === 0) return { references: [] };
  const unfolded = Buffer.from(block.buffer, block.byteOffset, block.byteLength)
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  let references: string[] = [];
  let inReplyTo: string | undefined;
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const ids = messageIdsIn(line.slice(colon + 1));
    if (name === 'references') references = ids;
    else if (name === 'in-reply-to' && ids.length > 0) inReplyTo = ids[0];
  }
  return { references, ...(inReplyTo === undefined ? {} : { inReplyTo }) };
}

function messageIdsIn(value: string): string[] {
  return [...value.matchAll(/<([^<>\s]+)>/g)].map((match) => match[1] ?? '').filter((id) => id !== '');
}

function bareMessageId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bracketed = messageIdsIn(value)[0];
  const bare = bracketed ?? value.trim();
  return bare === '' ? undefined : bare;
}

function addresses(list: MessageAddressObject[] | undefined): Address[] {
  return (list ?? [])
    .filter((entry) => entry.address !== undefined || entry.name !== undefined)
    .map((entry) => ({ name: entry.name ?? '', address: entry.address ?? '' }));
}

function isoDate(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
