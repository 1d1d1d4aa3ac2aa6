import { FRAME_SANDBOX } from './mail-html';

/**
 * The HTML of a message, in a frame that runs no script, has an origin of
 * its own (so it can reach neither the app nor its storage), opens no
 * window, submits no form and navigates nothing; its document carries a
 * policy of its own on top of the app's, which it inherits.
 *
 * Each document gets a frame of its own (the key) instead of navigating one
 * frame from document to document: the pictures of a message arrive a few
 * milliseconds after its text, and Chromium can commit the first of two
 * `srcdoc`s set that close together and drop the second, so the reader kept
 * showing blocked pictures while its bar said they were shown. Removing the
 * old frame discards whatever it was still loading.
 */
export function MailFrame({ document }: { document: string }): React.JSX.Element {
  return <iframe key={document} className="mail-frame" title="Message text" sandbox={FRAME_SANDBOX} srcDoc={document} referrerPolicy="no-referrer" tabIndex={0} />;
}
