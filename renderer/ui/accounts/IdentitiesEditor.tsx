import { useRef } from 'react';
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
  const setIdentity = (index: number, value: Partial<IdentityDraft>): void =>
    onChange({ identities: draft.identities.map((identity, at) => (at === index ? { ...identity, ...value } : identity)) });
  const own = draft.email.trim() === '' ? 'your address' : draft.email.trim();
  return (
    <fieldset className="accounts-options">
      <legend>Identities and signatures</legend>
      <SignatureField id={controlId(formId, 'signature')} label={`Signature for ${own}`} signature={draft.signature} onChange={(signature) => onChange({ signature })} />
      <fieldset className="accounts-choices">
        <legend>In a reply, the signature goes</legend>
        {(['below', 'above'] as const).map((place) => (
          <label key={place}>
            <input type="radio" name={controlId(formId, 'signaturePlacement')} checked={draft.signaturePlacement === place} onChange={() => onChange({ signaturePlacement: place })} />{' '}
            {place === 'below' ? 'Below the quoted message' : 'Above the quoted message (with your reply)'}
          </label>
        ))}
      </fieldset>
      {draft.identities.map((identity, index) => (
        <fieldset key={identity.id} className="accounts-identity">
          <legend>
            Identity {index + 1}
            {identity.address.trim() === '' ? '' : `: ${identity.address.trim()}`}
          </legend>
          <Field id={controlId(formId, `identity-${index}-name`)} label="Name">
            {(props) => <input {...props} type="text" value={identity.name} onChange={(event) => setIdentity(index, { name: event.target.value })} />}
          </Field>
          <Field id={controlId(formId, `identity-${index}-address`)} label="Address" error={errors[`identity.${index}.address`]}>
            {(props) => <input {...props} type="email" value={identity.address} onChange={(event) => setIdentity(index, { address: event.target.value })} />}
          </Field>
          <Field id={controlId(formId, `identity-${index}-replyTo`)} label="Reply-To" hint="Where answers go, if not to this address." error={errors[`identity.${index}.replyTo`]}>
            {(props) => <input {...props} type="email" value={identity.replyTo} onChange={(event) => setIdentity(index, { replyTo: event.target.value })} />}
          </Field>
          <SignatureField
            id={controlId(formId, `identity-${index}-signature`)}
            label="Signature"
            signature={identity.signature}
            onChange={(signature) => setIdentity(index, { signature })}
          />
          <button type="button" onClick={() => onChange({ identities: draft.identities.filter((_, at) => at !== index) })}>
            Remove identity {index + 1}
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        onClick={() =>
          onChange({ identities: [...draft.identities, { id: crypto.randomUUID(), name: draft.displayName, address: '', replyTo: '', signature: { text: '' } }] })
        }
      >
        Add an identity
      </button>
    </fieldset>
  );
}

/** A signature as plain text, or as simple rich text (its plain form then follows from it). */
function SignatureField({ id, label, signature, onChange }: { id: string; label: string; signature: SignatureDraft; onChange: (signature: SignatureDraft) => void }): React.JSX.Element {
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
        <Field id={id} label={label} hint="Sent under the “-- ” line that mail programs know a signature by.">
          {(props) => <textarea {...props} rows={3} value={signature.text} onChange={(event) => onChange({ text: event.target.value })} />}
        </Field>
      )}
      <label>
        <input
          type="checkbox"
          checked={rich}
          onChange={(event) => onChange(event.target.checked ? { text: signature.text, html: textToHtml(signature.text) } : { text: signature.text })}
        />{' '}
        Rich text (bold, italic, links)
      </label>
    </div>
  );
}
