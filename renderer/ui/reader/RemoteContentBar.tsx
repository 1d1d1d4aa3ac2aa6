import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n';
import type { RemoteState } from './use-mail-content';

/**
 * What became of the message's remote pictures, and the two ways to see
 * them: for this message only, or always for this sender (stored, and
 * undone with the same button). "Always" is offered only on a message whose
 * sender is verified (its receiving server vouched for the From address);
 * any other message says "Sender not verified" instead, and only asks.
 */
export function RemoteContentBar(props: {
  blocked: number;
  state: RemoteState;
  sender: string | undefined;
  senderAllowed: boolean;
  senderVerified: boolean;
  onLoad: () => void;
  onAlways: (allow: boolean) => void;
}): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const { blocked, state, sender, senderAllowed, senderVerified } = props;
  return (
    <section className="remote-bar" aria-label={t('remote.label')}>
      {state.kind === 'blocked' && (
        <>
          <p>{t('remote.blocked', { count: blocked })}</p>
          <button type="button" onClick={props.onLoad}>
            {t('remote.load')}
          </button>
        </>
      )}
      {state.kind === 'loading' && <p role="status">{t('remote.loading')}</p>}
      {state.kind === 'loaded' && <p role="status">{state.failed === 0 ? t('remote.shown') : t('remote.failed', { count: state.failed })}</p>}
      {state.kind === 'failed' && (
        <p role="alert">
          {errorText(state.error)}{' '}
          <button type="button" onClick={props.onLoad}>
            {t('common:tryAgain')}
          </button>
        </p>
      )}
      {sender !== undefined && senderVerified && (
        <button type="button" aria-pressed={senderAllowed} onClick={() => props.onAlways(!senderAllowed)}>
          {t('remote.always', { sender })}
        </button>
      )}
      {/*
       * Not offered on an unverified message: the address is only the word of whoever wrote the message, and a
       * forged message is just where someone would ask for that click. The choice would not apply to this message
       * (nor to any other unverified one), so the button would promise what it cannot do; the user gives it on a
       * message that shows it comes from the sender, and takes it back there.
       */}
      {sender !== undefined && !senderVerified && (
        <p className="sender-unverified">{senderAllowed ? t('remote.unverifiedAllowed', { sender }) : t('remote.unverified', { sender })}</p>
      )}
    </section>
  );
}
