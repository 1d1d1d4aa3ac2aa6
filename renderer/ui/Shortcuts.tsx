import { useEffect, useEffectEvent, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export interface ShortcutHandlers {
  next: () => void;
  previous: () => void;
  reply: () => void;
  replyAll: () => void;
  forward: () => void;
  newMessage: () => void;
  delete: () => void;
  archive: () => void;
  toggleRead: () => void;
  toggleFlag: () => void;
  search: () => void;
  undo: () => void;
}

/** Every shortcut, in the order the help overlay lists them; its keys and what it does are in the catalog (shortcuts.key, shortcuts.action). */
export const SHORTCUTS: readonly (keyof ShortcutHandlers | 'help')[] = [
  'next',
  'previous',
  'reply',
  'replyAll',
  'forward',
  'newMessage',
  'delete',
  'archive',
  'toggleRead',
  'toggleFlag',
  'search',
  'undo',
  'help',
];

/** Which key does what: Thunderbird's letters where they exist. */
function handlerFor(event: KeyboardEvent): keyof ShortcutHandlers | 'help' | undefined {
  const key = event.key;
  if ((event.ctrlKey || event.metaKey) && !event.altKey) {
    if (key.toLowerCase() === 'z' && !event.shiftKey) return 'undo';
    if (key.toLowerCase() === 'k') return 'search';
    return undefined;
  }
  if (event.altKey) return undefined;
  switch (key) {
    case 'j':
    case 'ArrowDown':
      return 'next';
    case 'k':
    case 'ArrowUp':
      return 'previous';
    case 'r':
      return 'reply';
    case 'R':
      return 'replyAll';
    case 'l':
      return 'forward';
    case 'n':
      return 'newMessage';
    case 'Delete':
      return 'delete';
    case 'a':
      return 'archive';
    case 'm':
      return 'toggleRead';
    case 's':
      return 'toggleFlag';
    case '/':
      return 'search';
    case '?':
      return 'help';
    default:
      return undefined;
  }
}

/** Typing in a field, or a dialog that owns the keyboard: shortcuts stay out of the way. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('dialog[open]') !== null;
}

const HELP_ID = 'keyboard-shortcuts';

/** Opens the overlay that lists the shortcuts (also on "?"). */
export function showShortcuts(): void {
  const dialog = document.getElementById(HELP_ID);
  if (dialog instanceof HTMLDialogElement) dialog.showModal();
}

/** The global keyboard shortcuts, and the overlay that lists them. */
export function Shortcuts({ handlers }: { handlers: ShortcutHandlers }): React.JSX.Element {
  const { t } = useTranslation(['mail', 'common']);
  const help = useRef<HTMLDialogElement>(null);
  // The handlers of the latest render, without listening again each time they change.
  const run = useEffectEvent((name: keyof ShortcutHandlers | 'help') => {
    if (name === 'help') help.current?.showModal();
    else handlers[name]();
  });

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.defaultPrevented || typing(event.target)) return;
      const name = handlerFor(event);
      if (!name) return;
      event.preventDefault();
      run(name);
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <dialog ref={help} id={HELP_ID} className="dialog" aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
      <table className="shortcut-table">
        <thead>
          <tr>
            <th scope="col">{t('shortcuts.keys')}</th>
            <th scope="col">{t('shortcuts.does')}</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut}>
              <td>
                <kbd>{t(`shortcuts.key.${shortcut}`)}</kbd>
              </td>
              <td>{t(`shortcuts.action.${shortcut}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog" className="dialog-buttons">
        <button type="submit">{t('common:close')}</button>
      </form>
    </dialog>
  );
}
