import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Discovery, DiscoveryStep } from '../../../shared/discovery';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import type { Protocol } from '../../../shared/model';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { draftFromDiscovery, draftFromIdentity, draftSignedIn } from './account-draft';
import type { AccountDraft, SetupIdentity } from './account-draft';
import {
  domainOf,
  lookingText,
  looksLikeAddress,
  modeDescription,
  notFoundText,
  offersPassword,
  offersSignIn,
  providerLabel,
  serverLine,
  signInKind,
  signInText,
  signInWithText,
  sourceText,
  stepText,
  warningTexts,
} from './discovery-text';
import { Choice, Field, controlId } from './fields';
import { SignInStatus, useProviderSignIn } from './provider-sign-in';

type Phase =
  | { kind: 'typing' }
  | { kind: 'looking'; email: string }
  | { kind: 'found'; email: string; discovery: Discovery; steps: DiscoveryStep[] }
  | { kind: 'not-found'; email: string; steps: DiscoveryStep[] }
  | { kind: 'failed'; email: string; error: TwinboxError };

/**
 * A new account's first screens: name, address and password; the search for
 * the servers; and what was found, in words, for the user to add, change or
 * set aside. Everything ends in the full form (AccountDialog), which alone
 * tests and saves: `onAdd` with the test to start at once, `onManual` to edit.
 */
export function AccountSetup({
  passwordsPersist,
  onAdd,
  onManual,
  onCancel,
}: {
  passwordsPersist: boolean;
  onAdd: (draft: AccountDraft) => void;
  onManual: (draft: AccountDraft) => void;
  onCancel: () => void;
}): React.JSX.Element {
  const { client } = useApp();
  const { t } = useTranslation(['accounts', 'common']);
  const formId = useId();
  const [identity, setIdentity] = useState<SetupIdentity>({ displayName: '', email: '', password: '' });
  const [phase, setPhase] = useState<Phase>({ kind: 'typing' });
  // Whether to say the address is not one: the sentence itself is made as it is shown, in the language of that moment.
  const [addressError, setAddressError] = useState(false);
  // Only the latest search may answer: an address changed meanwhile makes an older answer meaningless.
  const search = useRef(0);
  const manualButton = useRef<HTMLButtonElement>(null);
  // Where focus goes once the screen shows what was set with it: a new object for every request, so asking again moves it again.
  const [focusAfter, setFocusAfter] = useState<{ on: 'email' | 'manual' }>();

  useEffect(() => {
    return () => {
      search.current += 1;
    };
  }, []);

  useEffect(() => {
    if (focusAfter === undefined) return;
    if (focusAfter.on === 'email') document.getElementById(controlId(formId, 'setup-email'))?.focus();
    else manualButton.current?.focus();
  }, [focusAfter, formId]);

  function edit(next: Partial<SetupIdentity>): void {
    setIdentity((previous) => ({ ...previous, ...next }));
    if (next.email !== undefined) {
      search.current += 1;
      setAddressError(false);
      setPhase({ kind: 'typing' });
    }
  }

  async function lookUp(): Promise<void> {
    const email = identity.email.trim();
    if (!looksLikeAddress(email)) {
      setAddressError(true);
      document.getElementById(controlId(formId, 'setup-email'))?.focus();
      return;
    }
    const mine = ++search.current;
    setPhase({ kind: 'looking', email });
    try {
      const result = await client.call('accounts.discover', { email });
      if (mine !== search.current) return;
      if (result.found) {
        setPhase({ kind: 'found', email, discovery: result.discovery, steps: result.steps });
      } else {
        setPhase({ kind: 'not-found', email, steps: result.steps });
        setFocusAfter({ on: 'manual' });
      }
    } catch (error) {
      if (mine !== search.current) return;
      setPhase({ kind: 'failed', email, error: asTwinboxError(error) });
      setFocusAfter({ on: 'manual' });
    }
  }

  function manual(): void {
    search.current += 1;
    onManual(draftFromIdentity(identity));
  }

  if (phase.kind === 'found') {
    return (
      <Proposal
        identity={identity}
        discovery={phase.discovery}
        steps={phase.steps}
        onAdd={onAdd}
        onChange={onManual}
        onManual={manual}
        onBack={() => {
          setPhase({ kind: 'typing' });
          setFocusAfter({ on: 'email' });
        }}
      />
    );
  }

  const looking = phase.kind === 'looking';
  return (
    <form
      noValidate
      className="accounts-setup"
      onSubmit={(event) => {
        event.preventDefault();
        if (!looking) void lookUp();
      }}
    >
      <p className="accounts-intro">{t('setup.intro')}</p>
      <Field id={controlId(formId, 'setup-displayName')} label={t('field.yourName')} hint={t('field.yourNameHint')}>
        {(props) => (
          <input {...props} type="text" autoComplete="name" autoFocus value={identity.displayName} onChange={(event) => edit({ displayName: event.target.value })} />
        )}
      </Field>
      <Field id={controlId(formId, 'setup-email')} label={t('field.email')} error={addressError ? t('validation.email') : undefined}>
        {(props) => (
          <input {...props} type="email" autoComplete="email" spellCheck={false} value={identity.email} onChange={(event) => edit({ email: event.target.value })} />
        )}
      </Field>
      <Field
        id={controlId(formId, 'setup-password')}
        label={t('field.password')}
        hint={passwordsPersist ? t('setup.passwordHint') : t('setup.passwordHintNotKept')}
      >
        {(props) => <input {...props} type="password" autoComplete="off" value={identity.password} onChange={(event) => edit({ password: event.target.value })} />}
      </Field>

      <div aria-live="polite" className="accounts-setup-status">
        {looking && <p role="status">{lookingText(phase.email)}</p>}
        {phase.kind === 'not-found' && (
          <p role="status">
            <strong>{notFoundText(phase.email)}</strong> {t('setup.notFoundAdvice')}
          </p>
        )}
      </div>
      {phase.kind === 'failed' && (
        <p role="alert" className="accounts-error">
          {errorText(phase.error)}
        </p>
      )}
      {phase.kind === 'not-found' && <StepsTried steps={phase.steps} />}

      <div className="dialog-buttons accounts-buttons">
        <button ref={manualButton} type="button" className="accounts-aside" onClick={manual}>
          {t('setup.manual')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common:cancel')}
        </button>
        <button type="submit" className="primary" disabled={looking}>
          {t('setup.continue')}
        </button>
      </div>
    </form>
  );
}

/** What Twinbox asked, and what each answered: for the curious, and for a provider's support. */
function StepsTried({ steps, title }: { steps: DiscoveryStep[]; title?: string }): React.JSX.Element | null {
  const { t } = useTranslation('accounts');
  if (steps.length === 0) return null;
  return (
    <details className="accounts-steps">
      <summary>{title ?? t('setup.stepsTried')}</summary>
      <ul>
        {steps.map((step, index) => (
          // Steps can repeat a kind and a target (one SRV name per service, say): their order is their identity.
          <li key={index}>{stepText(step)}</li>
        ))}
      </ul>
    </details>
  );
}

function Proposal({
  identity,
  discovery,
  steps,
  onAdd,
  onChange,
  onManual,
  onBack,
}: {
  identity: SetupIdentity;
  discovery: Discovery;
  steps: DiscoveryStep[];
  onAdd: (draft: AccountDraft) => void;
  onChange: (draft: AccountDraft) => void;
  onManual: () => void;
  onBack: () => void;
}): React.JSX.Element {
  const { t } = useTranslation('accounts');
  const formId = useId();
  const headingId = `${formId}-found`;
  const [mode, setMode] = useState<Protocol>(discovery.imap ? 'imap' : 'pop3');
  const [confirmed, setConfirmed] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const signInButton = useRef<HTMLButtonElement>(null);
  const confirmBox = useRef<HTMLInputElement>(null);
  const manualButton = useRef<HTMLButtonElement>(null);
  const signInFlow = useProviderSignIn();
  const incoming = mode === 'imap' ? discovery.imap : discovery.pop3;
  const signIn = incoming ? signInKind(incoming, discovery.signInWith) : 'password';
  const provider = providerLabel(discovery, identity.email);
  const signInWith = offersSignIn(signIn) ? discovery.signInWith : undefined;
  const signInNote = signInText(signIn, provider, discovery.signInWith?.name, identity.password !== '', discovery.signInWith?.missing);
  // An answer anyone on the way could have written is used only once the user says so.
  const allowed = !discovery.insecureSource || confirmed;
  const waiting = signInFlow.state.kind === 'waiting';
  const canAdd = allowed && offersPassword(signIn) && !waiting;
  const canSignIn = allowed && signInWith !== undefined && !waiting;
  // Neither way works here: only the servers are worth keeping, for an app password typed in the full form.
  const noWay = !offersPassword(signIn) && signInWith === undefined;
  const warnings = warningTexts(discovery, identity.email);
  const draft = (): AccountDraft => draftFromDiscovery(discovery, mode, identity);

  // The first thing to do on this screen has focus; the form's name (the sentence saying where the servers came from) is read with it.
  // Chosen on arrival only: later changes (the mode, the confirmation) leave focus where the user put it.
  const [firstFocus] = useState<'manual' | 'confirm' | 'action'>(() => (noWay ? 'manual' : discovery.insecureSource ? 'confirm' : 'action'));
  useEffect(() => {
    (firstFocus === 'manual' ? manualButton.current : firstFocus === 'confirm' ? confirmBox.current : (signInButton.current ?? addButton.current))?.focus();
  }, [firstFocus]);

  async function signInThenAdd(): Promise<void> {
    if (!signInWith) return;
    const chosen = mode;
    const signInId = await signInFlow.start(identity.email, signInWith);
    if (signInId === undefined) return;
    onAdd(draftSignedIn(discovery, chosen, identity, { issuer: signInWith.issuer, name: signInWith.name }, signInId));
  }

  function cancelSignIn(): void {
    signInFlow.cancel();
    signInButton.current?.focus();
  }

  return (
    <form
      noValidate
      className="accounts-setup"
      aria-labelledby={headingId}
      onSubmit={(event) => {
        event.preventDefault();
        if (canSignIn) void signInThenAdd();
        else if (canAdd && signInWith === undefined) onAdd(draft());
      }}
    >
      <h3 id={headingId} className="accounts-found">
        {sourceText(discovery, identity.email)}
      </h3>
      {warnings.map((warning) => (
        <p key={warning.kind} id={`${formId}-${warning.kind}`} className="accounts-warning">
          {warning.text}
        </p>
      ))}

      {discovery.imap && discovery.pop3 && (
        <fieldset className="accounts-choices" disabled={waiting}>
          <legend>{t('setup.howToKeep')}</legend>
          {/* i18n-exempt: protocol names */}
          <Choice name={`${formId}-mode`} label="IMAP" description={modeDescription('imap')} checked={mode === 'imap'} onSelect={() => setMode('imap')} />
          {/* i18n-exempt: protocol names */}
          <Choice name={`${formId}-mode`} label="POP3" description={modeDescription('pop3')} checked={mode === 'pop3'} onSelect={() => setMode('pop3')} />
        </fieldset>
      )}

      <ul className="accounts-servers" aria-label={t('setup.servers')}>
        {incoming && <li>{serverLine(incoming, identity.email)}</li>}
        {discovery.smtp ? (
          <li>{serverLine(discovery.smtp, identity.email)}</li>
        ) : (
          <li>{t('setup.noOutgoing')}</li>
        )}
      </ul>
      {discovery.insecureSource && (
        <div className="accounts-check">
          <input
            ref={confirmBox}
            type="checkbox"
            id={`${formId}-confirm`}
            checked={confirmed}
            aria-describedby={`${formId}-insecure ${formId}-confirm-hint`}
            onChange={(event) => setConfirmed(event.target.checked)}
          />
          <label htmlFor={`${formId}-confirm`}>{t('setup.useAnyway')}</label>
          <p id={`${formId}-confirm-hint`} className="accounts-hint">
            {t('setup.useAnywayHint')}
          </p>
        </div>
      )}
      {signIn === 'provider-or-password' && signInWith && <p className="accounts-hint">{signInWithText(signInWith.name)}</p>}
      {signInNote !== undefined && <p className={noWay ? 'accounts-warning' : 'accounts-hint'}>{signInNote}</p>}
      <SignInStatus state={signInFlow.state} onCancel={cancelSignIn} />
      <StepsTried steps={steps} title={t('setup.stepsTriedFor', { domain: domainOf(identity.email) })} />

      <div className="dialog-buttons accounts-buttons">
        <button type="button" className="accounts-aside" onClick={onBack}>
          {t('setup.back')}
        </button>
        {/* Unconfirmed settings stay out of the form; a provider's own, with only its sign-in in the way, are worth keeping for an app password. */}
        {discovery.insecureSource ? (
          <button ref={manualButton} type="button" onClick={onManual}>
            {t('setup.manual')}
          </button>
        ) : noWay ? (
          <button ref={manualButton} type="button" onClick={() => onChange(draft())}>
            {t('setup.manual')}
          </button>
        ) : null}
        {(offersPassword(signIn) || discovery.insecureSource) && (
          <button type="button" disabled={!allowed || waiting} onClick={() => onChange(draft())}>
            {t('setup.change')}
          </button>
        )}
        {offersPassword(signIn) &&
          (signInWith ? (
            // The sign-in is the way the provider prefers; a password stays possible, one step aside (in the form, if none was typed yet).
            <button ref={addButton} type="button" disabled={!canAdd} onClick={() => (identity.password === '' ? onChange(draft()) : onAdd(draft()))}>
              {t('setup.usePassword')}
            </button>
          ) : (
            <button ref={addButton} type="submit" className="primary" disabled={!canAdd}>
              {t('setup.add')}
            </button>
          ))}
        {signInWith && (
          // Not disabled while waiting: it has focus then, which a disabled button would drop.
          <button ref={signInButton} type="submit" className="primary" disabled={!allowed}>
            {t('setup.signInWith', { name: signInWith.name })}
          </button>
        )}
      </div>
    </form>
  );
}
