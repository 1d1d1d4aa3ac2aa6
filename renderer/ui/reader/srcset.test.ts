import { describe, expect, it } from 'vitest';
import { parseSrcset, serializeSrcset } from './srcset';

describe('srcset', () => {
  it('reads candidates as HTML does: a data: URI keeps its comma, descriptors end at a comma', () => {
    expect(parseSrcset('http://a/1.png 1x, http://a/2.png 2x')).toEqual([
      { url: 'http://a/1.png', descriptor: '1x' },
      { url: 'http://a/2.png', descriptor: '2x' },
    ]);
    expect(parseSrcset('data:image/png;base64,AAAA 1x,http://a/b.png')).toEqual([
      { url: 'data:image/png;base64,AAAA', descriptor: '1x' },
      { url: 'http://a/b.png', descriptor: '' },
    ]);
    expect(parseSrcset(' http://a/x.png,, http://a/y.png 640w ')).toEqual([
      { url: 'http://a/x.png', descriptor: '' },
      { url: 'http://a/y.png', descriptor: '640w' },
    ]);
  });

  it('drops a descriptor it does not understand rather than writing it back', () => {
    expect(parseSrcset('http://a/x.png 2x" onerror="x')).toEqual([{ url: 'http://a/x.png', descriptor: '' }]);
    expect(serializeSrcset([{ url: 'data:image/png;base64,AA', descriptor: '2x' }, { url: 'data:image/gif;base64,BB', descriptor: '' }])).toBe(
      'data:image/png;base64,AA 2x, data:image/gif;base64,BB',
    );
  });
});
