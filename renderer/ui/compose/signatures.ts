/**
 * Signatures in a message being written: below what is written, behind the
 * standard "-- " line in plain text (RFC 3676 section 4.3, which mail
 * programs use to tell a signature from the text and leave it out of
 * quotes); in an answer above the quoted message or below it, as the user
 * chose; swapped for another when the user writes as another identity, as
 * long as it is still the signature that was put in.
 */
import type { Signature } from '../../../shared/model';
import { sanitizeHtml, textToHtml } from './html';

export const SIGNATURE_SEPARATOR = '-- ';

/** Where a signature goes: a new message's end; in an answer or a forward, above or below the quoted part. */
export type SignaturePlace = 'end' | 'above' | 'below';

/** The signature as it stands in plain text: the separator line, then its text. */
export function plainBlock(signature: Signature): string {
  return `${SIGNATURE_SEPARATOR}\n${signature.text.replace(/\r\n?/g, '\n').replace(/\s+$/, '')}`;
}

/**
 * `body` with the signature put in. `marker` is the line the quoted part
 * starts with ("On …, … wrote:", or the forwarded header), above which a
 * signature placed above goes; without it found, the signature goes last.
 */
export function addPlainSignature(body: string, signature: Signature | undefined, place: SignaturePlace, marker?: string): string {
  if (!signature || signature.text.trim() === '') return body;
  const block = plainBlock(signature);
  const at = place === 'above' && marker !== undefined ? body.indexOf(marker) : -1;
  if (at >= 0) return `${body.slice(0, at)}${block}\n\n${body.slice(at)}`;
  return `${body.replace(/\n*$/, '')}\n\n${block}\n`;
}

/**
 * The body written as another identity: the old signature, where it still
 * stands as it was put in, replaced by the new one (or taken out); a
 * signature the user changed is theirs, and stays.
 */
export function swapPlainSignature(body: string, old: Signature | undefined, next: Signature | undefined, place: SignaturePlace, marker?: string): string {
  const oldBlock = old && old.text.trim() !== '' ? plainBlock(old) : undefined;
  if (oldBlock === undefined) return addPlainSignature(body, next, place, marker);
  const at = wholeBlockAt(body, oldBlock);
  if (at < 0) return body;
  if (next && next.text.trim() !== '') return `${body.slice(0, at)}${plainBlock(next)}${body.slice(at + oldBlock.length)}`;
  // Taken out with the blank line that set it apart.
  const before = body.slice(0, at).replace(/\n\n$/, '\n');
  return `${before}${body.slice(at + oldBlock.length).replace(/^\n/, '')}`;
}

/** Where `block` last stands whole in `body` (its own lines, not the start of a longer one), or -1. */
function wholeBlockAt(body: string, block: string): number {
  for (let at = body.lastIndexOf(block); at >= 0; at = at === 0 ? -1 : body.lastIndexOf(block, at - 1)) {
    const after = body.charAt(at + block.length);
    if ((at === 0 || body.charAt(at - 1) === '\n') && (after === '' || after === '\n')) return at;
  }
  return -1;
}

/** The signature as rich text: its own rich form (sanitised like any HTML written here), else its text. */
export function richBlock(signature: Signature): string {
  const content = signature.html !== undefined && signature.html.trim() !== '' ? sanitizeHtml(signature.html) : textToHtml(signature.text.replace(/\s+$/, ''));
  return `<div>${SIGNATURE_SEPARATOR}<br>${content}</div>`;
}

const squeezed = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * The rich-text signature block still as it was put in: the last block that
 * starts with the separator line and reads as `signature` does. (A marking
 * attribute would not survive: what the editor holds is sanitised.)
 */
function richSignatureIn(root: ParentNode, signature: Signature): Element | undefined {
  const wanted = squeezed(new DOMParser().parseFromString(richBlock(signature), 'text/html').body.textContent);
  const blocks = [...root.querySelectorAll('div')].filter((div) => div.firstChild?.textContent === SIGNATURE_SEPARATOR && div.firstChild.nextSibling?.nodeName === 'BR');
  return blocks.reverse().find((div) => squeezed(div.textContent) === wanted);
}

/**
 * Rich-text `html` with the signature put in: last, or (placed above in an
 * answer) before the first element whose text is `marker`.
 */
export function addRichSignature(html: string, signature: Signature | undefined, place: SignaturePlace, marker?: string): string {
  if (!signature || (signature.text.trim() === '' && (signature.html ?? '').trim() === '')) return html;
  const page = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const block = page.createElement('template');
  block.innerHTML = richBlock(signature);
  const element = block.content.firstElementChild;
  if (!element) return html;
  const anchor = place === 'above' && marker !== undefined ? [...page.body.children].find((child) => child.textContent.trim() === marker.trim()) : undefined;
  if (anchor) anchor.before(element);
  else page.body.append(element);
  return page.body.innerHTML;
}

/** The same swap in the rich-text editor itself: the old block, where it stands as it was put in, replaced or taken out. */
export function swapRichSignature(editor: HTMLElement, old: Signature | undefined, next: Signature | undefined, place: SignaturePlace, marker?: string): void {
  const current = old ? richSignatureIn(editor, old) : undefined;
  if (!current) {
    if (!old) editor.innerHTML = addRichSignature(editor.innerHTML, next, place, marker);
    return;
  }
  if (!next) {
    current.remove();
    return;
  }
  const holder = editor.ownerDocument.createElement('template');
  holder.innerHTML = richBlock(next);
  const element = holder.content.firstElementChild;
  if (element) current.replaceWith(element);
}
