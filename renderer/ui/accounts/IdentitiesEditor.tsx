import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { RichTextEditor } from '../compose/RichTextEditor';
import { htmlToText, sanitizeHtml, textToHtml } from '../compose/html';
import type { AccountDraft, DraftChange, FieldErrors, IdentityDraft, SignatureDraft } from './account-draft';
import { Field, controlId } from './fields';

type Change = Extract<DraftChange, { field: 'identities' }>['value'];

/**
 * Who the account writes as: its own address's signature, where signatures
 * go in answers, and other addresses (name, address, Reply-To, signature),
 * as Thunderbird's "Manage Identities" offers.
 */
export function IdentitiesEditor({ draft, errors, formId, onChange }: { draft: AccountDraft; errors: FieldErrors; formId: string; onChange: (value: Change) => void }): React.JSX.Element {
  const { t } = useTranslation('accounts');
  const setIdentity = (index: number, value: Partial<IdentityDraft>): void =>
    onChange({ identities: draft.identities.map((identity, at) => (at === index ? { ...identity, ...value } : identity)) });
  const own = draft.email.trim();
  return (
    <fieldset className="accounts-options">
      <legend>{t('identities.legend')}</legend>
      <SignatureField
        id={controlId(formId, 'signature')}
        label={own === '' ? t('identities.signatureForYours') : t('identities.signatureFor', { address: own })}
        signature={draft.signature}
        onChange={(signature) => onChange({ signature })}
      />
      <fieldset className="accounts-choices">
        <legend>{t('identities.placement')}</legend>
        {(['below', 'above'] as const).map((place) => (
          <label key={place}>
            <input type="radio" name={controlId(formId, 'signaturePlacement')} checked={draft.signaturePlacement === place} onChange={() => onChange({ signaturePlacement: place })} />{' '}
            {t(`identities.${place}`)}
          </label>
        ))}
      </fieldset>
      {draft.identities.map((identity, index) => (
        <fieldset key={identity.id} className="accounts-identity">
          <legend>
            {identity.address.trim() === ''
              ? t('identities.identity', { number: index + 1 })
              : t('identities.identityWithAddress', { number: index + 1, address: identity.address.trim() })}
          </legend>
          <Field id={controlId(formId, `identity-${index}-name`)} label={t('identities.name')}>
            {(props) => <input {...props} type="text" value={identity.name} onChange={(event) => setIdentity(index, { name: event.target.value })} />}
          </Field>
          <Field id={controlId(formId, `identity-${index}-address`)} label={t('identities.address')} error={errors[`identity.${index}.address`]}>
            {(props) => <input {...props} type="email" value={identity.address} onChange={(event) => setIdentity(index, { address: event.target.value })} />}
          </Field>
          <Field
            id={controlId(formId, `identity-${index}-replyTo`)}
            label={t('identities.replyTo')}
            hint={t('identities.replyToHint')}
            error={errors[`identity.${index}.replyTo`]}
          >
            {(props) => <input {...props} type="email" value={identity.replyTo} onChange={(event) => setIdentity(index, { replyTo: event.target.value })} />}
          </Field>
          <SignatureField
            id={controlId(formId, `identity-${index}-signature`)}
            label={t('identities.signature')}
            signature={identity.signature}
            onChange={(signature) => setIdentity(index, { signature })}
          />
          <button type="button" onClick={() => onChange({ identities: draft.identities.filter((_, at) => at !== index) })}>
            {t('identities.remove', { number: index + 1 })}
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        onClick={() =>
          onChange({ identities: [...draft.identities, { id: crypto.randomUUID(), name: draft.displayName, address: '', replyTo: '', signature: { text: '' } }] })
        }
      >
        {t('identities.add')}
      </button>
    </fieldset>
  );
}

/** A signature as plain text, or as simple rich text (its plain form then follows from it). */
function SignatureField({ id, label, signature, onChange }: { id: string; label: string; signature: SignatureDraft; onChange: (signature: SignatureDraft) => void }): React.JSX.Element {
  const { t } = useTranslation('accounts');
  const editor = useRef<HTMLDivElement>(null);
  const rich = signature.html !== undefined;
  const fromEditor = (): SignatureDraft => {
    const html = sanitizeHtml(editor.current?.innerHTML ?? '');
    return { html, text: htmlToText(html) };
  };
  return (
    <div className="accounts-signature">
      {rich ? (
        <div role="group" aria-label={label}>
          <p className="accounts-label">{label}</p>
          <RichTextEditor initialHtml={signature.html ?? ''} disabled={false} editorRef={editor} onChange={() => onChange(fromEditor())} />
        </div>
      ) : (
        <Field id={id} label={label} hint={t('identities.signatureHint')}>
          {(props) => <textarea {...props} rows={3} value={signature.text} onChange={(event) => onChange({ text: event.target.value })} />}
        </Field>
      )}
      <label>
        <input
          type="checkbox"
          checked={rich}
          onChange={(event) => onChange(event.target.checked ? { text: signature.text, html: textToHtml(signature.text) } : { text: signature.text })}
        />{' '}
        {t('identities.richText')}
      </label>
    </div>
  );
}
