/**
 * The few editing commands the rich-text body offers. They go through
 * document.execCommand, deprecated but still the only editing API whose
 * changes join the browser's own undo stack (Ctrl+Z undoes a Bold like a
 * typed letter); the Input Events and EditContext replacements are not
 * there yet. Everything they produce is sanitised before it is sent.
 */

export type EditCommand = 'bold' | 'italic' | 'insertUnorderedList';

export function runCommand(command: EditCommand | 'createLink' | 'insertHTML' | 'insertText', value?: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see the comment at the top of this file
  return document.execCommand(command, false, value);
}

/** Whether the selection is bold, italic, or in a bulleted list. */
export function commandState(command: EditCommand): boolean {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see the comment at the top of this file
  return document.queryCommandState(command);
}

/** The selection's range when it lies inside `root`. */
export function rangeInside(root: HTMLElement): Range | undefined {
  const selection = document.getSelection();
  if (!selection || selection.rangeCount === 0) return undefined;
  const range = selection.getRangeAt(0);
  return root.contains(range.commonAncestorContainer) ? range : undefined;
}

export function restoreRange(range: Range): void {
  const selection = document.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

/** A link address as typed: a web address gets https:// when it has no scheme; anything but web and mail links is refused. */
export function normaliseLink(input: string): string | undefined {
  const value = input.trim();
  if (value === '') return undefined;
  if (/^mailto:[^\s@]+@[^\s@]+$/i.test(value)) return value;
  if (/^[^\s@:/]+@[^\s@]+\.[^\s@]+$/.test(value)) return `mailto:${value}`;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`;
  try {
    const url = new URL(withScheme);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
