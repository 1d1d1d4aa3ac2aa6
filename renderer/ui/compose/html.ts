/**
 * The rich text the composer produces and accepts. Everything that goes into
 * the editor (a draft, a quoted original, a paste) and everything that is
 * sent passes the same allowlist: simple structure and links, no styles,
 * images, scripts or forms. The plain-text alternative is derived from it.
 */
import DOMPurify from 'dompurify';
import { escapeHtml } from './text';

const ALLOWED_TAGS = [
  'a',
  'b',
  'blockquote',
  'br',
  'code',
  'div',
  'em',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'li',
  'ol',
  'p',
  'pre',
  's',
  'span',
  'strong',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'u',
  'ul',
];

/** Web and mail links only: no javascript:, data: or file: addresses in what is sent. */
export const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;

export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href'],
    ALLOWED_URI_REGEXP: SAFE_LINK,
    KEEP_CONTENT: true,
  });
}

/** A whole HTML document around the sanitised body, with its charset said. */
export function htmlDocument(bodyHtml: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>${sanitizeHtml(bodyHtml)}</body></html>`;
}

/** Plain text as editor HTML: one block per line, as Chromium's own editing makes them. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => `<div>${line === '' ? '<br>' : escapeHtml(line)}</div>`)
    .join('');
}

const BLOCKS = new Set(['address', 'div', 'dl', 'dt', 'dd', 'figure', 'footer', 'form', 'header', 'section', 'article', 'main', 'nav', 'table', 'tr']);
const PARAGRAPHS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'ul', 'ol', 'hr']);
const SKIPPED = new Set(['script', 'style', 'head', 'title', 'template', 'noscript']);

/** Collects lines; blocks start on a new line, paragraphs are set apart by an empty one. */
class Lines {
  readonly lines: string[] = [''];

  text(value: string): void {
    const last = this.lines.length - 1;
    const current = this.lines[last] ?? '';
    this.lines[last] = current === '' ? value.replace(/^ +/, '') : current + value;
  }

  newLine(): void {
    this.lines.push('');
  }

  startBlock(): void {
    if ((this.lines[this.lines.length - 1] ?? '') !== '') this.newLine();
  }

  startParagraph(): void {
    this.startBlock();
    const before = this.lines[this.lines.length - 2];
    if (before !== undefined && before !== '') this.newLine();
  }

  /** Adds finished lines (a quote, a list item) as they are. */
  append(lines: string[]): void {
    this.startBlock();
    this.lines.pop();
    this.lines.push(...lines, '');
  }

  result(): string[] {
    const lines = this.lines.map((line) => line.replace(/\s+$/, ''));
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    while (lines.length > 0 && lines[0] === '') lines.shift();
    return lines;
  }
}

function walk(node: Node, out: Lines, preformatted: boolean): void {
  if (node.nodeType === Node.TEXT_NODE) {
    const value = node.textContent ?? '';
    if (preformatted) {
      value.split('\n').forEach((part, i) => {
        if (i > 0) out.newLine();
        out.text(part);
      });
    } else {
      out.text(value.replace(/\s+/g, ' '));
    }
    return;
  }
  if (!(node instanceof Element)) return;
  const tag = node.tagName.toLowerCase();
  if (SKIPPED.has(tag)) return;
  const children = (pre = preformatted): void => node.childNodes.forEach((child) => walk(child, out, pre));
  switch (tag) {
    case 'br':
      out.newLine();
      return;
    case 'hr':
      out.startParagraph();
      out.text('----------');
      out.newLine();
      return;
    case 'blockquote': {
      const inner = new Lines();
      node.childNodes.forEach((child) => walk(child, inner, preformatted));
      out.startBlock();
      out.append(inner.result().map((line) => (line === '' ? '>' : line.startsWith('>') ? `>${line}` : `> ${line}`)));
      return;
    }
    case 'li': {
      const inner = new Lines();
      node.childNodes.forEach((child) => walk(child, inner, preformatted));
      const ordered = node.parentElement?.tagName.toLowerCase() === 'ol';
      const index = node.parentElement ? Array.from(node.parentElement.children).indexOf(node) + 1 : 1;
      const marker = ordered ? `${index}. ` : '- ';
      const lines = inner.result();
      out.append((lines.length > 0 ? lines : ['']).map((line, i) => (i === 0 ? marker : ' '.repeat(marker.length)) + line));
      return;
    }
    case 'a': {
      const before = out.lines.join('\n').length;
      children();
      const label = out.lines.join('\n').slice(before).trim();
      const href = node.getAttribute('href') ?? '';
      const target = href.replace(/^mailto:/i, '');
      if (SAFE_LINK.test(href) && target !== label && href !== label) out.text(` <${target}>`);
      return;
    }
    case 'td':
    case 'th':
      children();
      out.text(' ');
      return;
  }
  if (PARAGRAPHS.has(tag)) {
    out.startParagraph();
    children(tag === 'pre' || preformatted);
    out.startParagraph();
    return;
  }
  if (BLOCKS.has(tag) || tag === 'body' || tag === 'html') {
    out.startBlock();
    children();
    out.startBlock();
    return;
  }
  children();
}

/** The plain-text alternative of some HTML: lines, lists as "- ", quotes as "> ", links with their address. */
export function htmlToText(html: string): string {
  const document = new DOMParser().parseFromString(sanitizeHtml(html), 'text/html');
  const out = new Lines();
  walk(document.body, out, false);
  return out.result().join('\n');
}
