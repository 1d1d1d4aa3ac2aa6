/**
 * JSON for the loopback WebSocket host, which must carry raw message bytes
 * (Uint8Array) the way Electron's IPC does natively. Bytes travel as
 * `{ "$bytes": "<base64>" }`; nothing else is changed.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Character codes by 6-bit value, and 6-bit values by character code (-1: not base64). */
const ENCODE = Uint8Array.from(ALPHABET, (char) => char.charCodeAt(0));
const DECODE = new Int16Array(256).fill(-1);
for (let index = 0; index < ALPHABET.length; index++) DECODE[ALPHABET.charCodeAt(index)] = index;
/**
 * Input bytes per string piece: a multiple of 3, so only the last piece needs
 * padding, and small enough to pass as arguments (measured fastest near this size).
 */
const ENCODE_PIECE = 3 * 1024;

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item instanceof Uint8Array ? { $bytes: bytesToBase64(item) } : item));
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const keys = Object.keys(item);
      const encoded = (item as { $bytes?: unknown }).$bytes;
      if (keys.length === 1 && typeof encoded === 'string') return base64ToBytes(encoded);
    }
    return item;
  });
}

/**
 * Base64 of the bytes. Whole messages cross the web host this way (a POP3
 * download is all of the mailbox), so it works on character codes in typed
 * arrays and builds the string a piece at a time, instead of one small
 * string per character.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const pieces: string[] = [];
  const out = new Uint8Array((ENCODE_PIECE / 3) * 4);
  for (let start = 0; start < bytes.length; start += ENCODE_PIECE) {
    const end = Math.min(start + ENCODE_PIECE, bytes.length);
    let o = 0;
    let i = start;
    for (; i + 2 < end; i += 3) {
      const triple = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
      out[o++] = ENCODE[(triple >> 18) & 63] ?? 0;
      out[o++] = ENCODE[(triple >> 12) & 63] ?? 0;
      out[o++] = ENCODE[(triple >> 6) & 63] ?? 0;
      out[o++] = ENCODE[triple & 63] ?? 0;
    }
    if (i < end) {
      const a = bytes[i] ?? 0;
      const b = i + 1 < end ? (bytes[i + 1] ?? 0) : 0;
      const triple = (a << 16) | (b << 8);
      out[o++] = ENCODE[(triple >> 18) & 63] ?? 0;
      out[o++] = ENCODE[(triple >> 12) & 63] ?? 0;
      out[o++] = i + 1 < end ? (ENCODE[(triple >> 6) & 63] ?? 0) : 61;
      out[o++] = 61;
    }
    // apply() takes any array-like, typed arrays included; the cast only tells TypeScript so.
    pieces.push(String.fromCharCode.apply(null, out.subarray(0, o) as unknown as number[]));
  }
  return pieces.join('');
}

/** The bytes of base64 text (padding optional); throws on any character outside the alphabet. */
export function base64ToBytes(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  const value = (index: number): number => (index < end ? (DECODE[text.charCodeAt(index)] ?? -1) : 0);
  let o = 0;
  let i = 0;
  for (; i + 3 < end; i += 4) {
    const a = value(i);
    const b = value(i + 1);
    const c = value(i + 2);
    const d = value(i + 3);
    if ((a | b | c | d) < 0) throw new Error('invalid base64');
    const quad = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = quad >> 16;
    out[o++] = (quad >> 8) & 0xff;
    out[o++] = quad & 0xff;
  }
  if (i < end) {
    // Two or three characters left: one or two bytes.
    const a = value(i);
    const b = value(i + 1);
    const c = value(i + 2);
    if ((a | b | c) < 0 || end - i === 1) throw new Error('invalid base64');
    const quad = (a << 18) | (b << 12) | (c << 6);
    out[o++] = quad >> 16;
    if (end - i === 3) out[o++] = (quad >> 8) & 0xff;
  }
  return out;
}
