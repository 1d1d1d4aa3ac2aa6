/**
 * A name for a message that IMAP and POP3 both arrive at: IMAP UIDs and
 * POP3 UIDLs mean nothing to each other, and a Message-ID may be missing or
 * shared by different messages. The header fields a message is sent with
 * and its size are fixed once it is on the server (RFC 3501 and RFC 1939
 * both give the message's exact octets), so IMAP (BODY[HEADER.FIELDS] and
 * RFC822.SIZE) and POP3 (the downloaded header block and the LIST size)
 * read the same ones. Copies that agree on all of them are one message in
 * two places; the Protocol Lab counts them as copies.
 */
import { createHash } from 'node:crypto';

/** The fields that name a message; IMAP fetches them beside the threading headers. */
export const IDENTITY_FIELDS = ['message-id', 'date', 'from', 'subject'] as const;

const WANTED = new Set<string>(IDENTITY_FIELDS);

/**
 * The identity of a message from a header block holding (at least) the
 * identity fields, and its size. Compared as the server's own bytes
 * (latin1 keeps each byte as it is), unfolded and with runs of white space
 * made one, since a server may re-fold a field when it returns a subset.
 */
export function messageIdentity(headerBlock: Uint8Array, size: number): string {
  const text = Buffer.from(headerBlock.buffer, headerBlock.byteOffset, headerBlock.byteLength).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const unfolded = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n(?=[ \t])/g, '');
  const fields: string[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!WANTED.has(name)) continue;
    fields.push(`${name}:${line.slice(colon + 1).replace(/[ \t]+/g, ' ').trim()}`);
  }
  // Stable within a name: two Subject fields keep their order, other fields may come back in any order.
  fields.sort((a, b) => a.slice(0, a.indexOf(':')).localeCompare(b.slice(0, b.indexOf(':'))));
  return createHash('sha256').update(`${fields.join('\n')}\n${size}`, 'latin1').digest('base64url').slice(0, 22);
}
