import { useTranslation } from 'react-i18next';
import type { RetentionPolicy } from '../../../shared/model';
import type { AccountDraft, DraftChange, FieldErrors } from './account-draft';
import { Choice, Field, controlId } from './fields';

type Options = Extract<DraftChange, { field: 'options' }>['value'];

/** The retention policies in the order offered, each with its catalog key (pop3.retention.<key>.label and .description). */
const RETENTION = [
  { kind: 'keep', key: 'keep' },
  { kind: 'days', key: 'days' },
  { kind: 'until-deleted-here', key: 'untilDeletedHere' },
  { kind: 'delete-after-download', key: 'deleteAfterDownload' },
] as const satisfies readonly { kind: RetentionPolicy['kind']; key: string }[];

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
  const { t } = useTranslation('accounts');
  const name = `${formId}-retention`;
  return (
    <fieldset className="accounts-options">
      <legend>{t('pop3.legend')}</legend>
      <fieldset className="accounts-choices">
        <legend>{t('pop3.serverCopy')}</legend>
        {RETENTION.map((choice) => (
          <Choice
            key={choice.kind}
            name={name}
            label={t(`pop3.retention.${choice.key}.label`)}
            description={t(`pop3.retention.${choice.key}.description`)}
            checked={draft.retention === choice.kind}
            onSelect={() => onChange({ retention: choice.kind })}
          >
            {choice.kind === 'days' && (
              <Field id={controlId(formId, 'retentionDays')} label={t('pop3.days')} error={errors.retentionDays}>
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
      <Field id={controlId(formId, 'pollMinutes')} label={t('pop3.poll')} error={errors.pollMinutes}>
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
        <label htmlFor={controlId(formId, 'headersOnly')}>{t('pop3.headersOnly')}</label>
        <p id={controlId(formId, 'headersOnly-hint')} className="accounts-hint">
          {t('pop3.headersOnlyHint')}
        </p>
      </div>
      <Field
        id={controlId(formId, 'sizeLimitKb')}
        label={t('pop3.sizeLimit')}
        hint={t('pop3.sizeLimitHint')}
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
      <p className="accounts-hint">{t('pop3.markedRead')}</p>
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
  const { t } = useTranslation('accounts');
  const name = `${formId}-delete-mode`;
  return (
    <fieldset className="accounts-options">
      <legend>{t('imap.legend')}</legend>
      <fieldset className="accounts-choices">
        <legend>{t('imap.deleteLegend')}</legend>
        <Choice
          name={name}
          label={t('imap.trash')}
          description={t('imap.trashDescription')}
          checked={draft.deleteMode === 'trash'}
          onSelect={() => onChange({ deleteMode: 'trash' })}
        />
        <Choice
          name={name}
          label={t('imap.expunge')}
          description={t('imap.expungeDescription')}
          checked={draft.deleteMode === 'expunge'}
          onSelect={() => onChange({ deleteMode: 'expunge' })}
        />
      </fieldset>
      <Field
        id={controlId(formId, 'cacheLimitMegabytes')}
        label={t('imap.cache')}
        hint={t('imap.cacheHint')}
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
