import { useEffect, useId, useRef, useState } from 'react';
import type { ConnectionTestResult } from '../../../shared/contract';
import { TwinboxError } from '../../../shared/errors';
import type { Account, CertificateInfo } from '../../../shared/model';
import { useApp } from '../app-context';
import { applyChange, connectionKey, draftFromAccount, newDraft, saveInput, signsInWithProvider, testInput, testPassed, validate } from './account-draft';
import type { AccountDraft, DraftChange, FieldErrors, FieldId, ServerRole } from './account-draft';
import { AccountSetup } from './AccountSetup';
import { MODE_DESCRIPTION } from './discovery-text';
import { Choice, Field, Modal, controlId } from './fields';
import { IdentitiesEditor } from './IdentitiesEditor';
import { ImapOptions, Pop3Options } from './ModeOptions';
import { SignInStatus, useProviderSignIn } from './provider-sign-in';
import { RemoveAccount } from './RemoveAccount';
import { MailboxTransferDialog } from '../mailbox-io/MailboxTransferDialog';
import { ServerFieldset } from './ServerFieldset';
import { Failure, TestResults } from './TestResults';

/** The label of a field in the list of what needs attention; an identity's fields are numbered as shown. */
function labelOf(field: FieldId): string {
  const identity = /^identity\.(\d+)\.(address|replyTo)$/.exec(field);
  if (identity) return `Identity ${Number(identity[1]) + 1} ${identity[2] === 'address' ? 'address' : 'Reply-To'}`;
  return FIELD_LABELS[field as keyof typeof FIELD_LABELS];
}

const FIELD_LABELS: Record<Exclude<FieldId, `identity.${string}`>, string> = {
  name: 'Account name',
  email: 'E-mail address',
  'incoming.host': 'Incoming server host',
  'incoming.port': 'Incoming server port',
  'incoming.username': 'Incoming server user name',
  'incoming.password': 'Incoming server password',
  'incoming.signIn': 'Incoming server sign-in',
  'outgoing.host': 'Outgoing server host',
  'outgoing.port': 'Outgoing server port',
  'outgoing.username': 'Outgoing server user name',
  'outgoing.password': 'Outgoing server password',
  'outgoing.signIn': 'Outgoing server sign-in',
  retentionDays: 'Days to keep on the server',
  pollMinutes: 'Check for new mail every',
  sizeLimitKb: 'Size limit',
  cacheLimitMegabytes: 'Offline cache size',
};

/** A test result belongs to the settings it was run with (its key). */
type TestState =
  | { kind: 'idle' }
  | { kind: 'testing'; key: string }
  | { kind: 'done'; key: string; result: ConnectionTestResult }
  | { kind: 'error'; key: string; error: TwinboxError };

function asTwinboxError(error: unknown): TwinboxError {
  return error instanceof TwinboxError ? error : new TwinboxError('INTERNAL', String(error));
}

/**
 * Adding an account (no `account`) or changing one: the form, the
 * connection test with its way through an untrusted certificate, saving, and
 * (for an existing account) removing it. A new account starts with the
 * setup's few questions and proposal (AccountSetup), which hand over to this
 * form: the one place that tests and saves.
 */
export function AccountDialog({ account, onClose }: { account?: Account; onClose: () => void }): React.JSX.Element {
  const { client, engine } = useApp();
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
  // Set as the form takes over from the setup: what to do once its fields exist (focus needs them).
  const [handover, setHandover] = useState<'add' | 'manual'>();
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

  useEffect(() => {
    if (handover === undefined) return;
    setHandover(undefined);
    if (handover === 'manual') {
      document.getElementById(controlId(formId, 'incoming.host'))?.focus();
      return;
    }
    // "Add account" on the proposal: the same test and save as the form's Save, its results (an untrusted certificate, say) in view.
    testArea.current?.focus();
    showResults.current = true;
    void save(false);
    // Runs once per handover, with the draft the setup handed over in the same update.
  }, [handover]);

  useEffect(() => {
    if (!showResults.current || (test.kind !== 'done' && test.kind !== 'error')) return;
    showResults.current = false;
    testArea.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [test]);

  if (stage === 'setup') {
    return (
      <Modal labelledBy={titleId} className="accounts-dialog" onClose={onClose}>
        <h2 id={titleId}>Add an account</h2>
        <AccountSetup
          passwordsPersist={passwordsPersist}
          onCancel={onClose}
          onManual={(next) => {
            setDraft(next);
            setStage('form');
            if (next.incoming.host === '') setHandover('manual');
          }}
          onAdd={(next) => {
            setDraft(next);
            setStage('form');
            setHandover('add');
          }}
        />
      </Modal>
    );
  }

  return (
    <Modal labelledBy={titleId} className="accounts-dialog" onClose={onClose}>
      <h2 id={titleId}>{account ? `Settings for ${account.name}` : 'Add an account'}</h2>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!busy) void save(false);
        }}
      >
        <div className="accounts-identity">
          <Field id={controlId(formId, 'displayName')} label="Your name" hint="Shown to the people you write to.">
            {(props) => (
              <input {...props} type="text" autoComplete="name" autoFocus value={draft.displayName} onChange={(event) => change({ field: 'displayName', value: event.target.value })} />
            )}
          </Field>
          <Field id={controlId(formId, 'email')} label="E-mail address" error={errors.email}>
            {(props) => (
              <input {...props} type="email" autoComplete="email" spellCheck={false} value={draft.email} onChange={(event) => change({ field: 'email', value: event.target.value })} />
            )}
          </Field>
          <Field id={controlId(formId, 'name')} label="Account name" hint={draft.nameTyped ? undefined : 'Your e-mail address, unless you name it.'} error={errors.name}>
            {(props) => <input {...props} type="text" value={draft.name} onChange={(event) => change({ field: 'name', value: event.target.value })} />}
          </Field>
        </div>

        <fieldset className="accounts-choices" aria-describedby={editing ? `${formId}-protocol-fixed` : undefined}>
          <legend>Protocol</legend>
          <Choice
            name={`${formId}-protocol`}
            label="IMAP"
            description={MODE_DESCRIPTION.imap}
            checked={draft.protocol === 'imap'}
            disabled={editing}
            onSelect={() => change({ field: 'protocol', value: 'imap' })}
          />
          <Choice
            name={`${formId}-protocol`}
            label="POP3"
            description={MODE_DESCRIPTION.pop3}
            checked={draft.protocol === 'pop3'}
            disabled={editing}
            onSelect={() => change({ field: 'protocol', value: 'pop3' })}
          />
          {editing && (
            <p id={`${formId}-protocol-fixed`} className="accounts-hint">
              The protocol of an account cannot be changed: the mail on this computer was stored for{' '}
              {draft.protocol === 'imap' ? 'IMAP, as a copy of the server' : 'POP3, as the only copy of what the server no longer keeps'}. To use the other
              protocol, add the account again.
            </p>
          )}
        </fieldset>

        <ServerFieldset role="incoming" draft={draft} errors={errors} editing={editing} formId={formId} onChange={change} />
        <ServerFieldset role="outgoing" draft={draft} errors={errors} editing={editing} formId={formId} onChange={change} />
        {signsInWithProvider(draft) && draft.signInWith && (
          <div className="accounts-signin">
            <button ref={signInAgainButton} type="button" onClick={() => void signInWithProviderAgain()} disabled={saving || test.kind === 'testing'}>
              {draft.signInWith.name === undefined ? 'Sign in again' : `Sign in again with ${draft.signInWith.name}`}
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
          <p className="accounts-warning">
            Passwords are kept only until Twinbox closes: this system offers no safe place to store them. After a restart, enter them again here.
          </p>
        )}

        {draft.protocol === 'pop3' ? (
          <Pop3Options draft={draft} errors={errors} formId={formId} onChange={(value) => change({ field: 'options', value })} />
        ) : (
          <ImapOptions draft={draft} errors={errors} formId={formId} onChange={(value) => change({ field: 'options', value })} />
        )}
        <IdentitiesEditor draft={draft} errors={errors} formId={formId} onChange={(value) => change({ field: 'identities', value })} />

        {errorList.length > 0 && (
          <div role="alert" className="accounts-summary">
            <p>Some settings need your attention:</p>
            <ul>
              {errorList.map(([field, text]) => (
                <li key={field}>
                  {labelOf(field)}: {text}
                </li>
              ))}
            </ul>
          </div>
        )}

        <div ref={testArea} tabIndex={-1} aria-live="polite" className="accounts-test">
          {test.kind === 'testing' && <p role="status">Testing the connection to the servers…</p>}
          {current?.kind === 'done' && (
            <TestResults
              result={current.result}
              protocol={draft.protocol}
              trusted={{ incoming: draft.incoming.trustedCertificate, outgoing: draft.outgoing.trustedCertificate }}
              onTrust={trust}
            />
          )}
          {current?.kind === 'error' && <Failure error={current.error.toWire()} />}
          {failed && (
            <p>You can still keep these settings with “Save anyway” (when the server is only down for now, say); until the problem is fixed, the account shows this error.</p>
          )}
        </div>
        {saveError && (
          <p role="alert" className="accounts-error">
            {saveError.userText}
          </p>
        )}

        <div className="dialog-buttons accounts-buttons">
          {account && (
            <button ref={removeButton} type="button" className="accounts-danger accounts-remove" onClick={() => setRemoving(true)} disabled={busy}>
              Remove account…
            </button>
          )}
          {account && (
            <button type="button" aria-haspopup="dialog" onClick={() => setTransferring(true)} disabled={busy}>
              Export or import mail…
            </button>
          )}
          <button type="button" onClick={() => void runTest(draft)} disabled={busy}>
            Test connection
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {failed && (
            <button type="button" onClick={() => void save(true)} disabled={busy}>
              Save anyway
            </button>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {saving ? 'Saving…' : 'Save'}
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
