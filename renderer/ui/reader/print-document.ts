/**
 * What printing a message prints: its headers, then its body as the reader
 * shows it (the sanitised HTML document, or the text), as one document that
 * loads nothing and runs nothing (the reading frame's own policy).
 */
import type { CachedMessage } from '../../db/rows';
import { i18n, locale, t } from '../../i18n';
import { addressList, fullDate, senderName } from '../format';
import { FRAME_CSP } from './mail-html';

const PRINT_CSS = `
.twinbox-print-header { font: 12pt/1.4 system-ui, sans-serif; border-bottom: 1px solid #888; margin: 0 0 12pt; padding: 0 0 8pt; }
.twinbox-print-header h1 { font-size: 16pt; margin: 0 0 6pt; }
.twinbox-print-header dl { display: grid; grid-template-columns: max-content 1fr; gap: 2pt 10pt; margin: 0; }
.twinbox-print-header dt { font-weight: 600; }
.twinbox-print-header dd { margin: 0; overflow-wrap: anywhere; }
.twinbox-print-text { white-space: pre-wrap; overflow-wrap: anywhere; font: 11pt/1.4 ui-monospace, monospace; }
`;

type PrintedMessage = Pick<CachedMessage, 'subject' | 'from' | 'to' | 'cc' | 'sortDate'>;

/** The headers a printout carries, in the reader's words. */
export function printedHeaders(message: PrintedMessage): [name: string, value: string][] {
  return [
    [t('mail:header.from'), addressList(message.from) || senderName(message.from)],
    ...(message.to.length > 0 ? [[t('mail:header.to'), addressList(message.to)] as [string, string]] : []),
    ...(message.cc.length > 0 ? [[t('mail:header.cc'), addressList(message.cc)] as [string, string]] : []),
    [t('mail:header.date'), fullDate(message.sortDate)],
  ];
}

/** `body`: the reader's sanitised document (mail-html.ts), or the message's text when it shows text. */
export function printDocument(message: PrintedMessage, body: { html: string } | { text: string }): string {
  const page = 'html' in body ? new DOMParser().parseFromString(body.html, 'text/html') : document.implementation.createHTMLDocument('');
  page.title = message.subject || t('common:noSubject');
  // Set again here, so that a document not made by mail-html (the text) is held to the same policy.
  if (!page.head.querySelector('meta[http-equiv="Content-Security-Policy"]')) {
    const policy = page.createElement('meta');
    policy.httpEquiv = 'Content-Security-Policy';
    policy.content = FRAME_CSP;
    page.head.prepend(policy);
  }
  const style = page.createElement('style');
  style.textContent = PRINT_CSS;
  page.head.append(style);

  const header = page.createElement('header');
  header.className = 'twinbox-print-header';
  // The header reads in the interface's direction, whichever way the message's body reads; with a direction of its
  // own it also stays out of the body's dir="auto", which goes by the body's first words.
  header.dir = i18n.dir(locale());
  const title = page.createElement('h1');
  title.dir = 'auto';
  title.textContent = message.subject || t('common:noSubject');
  const list = page.createElement('dl');
  for (const [name, value] of printedHeaders(message)) {
    const term = page.createElement('dt');
    term.textContent = name;
    const detail = page.createElement('dd');
    detail.dir = 'auto';
    detail.textContent = value;
    list.append(term, detail);
  }
  header.append(title, list);
  page.body.prepend(header);
  if ('text' in body) {
    const text = page.createElement('pre');
    text.className = 'twinbox-print-text';
    text.dir = 'auto';
    text.textContent = body.text;
    page.body.append(text);
  }
  return `<!DOCTYPE html>\n${page.documentElement.outerHTML}`;
}
