import type { CachedMessage } from '../../db/schema';
import { addressList, fullDate, senderName } from '../format';

/** Subject, sender, recipients and date; and whether the message carries a signature. */
export function MessageHeader({ message, signed }: { message: CachedMessage; signed: boolean }): React.JSX.Element {
  return (
    <header className="reader-header">
      <h2>{message.subject || '(no subject)'}</h2>
      <dl>
        <dt>From</dt>
        <dd>{addressList(message.from) || senderName(message.from)}</dd>
        {message.to.length > 0 && (
          <>
            <dt>To</dt>
            <dd>{addressList(message.to)}</dd>
          </>
        )}
        {message.cc.length > 0 && (
          <>
            <dt>Cc</dt>
            <dd>{addressList(message.cc)}</dd>
          </>
        )}
        <dt>Date</dt>
        <dd>{fullDate(message.sortDate)}</dd>
      </dl>
      {signed && (
        // The signature part is not a file to save; what it means is that the message is signed (not yet checked here).
        <p className="signed">
          <span className="signed-badge">Signed</span> The signature is not checked by Twinbox.
        </p>
      )}
    </header>
  );
}
