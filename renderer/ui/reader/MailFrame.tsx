import { useTranslation } from 'react-i18next';
import { FRAME_SANDBOX } from './mail-html';

/**
 * The HTML of a message, in a frame that runs no script, has an origin of
 * its own (so it can reach neither the app nor its storage), opens no
 * window, submits no form and navigates nothing; its document carries a
 * policy of its own on top of the app's, which it inherits.
 *
 * Each document gets a frame of its own (the key) instead of navigating one
 * frame from document to document: the pictures of a message arrive a few
 * milliseconds after its text, and in CI the frame's `srcdoc` held the
 * picture while the picture stayed undrawn for 15 s and the bar said it was
 * shown. A frame given two `srcdoc`s that close together has been reported
 * to keep the first in Chromium (not reproduced here in a bare page);
 * removing the old frame discards whatever it was still loading.
 */
export function MailFrame({ document }: { document: string }): React.JSX.Element {
  const { t } = useTranslation('mail');
  return <iframe key={document} className="mail-frame" title={t('content.text')} sandbox={FRAME_SANDBOX} srcDoc={document} referrerPolicy="no-referrer" tabIndex={0} />;
}
