import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TwinboxError } from '../../shared/errors';
import { asTwinboxError } from '../../shared/errors';
import type { MessageBody } from '../../shared/model';
import type { MessageKey } from '../db/rows';
import { errorText } from '../i18n';
import { DraftNotice } from './compose/DraftNotice';
import { useApp } from './app-context';
import { MessageContent } from './reader/MessageContent';
import { MessageHeader } from './reader/MessageHeader';

/**
 * The reading pane. Main parses the message from its store (or fetches it,
 * as the account's mode says, when it is not there). Opening a message marks
 * it read. Its HTML is shown sanitised in a sandboxed frame, with remote
 * pictures blocked until the user allows them (see reader/).
 */
export function Reader({ messageKey }: { messageKey: MessageKey | undefined }): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  if (!messageKey) {
    return (
      <section className="reader" aria-label={t('reader.label')}>
        <p className="empty">{t('reader.nothingOpen')}</p>
      </section>
    );
  }
  return <OpenMessage key={messageKey.join('\u0000')} messageKey={messageKey} />;
}

function OpenMessage({ messageKey }: { messageKey: MessageKey }): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const { db, engine } = useApp();
  const message = useLiveQuery(() => db.messages.get(messageKey), [messageKey]);
  const [body, setBody] = useState<MessageBody | undefined>();
  const sender = message?.from[0]?.address.toLowerCase();
  const preference = useLiveQuery(() => (sender === undefined ? undefined : db.senders.get(sender)), [sender]);
  const [failure, setFailure] = useState<TwinboxError | undefined>();
  const [attempt, setAttempt] = useState(0);
  const loaded = message !== undefined;
  const unread = message?.seen === 0;

  // Each opening (another try, or the message back in the cache) starts without the last one's failure: cleared as it
  // renders, not by the effect below a render later.
  const [opening, setOpening] = useState({ loaded, attempt });
  if (opening.loaded !== loaded || opening.attempt !== attempt) {
    setOpening({ loaded, attempt });
    setFailure(undefined);
  }

  useEffect(() => {
    if (!loaded) return;
    let current = true;
    engine.openMessage(messageKey).then(
      (opened) => current && setBody(opened),
      (error: unknown) => current && setFailure(asTwinboxError(error)),
    );
    return () => {
      current = false;
    };
  }, [engine, messageKey, loaded, attempt]);

  // Read when opened, once: marking it unread again while it is shown must stick.
  const markedOnOpen = useRef(false);
  useEffect(() => {
    if (!loaded || markedOnOpen.current) return;
    markedOnOpen.current = true;
    if (!unread) return;
    void engine.actions.setRead([messageKey], true);
    // Counted once per message, when first read; the writer does nothing unless the user turned this on.
    void engine.writer.learnSeen(message.from).catch(() => undefined);
  }, [engine, messageKey, loaded, unread, message]);

  if (!message) {
    return (
      <section className="reader" aria-label={t('reader.label')}>
        <p className="empty">{t('reader.gone')}</p>
      </section>
    );
  }
  return (
    <article className="reader" aria-label={t('reader.label')}>
      <DraftNotice messageKey={messageKey} />
      <MessageHeader message={message} signed={body?.attachments.some((a) => a.role === 'signature') ?? false} />
      {failure && (
        <div role="alert" className="error-bar">
          {errorText(failure)}{' '}
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            {t('common:tryAgain')}
          </button>
        </div>
      )}
      {!body && !failure && (
        <p role="status" className="loading">
          {t('reader.loading')}
        </p>
      )}
      {body && <MessageContent message={message} body={body} messageKey={messageKey} sender={sender} senderAllowed={preference?.allowRemoteContent === true} />}
    </article>
  );
}
