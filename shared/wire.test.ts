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

  it('agrees with Node’s base64 for every length', () => {
    for (let length = 0; length < 20; length++) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 37 + 11) & 0xff);
      const expected = Buffer.from(bytes).toString('base64');
      expect(bytesToBase64(bytes)).toBe(expected);
      expect([...base64ToBytes(expected)]).toEqual([...bytes]);
    }
  });

  it('leaves ordinary objects that merely have a $bytes field among others alone', () => {
    expect(decodeWire('{"$bytes":"AA==","other":1}')).toEqual({ $bytes: 'AA==', other: 1 });
  });
});
