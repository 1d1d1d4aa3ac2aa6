import { Code } from 'lucide-react';
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import type { MessageKey } from '../../db/rows';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { Icon } from '../icon';
import { sourceText } from './bytes';

type SourceState = { kind: 'closed' } | { kind: 'loading' } | { kind: 'shown'; text: string; truncatedFrom: number | undefined } | { kind: 'failed'; error: TwinboxError };

// Beyond this the dialog shows the start only: a DOM text of tens of megabytes would stall the page.
const MAX_SHOWN_BYTES = 5 * 1024 * 1024;

/**
 * "View source": the message exactly as it arrived, as text, from this
 * computer's message store (or the server, for an IMAP message not stored).
 */
export function SourceDialog({ messageKey }: { messageKey: MessageKey }): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const { client } = useApp();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [state, setState] = useState<SourceState>({ kind: 'closed' });

  async function open(): Promise<void> {
    dialog.current?.showModal();
    setState({ kind: 'loading' });
    try {
      const [accountId, folder, serverId] = messageKey;
      const raw = await client.call('mail.source', { accountId, folder, serverId });
      const shown = raw.byteLength > MAX_SHOWN_BYTES ? raw.subarray(0, MAX_SHOWN_BYTES) : raw;
      setState({ kind: 'shown', text: sourceText(shown), truncatedFrom: shown === raw ? undefined : raw.byteLength });
    } catch (error) {
      setState({ kind: 'failed', error: asTwinboxError(error) });
    }
  }

  return (
    <>
      <button type="button" onClick={() => void open()}>
        <Icon icon={Code} />
        {t('source.button')}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="dialog source-dialog" onClose={() => setState({ kind: 'closed' })}>
        <h2 id={titleId}>{t('source.title')}</h2>
        {state.kind === 'loading' && (
          <p role="status" className="loading">
            {t('source.loading')}
          </p>
        )}
        {state.kind === 'failed' && (
          <p role="alert" className="error-bar">
            {errorText(state.error)}
          </p>
        )}
        {state.kind === 'shown' && (
          <>
            {state.truncatedFrom !== undefined && <p className="loading">{t('source.truncated', { size: Math.round(state.truncatedFrom / (1024 * 1024)) })}</p>}
            {/* Focusable so that the keyboard can scroll it. */}
            <pre className="message-source" tabIndex={0} aria-label={t('source.text')}>
              {state.text}
            </pre>
          </>
        )}
        <form method="dialog" className="dialog-buttons">
          <button type="submit">{t('common:close')}</button>
        </form>
      </dialog>
    </>
  );
}
