import type { Security } from '../../../shared/model';
import { defaultPort, needsNewPassword, portKind } from './account-draft';
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

/** Host, port, security, user name and password of one server. */
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
