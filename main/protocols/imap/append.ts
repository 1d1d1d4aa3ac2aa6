/**
 * Storing a message in a folder (APPEND): the copy of a sent message in
 * Sent, a draft in Drafts.
 */
import type { SpecialFolders } from './folders';
import type { ImapSession } from './session';
import { withTargetCreated } from './special-create';

/**
 * Appends the exact bytes with these flags, and the internal date when one
 * is given (an imported message keeps when it first arrived). Returns the new message's UID
 * when the server says (APPENDUID, RFC 4315), undefined otherwise.
 * A missing special folder (Sent, Drafts, ...) is created first
 * (withTargetCreated); MAILBOX_NOT_FOUND when any other folder does not exist,
 * QUOTA_EXCEEDED when the mailbox is full.
 */
export async function appendMessage(
  session: ImapSession,
  specialFolders: SpecialFolders,
  folder: string,
  raw: Uint8Array,
  flags: string[],
  internalDate?: Date,
): Promise<string | undefined> {
  const message = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const result = await withTargetCreated(session, specialFolders, folder, () =>
    session.expect(`APPEND to ${folder}`, () => session.client.append(folder, message, flags, internalDate)),
  );
  return result.uid === undefined ? undefined : String(result.uid);
}
