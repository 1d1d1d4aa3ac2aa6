/**
 * Setting and clearing flags (UID STORE), seen by every other device.
 */
import { uidSetOfServerIds } from '../../../shared/sequence-set';
import type { ImapSession } from './session';

/**
 * Adds and removes flags on these messages with UID STORE +FLAGS.SILENT and
 * -FLAGS.SILENT: the caller already knows the result, so the server need not
 * echo every message back. UIDs no longer in the folder are skipped by the
 * server. Flags the folder does not accept (PERMANENTFLAGS) are NOT_SUPPORTED.
 */
export async function setFlags(
  session: ImapSession,
  folder: string,
  serverIds: string[],
  change: { add?: string[]; remove?: string[] },
): Promise<void> {
  const uids = uidSetOfServerIds(serverIds);
  const add = change.add ?? [];
  const remove = change.remove ?? [];
  if (uids.isEmpty || (add.length === 0 && remove.length === 0)) return;
  await session.withFolder(folder, async () => {
    for (const chunk of uids.toChunks()) {
      if (add.length > 0) {
        await session.expect(`STORE +FLAGS (${add.join(' ')})`, () => session.client.messageFlagsAdd(chunk, add, { uid: true, silent: true }), 'NOT_SUPPORTED');
      }
      if (remove.length > 0) {
        await session.expect(
          `STORE -FLAGS (${remove.join(' ')})`,
          () => session.client.messageFlagsRemove(chunk, remove, { uid: true, silent: true }),
          'NOT_SUPPORTED',
        );
      }
    }
  });
}
