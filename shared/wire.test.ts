import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, decodeWire, encodeWire } from './wire';

describe('wire encoding for the WebSocket host', () => {
  it('carries raw bytes exactly, inside any structure', () => {
    const raw = new Uint8Array(256).map((_, i) => i);
    const value = { ok: true, value: { body: { raw, text: 'Grüße' }, list: [new Uint8Array([0, 13, 10, 46])] } };
    const decoded = decodeWire(encodeWire(value)) as typeof value;
    expect(decoded.value.body.raw).toBeInstanceOf(Uint8Array);
    expect([...decoded.value.body.raw]).toEqual([...raw]);
    expect([...(decoded.value.list[0] ?? [])]).toEqual([0, 13, 10, 46]);
    expect(decoded.value.body.text).toBe('Grüße');
  });

  it.each([
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j as RFC 4648 says: %j', (text, encoded) => {
    const bytes = Uint8Array.from(text, (char) => char.charCodeAt(0));
    expect(bytesToBase64(bytes)).toBe(encoded);
    expect([...base64ToBytes(encoded)]).toEqual([...bytes]);
  });

  it('leaves ordinary objects that merely have a $bytes field among others alone', () => {
    expect(decodeWire('{"$bytes":"AA==","other":1}')).toEqual({ $bytes: 'AA==', other: 1 });
  });
});
