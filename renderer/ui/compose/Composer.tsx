import { useLiveQuery } from 'dexie-react-hooks';
import { X } from 'lucide-react';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { safeFileName } from '../../../shared/file-names';
import type { OutgoingMessage } from '../../../shared/model';
import { errorText } from '../../i18n';
import type { Outbox } from '../../sync/outbox';
import { useApp } from '../app-context';
import { byteSize, timeOfDay } from '../format';
import { Icon } from '../icon';
import { parseAddressList } from './addresses';
import { AddressInput } from './AddressInput';
import type { ComposeRequest } from './compose-state';
import { htmlDocument, htmlToText, sanitizeHtml, textToHtml } from './html';
import { attachmentKey, loadCompose } from './load';
import type { BodyFormat, ComposeAttachment, InitialCompose } from './load';
import { DraftSession } from './draft-session';
import type { DraftSnapshot, DraftStatus } from './draft-session';
import { findIdentity, identitiesOf, identityKey as identityKeyOf, OWN_IDENTITY } from './identities';
import type { SendingIdentity } from './identities';
import { RichTextEditor } from './RichTextEditor';
import { swapPlainSignature, swapRichSignature } from './signatures';

/** How a composer ended, for the note the provider shows after it. */
export type ComposeOutcome =
  | { kind: 'sent'; problems: string[] }
  | { kind: 'saved' }
  | { kind: 'discarded'; problems: string[] }
  | { kind: 'closed' };

type Load = { kind: 'loading' } | { kind: 'ready'; initial: InitialCompose } | { kind: 'failed'; text: string };

/**
 * One message being written, in a modal dialog named for what it is ("New
 * message", "Reply", "Forward"...). Escape and the Close button ask before
 * anything unsaved is thrown away; Ctrl/Cmd+Enter sends.
 */
export function Composer({ request, outbox, onDone }: { request: ComposeRequest; outbox: Outbox; onDone: (outcome: ComposeOutcome) => void }): React.JSX.Element {
  const services = useApp();
  const { t } = useTranslation(['compose', 'common']);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  /** What Escape does right now; the form sets it once it is there. */
  const closeRequest = useRef<() => void>(() => onDone({ kind: 'closed' }));
  const done = useRef(false);

  useEffect(() => {
    let current = true;
    loadCompose(request, services).then(
      (initial) => current && setLoad({ kind: 'ready', initial }),
      (error: unknown) => current && setLoad({ kind: 'failed', text: errorText(error) }),
    );
    return () => {
      current = false;
    };
  }, [request, services]);

  useEffect(() => {
    const element = dialog.current;
    done.current = false;
    if (element && !element.open) element.showModal();
    return () => {
      done.current = true;
      element?.close();
    };
  }, []);

  function onKeyDown(event: React.KeyboardEvent<HTMLDialogElement>): void {
    if (event.key === 'Escape' && !event.defaultPrevented && !event.nativeEvent.isComposing) {
      // Handled here so that the browser's own close (which cannot always be cancelled) never happens.
      event.preventDefault();
      closeRequest.current();
    }
  }

  const title = t(`title.${request.kind}`);
  return (
    <dialog
      ref={dialog}
      className="composer"
      aria-labelledby={titleId}
      // Focusable, so that a click on its background keeps the keyboard (and Escape) in it.
      tabIndex={-1}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        event.preventDefault();
        closeRequest.current();
      }}
      onClose={() => {
        // Closed by the browser anyway (a repeated Escape): open again and ask.
        if (!done.current && dialog.current && !dialog.current.open) {
          dialog.current.showModal();
          closeRequest.current();
        }
      }}
    >
      <header className="composer-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="composer-close" aria-label={t('common:close')} disabled={busy} onClick={() => closeRequest.current()}>
          <Icon icon={X} />
        </button>
      </header>
      {load.kind === 'loading' && (
        <p role="status" className="loading">
          {t(request.kind === 'draft' ? 'opening.draft' : request.kind === 'new' ? 'opening.new' : 'opening.original')}
        </p>
      )}
      {load.kind === 'failed' && (
        <div role="alert" className="error-bar">
          {load.text}
        </div>
      )}
      {load.kind === 'ready' && <ComposeForm initial={load.initial} outbox={outbox} onDone={onDone} onBusy={setBusy} closeRequestRef={closeRequest} />}
    </dialog>
  );
}

type AddressField = 'to' | 'cc' | 'bcc';

/** Protocol names are the same in every language. */
const PROTOCOL_NAME = { imap: 'IMAP', pop3: 'POP3' } as const;

function ComposeForm({
  initial,
  outbox,
  onDone,
  onBusy,
  closeRequestRef,
}: {
  initial: InitialCompose;
  outbox: Outbox;
  onDone: (outcome: ComposeOutcome) => void;
  /** Sending or closing: the controls outside the form are disabled too. */
  onBusy: (busy: boolean) => void;
  /** What Escape and the Close button do: the form sets it after each render. */
  closeRequestRef: RefObject<() => void>;
}): React.JSX.Element {
  const { db } = useApp();
  const { t } = useTranslation(['compose', 'common']);
  const accounts = useLiveQuery(() => db.accounts.toArray(), [], undefined);
  const ids = {
    from: useId(),
    to: useId(),
    cc: useId(),
    bcc: useId(),
    subject: useId(),
    body: useId(),
    format: useId(),
  };
  /** Who it is written as: an account's own address or another of its identities (identities.ts). */
  const [identityKey, setIdentityKey] = useState(initial.identity ?? '');
  // None given (a new message): the first account's own address, once the accounts are read; set as this renders, not
  // in an effect a render later.
  const firstAccount = accounts?.[0];
  if (identityKey === '' && firstAccount) setIdentityKey(identityKeyOf(identitiesOf(firstAccount)[0] ?? { accountId: firstAccount.id, id: OWN_IDENTITY }));
  const accountId = identityKey.split('\u0000')[0] ?? '';
  const [fields, setFields] = useState<Record<AddressField | 'subject', string>>({ to: initial.to, cc: initial.cc, bcc: initial.bcc, subject: initial.subject });
  const [format, setFormat] = useState<BodyFormat>(initial.format);
  const [text, setText] = useState(initial.text);
  const [richStart, setRichStart] = useState({ html: initial.html, generation: 0 });
  const [attachments, setAttachments] = useState<ComposeAttachment[]>(initial.attachments);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<AddressField, string>>>({});
  const [problem, setProblem] = useState<string | undefined>();
  const [phase, setPhase] = useState<'editing' | 'sending' | 'closing'>('editing');
  const [draftStatus, setDraftStatus] = useState<DraftStatus>({ kind: 'idle' });
  const [confirming, setConfirming] = useState(false);
  const [dragging, setDragging] = useState(false);
  /** The message as it stands, for the session to save or send; set after each render (below). */
  const snapshot = useRef<() => DraftSnapshot>(() => undefined);
  const [session] = useState(
    // eslint-disable-next-line react-hooks/refs -- no ref is read during render: DraftSession only keeps this reader and calls it in save() (the Save button, the autosave timer), never while it is being constructed
    () =>
      new DraftSession(outbox, () => snapshot.current(), setDraftStatus, {
        ...(initial.draft ? { draft: initial.draft } : {}),
        ...(initial.answering ? { answering: initial.answering } : {}),
      }),
  );
  const editor = useRef<HTMLDivElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const toInput = useRef<HTMLInputElement>(null);
  const ccInput = useRef<HTMLInputElement>(null);
  const bccInput = useRef<HTMLInputElement>(null);
  const inputs = { to: toInput, cc: ccInput, bcc: bccInput };
  const dragDepth = useRef(0);

  const identity: SendingIdentity | undefined = accounts ? findIdentity(accounts, identityKey) : undefined;
  const busy = phase !== 'editing';

  // Timers and the close request see the current values through this, brought up to date as each render is committed.
  const latest = useRef({ accountId, fields, format, text, attachments, identity });
  useLayoutEffect(() => {
    latest.current = { accountId, fields, format, text, attachments, identity };
  });

  useEffect(() => onBusy(busy), [busy, onBusy]);
  useEffect(() => () => session.dispose(), [session]);
  // Not saved by itself while sending or asking whether to discard.
  useEffect(() => session.hold(phase !== 'editing' || confirming), [session, phase, confirming]);

  function changed(): void {
    session.changed();
  }

  /** Written as another identity: its signature takes the place of the last one, where that still stands as it was put in. */
  function chooseIdentity(key: string): void {
    const next = accounts ? findIdentity(accounts, key) : undefined;
    const old = identity?.signature;
    if (format === 'plain') setText((current) => swapPlainSignature(current, old, next?.signature, initial.signaturePlace, initial.quoteMarker));
    else if (editor.current) swapRichSignature(editor.current, old, next?.signature, initial.signaturePlace, initial.quoteMarker);
    setIdentityKey(key);
    changed();
  }

  // Typing starts where it makes sense: the To field, or the top of the body above the quote.
  useEffect(() => {
    if (initial.focus === 'to') {
      toInput.current?.focus();
      return;
    }
    if (textarea.current) {
      textarea.current.focus();
      textarea.current.setSelectionRange(0, 0);
      textarea.current.scrollTop = 0;
    } else if (editor.current) {
      editor.current.focus();
      const start = document.createRange();
      start.setStart(editor.current, 0);
      start.collapse(true);
      document.getSelection()?.removeAllRanges();
      document.getSelection()?.addRange(start);
    }
    // Once, when the form appears: what it was opened with does not change.
  }, [initial.focus]);

  /** The message as it stands; recipients that are not addresses are left out (a draft keeps the rest). */
  function currentMessage(): OutgoingMessage | undefined {
    const now = latest.current;
    if (!now.identity) return undefined;
    const list = (field: AddressField) => parseAddressList(now.fields[field]).addresses;
    let body: { text: string; html?: string };
    if (now.format === 'rich') {
      const html = sanitizeHtml(editor.current?.innerHTML ?? '');
      body = { text: htmlToText(html), html: htmlDocument(html) };
    } else {
      body = { text: now.text };
    }
    return {
      from: { name: now.identity.name, address: now.identity.address },
      to: list('to'),
      cc: list('cc'),
      bcc: list('bcc'),
      replyTo: now.identity.replyTo ? [{ name: '', address: now.identity.replyTo }] : [],
      subject: now.fields.subject,
      ...body,
      ...(initial.inReplyTo === undefined ? {} : { inReplyTo: initial.inReplyTo }),
      references: initial.references,
      attachments: now.attachments.map(({ filename, contentType, content }) => ({ filename, contentType, content })),
    };
  }

  useLayoutEffect(() => {
    snapshot.current = () => {
      const message = currentMessage();
      return message ? { accountId: latest.current.accountId, message } : undefined;
    };
  });

  function validate(field: AddressField): string | undefined {
    const { invalid } = parseAddressList(latest.current.fields[field]);
    const list = invalid.map((part) => t('field.quoted', { text: part })).join(', ');
    const error = invalid.length > 0 ? t('field.invalidAddresses', { count: invalid.length, list }) : undefined;
    setFieldErrors((errors) => ({ ...errors, [field]: error }));
    return error;
  }

  async function send(): Promise<void> {
    if (busy) return;
    const wrong = (['to', 'cc', 'bcc'] as const).filter((field) => validate(field) !== undefined);
    if (wrong[0]) {
      inputs[wrong[0]].current?.focus();
      return;
    }
    const message = currentMessage();
    if (!message) {
      setProblem(t('send.chooseAccount'));
      return;
    }
    if (message.to.length + message.cc.length + message.bcc.length === 0) {
      setProblem(t('send.noRecipient'));
      inputs.to.current?.focus();
      return;
    }
    setProblem(undefined);
    setPhase('sending');
    try {
      const outcome = await session.send(latest.current.accountId, message);
      onDone({ kind: 'sent', problems: outcome.problems });
    } catch (error) {
      setPhase('editing');
      setProblem(errorText(error));
    }
  }

  async function discard(): Promise<void> {
    setConfirming(false);
    setPhase('closing');
    onDone({ kind: 'discarded', problems: await session.discard() });
  }

  async function saveAndClose(): Promise<void> {
    setConfirming(false);
    if (await session.save()) onDone({ kind: 'saved' });
  }

  useLayoutEffect(() => {
    closeRequestRef.current = () => {
      if (busy) return;
      void session.closeDecision().then((decision) => (decision === 'ask' ? setConfirming(true) : onDone({ kind: decision })));
    };
  });

  function setField(field: AddressField | 'subject', value: string): void {
    setFields((current) => ({ ...current, [field]: value }));
    changed();
    if (field !== 'subject' && fieldErrors[field] !== undefined) {
      const { invalid } = parseAddressList(value);
      if (invalid.length === 0) setFieldErrors((errors) => ({ ...errors, [field]: undefined }));
    }
  }

  function switchFormat(next: BodyFormat): void {
    if (next === format) return;
    if (next === 'rich') {
      // The text as it started: the prepared rich start (the original in a blockquote) rather than a conversion.
      const html = text === initial.text ? initial.html : textToHtml(text);
      setRichStart((current) => ({ html, generation: current.generation + 1 }));
    } else {
      setText(htmlToText(editor.current?.innerHTML ?? ''));
    }
    setFormat(next);
    changed();
  }

  async function addFiles(files: FileList | null): Promise<void> {
    if (!files || files.length === 0) return;
    const added = await Promise.all(
      Array.from(files).map(
        async (file): Promise<ComposeAttachment> => ({
          key: attachmentKey(),
          // A file on disk can carry a deceiving name too (saved by another program): shown and sent by the rules for mail received.
          filename: safeFileName(file.name),
          contentType: file.type === '' ? 'application/octet-stream' : file.type,
          content: new Uint8Array(await file.arrayBuffer()),
        }),
      ),
    );
    setAttachments((current) => [...current, ...added]);
    changed();
  }

  function removeAttachment(key: string): void {
    setAttachments((current) => current.filter((a) => a.key !== key));
    changed();
  }

  const carriesFiles = (event: React.DragEvent): boolean => Array.from(event.dataTransfer.types).includes('Files');

  const statusText =
    phase === 'sending'
      ? t('send.sending')
      : draftStatus.kind === 'saving'
        ? t('draft.saving')
        : draftStatus.kind === 'saved'
          ? t('draft.savedAt', { time: timeOfDay(draftStatus.at) })
          : '';

  const addressField = (field: AddressField, label: string): React.JSX.Element => {
    const errorId = `${ids[field]}-error`;
    const error = fieldErrors[field];
    return (
      <>
        <label htmlFor={ids[field]}>{label}</label>
        <div className="compose-field">
          <AddressInput
            ref={inputs[field]}
            id={ids[field]}
            value={fields[field]}
            invalid={error !== undefined}
            describedBy={error ? errorId : undefined}
            onChange={(value) => setField(field, value)}
            onBlur={() => validate(field)}
          />
          {error && (
            <p id={errorId} role="alert" className="field-error">
              {error}
            </p>
          )}
        </div>
      </>
    );
  };

  return (
    <div
      className={dragging ? 'composer-body dragging' : 'composer-body'}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !confirming) {
          event.preventDefault();
          void send();
        }
      }}
      onDragEnter={(event) => {
        if (!carriesFiles(event) || busy) return;
        event.preventDefault();
        dragDepth.current += 1;
        setDragging(true);
      }}
      onDragOver={(event) => {
        if (!carriesFiles(event) || busy) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(event) => {
        if (!carriesFiles(event)) return;
        dragDepth.current = Math.max(0, dragDepth.current - 1);
        if (dragDepth.current === 0) setDragging(false);
      }}
      onDrop={(event) => {
        dragDepth.current = 0;
        setDragging(false);
        if (!carriesFiles(event) || busy) return;
        // Files become attachments, wherever they are dropped (the rich-text body would inline them).
        event.preventDefault();
        void addFiles(event.dataTransfer.files);
      }}
    >
      <fieldset className="compose-fieldset" disabled={busy}>
        <div className="compose-fields">
          <label htmlFor={ids.from}>{t('field.from')}</label>
          <select
            id={ids.from}
            value={identityKey}
            onChange={(event) => chooseIdentity(event.target.value)}
          >
            {identityKey === '' && <option value="">{t('field.chooseAccount')}</option>}
            {(accounts ?? []).flatMap((a) =>
              identitiesOf(a).map((choice) => (
                <option key={identityKeyOf(choice)} value={identityKeyOf(choice)}>
                  {t('field.identity', {
                    identity: choice.name.trim() === '' ? choice.address : `${choice.name} <${choice.address}>`,
                    account: a.name,
                    protocol: PROTOCOL_NAME[a.protocol],
                  })}
                </option>
              )),
            )}
          </select>
          {addressField('to', t('field.to'))}
          {addressField('cc', t('field.cc'))}
          {addressField('bcc', t('field.bcc'))}
          <label htmlFor={ids.subject}>{t('field.subject')}</label>
          <input id={ids.subject} type="text" dir="auto" value={fields.subject} onChange={(event) => setField('subject', event.target.value)} />
        </div>

        <div className="compose-format" role="radiogroup" aria-label={t('format.label')}>
          <label>
            <input type="radio" name={ids.format} checked={format === 'plain'} onChange={() => switchFormat('plain')} /> {t('format.plain')}
          </label>
          <label>
            <input type="radio" name={ids.format} checked={format === 'rich'} onChange={() => switchFormat('rich')} /> {t('format.rich')}
          </label>
        </div>

        {format === 'plain' ? (
          <textarea
            ref={textarea}
            id={ids.body}
            className="compose-text"
            aria-label={t('body.label')}
            // The text is the user's: a right-to-left language reads right to left.
            dir="auto"
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              changed();
            }}
          />
        ) : (
          <RichTextEditor key={richStart.generation} initialHtml={richStart.html} disabled={busy} editorRef={editor} onChange={changed} />
        )}

        {attachments.length > 0 && (
          <ul className="compose-attachments" aria-label={t('attachments.label')}>
            {attachments.map((attachment) => (
              <li key={attachment.key}>
                <span className="attachment-name" dir="auto">
                  {attachment.filename}
                </span> <span className="size">({byteSize(attachment.content.byteLength)})</span>{' '}
                <button type="button" aria-label={t('attachments.remove', { name: attachment.filename })} onClick={() => removeAttachment(attachment.key)}>
                  <Icon icon={X} size={14} />
                </button>
              </li>
            ))}
          </ul>
        )}
        <p className="drop-hint" aria-hidden={!dragging}>
          {t(dragging ? 'attachments.dropping' : 'attachments.dragHint')}
        </p>

        {problem && (
          <div role="alert" className="error-bar">
            {problem}
          </div>
        )}
        {draftStatus.kind === 'failed' && (
          <div role="alert" className="error-bar">
            {t('draft.notSaved', { reason: draftStatus.text })}
          </div>
        )}

        <footer className="composer-footer">
          <button type="button" className="primary" aria-keyshortcuts="Control+Enter Meta+Enter" onClick={() => void send()}>
            {t('send.button')}
          </button>
          <button type="button" onClick={() => void session.save()}>
            {t('draft.save')}
          </button>
          <label className="button attach-button">
            {t('attachments.attach')}
            <input
              type="file"
              multiple
              aria-label={t('attachments.attachLabel')}
              className="visually-hidden"
              onChange={(event) => {
                void addFiles(event.target.files);
                // The same file can be picked again after being removed.
                event.target.value = '';
              }}
            />
          </label>
          <p role="status" className="compose-status">
            {statusText}
          </p>
        </footer>
      </fieldset>

      {confirming && <ConfirmDiscard hasDraft={session.draft !== undefined} onKeep={() => setConfirming(false)} onSave={() => void saveAndClose()} onDiscard={() => void discard()} />}
    </div>
  );
}

function ConfirmDiscard({ hasDraft, onKeep, onSave, onDiscard }: { hasDraft: boolean; onKeep: () => void; onSave: () => void; onDiscard: () => void }): React.JSX.Element {
  const { t } = useTranslation(['compose', 'common']);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const textId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      role="alertdialog"
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={textId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          onKeep();
        }
      }}
      onCancel={(event) => {
        event.preventDefault();
        onKeep();
      }}
    >
      <h2 id={titleId}>{t('discard.title')}</h2>
      <p id={textId}>{t(hasDraft ? 'discard.withDraft' : 'discard.unsaved')}</p>
      <div className="dialog-buttons">
        <button type="button" autoFocus onClick={onKeep}>
          {t('discard.keepEditing')}
        </button>
        <button type="button" onClick={onSave}>
          {t('draft.save')}
        </button>
        <button type="button" className="danger" onClick={onDiscard}>
          {t('discard.discard')}
        </button>
      </div>
    </dialog>
  );
}
