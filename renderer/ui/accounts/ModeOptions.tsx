import type { RetentionPolicy } from '../../../shared/model';
import type { AccountDraft, DraftChange, FieldErrors } from './account-draft';
import { Choice, Field, controlId } from './fields';

type Options = Extract<DraftChange, { field: 'options' }>['value'];

const RETENTION: { kind: RetentionPolicy['kind']; label: string; description: string }[] = [
  {
    kind: 'keep',
    label: 'Keep on the server',
    description: 'Mail is copied to this computer and the server keeps it too, so it stays there until you delete it with another program.',
  },
  {
    kind: 'days',
    label: 'Keep on the server for a number of days',
    description: 'The server’s copy is deleted that many days after it was downloaded here; after that, this computer has the only copy.',
  },
  {
    kind: 'until-deleted-here',
    label: 'Delete from the server when deleted here',
    description: 'The server keeps each message until you delete it in Twinbox, and then deletes it too.',
  },
  {
    kind: 'delete-after-download',
    label: 'Delete from the server right after download',
    description: 'The server’s copy is deleted as soon as the message is safely stored here, so this computer has the only copy.',
  },
];

/** What POP3 does with the server's copy, and how it downloads. */
export function Pop3Options({
  draft,
  errors,
  formId,
  onChange,
}: {
  draft: AccountDraft;
  errors: FieldErrors;
  formId: string;
  onChange: (value: Options) => void;
}): React.JSX.Element {
  const name = `${formId}-retention`;
  return (
    <fieldset className="accounts-options">
      <legend>POP3 options</legend>
      <fieldset className="accounts-choices">
        <legend>The server’s copy of your mail</legend>
        {RETENTION.map((choice) => (
          <Choice
            key={choice.kind}
            name={name}
            label={choice.label}
            description={choice.description}
            checked={draft.retention === choice.kind}
            onSelect={() => onChange({ retention: choice.kind })}
          >
            {choice.kind === 'days' && (
              <Field id={controlId(formId, 'retentionDays')} label="Days to keep on the server" error={errors.retentionDays}>
                {(props) => (
                  <input
                    {...props}
                    type="number"
                    min={1}
                    max={3650}
                    className="accounts-number"
                    value={draft.retentionDays}
                    // Typing a number of days is choosing this policy.
                    onChange={(event) => onChange({ retention: 'days', retentionDays: event.target.value })}
                  />
                )}
              </Field>
            )}
          </Choice>
        ))}
      </fieldset>
      <Field id={controlId(formId, 'pollMinutes')} label="Check for new mail every (minutes)" error={errors.pollMinutes}>
        {(props) => (
          <input
            {...props}
            type="number"
            min={1}
            max={1440}
            className="accounts-number"
            value={draft.pollMinutes}
            onChange={(event) => onChange({ pollMinutes: event.target.value })}
          />
        )}
      </Field>
      <div className="accounts-check">
        <input
          type="checkbox"
          id={controlId(formId, 'headersOnly')}
          checked={draft.headersOnly}
          aria-describedby={controlId(formId, 'headersOnly-hint')}
          onChange={(event) => onChange({ headersOnly: event.target.checked })}
        />
        <label htmlFor={controlId(formId, 'headersOnly')}>Download headers only</label>
        <p id={controlId(formId, 'headersOnly-hint')} className="accounts-hint">
          Sender, subject and date come first; the rest of a message is downloaded when you open it.
        </p>
      </div>
      <Field
        id={controlId(formId, 'sizeLimitKb')}
        label="Download only the headers of messages larger than (KB)"
        hint="0 downloads every message whole."
        error={errors.sizeLimitKb}
      >
        {(props) => (
          <input
            {...props}
            type="number"
            min={0}
            className="accounts-number"
            value={draft.sizeLimitKb}
            onChange={(event) => onChange({ sizeLimitKb: event.target.value })}
          />
        )}
      </Field>
      <p className="accounts-hint">
        Many servers mark a message read for every device when POP3 downloads it, so your phone may show new mail as read once this computer has it. The
        Protocol Lab shows whether your server does.
      </p>
    </fieldset>
  );
}

/** How IMAP deletes, and how much it keeps for reading offline. */
export function ImapOptions({
  draft,
  errors,
  formId,
  onChange,
}: {
  draft: AccountDraft;
  errors: FieldErrors;
  formId: string;
  onChange: (value: Options) => void;
}): React.JSX.Element {
  const name = `${formId}-delete-mode`;
  return (
    <fieldset className="accounts-options">
      <legend>IMAP options</legend>
      <fieldset className="accounts-choices">
        <legend>When you delete a message</legend>
        <Choice
          name={name}
          label="Move it to Trash"
          description="It stays in the Trash folder on the server, on every device, until the Trash is emptied."
          checked={draft.deleteMode === 'trash'}
          onSelect={() => onChange({ deleteMode: 'trash' })}
        />
        <Choice
          name={name}
          label="Delete it at once"
          description="It is removed from the server straight away, on every device, with no copy in Trash."
          checked={draft.deleteMode === 'expunge'}
          onSelect={() => onChange({ deleteMode: 'expunge' })}
        />
      </fieldset>
      <Field
        id={controlId(formId, 'cacheLimitMegabytes')}
        label="Offline cache size (MB)"
        hint="Messages kept on this computer for reading offline, besides the ones you open; the least recently read go first."
        error={errors.cacheLimitMegabytes}
      >
        {(props) => (
          <input
            {...props}
            type="number"
            min={0}
            className="accounts-number"
            value={draft.cacheLimitMegabytes}
            onChange={(event) => onChange({ cacheLimitMegabytes: event.target.value })}
          />
        )}
      </Field>
    </fieldset>
  );
}
