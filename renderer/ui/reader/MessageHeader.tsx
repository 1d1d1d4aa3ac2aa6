import { useTranslation } from 'react-i18next';
import type { CachedMessage } from '../../db/rows';
import { addressList, fullDate, senderName } from '../format';

/** Subject, sender, recipients and date; and whether the message carries a signature. */
export function MessageHeader({ message, signed }: { message: CachedMessage; signed: boolean }): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  return (
    <header className="reader-header">
      <h2 dir="auto">{message.subject || t('common:noSubject')}</h2>
      <dl>
        <dt>{t('header.from')}</dt>
        <dd dir="auto">{addressList(message.from) || senderName(message.from)}</dd>
        {message.to.length > 0 && (
          <>
            <dt>{t('header.to')}</dt>
            <dd dir="auto">{addressList(message.to)}</dd>
          </>
        )}
        {message.cc.length > 0 && (
          <>
            <dt>{t('header.cc')}</dt>
            <dd dir="auto">{addressList(message.cc)}</dd>
          </>
        )}
        <dt>{t('header.date')}</dt>
        <dd>{fullDate(message.sortDate)}</dd>
      </dl>
      {signed && (
        // The signature part is not a file to save; what it means is that the message is signed (not yet checked here).
        <p className="signed">
          <span className="signed-badge">{t('header.signed')}</span> {t('header.notChecked')}
        </p>
      )}
    </header>
  );
}
