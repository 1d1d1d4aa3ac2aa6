import { describe, expect, it } from 'vitest';
import { formatAddress, formatAddressList, isEmailAddress, parseAddressList, uniqueAddresses } from './addresses';

describe('recipients as typed', () => {
  it('reads names, bare addresses, quoted names with commas, and either separator', () => {
    expect(parseAddressList('Ann Example <ann@example.org>, bob@example.org; "Doe, Jane" <jane@example.org>')).toEqual({
      addresses: [
        { name: 'Ann Example', address: 'ann@example.org' },
        { name: '', address: 'bob@example.org' },
        { name: 'Doe, Jane', address: 'jane@example.org' },
      ],
      invalid: [],
    });
  });

  it('ignores empty pieces and a pasted mailto:', () => {
    expect(parseAddressList(' , mailto:carl@example.org,, ').addresses).toEqual([{ name: '', address: 'carl@example.org' }]);
  });

  it('reports what is not an address, as typed', () => {
    expect(parseAddressList('ok@example.org, bob@, Name <broken>, two words@example.org, a@b..c').invalid).toEqual([
      'bob@',
      'Name <broken>',
      'two words@example.org',
      'a@b..c',
    ]);
  });

  it('accepts what servers accept and nothing with spaces or brackets', () => {
    expect(isEmailAddress('first.last+tag@sub.example.co.uk')).toBe(true);
    expect(isEmailAddress('user@localhost')).toBe(true);
    expect(isEmailAddress('jürgen@bücher.example')).toBe(true);
    expect(isEmailAddress('a b@example.org')).toBe(false);
    expect(isEmailAddress('<a@example.org>')).toBe(false);
    expect(isEmailAddress('a@-example.org')).toBe(false);
    expect(isEmailAddress('@example.org')).toBe(false);
  });

  it('writes addresses back so that they parse to the same thing', () => {
    const list = [
      { name: 'Doe, Jane', address: 'jane@example.org' },
      { name: 'Say "hi"', address: 'hi@example.org' },
      { name: '', address: 'bare@example.org' },
    ];
    expect(formatAddressList(list)).toBe('"Doe, Jane" <jane@example.org>, "Say \\"hi\\"" <hi@example.org>, bare@example.org');
    expect(parseAddressList(formatAddressList(list)).addresses).toEqual(list);
    expect(formatAddress({ name: 'x@example.org', address: 'X@example.org' })).toBe('X@example.org');
  });

  it('drops repeats and excluded addresses without regard to case', () => {
    expect(
      uniqueAddresses(
        [
          { name: 'A', address: 'a@example.org' },
          { name: 'A again', address: 'A@EXAMPLE.org' },
          { name: 'Me', address: 'me@example.org' },
        ],
        ['ME@example.org'],
      ),
    ).toEqual([{ name: 'A', address: 'a@example.org' }]);
  });
});
