import { useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { Account, QuotaInfo } from '../../../shared/model';
import { useApp } from '../app-context';
import { byteSize, formatNumber } from '../format';

/** From here on the account warns: mail sent to a full mailbox bounces, and copies into it are refused. */
export const QUOTA_WARNING_SHARE = 0.9;

/**
 * How full the account's mailbox is on the server, where the server says
 * (IMAP QUOTA); asked again after each sync, since mail arriving or deleted
 * anywhere changes it. POP3 has no way to ask.
 */
export function QuotaMeter({ account }: { account: Account }): React.JSX.Element | null {
  const { client, engine } = useApp();
  const { t } = useTranslation('accounts');
  const statuses = useSyncExternalStore(engine.status.subscribe, engine.status.getSnapshot);
  const lastSyncAt = statuses.get(account.id)?.lastSyncAt;
  const [quota, setQuota] = useState<QuotaInfo | null>(null);

  useEffect(() => {
    if (account.protocol !== 'imap' || lastSyncAt === undefined) return;
    let current = true;
    client.call('mail.quota', { accountId: account.id, folder: 'INBOX' }).then(
      (found) => current && setQuota(found),
      // Not knowing how full it is is no reason to say anything: the meter just stays as it was.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, account.id, account.protocol, lastSyncAt]);

  if (!quota || quota.limitBytes <= 0) return null;
  const share = quota.usedBytes / quota.limitBytes;
  const percent = Math.min(100, Math.round(share * 100));
  const words = t('quota.words', { used: byteSize(quota.usedBytes), limit: byteSize(quota.limitBytes), percent: formatNumber(percent) });
  return (
    <div className={`quota${share >= QUOTA_WARNING_SHARE ? ' nearly-full' : ''}`}>
      <meter
        min={0}
        max={quota.limitBytes}
        value={Math.min(quota.usedBytes, quota.limitBytes)}
        high={quota.limitBytes * QUOTA_WARNING_SHARE}
        optimum={0}
        aria-label={t('quota.label', { name: account.name })}
        aria-valuetext={words}
      />
      <span className="quota-words">{words}</span>
      {share >= QUOTA_WARNING_SHARE && (
        <p role="alert" className="quota-warning">
          {t('quota.nearlyFull', { name: account.name })}
        </p>
      )}
    </div>
  );
}
