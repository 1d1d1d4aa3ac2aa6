import { ERROR_TEXT } from '../../../shared/errors';
import type { RemoteState } from './use-mail-content';

function pictures(count: number): string {
  return count === 1 ? '1 remote image' : `${count} remote images`;
}

/**
 * What became of the message's remote pictures, and the two ways to see
 * them: for this message only, or always for this sender (stored, and
 * undone with the same button).
 */
export function RemoteContentBar(props: {
  blocked: number;
  state: RemoteState;
  sender: string | undefined;
  senderAllowed: boolean;
  onLoad: () => void;
  onAlways: (allow: boolean) => void;
}): React.JSX.Element {
  const { blocked, state, sender, senderAllowed } = props;
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
      {sender !== undefined && (
        <button type="button" aria-pressed={senderAllowed} onClick={() => props.onAlways(!senderAllowed)}>
          Always load images from {sender}
        </button>
      )}
    </section>
  );
}
