import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Undo } from '../sync/actions';

/** How long the last action can be undone from the bar (Ctrl+Z works as long). */
const SHOWN_MS = 10_000;

export interface LastAction {
  text: string;
  undo: Undo;
  at: number;
}

/** "Deleted 2 messages. Undo": the last action, and the way back. */
export function UndoBar({ last, onUndo, onClose }: { last: LastAction | undefined; onUndo: () => void; onClose: () => void }): React.JSX.Element | null {
  const { t } = useTranslation('mail');
  const [, tick] = useState(0);
  useEffect(() => {
    if (!last) return;
    const timer = setTimeout(() => {
      tick((n) => n + 1);
      onClose();
    }, SHOWN_MS);
    return () => clearTimeout(timer);
  }, [last, onClose]);
  if (!last) return null;
  return (
    <div className="undo-bar" role="status" aria-label={t('undo.label')}>
      {last.text}{' '}
      <button type="button" onClick={onUndo}>
        {last.undo.description}
      </button>
    </div>
  );
}
