import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import type { ProviderSignIn } from './account-draft';
import { waitingText } from './discovery-text';

/** `provider`: the provider's name, when it is known. */
export type SignInState = { kind: 'idle' } | { kind: 'waiting'; provider: string | undefined } | { kind: 'failed'; error: TwinboxError };

/**
 * A sign-in on the provider's page (`accounts.signIn`), which main opens in
 * the browser and waits for (up to 5 minutes, then it gives up by itself).
 * Cancelling only stops waiting here: main has no way to call the browser
 * back, and a late answer is simply ignored.
 */
export function useProviderSignIn(): { state: SignInState; start: (email: string, provider: ProviderSignIn) => Promise<string | undefined>; cancel: () => void } {
  const { client } = useApp();
  const [state, setState] = useState<SignInState>({ kind: 'idle' });
  // Only the latest attempt may answer, and none once the screen is gone.
  const attempt = useRef(0);

  useEffect(() => {
    return () => {
      attempt.current += 1;
    };
  }, []);

  async function start(email: string, provider: ProviderSignIn): Promise<string | undefined> {
    const mine = ++attempt.current;
    setState({ kind: 'waiting', provider: provider.name });
    try {
      const { signInId } = await client.call('accounts.signIn', { email: email.trim(), issuer: provider.issuer });
      if (mine !== attempt.current) return undefined;
      setState({ kind: 'idle' });
      return signInId;
    } catch (error) {
      if (mine !== attempt.current) return undefined;
      setState({ kind: 'failed', error: asTwinboxError(error) });
      return undefined;
    }
  }

  function cancel(): void {
    attempt.current += 1;
    setState({ kind: 'idle' });
  }

  return { state, start, cancel };
}

/** The wait in words, with a way out, or why the sign-in did not happen. */
export function SignInStatus({ state, onCancel }: { state: SignInState; onCancel: () => void }): React.JSX.Element {
  const { t } = useTranslation('accounts');
  return (
    <>
      <div aria-live="polite" className="accounts-signin-status">
        {state.kind === 'waiting' && (
          <>
            <p role="status">{waitingText(state.provider)}</p>
            <button type="button" onClick={onCancel}>
              {t('discovery.signIn.cancel')}
            </button>
          </>
        )}
      </div>
      {state.kind === 'failed' && (
        <p role="alert" className="accounts-error">
          {errorText(state.error)}
        </p>
      )}
    </>
  );
}
