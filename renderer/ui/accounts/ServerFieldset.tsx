import { Trans, useTranslation } from 'react-i18next';
import type { Security } from '../../../shared/model';
import { defaultPort, needsNewPassword, needsNewSignIn, portKind } from './account-draft';
import type { AccountDraft, DraftChange, FieldErrors, ServerRole } from './account-draft';
import { Field, controlId } from './fields';

const SECURITY_CHOICES: Security[] = ['tls', 'starttls', 'plain'];

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
  const { t } = useTranslation('accounts');
  const server = draft[role];
  const kind = portKind(draft, role);
  const id = (field: string): string => controlId(formId, `${role}.${field}`);
  const passwordRequired = needsNewPassword(draft, role);
  const passwordHint = passwordRequired
    ? t('server.passwordAgain')
    : editing
      ? t('server.passwordKeep')
      : role === 'outgoing'
        ? t('server.passwordFromIncoming')
        : undefined;
  // TLS and STARTTLS are the protocols' own names, the same in every language.
  const securityLabel = (security: Security): string => (security === 'plain' ? t('server.securityNone') : security.toUpperCase());
  return (
    <fieldset className="accounts-server">
      <legend>{role === 'incoming' ? t('server.incoming') : t('server.outgoing')}</legend>
      <Field id={id('host')} label={t('server.host')} error={errors[`${role}.host`]}>
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
      <Field id={id('security')} label={t('server.security')} hint={t(`server.securityHint.${server.security}`)}>
        {(props) => (
          <select {...props} value={server.security} onChange={(event) => onChange({ field: 'security', server: role, value: event.target.value as Security })}>
            {SECURITY_CHOICES.map((choice) => (
              <option key={choice} value={choice}>
                {securityLabel(choice)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        id={id('port')}
        label={t('server.port')}
        hint={server.portTyped ? undefined : t('server.portHint', { protocol: kind.toUpperCase() })}
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
        label={t('server.username')}
        hint={server.usernameTyped ? undefined : role === 'incoming' ? t('server.usernameHintIncoming') : t('server.usernameHintOutgoing')}
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
        <Field id={id('password')} label={t('field.password')} hint={passwordHint} error={errors[`${role}.password`]}>
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
            <Trans
              i18nKey="server.trusted"
              t={t}
              values={{ fingerprint: server.trustedCertificate.fingerprint256 }}
              components={{ code: <code className="accounts-fingerprint" /> }}
            />
          </p>
          <button type="button" onClick={() => onChange({ field: 'trust', server: role, value: undefined })}>
            {t('server.stopTrusting')}
          </button>
        </div>
      )}
    </fieldset>
  );
}

/** Read-only: what the server signs in with, and what changing it means. */
function ProviderSignInField({ id, draft, role, error }: { id: string; draft: AccountDraft; role: ServerRole; error: string | undefined }): React.JSX.Element {
  const { t } = useTranslation('accounts');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // Settings saved before accounts named their provider's issuer cannot sign in again from here.
  const hint =
    draft.signInWith !== undefined
      ? t('server.signInHint.known')
      : needsNewSignIn(draft, role)
        ? t('server.signInHint.moved')
        : t('server.signInHint.unknown');
  return (
    <div className="accounts-field accounts-signed-in">
      <p id={id} tabIndex={-1} aria-describedby={[hintId, error ? errorId : ''].join(' ').trim()}>
        {draft.signInWith?.name === undefined ? t('server.signsInWithProvider') : t('server.signsInWith', { name: draft.signInWith.name })}
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
