import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConfirmRequest } from '../../lab/lab-model';

interface Pending {
  /** Each question gets a dialog of its own, even when asked again at once. */
  serial: number;
  request: ConfirmRequest;
  answer: (yes: boolean) => void;
}

/**
 * Asking before anything irreversible: `ask` opens a modal dialog and
 * resolves true only when the user pressed the confirming button; Cancel,
 * Escape or closing it another way resolve false.
 */
export function useConfirm(): [React.JSX.Element | null, (request: ConfirmRequest) => Promise<boolean>] {
  const [pending, setPending] = useState<Pending | undefined>();
  const serial = useRef(0);
  const ask = useCallback(
    (request: ConfirmRequest) =>
      new Promise<boolean>((resolve) => {
        setPending({
          serial: ++serial.current,
          request,
          answer: (yes) => {
            setPending(undefined);
            resolve(yes);
          },
        });
      }),
    [],
  );
  return [pending ? <ConfirmDialog key={pending.serial} request={pending.request} onAnswer={pending.answer} /> : null, ask];
}

function ConfirmDialog({ request, onAnswer }: { request: ConfirmRequest; onAnswer: (yes: boolean) => void }): React.JSX.Element {
  const { t } = useTranslation(['lab', 'common']);
  const dialog = useRef<HTMLDialogElement>(null);
  const answered = useRef(false);
  const titleId = useId();
  const answer = (yes: boolean): void => {
    if (answered.current) return;
    answered.current = true;
    dialog.current?.close();
    onAnswer(yes);
  };
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="dialog lab-confirm" aria-labelledby={titleId} onClose={() => answer(false)}>
      <h2 id={titleId}>{request.title}</h2>
      <p>{request.body}</p>
      {request.items && request.items.length > 0 && (
        <ul className="lab-confirm-items">
          {request.items.slice(0, 20).map((item, index) => (
            <li key={index} dir="auto">
              {item}
            </li>
          ))}
          {request.items.length > 20 && <li>{t('andMore', { count: request.items.length - 20 })}</li>}
        </ul>
      )}
      <div className="dialog-buttons">
        <button type="button" autoFocus onClick={() => answer(false)}>
          {t('common:cancel')}
        </button>
        <button type="button" className="danger" onClick={() => answer(true)}>
          {request.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
