import { useLiveQuery } from 'dexie-react-hooks';
import { useId, useState } from 'react';
import { TwinboxError } from '../../../shared/errors';
import type { Account } from '../../../shared/model';
import { useApp } from '../app-context';
import { Modal } from './fields';
import { accountMessages } from '../../db/queries';

function messages(count: number): string {
  return count === 1 ? '1 message' : `${count} messages`;
}

/**
 * The confirmation before an account goes, saying what becomes of its mail:
 * under IMAP only a copy is lost, under POP3 this computer may hold the only
 * one.
 */
export function RemoveAccount({ account, onCancel, onRemoved }: { account: Account; onCancel: () => void; onRemoved: () => void }): React.JSX.Element {
  const { client, db, engine } = useApp();
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
  const count = stored === undefined ? 'the messages' : messages(stored);

  async function remove(): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await client.call('accounts.remove', { accountId: account.id });
      await engine.removeAccount(account.id);
      onRemoved();
    } catch (failure) {
      setError(failure instanceof TwinboxError ? failure : new TwinboxError('INTERNAL', String(failure)));
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy={titleId} describedBy={textId} role="alertdialog" className="accounts-confirm" onClose={onCancel}>
      <h2 id={titleId}>Remove {account.name}?</h2>
      <div id={textId}>
        {account.protocol === 'imap' ? (
          <p>
            The copy of this account’s mail on this computer ({count}) is deleted. The mail stays on the server, and comes back if you add the account
            again.
          </p>
        ) : (
          <>
            <p>The mail of this account on this computer is deleted: {count}.</p>
            <p className="accounts-warning">
              For messages the server no longer keeps, this computer had the only copy, and they are lost.
              {onlyHere !== undefined && onlyHere > 0 && ` At the last check the server no longer had ${messages(onlyHere)} of them.`}
            </p>
          </>
        )}
        <p>Its settings and saved passwords are removed from Twinbox.</p>
      </div>
      {error && (
        <p role="alert" className="accounts-error">
          {error.userText}
        </p>
      )}
      <div className="dialog-buttons">
        {/* First, so that Enter on opening cancels rather than deletes. */}
        <button type="button" autoFocus onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="accounts-danger" onClick={() => void remove()} disabled={busy}>
          {busy ? 'Removing…' : 'Remove account and its local mail'}
        </button>
      </div>
    </Modal>
  );
}
