/**
 * A mail's HTML made into a document for the sandboxed reading frame.
 * DOMPurify removes scripts, handlers, forms, frames and everything else
 * that is not plain HTML; then every address the document would fetch is
 * resolved here: the message's own images (cid:) and remote images the user
 * allowed become data: URIs, and every other address is removed and
 * counted. Links keep their text, lose their target (nothing in the frame
 * may navigate), and show where they go on hover and in the links list.
 */
import DOMPurify from 'dompurify';
import { rewriteDeclarations, rewriteStyleSheet } from './mail-css';
import type { CssResolver } from './mail-css';
import { parseSrcset, serializeSrcset } from './srcset';

/** The frame's own policy, on top of the app's (which a srcdoc document inherits): it may load nothing but data: URIs. */
export const FRAME_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'";

/** The sandbox of the reading frame: no scripts, an opaque origin, no popups, no navigation of the app, no forms. */
export const FRAME_SANDBOX = '';

export interface ImageSources {
  /** The message's own pictures as data: URIs, by lower-case Content-ID. */
  contentIds: ReadonlyMap<string, string>;
  /** Remote pictures the user allowed and main fetched, as data: URIs, by address. */
  remote: ReadonlyMap<string, string>;
}

export interface MailLink {
  text: string;
  href: string;
}

export interface PreparedHtml {
  /** The whole document for the frame's srcdoc. */
  document: string;
  /** Every remote picture address (http or https) the mail names, shown or not. */
  remoteImages: string[];
  /** Those of them not shown: not allowed yet, or not loaded. */
  blockedImages: string[];
  /** Lower-case Content-IDs the mail refers to (cid:). */
  contentIds: string[];
  links: MailLink[];
}

const FORBIDDEN_TAGS = [
  'form',
  'input',
  'button',
  'select',
  'option',
  'optgroup',
  'textarea',
  'datalist',
  'output',
  'audio',
  'video',
  'track',
  'template',
  'slot',
];

// Attributes the HTML profile allows that name an address this reader has no use for.
const DROPPED_ADDRESS_ATTRIBUTES = new Set(['action', 'formaction', 'poster', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'ping', 'xmlns']);

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

const MAX_LINKS = 500;

// Only used to tell a relative address (which the frame would resolve against the app's own) from an absolute one.
const PLACEHOLDER_BASE = 'https://relative.twinbox.invalid/';

const BASE_CSS = [
  'html { background: #fff; color: #111; color-scheme: light; }',
  'body { margin: 8px; font-family: system-ui, sans-serif; font-size: 14px; overflow-wrap: break-word; }',
  'img { max-width: 100%; }',
  'pre { white-space: pre-wrap; }',
  'a[data-link] { color: #0b57d0; text-decoration: underline; cursor: help; }',
].join('\n');

/** Turns a mail's HTML into the frame's document, resolving pictures from `sources`. */
export function prepareMailHtml(html: string, sources: ImageSources): PreparedHtml {
  const clean = DOMPurify.sanitize(html, {
    WHOLE_DOCUMENT: true,
    RETURN_DOM: true,
    USE_PROFILES: { html: true },
    FORBID_TAGS: FORBIDDEN_TAGS,
    ALLOW_DATA_ATTR: false,
  });
  const references = new References(sources);
  const output = document.implementation.createHTMLDocument('');
  const root = clean instanceof Element ? clean : undefined;
  const links: MailLink[] = [];

  const head = output.head;
  head.append(meta(output, { charset: 'utf-8' }));
  head.append(meta(output, { 'http-equiv': 'Content-Security-Policy', content: FRAME_CSP }));
  head.append(meta(output, { name: 'referrer', content: 'no-referrer' }));
  head.append(style(output, BASE_CSS));

  if (root) {
    const lang = root.getAttribute('lang');
    if (lang !== null && /^[A-Za-z0-9-]{1,35}$/.test(lang)) output.documentElement.lang = lang;
    const dir = root.getAttribute('dir');
    if (dir === 'rtl' || dir === 'ltr' || dir === 'auto') output.documentElement.dir = dir;
    // Styles from <head> and <body> alike, in order: where a <style> sits does not change what it does.
    for (const sheet of Array.from(root.querySelectorAll('style'))) {
      const css = rewriteStyleSheet(sheet.textContent, references.css);
      sheet.remove();
      if (css !== '') head.append(style(output, css));
    }
    const body = root.querySelector('body');
    if (body) {
      for (const element of [body, ...Array.from(body.querySelectorAll('*'))]) rewriteElement(element, references, links);
      output.body.replaceWith(output.importNode(body, true));
    }
  }
  // A message that says nothing of its direction reads as its first words do: Arabic or Hebrew right to left, in a
  // frame that does not take the interface's left to right. A direction the message gives is kept.
  const bodyDir = output.body.getAttribute('dir')?.toLowerCase();
  if (!output.documentElement.hasAttribute('dir') && bodyDir !== 'ltr' && bodyDir !== 'rtl' && bodyDir !== 'auto') output.body.dir = 'auto';
  return {
    document: `<!DOCTYPE html>\n${output.documentElement.outerHTML}`,
    remoteImages: [...references.remote],
    blockedImages: [...references.blocked],
    contentIds: [...references.contentIds],
    links,
  };
}

function rewriteElement(element: Element, references: References, links: MailLink[]): void {
  const tag = element.localName;
  for (const { name, value } of Array.from(element.attributes)) {
    switch (name) {
      case 'style': {
        const css = rewriteDeclarations(value, references.css);
        if (css === '') element.removeAttribute(name);
        else if (css !== value) element.setAttribute(name, css);
        break;
      }
      case 'src':
      case 'background': {
        const resolved = tag === 'img' || name === 'background' ? references.image(value) : undefined;
        if (resolved === undefined) element.removeAttribute(name);
        else if (resolved !== value) element.setAttribute(name, resolved);
        break;
      }
      case 'srcset': {
        const kept = tag === 'img' || tag === 'source' ? parseSrcset(value).flatMap((c) => resolvedCandidate(c, references)) : [];
        if (kept.length === 0) element.removeAttribute(name);
        else element.setAttribute(name, serializeSrcset(kept));
        break;
      }
      case 'href':
        element.removeAttribute(name);
        if (tag === 'a' || tag === 'area') {
          const link = linkTarget(value);
          if (link !== undefined) {
            element.setAttribute('title', link);
            element.setAttribute('data-link', '');
            if (links.length < MAX_LINKS) links.push({ text: linkText(element) || link, href: link });
          }
        }
        break;
      default:
        if (DROPPED_ADDRESS_ATTRIBUTES.has(name)) element.removeAttribute(name);
    }
  }
}

/** What a link says: its text, or the description of the picture it is made of. */
function linkText(element: Element): string {
  const described = [element.textContent, element.getAttribute('alt'), element.querySelector('img[alt]')?.getAttribute('alt')];
  return (described.find((text) => text !== null && text !== undefined && text.trim() !== '') ?? '').replace(/\s+/g, ' ').trim();
}

function resolvedCandidate(candidate: { url: string; descriptor: string }, references: References): { url: string; descriptor: string }[] {
  const resolved = references.image(candidate.url);
  return resolved === undefined ? [] : [{ url: resolved, descriptor: candidate.descriptor }];
}

/** Where a link goes, when it goes somewhere a person could follow (a web page, an address, a phone number). */
function linkTarget(href: string): string | undefined {
  const url = absolute(href);
  return url && LINK_PROTOCOLS.has(url.protocol) ? url.href : undefined;
}

/** An absolute address, or undefined for a relative one (which would point into the app) or garbage. */
function absolute(value: string): URL | undefined {
  try {
    const url = new URL(value, PLACEHOLDER_BASE);
    return url.href.startsWith(PLACEHOLDER_BASE) || url.hostname === 'relative.twinbox.invalid' ? undefined : url;
  } catch {
    return undefined;
  }
}

/** Every picture address met while preparing one document, and what each became. */
class References {
  readonly remote = new Set<string>();
  readonly blocked = new Set<string>();
  readonly contentIds = new Set<string>();

  constructor(private readonly sources: ImageSources) {}

  /** The data: URI to show for a picture address, or undefined to remove it. */
  image(value: string): string | undefined {
    // The URL parser ignores these too; a check that did not would be fooled by "ht\ttp:".
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    const address = value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
    if (/^data:image\//i.test(address)) return address;
    if (/^cid:/i.test(address)) {
      const id = contentId(address.slice(4));
      this.contentIds.add(id);
      return this.sources.contentIds.get(id);
    }
    const url = absolute(address);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
    this.remote.add(url.href);
    const loaded = this.sources.remote.get(url.href);
    if (loaded === undefined) this.blocked.add(url.href);
    return loaded;
  }

  readonly css: CssResolver = (url, kind) => {
    if (kind === 'image') return this.image(url);
    // Fonts only from the message itself; a remote font is a tracker like any other, and not a picture to offer.
    return /^data:/i.test(url.trim()) ? url.trim() : undefined;
  };
}

function contentId(text: string): string {
  try {
    return decodeURIComponent(text).trim().toLowerCase();
  } catch {
    return text.trim().toLowerCase();
  }
}

function meta(document: Document, attributes: Record<string, string>): HTMLMetaElement {
  const element = document.createElement('meta');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function style(document: Document, css: string): HTMLStyleElement {
  const element = document.createElement('style');
  element.textContent = css;
  return element;
}
