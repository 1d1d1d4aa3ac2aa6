/**
 * The few header fields an mbox needs (who sent it, which flags a mail
 * program left in it), read from the header block as Latin-1 so that no byte
 * is lost or rejected; nothing else of the message is interpreted here.
 */
import { linesOfBuffer, isBlank } from './lines';

/** Header fields by lower-case name, unfolded, in order; stops at the blank line. */
export function headerFields(raw: Buffer, limitBytes = 256 * 1024): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let current: { name: string; value: string } | undefined;
  const flush = (): void => {
    if (!current) return;
    const list = fields.get(current.name) ?? [];
    list.push(current.value.trim());
    fields.set(current.name, list);
    current = undefined;
  };
  let read = 0;
  for (const line of linesOfBuffer(raw)) {
    read += line.length;
    if (isBlank(line) || read > limitBytes) break;
    const text = line.toString('latin1').replace(/\r?\n$/, '');
    if (/^[ \t]/.test(text)) {
      if (current) current.value += ` ${text.trim()}`;
      continue;
    }
    flush();
    const colon = text.indexOf(':');
    if (colon > 0) current = { name: text.slice(0, colon).trim().toLowerCase(), value: text.slice(colon + 1) };
  }
  flush();
  return fields;
}

/** The address in a Return-Path or From field: inside <...>, else the first word with an @. */
export function addressIn(value: string): string | undefined {
  const angled = /<([^<>\s]*)>/.exec(value);
  if (angled) return angled[1] === '' ? undefined : angled[1];
  return value.split(/[\s,;"()]+/).find((word) => word.includes('@'));
}
