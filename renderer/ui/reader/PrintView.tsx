import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { FRAME_SANDBOX } from './mail-html';

/**
 * The browser host's way to print (the desktop app prints through main,
 * in a window of its own): the printout as it will look, and the
 * browser's print dialog for the page, in which print styles leave only
 * this view. The document runs and loads nothing, as in the reading frame.
 */
export function PrintView({ document: printout, onClose }: { document: string; onClose: () => void }): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const printButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    window.document.body.classList.add('printing');
    printButton.current?.focus();
    return () => window.document.body.classList.remove('printing');
  }, []);

  return createPortal(
    <div
      className="print-view"
      role="dialog"
      aria-modal="true"
      aria-label={t('printView.label')}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="print-view-actions">
        <button ref={printButton} type="button" className="primary" onClick={() => window.print()}>
          {t('printView.print')}
        </button>
        <button type="button" onClick={onClose}>
          {t('common:close')}
        </button>
      </div>
      <iframe className="print-frame" title={t('printView.frame')} sandbox={FRAME_SANDBOX} srcDoc={printout} referrerPolicy="no-referrer" />
    </div>,
    window.document.body,
  );
}
