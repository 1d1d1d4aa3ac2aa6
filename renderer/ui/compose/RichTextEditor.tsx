import { Bold, Italic, Link, List } from 'lucide-react';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { commandState, normaliseLink, rangeInside, restoreRange, runCommand } from './editing';
import type { EditCommand } from './editing';
import { sanitizeHtml } from './html';
import { Icon } from '../icon';
import { escapeHtml } from './text';

interface FormatState {
  bold: boolean;
  italic: boolean;
  list: boolean;
}

const NONE: FormatState = { bold: false, italic: false, list: false };

// userAgent rather than the deprecated navigator.platform; only the modifier key depends on it.
const isMac = typeof navigator !== 'undefined' && /Macintosh|iPhone|iPad/.test(navigator.userAgent);
const MOD = isMac ? 'Meta' : 'Control';

/**
 * The rich-text body: a contenteditable with Bold, Italic, Bulleted list and
 * Link, by button and by the usual shortcuts. It starts from `initialHtml`
 * (sanitised) and is not controlled by React afterwards: the composer reads
 * `editorRef.current.innerHTML` when it saves or sends.
 */
export function RichTextEditor({
  initialHtml,
  disabled,
  editorRef,
  onChange,
}: {
  initialHtml: string;
  disabled: boolean;
  editorRef: RefObject<HTMLDivElement | null>;
  onChange: () => void;
}): React.JSX.Element {
  const { t } = useTranslation(['compose', 'common']);
  const [state, setState] = useState<FormatState>(NONE);
  const [linking, setLinking] = useState<{ range: Range | undefined } | undefined>();
  const [linkValue, setLinkValue] = useState('');
  const [linkError, setLinkError] = useState<string | undefined>();
  const linkInput = useRef<HTMLInputElement>(null);
  const toolbar = useRef<HTMLDivElement>(null);
  const linkErrorId = useId();

  // The first content only: afterwards the editor owns its DOM (a remount starts it again).
  const [startHtml] = useState(initialHtml);
  useLayoutEffect(() => {
    if (editorRef.current) editorRef.current.innerHTML = sanitizeHtml(startHtml);
  }, [editorRef, startHtml]);

  useEffect(() => {
    function update(): void {
      const editor = editorRef.current;
      if (!editor || !rangeInside(editor)) return;
      setState({ bold: commandState('bold'), italic: commandState('italic'), list: commandState('insertUnorderedList') });
    }
    document.addEventListener('selectionchange', update);
    return () => document.removeEventListener('selectionchange', update);
  }, [editorRef]);

  useEffect(() => {
    if (linking) linkInput.current?.focus();
  }, [linking]);

  function apply(command: EditCommand): void {
    const editor = editorRef.current;
    if (!editor || disabled) return;
    if (!rangeInside(editor)) editor.focus();
    runCommand(command);
    setState({ bold: commandState('bold'), italic: commandState('italic'), list: commandState('insertUnorderedList') });
    onChange();
  }

  function openLink(): void {
    const editor = editorRef.current;
    if (!editor || disabled) return;
    const range = rangeInside(editor)?.cloneRange();
    setLinkValue('');
    setLinkError(undefined);
    setLinking({ range });
  }

  function closeLink(): void {
    const saved = linking?.range;
    setLinking(undefined);
    editorRef.current?.focus();
    if (saved) restoreRange(saved);
  }

  function addLink(): void {
    const editor = editorRef.current;
    const href = normaliseLink(linkValue);
    if (!editor) return;
    if (!href) {
      setLinkError(t('rich.badLink'));
      linkInput.current?.focus();
      return;
    }
    const saved = linking?.range;
    setLinking(undefined);
    editor.focus();
    if (saved) {
      restoreRange(saved);
    } else {
      // Never placed a caret in the editor: the link goes at the end.
      const end = document.createRange();
      end.selectNodeContents(editor);
      end.collapse(false);
      restoreRange(end);
    }
    const range = rangeInside(editor);
    if (!range || range.collapsed) runCommand('insertHTML', `<a href="${escapeHtml(href)}">${escapeHtml(linkValue.trim())}</a>`);
    else runCommand('createLink', href);
    onChange();
  }

  function onKeyDown(event: React.KeyboardEvent<HTMLDivElement>): void {
    const mod = isMac ? event.metaKey : event.ctrlKey;
    if (!mod || event.altKey) return;
    const key = event.key.toLowerCase();
    let handled = true;
    if (key === 'b' && !event.shiftKey) apply('bold');
    else if (key === 'i' && !event.shiftKey) apply('italic');
    else if (key === 'k' && !event.shiftKey) openLink();
    else if (event.shiftKey && (event.code === 'Digit8' || key === 'l')) apply('insertUnorderedList');
    else handled = false;
    if (handled) event.preventDefault();
  }

  function onPaste(event: React.ClipboardEvent<HTMLDivElement>): void {
    // What is pasted from a web page or a word processor keeps its structure, never its styles or scripts.
    const html = event.clipboardData.getData('text/html');
    const text = event.clipboardData.getData('text/plain');
    if (html === '' && text === '') return;
    event.preventDefault();
    if (html !== '') runCommand('insertHTML', sanitizeHtml(html));
    else runCommand('insertText', text);
    onChange();
  }

  /** Arrow keys move between the toolbar's buttons, as a toolbar's do. */
  function onToolbarKeyDown(event: React.KeyboardEvent<HTMLDivElement>): void {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft' && event.key !== 'Home' && event.key !== 'End') return;
    const buttons = Array.from(toolbar.current?.querySelectorAll('button') ?? []);
    const index = buttons.findIndex((b) => b === document.activeElement);
    const next =
      event.key === 'Home' ? 0 : event.key === 'End' ? buttons.length - 1 : (index + (event.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length;
    buttons[next]?.focus();
    event.preventDefault();
  }

  // Pressing a toolbar button must not take the selection out of the editor.
  const keepSelection = (event: React.MouseEvent): void => event.preventDefault();
  const shortcut = (key: string, shift = false): string => `${MOD}+${shift ? 'Shift+' : ''}${key}`;
  /** The button's tooltip: its name and its shortcut, with the keys named as the user's keyboard names them. */
  const label = (name: string, key: string, shift = false): string => {
    const keys = isMac ? t(shift ? 'rich.shortcutMacShift' : 'rich.shortcutMac', { key }) : t(shift ? 'rich.shortcutShift' : 'rich.shortcut', { key });
    return t('rich.withShortcut', { name, shortcut: keys });
  };

  return (
    <div className="compose-rich">
      <div ref={toolbar} className="compose-format-bar" role="toolbar" aria-label={t('rich.toolbar')} onKeyDown={onToolbarKeyDown}>
        <button type="button" aria-label={t('rich.bold')} title={label(t('rich.bold'), 'B')} aria-keyshortcuts={shortcut('B')} aria-pressed={state.bold} disabled={disabled} onMouseDown={keepSelection} onClick={() => apply('bold')}>
          <Icon icon={Bold} />
        </button>
        <button type="button" aria-label={t('rich.italic')} title={label(t('rich.italic'), 'I')} aria-keyshortcuts={shortcut('I')} aria-pressed={state.italic} disabled={disabled} onMouseDown={keepSelection} onClick={() => apply('italic')}>
          <Icon icon={Italic} />
        </button>
        <button
          type="button"
          aria-label={t('rich.list')}
          title={label(t('rich.list'), '8', true)}
          aria-keyshortcuts={shortcut('8', true)}
          aria-pressed={state.list}
          disabled={disabled}
          onMouseDown={keepSelection}
          onClick={() => apply('insertUnorderedList')}
        >
          <Icon icon={List} />
        </button>
        <button type="button" aria-label={t('rich.link')} title={label(t('rich.link'), 'K')} aria-keyshortcuts={shortcut('K')} disabled={disabled} onMouseDown={keepSelection} onClick={openLink}>
          <Icon icon={Link} />
        </button>
      </div>
      {linking && (
        <div
          className="compose-link-form"
          role="group"
          aria-label={t('rich.linkForm')}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              closeLink();
            } else if (event.key === 'Enter') {
              event.preventDefault();
              event.stopPropagation();
              addLink();
            }
          }}
        >
          <label>
            {t('rich.linkAddress')}{' '}
            <input
              ref={linkInput}
              type="text"
              inputMode="url"
              value={linkValue}
              aria-invalid={linkError !== undefined}
              aria-describedby={linkError ? linkErrorId : undefined}
              onChange={(event) => setLinkValue(event.target.value)}
            />
          </label>
          <button type="button" onClick={addLink}>
            {t('rich.addLink')}
          </button>
          <button type="button" onClick={closeLink}>
            {t('common:cancel')}
          </button>
          {linkError && (
            <p id={linkErrorId} role="alert" className="field-error">
              {linkError}
            </p>
          )}
        </div>
      )}
      <div
        ref={editorRef}
        className="compose-editor"
        role="textbox"
        aria-multiline="true"
        aria-label={t('body.label')}
        aria-disabled={disabled}
        // What is written here is the user's: a right-to-left language reads right to left.
        dir="auto"
        contentEditable={!disabled}
        suppressContentEditableWarning
        spellCheck
        onInput={onChange}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
      />
    </div>
  );
}
