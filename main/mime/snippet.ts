/**
 * The preview line of a message list: plain text, whitespace collapsed,
 * about 200 characters, from the text body or else from the HTML body with
 * head, styles, scripts, comments and tags removed and entities decoded.
 */

/** Preview length in characters; cut back to a word boundary when one is near. */
export const SNIPPET_LENGTH = 200;

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  deg: '°',
  times: '×',
  divide: '÷',
  shy: '',
  zwnj: '',
  zwj: '',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  iexcl: '¡',
  iquest: '¿',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  aacute: 'á',
  agrave: 'à',
  acirc: 'â',
  oacute: 'ó',
  ocirc: 'ô',
  iacute: 'í',
  uacute: 'ú',
  ccedil: 'ç',
  ntilde: 'ñ',
  Eacute: 'É',
};

/** Decodes HTML character references: the common named ones and every numeric one. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});?/gi, (match, entity: string) => {
    if (entity.startsWith('#')) {
      const point = entity.charAt(1).toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return point > 0 && point <= 0x10ffff && (point < 0xd800 || point > 0xdfff) ? String.fromCodePoint(point) : '\ufffd';
    }
    return NAMED_ENTITIES[entity] ?? match;
  });
}

// Removes every `<open ...>...</close>` block, scanning with indexOf so that an
// unclosed block costs one pass, not one pass per opening tag.
function removeBlocks(html: string, tag: string): string {
  const lower = html.toLowerCase();
  const open = `<${tag}`;
  const close = `</${tag}`;
  let output = '';
  let position = 0;
  for (let start = lower.indexOf(open); start >= 0; start = lower.indexOf(open, position)) {
    output += html.slice(position, start);
    const end = lower.indexOf(close, start + open.length);
    if (end < 0) return output;
    const closeEnd = lower.indexOf('>', end);
    position = closeEnd < 0 ? html.length : closeEnd + 1;
  }
  return output + html.slice(position);
}

function removeComments(html: string): string {
  let output = '';
  let position = 0;
  for (let start = html.indexOf('<!--'); start >= 0; start = html.indexOf('<!--', position)) {
    output += html.slice(position, start) + ' ';
    const end = html.indexOf('-->', start + 4);
    if (end < 0) return output;
    position = end + 3;
  }
  return output + html.slice(position);
}

/** The visible text of an HTML body, on one line. */
export function htmlToPlainText(html: string): string {
  let text = removeComments(html);
  for (const tag of ['head', 'style', 'script', 'title']) text = removeBlocks(text, tag);
  text = text.replace(/<[^>]*>?/g, ' ');
  return collapse(decodeEntities(text));
}

function collapse(text: string): string {
  // Zero-width and soft-hyphen characters pad marketing previews; they are invisible anyway.
  return text
    .replace(/\u00ad|\u034f|[\u200b-\u200d]|\u2060|\ufeff/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The preview of a body: from the text when it has any words, else from the HTML. */
export function snippetOf(text: string | undefined, html: string | undefined): string | undefined {
  let source = text === undefined ? '' : collapse(text);
  if (source === '' && html !== undefined) source = htmlToPlainText(html);
  if (source === '') return undefined;
  if (source.length <= SNIPPET_LENGTH) return source;
  // Never end on half of a surrogate pair (an emoji cut in two).
  const cut = source.slice(0, SNIPPET_LENGTH).replace(/[\ud800-\udbff]$/, '');
  const lastSpace = cut.lastIndexOf(' ');
  return (lastSpace >= SNIPPET_LENGTH * 0.8 ? cut.slice(0, lastSpace) : cut).trimEnd();
}
