/**
 * JSON for the loopback WebSocket host, which must carry raw message bytes
 * (Uint8Array) the way Electron's IPC does natively. Bytes travel as
 * `{ "$bytes": "<base64>" }`; nothing else is changed.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Map(Array.from({ length: ALPHABET.length }, (_, index) => [ALPHABET.charAt(index), index]));

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

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const triple = (a << 16) | (b << 8) | c;
    parts.push(
      ALPHABET.charAt((triple >> 18) & 63),
      ALPHABET.charAt((triple >> 12) & 63),
      i + 1 < bytes.length ? ALPHABET.charAt((triple >> 6) & 63) : '=',
      i + 2 < bytes.length ? ALPHABET.charAt(triple & 63) : '=',
    );
  }
  return parts.join('');
}

export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of clean) {
    const value = LOOKUP.get(char);
    if (value === undefined) throw new Error('invalid base64');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}
