import { FileText, Printer } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TwinboxError } from '../../../shared/errors';
import type { MessageBody } from '../../../shared/model';
import type { CachedMessage, MessageKey } from '../../db/rows';
import { errorText } from '../../i18n';
import { useApp } from '../app-context';
import { Icon } from '../icon';
import { AttachmentList } from './AttachmentList';
import type { MailLink } from './mail-html';
import { MailFrame } from './MailFrame';
import { printDocument } from './print-document';
import { PrintView } from './PrintView';
import { RemoteContentBar } from './RemoteContentBar';
import { SourceDialog } from './SourceDialog';
import { SaveEmlButton } from '../mailbox-io/SaveEmlButton';
import { useMailContent } from './use-mail-content';

/**
 * The body of an open message: its HTML in the sandboxed frame (or its
 * text, as text), what was blocked and how to allow it, where its links
 * go, its files, and its source on request.
 */
export function MessageContent({
  message,
  body,
  messageKey,
  sender,
  senderAllowed,
}: {
  message: CachedMessage;
  body: MessageBody;
  messageKey: MessageKey;
  sender: string | undefined;
  senderAllowed: boolean;
}): React.JSX.Element {
  const { t } = useTranslation('mail');
  const { client, engine } = useApp();
  const [preferText, setPreferText] = useState(false);
  const [printout, setPrintout] = useState<string | undefined>();
  // The failure itself, not its sentence: the sentence follows the language shown.
  const [printProblem, setPrintProblem] = useState<{ error: unknown } | undefined>();
  // Anyone can write any From address: "always" is the user's word for mail that really comes from it, so it
  // applies only when the receiving server vouched for this very address (main says which messages show that).
  const verification = body.senderVerification;
  const senderVerified = sender !== undefined && verification.verified && verification.address === sender;
  const autoLoad = senderAllowed && senderVerified;
  const { prepared, remote, loadRemote } = useMailContent({ html: body.html, messageKey, attachments: body.attachments, autoLoad });
  const hasText = body.text !== undefined && body.text.trim() !== '';
  const showHtml = prepared !== undefined && !(preferText && hasText);

  // Pictures the HTML shows are not files to save; a signature is shown as "Signed" in the header.
  const shownInBody = new Set(prepared?.contentIds ?? []);
  const files = body.attachments.filter((a) => a.role !== 'signature' && !(a.contentId !== undefined && shownInBody.has(a.contentId.toLowerCase())));

  function always(allow: boolean): void {
    if (sender === undefined || !senderVerified) return;
    void engine.writer.allowRemoteContent(sender, allow);
    if (allow && remote.kind === 'blocked') loadRemote();
  }

  /** Prints what the reader shows (the HTML as sanitised here, or the text), under the message's headers. */
  async function print(): Promise<void> {
    setPrintProblem(undefined);
    const printed = printDocument(message, showHtml ? { html: prepared.document } : { text: hasText ? (body.text ?? '') : t('content.noText') });
    try {
      await client.call('app.print', { document: printed });
    } catch (error) {
      // The browser host has no print window of its own: the page prints its print view instead.
      if (error instanceof TwinboxError && error.code === 'NOT_SUPPORTED') setPrintout(printed);
      else setPrintProblem({ error });
    }
  }

  return (
    <>
      <div className="reader-actions" role="group" aria-label={t('content.actions')}>
        <button type="button" onClick={() => void print()}>
          <Icon icon={Printer} />
          {t('content.print')}
        </button>
        {prepared !== undefined && hasText && (
          <button type="button" aria-pressed={preferText} onClick={() => setPreferText((value) => !value)}>
            <Icon icon={FileText} />
            {t('content.plainText')}
          </button>
        )}
        <SourceDialog messageKey={messageKey} />
        <SaveEmlButton messageKey={messageKey} subject={message.subject} />
      </div>
      {printProblem && (
        <p role="alert" className="error-text">
          {t('content.printFailed', { error: errorText(printProblem.error) })}
        </p>
      )}
      {printout !== undefined && <PrintView document={printout} onClose={() => setPrintout(undefined)} />}
      {showHtml && prepared.remoteImages.length > 0 && (
        <RemoteContentBar
          blocked={prepared.blockedImages.length}
          state={remote}
          sender={sender}
          senderAllowed={senderAllowed}
          senderVerified={senderVerified}
          onLoad={loadRemote}
          onAlways={always}
        />
      )}
      {showHtml ? (
        <MailFrame document={prepared.document} />
      ) : hasText ? (
        <section className="body" aria-label={t('content.text')}>
          <pre className="plain-body" dir="auto">
            {body.text}
          </pre>
        </section>
      ) : (
        <p className="empty">{t('content.noText')}</p>
      )}
      {showHtml && prepared.links.length > 0 && <LinkList links={prepared.links} />}
      {files.length > 0 && <AttachmentList attachments={files} messageKey={messageKey} />}
    </>
  );
}

/** Where each link in the message goes, readable without a mouse (the frame shows it on hover only). */
function LinkList({ links }: { links: readonly MailLink[] }): React.JSX.Element {
  const { t } = useTranslation('mail');
  return (
    <details className="mail-links">
      <summary>{t('content.links', { count: links.length })}</summary>
      <p className="muted">{t('content.linksNote')}</p>
      <ul>
        {links.map((link, i) => (
          <li key={i}>
            {link.text !== link.href && (
              <>
                <span dir="auto">{link.text}</span>:{' '}
              </>
            )}
            <span className="link-target">{link.href}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
