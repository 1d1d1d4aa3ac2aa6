import { useLiveQuery } from 'dexie-react-hooks';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import type { Account } from '../../../shared/model';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { Modal } from './fields';
import { accountMessages } from '../../db/queries';

/**
 * The confirmation before an account goes, saying what becomes of its mail:
 * under IMAP only a copy is lost, under POP3 this computer may hold the only
 * one.
 */
export function RemoveAccount({ account, onCancel, onRemoved }: { account: Account; onCancel: () => void; onRemoved: () => void }): React.JSX.Element {
  const { client, db, engine } = useApp();
  const { t } = useTranslation(['accounts', 'common']);
  const titleId = useId();
  const textId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<TwinboxError>();
  const stored = useLiveQuery(() => accountMessages(db, account.id).count(), [account.id]);
  // Messages the server confirmed deleting, and which were not deleted here: their only copy is on this computer.
  const onlyHere = useLiveQuery(
    () =>
      db.ledger
        .where('accountId')
        .equals(account.id)
        .filter((entry) => entry.deletedOnServerAt !== undefined && entry.deletedHereAt === undefined)
        .count(),
    [account.id],
  );

  async function remove(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await client.call('accounts.remove', { accountId: account.id });
      await engine.removeAccount(account.id);
      onRemoved();
    } catch (failure) {
      setError(asTwinboxError(failure));
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy={titleId} describedBy={textId} role="alertdialog" className="accounts-confirm" onClose={onCancel}>
      <h2 id={titleId}>{t('remove.title', { name: account.name })}</h2>
      <div id={textId}>
        {account.protocol === 'imap' ? (
          <p>{stored === undefined ? t('remove.imapUncounted') : t('remove.imap', { count: stored })}</p>
        ) : (
          <>
            <p>{stored === undefined ? t('remove.pop3Uncounted') : t('remove.pop3', { count: stored })}</p>
            <p className="accounts-warning">
              {t('remove.onlyCopy')}
              {onlyHere !== undefined && onlyHere > 0 && ` ${t('remove.goneFromServer', { count: onlyHere })}`}
            </p>
          </>
        )}
        <p>{t('remove.settingsRemoved')}</p>
      </div>
      {error && (
        <p role="alert" className="accounts-error">
          {errorText(error)}
        </p>
      )}
      <div className="dialog-buttons">
        {/* First, so that Enter on opening cancels rather than deletes. */}
        <button type="button" autoFocus onClick={onCancel} disabled={busy}>
          {t('common:cancel')}
        </button>
        <button type="button" className="accounts-danger" onClick={() => void remove()} disabled={busy}>
          {busy ? t('remove.removing') : t('remove.confirm')}
        </button>
      </div>
    </Modal>
  );
}
