import type { Security } from '../../../shared/model';
import { defaultPort, needsNewPassword, needsNewSignIn, portKind } from './account-draft';
import type { AccountDraft, DraftChange, FieldErrors, ServerRole } from './account-draft';
import { Field, controlId } from './fields';

const SECURITY_CHOICES: { value: Security; label: string }[] = [
  { value: 'tls', label: 'TLS' },
  { value: 'starttls', label: 'STARTTLS' },
  { value: 'plain', label: 'None' },
];

const SECURITY_HINT: Record<Security, string> = {
  tls: 'Encrypted from the first byte.',
  starttls: 'Connects, then switches to encryption before your password is sent; Twinbox refuses to go on without it.',
  plain: 'Not encrypted: your password and mail can be read by anyone on the network path. Use only on a network you control.',
};

/**
 * Host, port, security, user name and password of one server; for a server
 * that signs in on the provider's page, what it signs in with instead of a
 * password (main alone holds the tokens, so there is nothing to show or type).
 */
export function ServerFieldset({
  role,
  draft,
  errors,
  editing,
  formId,
  onChange,
}: {
  role: ServerRole;
  draft: AccountDraft;
  errors: FieldErrors;
  editing: boolean;
  formId: string;
  onChange: (change: DraftChange) => void;
}): React.JSX.Element {
  const server = draft[role];
  const kind = portKind(draft, role);
  const id = (field: string): string => controlId(formId, `${role}.${field}`);
  const passwordRequired = needsNewPassword(draft, role);
  const passwordHint = passwordRequired
    ? 'Enter the password again: the server changed, and the saved password is sent only to the server it was saved for.'
    : editing
      ? 'Leave empty to keep the current password.'
      : role === 'outgoing'
        ? 'Leave empty to use the incoming server’s password.'
        : undefined;
  return (
    <fieldset className="accounts-server">
      <legend>{role === 'incoming' ? 'Incoming server' : 'Outgoing server (SMTP)'}</legend>
      <Field id={id('host')} label="Host" error={errors[`${role}.host`]}>
        {(props) => (
          <input
            {...props}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={server.host}
            onChange={(event) => onChange({ field: 'host', server: role, value: event.target.value })}
          />
        )}
      </Field>
      <Field id={id('security')} label="Security" hint={SECURITY_HINT[server.security]}>
        {(props) => (
          <select {...props} value={server.security} onChange={(event) => onChange({ field: 'security', server: role, value: event.target.value as Security })}>
            {SECURITY_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        id={id('port')}
        label="Port"
        hint={server.portTyped ? undefined : `The usual port for ${kind.toUpperCase()} with this security; it changes with it until you type one.`}
        error={errors[`${role}.port`]}
      >
        {(props) => (
          <input
            {...props}
            type="number"
            min={1}
            max={65535}
            className="accounts-number"
            value={server.port}
            placeholder={String(defaultPort(kind, server.security))}
            onChange={(event) => onChange({ field: 'port', server: role, value: event.target.value })}
          />
        )}
      </Field>
      <Field
        id={id('username')}
        label="User name"
        hint={server.usernameTyped ? undefined : role === 'incoming' ? 'Usually your e-mail address.' : 'The incoming server’s, unless you change it.'}
        error={errors[`${role}.username`]}
      >
        {(props) => (
          <input
            {...props}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={server.username}
            onChange={(event) => onChange({ field: 'username', server: role, value: event.target.value })}
          />
        )}
      </Field>
      {server.signIn === 'oauth2' ? (
        <ProviderSignInField id={id('signIn')} draft={draft} role={role} error={errors[`${role}.signIn`]} />
      ) : (
        <Field id={id('password')} label="Password" hint={passwordHint} error={errors[`${role}.password`]}>
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="off"
              required={passwordRequired}
              value={server.password}
              onChange={(event) => onChange({ field: 'password', server: role, value: event.target.value })}
            />
          )}
        </Field>
      )}
      {server.trustedCertificate && (
        <div className="accounts-trusted">
          <p>
            You trusted this server’s certificate with the SHA-256 fingerprint <code className="accounts-fingerprint">{server.trustedCertificate.fingerprint256}</code>.
          </p>
          <button type="button" onClick={() => onChange({ field: 'trust', server: role, value: undefined })}>
            Stop trusting this certificate
          </button>
        </div>
      )}
    </fieldset>
  );
}

/** Read-only: what the server signs in with, and what changing it means. */
function ProviderSignInField({ id, draft, role, error }: { id: string; draft: AccountDraft; role: ServerRole; error: string | undefined }): React.JSX.Element {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // Settings saved before accounts named their provider's issuer cannot sign in again from here.
  const hint =
    draft.signInWith !== undefined
      ? 'No password: Twinbox uses your sign-in. After changing the host, port, security or user name, sign in again.'
      : needsNewSignIn(draft, role)
        ? 'The sign-in was made for this server as it was saved. To sign in to another server, change it back, or remove the account and add it again.'
        : 'No password: Twinbox uses your sign-in. Changing the host, port, security or user name would need a new sign-in, made by adding the account again.';
  return (
    <div className="accounts-field accounts-signed-in">
      <p id={id} tabIndex={-1} aria-describedby={[hintId, error ? errorId : ''].join(' ').trim()}>
        Signs in with {draft.signInWith?.name ?? 'your provider'}
      </p>
      <p id={hintId} className="accounts-hint">
        {hint}
      </p>
      {error && (
        <p id={errorId} className="accounts-field-error">
          {error}
        </p>
      )}
    </div>
  );
}
