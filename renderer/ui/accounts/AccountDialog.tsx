import { useEffect, useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { ConnectionTestResult } from '../../../shared/contract';
import type { TwinboxError } from '../../../shared/errors';
import { asTwinboxError } from '../../../shared/errors';
import type { Account, CertificateInfo } from '../../../shared/model';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { applyChange, connectionKey, draftFromAccount, newDraft, saveInput, signsInWithProvider, testInput, testPassed, validate } from './account-draft';
import type { AccountDraft, DraftChange, FieldErrors, FieldId, ServerRole } from './account-draft';
import { AccountSetup } from './AccountSetup';
import { modeDescription } from './discovery-text';
import { Choice, Field, Modal, controlId } from './fields';
import { IdentitiesEditor } from './IdentitiesEditor';
import { ImapOptions, Pop3Options } from './ModeOptions';
import { SignInStatus, useProviderSignIn } from './provider-sign-in';
import { RemoveAccount } from './RemoveAccount';
import { MailboxTransferDialog } from '../mailbox-io/MailboxTransferDialog';
import { ServerFieldset } from './ServerFieldset';
import { Failure, TestResults } from './TestResults';

/** A test result belongs to the settings it was run with (its key). */
type TestState =
  | { kind: 'idle' }
  | { kind: 'testing'; key: string }
  | { kind: 'done'; key: string; result: ConnectionTestResult }
  | { kind: 'error'; key: string; error: TwinboxError };


/**
 * Adding an account (no `account`) or changing one: the form, the
 * connection test with its way through an untrusted certificate, saving, and
 * (for an existing account) removing it. A new account starts with the
 * setup's few questions and proposal (AccountSetup), which hand over to this
 * form: the one place that tests and saves.
 */
export function AccountDialog({ account, onClose }: { account?: Account; onClose: () => void }): React.JSX.Element {
  const { client, engine } = useApp();
  const { t } = useTranslation(['accounts', 'common']);
  const formId = useId();
  const titleId = useId();
  const editing = account !== undefined;
  const [draft, setDraft] = useState<AccountDraft>(() => (account ? draftFromAccount(account) : newDraft()));
  // Settings as saved: saving them unchanged (a rename, say) needs no new test.
  const [savedKey] = useState(() => (account ? connectionKey(draftFromAccount(account)) : undefined));
  const [checking, setChecking] = useState<'test' | 'save' | undefined>();
  const [test, setTest] = useState<TestState>({ kind: 'idle' });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<TwinboxError>();
  const [removing, setRemoving] = useState(false);
  const [transferring, setTransferring] = useState(false);
  const removeButton = useRef<HTMLButtonElement>(null);
  const [passwordsPersist, setPasswordsPersist] = useState(true);
  const [stage, setStage] = useState<'setup' | 'form'>(editing ? 'form' : 'setup');
  const testArea = useRef<HTMLDivElement>(null);
  // After "Add account" the form opens at its top while the results grow at its bottom: bring them into view once.
  const showResults = useRef(false);
  const signInAgain = useProviderSignIn();
  const signInAgainButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let current = true;
    client.call('app.getInfo', {}).then(
      (info) => current && setPasswordsPersist(info.passwordsPersist),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client]);

  // Shown once the user tried to test or save, and kept up to date as fields are fixed.
  const errors: FieldErrors = checking ? validate(draft, checking) : {};
  const errorList = Object.entries(errors) as [FieldId, string][];
  const key = connectionKey(draft);
  const current = test.kind !== 'idle' && test.key === key ? test : undefined;
  const failed = current?.kind === 'error' || (current?.kind === 'done' && !testPassed(current.result));
  const busy = saving || test.kind === 'testing' || signInAgain.state.kind === 'waiting';

  /** The label of a field in the list of what needs attention; an identity's fields are numbered as shown. */
  function labelOf(field: FieldId): string {
    const identity = /^identity\.(\d+)\.(address|replyTo)$/.exec(field);
    if (identity) {
      const number = Number(identity[1]) + 1;
      return identity[2] === 'address' ? t('fieldLabel.identityAddress', { number }) : t('fieldLabel.identityReplyTo', { number });
    }
    // Every other field's id is its label's key ("incoming.host" is fieldLabel.incoming.host).
    return t(`fieldLabel.${field as Exclude<FieldId, `identity.${string}`>}`);
  }

  function change(next: DraftChange): void {
    setDraft((previous) => applyChange(previous, next));
    setSaveError(undefined);
  }

  function stopIfInvalid(candidate: AccountDraft, purpose: 'test' | 'save'): boolean {
    const problems = Object.keys(validate(candidate, purpose));
    if (problems.length === 0) return false;
    setChecking(purpose);
    const first = problems[0];
    if (first !== undefined) document.getElementById(controlId(formId, first))?.focus();
    return true;
  }

  async function runTest(candidate: AccountDraft): Promise<boolean> {
    if (stopIfInvalid(candidate, 'test')) return false;
    const testedKey = connectionKey(candidate);
    setTest({ kind: 'testing', key: testedKey });
    try {
      const result = await client.call('accounts.test', testInput(candidate));
      setTest({ kind: 'done', key: testedKey, result });
      return testPassed(result);
    } catch (error) {
      setTest({ kind: 'error', key: testedKey, error: asTwinboxError(error) });
      return false;
    }
  }

  /**
   * A server changed after the sign-in, the sign-in made in this dialog
   * expired (main keeps one for 15 minutes), or the provider ended the saved
   * account's: the new one goes to the test and the save.
   */
  async function signInWithProviderAgain(): Promise<void> {
    const provider = draft.signInWith;
    if (!provider) return;
    const signInId = await signInAgain.start(draft.email, provider);
    if (signInId === undefined) return;
    setDraft((previous) => ({ ...previous, signInId }));
    setSaveError(undefined);
  }

  /** Only this, the user's explicit action, puts a certificate in the settings. */
  function trust(role: ServerRole, certificate: CertificateInfo): void {
    const next = applyChange(draft, { field: 'trust', server: role, value: { fingerprint256: certificate.fingerprint256, pem: certificate.pem } });
    setDraft(next);
    void runTest(next);
  }

  async function save(anyway: boolean, candidate: AccountDraft = draft): Promise<void> {
    if (stopIfInvalid(candidate, 'save')) return;
    setSaveError(undefined);
    const candidateKey = connectionKey(candidate);
    if (!anyway && candidateKey !== savedKey) {
      const passedAlready = test.kind === 'done' && test.key === candidateKey && testPassed(test.result);
      if (!passedAlready && !(await runTest(candidate))) return;
    }
    setSaving(true);
    try {
      await client.call('accounts.save', saveInput(candidate));
      await engine.refreshAccounts();
      onClose();
    } catch (error) {
      setSaveError(asTwinboxError(error));
      setSaving(false);
    }
  }

  /** The setup hands over to the form, put on screen at once (flushSync): what follows needs its fields (focus, say). */
  function takeOver(next: AccountDraft): void {
    flushSync(() => {
      setDraft(next);
      setStage('form');
    });
  }

  useEffect(() => {
    if (!showResults.current || (test.kind !== 'done' && test.kind !== 'error')) return;
    showResults.current = false;
    testArea.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [test]);

  if (stage === 'setup') {
    return (
      <Modal labelledBy={titleId} className="accounts-dialog" onClose={onClose}>
        <h2 id={titleId}>{t('setup.title')}</h2>
        <AccountSetup
          passwordsPersist={passwordsPersist}
          onCancel={onClose}
          onManual={(next) => {
            takeOver(next);
            if (next.incoming.host === '') document.getElementById(controlId(formId, 'incoming.host'))?.focus();
          }}
          onAdd={(next) => {
            takeOver(next);
            // "Add account" on the proposal: the same test and save as the form's Save, its results (an untrusted certificate, say) in view.
            testArea.current?.focus();
            showResults.current = true;
            void save(false, next);
          }}
        />
      </Modal>
    );
  }

  return (
    <Modal labelledBy={titleId} className="accounts-dialog" onClose={onClose}>
      <h2 id={titleId}>{account ? t('menu.settingsFor', { name: account.name }) : t('setup.title')}</h2>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!busy) void save(false);
        }}
      >
        <div className="accounts-identity">
          <Field id={controlId(formId, 'displayName')} label={t('field.yourName')} hint={t('field.yourNameHint')}>
            {(props) => (
              <input {...props} type="text" autoComplete="name" autoFocus value={draft.displayName} onChange={(event) => change({ field: 'displayName', value: event.target.value })} />
            )}
          </Field>
          <Field id={controlId(formId, 'email')} label={t('field.email')} error={errors.email}>
            {(props) => (
              <input {...props} type="email" autoComplete="email" spellCheck={false} value={draft.email} onChange={(event) => change({ field: 'email', value: event.target.value })} />
            )}
          </Field>
          <Field id={controlId(formId, 'name')} label={t('field.accountName')} hint={draft.nameTyped ? undefined : t('field.accountNameHint')} error={errors.name}>
            {(props) => <input {...props} type="text" value={draft.name} onChange={(event) => change({ field: 'name', value: event.target.value })} />}
          </Field>
        </div>

        <fieldset className="accounts-choices" aria-describedby={editing ? `${formId}-protocol-fixed` : undefined}>
          <legend>{t('form.protocol')}</legend>
          <Choice
            name={`${formId}-protocol`}
            // i18n-exempt: protocol name
            label="IMAP"
            description={modeDescription('imap')}
            checked={draft.protocol === 'imap'}
            disabled={editing}
            onSelect={() => change({ field: 'protocol', value: 'imap' })}
          />
          <Choice
            name={`${formId}-protocol`}
            // i18n-exempt: protocol name
            label="POP3"
            description={modeDescription('pop3')}
            checked={draft.protocol === 'pop3'}
            disabled={editing}
            onSelect={() => change({ field: 'protocol', value: 'pop3' })}
          />
          {editing && (
            <p id={`${formId}-protocol-fixed`} className="accounts-hint">
              {t(`form.protocolFixed.${draft.protocol}`)}
            </p>
          )}
        </fieldset>

        <ServerFieldset role="incoming" draft={draft} errors={errors} editing={editing} formId={formId} onChange={change} />
        <ServerFieldset role="outgoing" draft={draft} errors={errors} editing={editing} formId={formId} onChange={change} />
        {signsInWithProvider(draft) && draft.signInWith && (
          <div className="accounts-signin">
            <button ref={signInAgainButton} type="button" onClick={() => void signInWithProviderAgain()} disabled={saving || test.kind === 'testing'}>
              {draft.signInWith.name === undefined ? t('form.signInAgain') : t('form.signInAgainWith', { name: draft.signInWith.name })}
            </button>
            <SignInStatus
              state={signInAgain.state}
              onCancel={() => {
                signInAgain.cancel();
                signInAgainButton.current?.focus();
              }}
            />
          </div>
        )}
        {!passwordsPersist && (
          <p className="accounts-warning">{t('form.passwordsNotKept')}</p>
        )}

        {draft.protocol === 'pop3' ? (
          <Pop3Options draft={draft} errors={errors} formId={formId} onChange={(value) => change({ field: 'options', value })} />
        ) : (
          <ImapOptions draft={draft} errors={errors} formId={formId} onChange={(value) => change({ field: 'options', value })} />
        )}
        <IdentitiesEditor draft={draft} errors={errors} formId={formId} onChange={(value) => change({ field: 'identities', value })} />

        {errorList.length > 0 && (
          <div role="alert" className="accounts-summary">
            <p>{t('form.attention')}</p>
            <ul>
              {errorList.map(([field, text]) => (
                <li key={field}>{t('form.problem', { field: labelOf(field), problem: text })}</li>
              ))}
            </ul>
          </div>
        )}

        <div ref={testArea} tabIndex={-1} aria-live="polite" className="accounts-test">
          {test.kind === 'testing' && <p role="status">{t('form.testing')}</p>}
          {current?.kind === 'done' && (
            <TestResults
              result={current.result}
              protocol={draft.protocol}
              trusted={{ incoming: draft.incoming.trustedCertificate, outgoing: draft.outgoing.trustedCertificate }}
              onTrust={trust}
            />
          )}
          {current?.kind === 'error' && <Failure error={current.error.toWire()} />}
          {failed && <p>{t('form.saveAnywayAdvice')}</p>}
        </div>
        {saveError && (
          <p role="alert" className="accounts-error">
            {errorText(saveError)}
          </p>
        )}

        <div className="dialog-buttons accounts-buttons">
          {account && (
            <button ref={removeButton} type="button" className="accounts-danger accounts-remove" onClick={() => setRemoving(true)} disabled={busy}>
              {t('form.remove')}
            </button>
          )}
          {account && (
            <button type="button" aria-haspopup="dialog" onClick={() => setTransferring(true)} disabled={busy}>
              {t('form.transfer')}
            </button>
          )}
          <button type="button" onClick={() => void runTest(draft)} disabled={busy}>
            {t('form.test')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common:cancel')}
          </button>
          {failed && (
            <button type="button" onClick={() => void save(true)} disabled={busy}>
              {t('form.saveAnyway')}
            </button>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {saving ? t('form.saving') : t('common:save')}
          </button>
        </div>
      </form>
      {account && transferring && <MailboxTransferDialog account={account} onClose={() => setTransferring(false)} />}
      {account && removing && (
        <RemoveAccount
          account={account}
          onCancel={() => {
            setRemoving(false);
            removeButton.current?.focus();
          }}
          onRemoved={onClose}
        />
      )}
    </Modal>
  );
}
