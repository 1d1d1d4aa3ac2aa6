/**
 * `mailto:` links as RFC 6068 defines them: addresses before the `?`, then
 * header fields (`to`, `cc`, `bcc`, `subject`, `body`, `in-reply-to`, and
 * others we ignore), each percent-encoded UTF-8. A link is something anyone
 * can put in a web page or a message: it fills in a message for the user to
 * look at and send, and it can never choose the sender, add attachments or
 * set other headers.
 */

export interface MailtoFields {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  /** Line breaks as `\n`. */
  body: string;
  /** Message-ID without angle brackets, when the link answers a message. */
  inReplyTo?: string;
}

/** Links longer than this are refused outright: no real one comes near it. */
export const MAILTO_MAX_LENGTH = 64 * 1024;

/** The fields of a `mailto:` link, or undefined when it is not one or cannot be read. */
export function parseMailto(link: string): MailtoFields | undefined {
  const trimmed = link.trim();
  if (trimmed.length > MAILTO_MAX_LENGTH || !/^mailto:/i.test(trimmed)) return undefined;
  const rest = trimmed.slice('mailto:'.length);
  const question = rest.indexOf('?');
  const addressPart = question < 0 ? rest : rest.slice(0, question);
  const query = question < 0 ? '' : rest.slice(question + 1);
  const fields: MailtoFields = { to: [], cc: [], bcc: [], subject: '', body: '' };
  const to = decode(addressPart);
  if (to === undefined) return undefined;
  fields.to.push(...addresses(to));
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decode(equals < 0 ? pair : pair.slice(0, equals))?.toLowerCase();
    const value = decode(equals < 0 ? '' : pair.slice(equals + 1));
    if (name === undefined || value === undefined) return undefined;
    switch (name) {
      case 'to':
        fields.to.push(...addresses(value));
        break;
      case 'cc':
        fields.cc.push(...addresses(value));
        break;
      case 'bcc':
        fields.bcc.push(...addresses(value));
        break;
      case 'subject':
        // One line: a subject with line breaks would be a header injection elsewhere.
        if (fields.subject === '') fields.subject = value.replace(/[\r\n]+/g, ' ');
        break;
      case 'body':
        if (fields.body === '') fields.body = value.replace(/\r\n?/g, '\n');
        break;
      case 'in-reply-to': {
        const id = /<([^<>\s]+)>/.exec(value)?.[1];
        if (id !== undefined) fields.inReplyTo = id;
        break;
      }
      default:
        // From, Sender, Reply-To, attachments and the rest are not a link's to set (RFC 6068 section 7).
        break;
    }
  }
  return fields;
}

/** Percent-decoding as UTF-8; `+` stays a plus (RFC 6068 section 5: it is not a space here). */
function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A comma-separated address list, each address trimmed; the empty ones dropped. */
function addresses(list: string): string[] {
  return list
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
}
