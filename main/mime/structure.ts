/**
 * The MIME structure of a message, read from its bytes the way a forgiving
 * mail client reads it: line by line, each delimiter matched against the
 * innermost open multipart first, with repairs for what breaks other
 * parsers. A multipart whose boundary is missing or never used gets the
 * boundary its body actually uses; headers that run into the body without a
 * blank line end at the first line that is not a header; a part cut off by
 * the end of the message ends there. Leaves keep their exact bytes (binary
 * parts included); message/rfc822 parts are parsed as messages of their own.
 */
import { decodeHeaderFields, firstField, parseStructuredValue } from './header-fields';
import type { DecodeContext, HeaderField, RawHeaderField } from './header-fields';
import { decodeBase64, decodeQuotedPrintable, transferEncodingOf } from './transfer-encodings';

/** One entity of the MIME tree: the message itself, a part, or a message nested in a part. */
export interface MimeEntity {
  fields: HeaderField[];
  /** Lower-case `type/subtype`, repaired when the header was unusable. */
  contentType: string;
  params: Map<string, string>;
  /** Lower-case disposition (`inline`, `attachment`), or '' when none was given. */
  disposition: string;
  dispositionParams: Map<string, string>;
  /** Children of a multipart, in order. */
  children: MimeEntity[];
  /** The body bytes of a leaf, still in their transfer encoding. */
  body: Uint8Array;
  /** The message a message/rfc822 part holds, when it could be parsed. */
  nested?: MimeEntity;
  /** Nesting of messages: 0 for the top-level message, +1 inside each message/rfc822. */
  messageDepth: number;
  /** True when the header block ended the input: there is no body at all. */
  bodyMissing: boolean;
}

/** Parts parsed inline as messages; deeper ones are listed as attachments. Below postal-mime's own limit of 10. */
const MAX_MESSAGE_DEPTH = 8;
/** Multiparts nested deeper than this are read as opaque leaves. */
const MAX_MULTIPART_DEPTH = 60;
const MAX_INFERENCE_LINES = 400;
const DASH = 0x2d;

const NESTED_MESSAGE_TYPES = new Set(['message/rfc822', 'message/global', 'message/news']);

/** True for the content types whose body is a whole message. */
export function isNestedMessageType(contentType: string): boolean {
  return NESTED_MESSAGE_TYPES.has(contentType);
}

interface OpenMultipart {
  entity: MimeEntity;
  boundary: Uint8Array;
}

interface HeaderState {
  entity: MimeEntity;
  raw: { name: string; chunks: Uint8Array[] }[];
  /** The parent multipart's subtype, which sets the default content type (digest: message/rfc822). */
  parentSubtype: string;
}

/**
 * Parses a message (or a message nested in a part) into its MIME tree.
 * Never throws on malformed input; every repair is noted in the context.
 */
export function parseMimeTree(source: Uint8Array, context: DecodeContext, messageDepth = 0): MimeEntity {
  return new TreeParser(stripEnvelope(source), context, messageDepth).parse();
}

// A UTF-8 byte order mark or an mbox "From " envelope line is not part of the message.
function stripEnvelope(source: Uint8Array): Uint8Array {
  let start = 0;
  if (source[0] === 0xef && source[1] === 0xbb && source[2] === 0xbf) start = 3;
  const firstLine = Buffer.from(source.subarray(start, start + 5)).toString('latin1');
  if (firstLine === 'From ') {
    const newline = source.indexOf(0x0a, start);
    start = newline < 0 ? source.length : newline + 1;
  }
  return source.subarray(start);
}

function emptyEntity(messageDepth: number): MimeEntity {
  return {
    fields: [],
    contentType: 'text/plain',
    params: new Map(),
    disposition: '',
    dispositionParams: new Map(),
    children: [],
    body: new Uint8Array(0),
    messageDepth,
    bodyMissing: false,
  };
}

class TreeParser {
  private readonly lineStarts: number[] = [];
  /** Where each line's content ends, before its CR/LF. */
  private readonly lineEnds: number[] = [];
  /** Indexes of the lines that start with "--", the only ones that can be delimiters. */
  private readonly dashLines: number[] = [];
  private readonly stack: OpenMultipart[] = [];
  private header: HeaderState | undefined;
  private readonly root: MimeEntity;
  /** Where the top-level body starts, once its headers have ended. */
  private rootBodyStart: number | undefined;
  /** The leaf whose body is being read, and where that body started. */
  private leaf: { entity: MimeEntity; start: number } | undefined;

  constructor(
    private readonly source: Uint8Array,
    private readonly context: DecodeContext,
    private readonly messageDepth: number,
  ) {
    this.root = emptyEntity(messageDepth);
    for (let start = 0; start < source.length; ) {
      const newline = source.indexOf(0x0a, start);
      const next = newline < 0 ? source.length : newline + 1;
      let end = newline < 0 ? source.length : newline;
      while (end > start && source[end - 1] === 0x0d) end--;
      if (source[start] === DASH && source[start + 1] === DASH) this.dashLines.push(this.lineStarts.length);
      this.lineStarts.push(start);
      this.lineEnds.push(end);
      start = next;
    }
  }

  parse(): MimeEntity {
    const root = this.root;
    this.header = { entity: root, raw: [], parentSubtype: '' };
    for (let line = 0; line < this.lineStarts.length; line++) this.readLine(line);
    // Still in a header block at the end: the input was headers only.
    this.endHeaders(this.lineStarts.length);
    // A part cut off by the end of the message loses the line break its missing delimiter would have owned.
    let end = this.source.length;
    if (this.stack.length > 0 && this.source[end - 1] === 0x0a) end -= this.source[end - 2] === 0x0d ? 2 : 1;
    this.closeLeaf(end);
    if (this.stack.length > 0) this.context.notes.add('A multipart part has no closing boundary; the message may be incomplete.');
    root.bodyMissing = this.rootBodyStart === undefined || !/\S/.test(Buffer.from(this.source.subarray(this.rootBodyStart)).toString('latin1'));
    return root;
  }

  private readLine(line: number): void {
    if (this.stack.length > 0 && this.source[this.lineStart(line)] === DASH) {
      const match = this.matchDelimiter(line);
      if (match) {
        this.onDelimiter(line, match.depth, match.closing);
        return;
      }
    }
    if (this.header) this.readHeaderLine(line);
  }

  private lineStart(line: number): number {
    return this.lineStarts[line] ?? this.source.length;
  }

  private lineEnd(line: number): number {
    return this.lineEnds[line] ?? this.source.length;
  }

  private lineBytes(line: number): Uint8Array {
    return this.source.subarray(this.lineStart(line), this.lineEnd(line));
  }

  /** Which open multipart this line delimits (innermost first), if any. */
  private matchDelimiter(line: number): { depth: number; closing: boolean } | undefined {
    const bytes = this.lineBytes(line);
    for (let depth = this.stack.length - 1; depth >= 0; depth--) {
      const boundary = this.stack[depth]?.boundary;
      if (!boundary) continue;
      const kind = delimiterKind(bytes, boundary);
      if (kind) return { depth, closing: kind === 'close' };
    }
    return undefined;
  }

  private onDelimiter(line: number, depth: number, closing: boolean): void {
    // The line break before a delimiter belongs to the delimiter, not to the part.
    let end = this.lineStart(line);
    if (end > 0 && this.source[end - 1] === 0x0a) end--;
    if (end > 0 && this.source[end - 1] === 0x0d) end--;
    if (this.header) this.endHeaders(line);
    this.closeLeaf(end);
    if (this.stack.length - 1 > depth) this.context.notes.add('A multipart part has no closing boundary; the message may be incomplete.');
    this.stack.length = depth + 1;
    const open = this.stack[depth];
    if (!open) return;
    if (closing) {
      this.stack.pop();
      return;
    }
    const child = emptyEntity(this.messageDepth);
    open.entity.children.push(child);
    this.header = { entity: child, raw: [], parentSubtype: open.entity.contentType.slice('multipart/'.length) };
  }

  /** Reads one line of a header block, or ends the block when the line turns out to start the body. */
  private readHeaderLine(line: number): void {
    const state = this.header;
    if (!state) return;
    const bytes = this.lineBytes(line);
    const text = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
    const last = state.raw.at(-1);
    if (bytes.length === 0) {
      this.endHeaders(line + 1);
      return;
    }
    if (bytes.every((byte) => byte === 0x20 || byte === 0x09)) {
      // A line of blanks ends the headers unless more header lines follow it (both are common mailer bugs).
      if (!this.continuesHeaderBlock(line + 1)) this.endHeaders(line + 1);
      return;
    }
    if (last && (text.startsWith(' ') || text.startsWith('\t'))) {
      last.chunks.push(bytes);
      return;
    }
    // A first field indented by mistake (" From: ...") is still a field.
    const indent = bytes.findIndex((byte) => byte !== 0x20 && byte !== 0x09);
    if (this.isHeaderStart(line, indent)) {
      this.startField(state, bytes.subarray(indent));
      return;
    }
    // A line that is not a header but is followed by more header lines lost its leading
    // blank in folding (a "name=value" parameter, or a long value wrapped by a gateway).
    // A line starting with "--" is a boundary that came without a blank line before it, never a continuation.
    if (last && !text.startsWith('--') && ((/^content-/i.test(last.name) && /^[\w.-]+\*?\d*\*?\s*=/.test(text)) || this.continuesHeaderBlock(line + 1))) {
      last.chunks.push(Buffer.from(' '), bytes);
      return;
    }
    if (state.raw.length > 0) this.context.notes.add('No blank line separates the headers from the body; the body was taken to start at the first line that is not a header.');
    else if (state.entity === this.root) this.context.notes.add(this.messageDepth === 0 ? 'The message has no headers.' : 'An attached message has no headers.');
    this.endHeaders(line);
    this.readLine(line);
  }

  /** True when the line is a header field or the folded continuation of one. */
  private continuesHeaderBlock(line: number): boolean {
    if (line >= this.lineStarts.length) return false;
    const first = this.source[this.lineStart(line)];
    return ((first === 0x20 || first === 0x09) && this.lineEnd(line) > this.lineStart(line)) || this.isHeaderStart(line);
  }

  private isHeaderStart(line: number, indent = 0): boolean {
    if (line >= this.lineStarts.length || indent < 0) return false;
    const text = Buffer.from(this.lineBytes(line).subarray(indent, indent + 100)).toString('latin1');
    // "--boundary=:123" has a colon too, but a line starting with "--" is a delimiter.
    if (text.startsWith('--')) return false;
    if (/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(text)) return true;
    // "X-Invalid Header: value": a name with a blank in it, still clearly meant as a field.
    return /^[A-Za-z][\w-]*( [\w-]+){1,2}:/.test(text) && (line + 1 >= this.lineStarts.length || this.lineEnd(line + 1) === this.lineStart(line + 1) || /^[\x21-\x39\x3b-\x7e]+[ \t]*:|^[ \t]/.test(Buffer.from(this.lineBytes(line + 1).subarray(0, 100)).toString('latin1')));
  }

  private startField(state: HeaderState, bytes: Uint8Array): void {
    const colon = bytes.indexOf(0x3a);
    const name = Buffer.from(bytes.subarray(0, colon < 0 ? bytes.length : colon))
      .toString('latin1')
      .trim();
    // A field without a name (": value") cannot be looked up or shown; it is dropped.
    if (name === '') return;
    state.raw.push({ name, chunks: [bytes.subarray(colon < 0 ? bytes.length : colon + 1)] });
  }

  /** Ends the header block; the body starts at `bodyLine`. */
  private endHeaders(bodyLine: number): void {
    const state = this.header;
    if (!state) return;
    this.header = undefined;
    const entity = state.entity;
    const raw: RawHeaderField[] = state.raw.map((field) => ({ name: field.name, value: field.chunks.length === 1 ? (field.chunks[0] ?? new Uint8Array(0)) : Buffer.concat(field.chunks) }));
    entity.fields = decodeHeaderFields(raw, this.context);
    this.describeContent(entity, state.parentSubtype);
    const bodyStart = this.lineStart(bodyLine);
    if (entity === this.root) this.rootBodyStart = bodyStart;
    if (entity.contentType.startsWith('multipart/')) {
      if (this.openMultipart(entity, bodyLine)) return;
    }
    this.leaf = { entity, start: bodyStart };
  }

  private describeContent(entity: MimeEntity, parentSubtype: string): void {
    const typeField = firstField(entity.fields, 'content-type');
    const fallback = parentSubtype === 'digest' ? 'message/rfc822' : 'text/plain';
    if (typeField) {
      const parsed = parseStructuredValue(typeField.value, this.context);
      entity.contentType = repairContentType(parsed.value, fallback);
      entity.params = parsed.params;
    } else {
      entity.contentType = fallback;
    }
    const dispositionField = firstField(entity.fields, 'content-disposition');
    if (dispositionField) {
      const parsed = parseStructuredValue(dispositionField.value, this.context);
      entity.disposition = /^[a-z-]+$/.test(parsed.value) ? parsed.value : '';
      entity.dispositionParams = parsed.params;
    }
    // RFC 2045 5.2: a Content-Type that cannot be read (say "<html>") means the default type, so the
    // part is read as text; only a part that names a file is kept as an opaque file, as it is surely one.
    if (entity.contentType === UNREADABLE_TYPE) {
      const namesFile = entity.params.has('name') || entity.dispositionParams.has('filename');
      entity.contentType = namesFile ? 'application/octet-stream' : fallback;
      if (!namesFile) entity.params = new Map();
    }
  }

  /** Starts reading a multipart's parts; false when it has no usable boundary and is read as a leaf. */
  private openMultipart(entity: MimeEntity, bodyLine: number): boolean {
    if (this.stack.length >= MAX_MULTIPART_DEPTH) {
      this.context.notes.add('Multipart parts are nested too deeply; the innermost were kept unread.');
      return false;
    }
    const declared = entity.params.get('boundary');
    if (declared !== undefined && declared !== '' && this.opensLater(Buffer.from(declared, 'utf8'), bodyLine)) {
      this.stack.push({ entity, boundary: Buffer.from(declared, 'utf8') });
      return true;
    }
    const inferred = this.inferBoundary(bodyLine);
    if (inferred !== undefined) {
      const said = declared === undefined || declared === '' ? 'names no boundary' : `names a boundary that never appears`;
      this.context.notes.add(`A multipart part ${said}; the boundary its body uses was taken instead.`);
      const otherType = entity.fields.filter((field) => field.key === 'content-type').find((field) => field.value.includes(inferred));
      const otherContentType = otherType === undefined ? undefined : repairContentType(parseStructuredValue(otherType.value, this.context).value, entity.contentType);
      if (otherContentType !== undefined && otherContentType !== UNREADABLE_TYPE) entity.contentType = otherContentType;
      this.stack.push({ entity, boundary: Buffer.from(inferred, 'latin1') });
      return true;
    }
    // An empty multipart (headers only, or a part cut to nothing) has nothing to repair.
    if (this.isBlank(bodyLine, this.nextEnclosingDelimiter(bodyLine))) return false;
    this.context.notes.add('A multipart part has no usable boundary; its content is shown as plain text.');
    entity.contentType = 'text/plain';
    entity.params = new Map();
    return false;
  }

  private isBlank(fromLine: number, toLine: number): boolean {
    for (let line = fromLine; line < toLine; line++) {
      if (/\S/.test(Buffer.from(this.lineBytes(line)).toString('latin1'))) return false;
    }
    return true;
  }

  /** The first line from `fromLine` on that delimits an enclosing multipart, or the end of the input. */
  private nextEnclosingDelimiter(fromLine: number): number {
    for (let index = this.firstDashLineAtOrAfter(fromLine); index < this.dashLines.length; index++) {
      const line = this.dashLines[index] ?? 0;
      if (this.matchDelimiter(line)) return line;
    }
    return this.lineStarts.length;
  }

  private firstDashLineAtOrAfter(fromLine: number): number {
    let low = 0;
    let high = this.dashLines.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.dashLines[middle] ?? 0) < fromLine) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Dash lines from `fromLine` on, until a delimiter of an enclosing multipart. */
  private *dashLinesFrom(fromLine: number): Generator<number> {
    const low = this.firstDashLineAtOrAfter(fromLine);
    for (let index = low; index < this.dashLines.length && index - low < MAX_INFERENCE_LINES * 50; index++) {
      const line = this.dashLines[index] ?? 0;
      if (this.matchDelimiter(line)) return;
      yield line;
    }
  }

  /** True when the boundary opens a part before the region ends. The candidate is matched first, as the innermost boundary it would become. */
  private opensLater(boundary: Uint8Array, fromLine: number): boolean {
    const start = this.firstDashLineAtOrAfter(fromLine);
    for (let index = start; index < this.dashLines.length && index - start < MAX_INFERENCE_LINES * 50; index++) {
      const line = this.dashLines[index] ?? 0;
      const kind = delimiterKind(this.lineBytes(line), boundary);
      if (kind === 'open') return true;
      if (kind === undefined && this.matchDelimiter(line)) return false;
    }
    return false;
  }

  /**
   * The boundary a multipart body actually uses: the first dash line that can
   * open a part. A line ending in "--" is skipped, since it closes something;
   * if its boundary opens parts at all, an opening line comes first or later.
   */
  private inferBoundary(fromLine: number): string | undefined {
    let tried = 0;
    for (const line of this.dashLinesFrom(fromLine)) {
      if (++tried > MAX_INFERENCE_LINES) return undefined;
      const candidate = Buffer.from(this.lineBytes(line)).toString('latin1').slice(2).trimEnd();
      if (candidate.endsWith('--') || !/^[\x21-\x7e]{1,200}$/.test(candidate) || /^-*$/.test(candidate)) continue;
      return candidate;
    }
    return undefined;
  }

  private closeLeaf(end: number): void {
    const leaf = this.leaf;
    if (!leaf) return;
    this.leaf = undefined;
    const entity = leaf.entity;
    entity.body = this.source.subarray(leaf.start, Math.max(leaf.start, end));
    if (isNestedMessageType(entity.contentType) && entity.disposition !== 'attachment') this.parseNested(entity);
  }

  private parseNested(entity: MimeEntity): void {
    if (this.messageDepth + 1 > MAX_MESSAGE_DEPTH) {
      this.context.notes.add('Messages are nested too deeply; the innermost is listed as an attachment.');
      return;
    }
    const { encoding } = transferEncodingOf(firstField(entity.fields, 'content-transfer-encoding')?.value);
    let bytes = entity.body;
    if (encoding === 'base64') bytes = decodeBase64(bytes).bytes;
    else if (encoding === 'quoted-printable') bytes = decodeQuotedPrintable(bytes);
    entity.nested = parseMimeTree(bytes, this.context, this.messageDepth + 1);
  }
}

/** Whether a line opens or closes the multipart with this boundary (trailing blanks allowed). */
function delimiterKind(line: Uint8Array, boundary: Uint8Array): 'open' | 'close' | undefined {
  if (line.length < boundary.length + 2 || line[0] !== DASH || line[1] !== DASH) return undefined;
  for (let index = 0; index < boundary.length; index++) {
    if (line[index + 2] !== boundary[index]) return undefined;
  }
  let position = boundary.length + 2;
  let kind: 'open' | 'close' = 'open';
  if (line[position] === DASH && line[position + 1] === DASH) {
    kind = 'close';
    position += 2;
  }
  for (; position < line.length; position++) {
    if (line[position] !== 0x20 && line[position] !== 0x09) return undefined;
  }
  return kind;
}

/** What repairContentType gives for a type that cannot be read; describeContent decides what it becomes. */
const UNREADABLE_TYPE = 'application/x-twinbox-unreadable';

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*/;

/** A usable `type/subtype`: the valid prefix of what was written, or a stand-in for garbage. */
function repairContentType(value: string, fallback: string): string {
  const valid = MEDIA_TYPE.exec(value);
  if (valid) return valid[0];
  if (value === '') return fallback;
  if (value === 'text') return 'text/plain';
  return UNREADABLE_TYPE;
}

/** Each entity's enclosing entity (the multipart it is a part of, or the message/rfc822 part holding it). */
export function parentsOf(root: MimeEntity): Map<MimeEntity, MimeEntity> {
  const parents = new Map<MimeEntity, MimeEntity>();
  const visit = (entity: MimeEntity): void => {
    for (const child of entity.children) {
      parents.set(child, entity);
      visit(child);
    }
    if (entity.nested) {
      parents.set(entity.nested, entity);
      visit(entity.nested);
    }
  };
  visit(root);
  return parents;
}
