import { useEffect, useRef } from 'react';

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

/** Every shortcut, as the help overlay lists it. */
export const SHORTCUTS: readonly { keys: string; does: string; handler: keyof ShortcutHandlers | 'help' }[] = [
  { keys: 'J or ↓', does: 'Next message', handler: 'next' },
  { keys: 'K or ↑', does: 'Previous message', handler: 'previous' },
  { keys: 'R', does: 'Reply', handler: 'reply' },
  { keys: 'Shift+R', does: 'Reply all', handler: 'replyAll' },
  { keys: 'L', does: 'Forward', handler: 'forward' },
  { keys: 'N', does: 'New message', handler: 'newMessage' },
  { keys: 'Delete', does: 'Delete', handler: 'delete' },
  { keys: 'A', does: 'Archive', handler: 'archive' },
  { keys: 'M', does: 'Mark as read or unread', handler: 'toggleRead' },
  { keys: 'S', does: 'Flag or unflag', handler: 'toggleFlag' },
  { keys: '/ or Ctrl+K', does: 'Search', handler: 'search' },
  { keys: 'Ctrl+Z', does: 'Undo the last action', handler: 'undo' },
  { keys: '?', does: 'Show these shortcuts', handler: 'help' },
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
  const help = useRef<HTMLDialogElement>(null);
  const current = useRef(handlers);
  current.current = handlers;

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.defaultPrevented || typing(event.target)) return;
      const name = handlerFor(event);
      if (!name) return;
      event.preventDefault();
      if (name === 'help') help.current?.showModal();
      else current.current[name]();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <dialog ref={help} id={HELP_ID} className="dialog" aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table className="shortcut-table">
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.keys}>
              <td>
                <kbd>{shortcut.keys}</kbd>
              </td>
              <td>{shortcut.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog" className="dialog-buttons">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
