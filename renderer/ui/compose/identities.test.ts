import { describe, expect, it } from 'vitest';
import type { Account } from '../../../shared/model';
import { answerRecipients } from './reply';
import { findIdentity, identitiesOf, identityForAnswer, identityKey, identityOfDraft, ownAddresses } from './identities';
import { addPlainSignature, swapPlainSignature } from './signatures';

const account = {
  id: 'work',
  name: 'Work',
  email: 'ana@example.org',
  displayName: 'Ana Lima',
  signature: { text: 'Ana\nExample Ltd' },
  signaturePlacement: 'above',
  identities: [
    { id: 'sales', name: 'Example Sales', address: 'sales@example.org', replyTo: 'orders@example.org', signature: { text: 'The sales team' } },
    { id: 'plain', name: 'Ana', address: 'ana.lima@example.net' },
  ],
} as unknown as Account;

const to = (address: string) => ({ name: '', address });

describe('identities', () => {
  it('lists the account’s own address first, then its other identities, each findable by key', () => {
    expect(identitiesOf(account).map((i) => i.address)).toEqual(['ana@example.org', 'sales@example.org', 'ana.lima@example.net']);
    const sales = findIdentity([account], identityKey({ accountId: 'work', id: 'sales' }));
    expect(sales).toMatchObject({ name: 'Example Sales', replyTo: 'orders@example.org', placement: 'above' });
    expect(ownAddresses(account)).toEqual(['ana@example.org', 'sales@example.org', 'ana.lima@example.net']);
  });

  it('answers as the identity the message was sent to, else the account’s own', () => {
    expect(identityForAnswer(account, { to: [to('bo@example.com'), to('Sales@Example.org')], cc: [], from: [to('bo@example.com')] }).id).toBe('sales');
    expect(identityForAnswer(account, { to: [to('list@example.com')], cc: [to('ana.lima@example.net')], from: [to('bo@example.com')] }).id).toBe('plain');
    expect(identityForAnswer(account, { to: [to('list@example.com')], cc: [], from: [to('bo@example.com')] }).id).toBe('own');
    expect(identityOfDraft(account, [to('sales@example.org')]).id).toBe('sales');
    expect(identityOfDraft(account, [to('someone@else.example')]).id).toBe('own');
  });

  it('leaves every address of the account out of a reply to all', () => {
    const original = { from: [to('bo@example.com')], to: [to('sales@example.org'), to('cy@example.com')], cc: [to('ana@example.org')], replyTo: [], references: [] };
    const answer = answerRecipients(original as never, 'replyAll', ownAddresses(account));
    expect(answer.to.map((a) => a.address)).toEqual(['bo@example.com', 'cy@example.com']);
    expect(answer.cc).toEqual([]);
  });
});

describe('signatures in plain text', () => {
  const answer = '\n\nOn 1 Dec, Bo wrote:\n> Hello\n';

  it('go last in a new message, behind the "-- " line', () => {
    expect(addPlainSignature('', { text: 'Ana\n' }, 'end')).toBe('\n\n-- \nAna\n');
    expect(addPlainSignature('Hi', undefined, 'end')).toBe('Hi');
  });

  it('go above or below the quoted message of an answer, as chosen', () => {
    expect(addPlainSignature(answer, { text: 'Ana' }, 'above', 'On 1 Dec, Bo wrote:')).toBe('\n\n-- \nAna\n\nOn 1 Dec, Bo wrote:\n> Hello\n');
    expect(addPlainSignature(answer, { text: 'Ana' }, 'below', 'On 1 Dec, Bo wrote:')).toBe('\n\nOn 1 Dec, Bo wrote:\n> Hello\n\n-- \nAna\n');
  });

  it('are swapped for another identity’s where they stand as they were put in, and left alone once edited', () => {
    const body = addPlainSignature('Dear Bo,', { text: 'Ana' }, 'end');
    expect(swapPlainSignature(body, { text: 'Ana' }, { text: 'The sales team' }, 'end')).toBe('Dear Bo,\n\n-- \nThe sales team\n');
    expect(swapPlainSignature(body, { text: 'Ana' }, undefined, 'end')).toBe('Dear Bo,\n');
    expect(swapPlainSignature('Dear Bo,\n\n-- \nAna (edited)\n', { text: 'Ana' }, { text: 'Sales' }, 'end')).toBe('Dear Bo,\n\n-- \nAna (edited)\n');
    expect(swapPlainSignature('Dear Bo,', undefined, { text: 'Sales' }, 'end')).toBe('Dear Bo,\n\n-- \nSales\n');
  });
});
