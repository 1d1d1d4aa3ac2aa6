import { useState } from 'react';
import type { MessageBody } from '../../../shared/model';
import type { MessageKey } from '../../db/writer';
import { useApp } from '../app-context';
import { AttachmentList } from './AttachmentList';
import type { MailLink } from './mail-html';
import { MailFrame } from './MailFrame';
import { RemoteContentBar } from './RemoteContentBar';
import { SourceDialog } from './SourceDialog';
import { useMailContent } from './use-mail-content';

/**
 * The body of an open message: its HTML in the sandboxed frame (or its
 * text, as text), what was blocked and how to allow it, where its links
 * go, its files, and its source on request.
 */
export function MessageContent({ body, messageKey, sender, senderAllowed }: { body: MessageBody; messageKey: MessageKey; sender: string | undefined; senderAllowed: boolean }): React.JSX.Element {
  const { engine } = useApp();
  const [preferText, setPreferText] = useState(false);
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

  return (
    <>
      <div className="reader-actions" role="group" aria-label="Message view">
        {prepared !== undefined && hasText && (
          <button type="button" aria-pressed={preferText} onClick={() => setPreferText((value) => !value)}>
            Show plain text
          </button>
        )}
        <SourceDialog messageKey={messageKey} />
      </div>
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
        <section className="body" aria-label="Message text">
          <pre className="plain-body">{body.text}</pre>
        </section>
      ) : (
        <p className="empty">This message has no text.</p>
      )}
      {showHtml && prepared.links.length > 0 && <LinkList links={prepared.links} />}
      {files.length > 0 && <AttachmentList attachments={files} messageKey={messageKey} />}
    </>
  );
}

/** Where each link in the message goes, readable without a mouse (the frame shows it on hover only). */
function LinkList({ links }: { links: readonly MailLink[] }): React.JSX.Element {
  return (
    <details className="mail-links">
      <summary>Links in this message ({links.length})</summary>
      <p className="muted">Links are not opened from messages; this is where each one leads.</p>
      <ul>
        {links.map((link, i) => (
          <li key={i}>
            {link.text !== link.href && <>{link.text}: </>}
            <span className="link-target">{link.href}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
