import { describe, expect, it } from 'vitest';
import { completeRecipient, typedRecipient } from './completion';

describe('completing the recipient being typed', () => {
  it('completes only what follows the last separator outside quotes and brackets', () => {
    expect(typedRecipient('an')).toEqual({ before: '', query: 'an', earlier: [] });
    expect(typedRecipient('Bob <bob@example.org>, "Doe, Jane" <jane@example.org>; ki')).toEqual({
      before: 'Bob <bob@example.org>, "Doe, Jane" <jane@example.org>;',
      query: 'ki',
      earlier: ['bob@example.org', 'jane@example.org'],
    });
    expect(typedRecipient('bob@example.org, "Le').query).toBe('Le');
    expect(typedRecipient('bob@example.org, ').query).toBe('');
  });

  it('keeps the earlier recipients and leaves room for the next', () => {
    expect(completeRecipient('an', { name: 'Ann Smith', address: 'ann@example.org' })).toBe('Ann Smith <ann@example.org>, ');
    expect(completeRecipient('bob@example.org,ki', { name: 'Lee, Kim', address: 'kim@example.org' })).toBe('bob@example.org, "Lee, Kim" <kim@example.org>, ');
    expect(completeRecipient('x@y.org; zo', { name: '', address: 'zoe@example.org' })).toBe('x@y.org; zoe@example.org, ');
  });
});
