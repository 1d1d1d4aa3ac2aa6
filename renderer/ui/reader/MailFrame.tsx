import { FRAME_SANDBOX } from './mail-html';

/**
 * The HTML of a message, in a frame that runs no script, has an origin of
 * its own (so it can reach neither the app nor its storage), opens no
 * window, submits no form and navigates nothing; its document carries a
 * policy of its own on top of the app's, which it inherits.
 */
export function MailFrame({ document }: { document: string }): React.JSX.Element {
  return <iframe className="mail-frame" title="Message text" sandbox={FRAME_SANDBOX} srcDoc={document} referrerPolicy="no-referrer" tabIndex={0} />;
}
