import { ERROR_TEXT } from '../../../shared/errors';
import type { RemoteState } from './use-mail-content';

function pictures(count: number): string {
  return count === 1 ? '1 remote image' : `${count} remote images`;
}

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
  const { blocked, state, sender, senderAllowed, senderVerified } = props;
  return (
    <section className="remote-bar" aria-label="Remote images">
      {state.kind === 'blocked' && (
        <>
          <p>{pictures(blocked)} {blocked === 1 ? 'was' : 'were'} blocked, so the sender cannot see that you opened this message.</p>
          <button type="button" onClick={props.onLoad}>
            Load images
          </button>
        </>
      )}
      {state.kind === 'loading' && <p role="status">Loading remote images…</p>}
      {state.kind === 'loaded' && (
        <p role="status">{state.failed === 0 ? 'Remote images are shown.' : `${pictures(state.failed)} could not be loaded.`}</p>
      )}
      {state.kind === 'failed' && (
        <p role="alert">
          {ERROR_TEXT[state.error.code]}{' '}
          <button type="button" onClick={props.onLoad}>
            Try again
          </button>
        </p>
      )}
      {sender !== undefined && senderVerified && (
        <button type="button" aria-pressed={senderAllowed} onClick={() => props.onAlways(!senderAllowed)}>
          Always load images from {sender}
        </button>
      )}
      {/*
       * Not offered on an unverified message: the address is only the word of whoever wrote the message, and a
       * forged message is just where someone would ask for that click. The choice would not apply to this message
       * (nor to any other unverified one), so the button would promise what it cannot do; the user gives it on a
       * message that shows it comes from the sender, and takes it back there.
       */}
      {sender !== undefined && !senderVerified && (
        <p className="sender-unverified">
          Sender not verified: nothing shows that this message really comes from {sender}, so its images are loaded only when you ask
          {senderAllowed ? `, although you chose to always load images from ${sender}` : ''}.
        </p>
      )}
    </section>
  );
}
