/**
 * How full the mailbox is (RFC 9208 QUOTA).
 */
import type { QuotaInfo } from '../../../shared/model';
import type { ImapSession } from './session';

/**
 * The storage quota of the root that holds `folder` (GETQUOTAROOT, then
 * GETQUOTA when the root's figures were not sent along). Undefined when the
 * server has no QUOTA extension, or no storage limit for this folder.
 */
export async function folderQuota(session: ImapSession, folder: string): Promise<QuotaInfo | undefined> {
  if (!session.server.hasFamily('QUOTA')) return undefined;
  const quota = await session.expect(`GETQUOTAROOT ${folder}`, () => session.client.getQuota(folder));
  const storage = quota.storage;
  if (storage?.limit === undefined) return undefined;
  return { usedBytes: storage.usage ?? 0, limitBytes: storage.limit };
}
