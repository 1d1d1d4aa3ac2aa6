import { describe, expect, it } from 'vitest';
import type { Address } from '../../../shared/model';
import { i18n } from '../../i18n';
import { answerBodyPlain, answerRecipients, attribution, forwardSubject, quotePlain, replySubject, threadHeaders } from './reply';

const me: Address = { name: 'Me', address: 'me@example.org' };
const ann: Address = { name: 'Ann', address: 'ann@example.org' };
const bob: Address = { name: 'Bob', address: 'bob@example.org' };
const cat: Address = { name: 'Cat', address: 'cat@example.org' };

function original(overrides: Partial<Parameters<typeof answerRecipients>[0]> = {}): Parameters<typeof answerRecipients>[0] {
  return { subject: 'Plans', from: [ann], to: [me, bob], cc: [cat], replyTo: [], messageId: 'm2@example.org', inReplyTo: 'm1@example.org', references: ['m0@example.org', 'm1@example.org'], ...overrides };
}

describe('answering', () => {
  it('prefixes Re: and Fwd: once, whatever the case or another client’s prefix', () => {
    expect(replySubject('Plans')).toBe('Re: Plans');
    expect(replySubject('RE: Plans')).toBe('RE: Plans');
    expect(replySubject('Aw: Pläne')).toBe('Aw: Pläne');
    expect(replySubject('Re[2]: Plans')).toBe('Re[2]: Plans');
    expect(replySubject('Fwd: Plans')).toBe('Re: Fwd: Plans');
    expect(forwardSubject('Plans')).toBe('Fwd: Plans');
    expect(forwardSubject('FW: Plans')).toBe('FW: Plans');
    expect(forwardSubject('Re: Plans')).toBe('Fwd: Re: Plans');
  });

  it('replies to Reply-To when there is one, else to From', () => {
    expect(answerRecipients(original(), 'reply', me.address)).toEqual({ to: [ann], cc: [] });
    expect(answerRecipients(original({ replyTo: [bob] }), 'reply', me.address)).toEqual({ to: [bob], cc: [] });
  });

  it('replies to all without the account’s own address, nor anyone twice', () => {
    expect(answerRecipients(original({ cc: [cat, { name: 'ME', address: 'ME@example.org' }, bob] }), 'replyAll', me.address)).toEqual({ to: [ann, bob], cc: [cat] });
  });

  it('answers one’s own message (from Sent) to its recipients', () => {
    expect(answerRecipients(original({ from: [me], to: [bob] }), 'reply', me.address)).toEqual({ to: [bob], cc: [] });
    expect(answerRecipients(original({ from: [me], to: [bob], cc: [cat] }), 'replyAll', me.address)).toEqual({ to: [bob], cc: [cat] });
  });

  it('threads: In-Reply-To is the original, References its references and then it', () => {
    expect(threadHeaders(original())).toEqual({ inReplyTo: 'm2@example.org', references: ['m0@example.org', 'm1@example.org', 'm2@example.org'] });
    expect(threadHeaders(original({ references: [] }))).toEqual({ inReplyTo: 'm2@example.org', references: ['m1@example.org', 'm2@example.org'] });
    expect(threadHeaders(original({ references: [], inReplyTo: undefined }))).toEqual({ inReplyTo: 'm2@example.org', references: ['m2@example.org'] });
    expect(threadHeaders(original({ messageId: undefined }))).toEqual({ references: ['m0@example.org', 'm1@example.org'] });
  });

  it('quotes each line, quoted lines one level deeper', () => {
    expect(quotePlain('Hello\r\n\r\n> earlier\nbye\n\n')).toBe('> Hello\n>\n>> earlier\n> bye');
  });

  it('starts a reply with room on top, then who wrote, then the quote; a forward with the header block', () => {
    expect(answerBodyPlain('reply', original(), 'Friday', 'Hi\nthere')).toBe('\n\nOn Friday, Ann <ann@example.org> wrote:\n> Hi\n> there\n');
    expect(answerBodyPlain('forward', original(), 'Friday', 'Hi\n')).toBe(
      '\n\n---------- Forwarded message ----------\nFrom: Ann <ann@example.org>\nDate: Friday\nSubject: Plans\nTo: Me <me@example.org>, Bob <bob@example.org>\nCc: Cat <cat@example.org>\n\nHi\n',
    );
  });

  it('says who wrote, and heads a forward, in the language of the interface', async () => {
    await i18n.changeLanguage('de');
    try {
      expect(answerBodyPlain('reply', original(), 'Freitag', 'Hallo')).toBe('\n\nAm Freitag schrieb Ann <ann@example.org>:\n> Hallo\n');
      expect(attribution({ from: [] }, '')).toBe('Jemand schrieb:');
      expect(answerBodyPlain('forward', original({ cc: [] }), '', 'Hallo')).toBe(
        '\n\n-------- Weitergeleitete Nachricht --------\nVon: Ann <ann@example.org>\nBetreff: Plans\nAn: Me <me@example.org>, Bob <bob@example.org>\n\nHallo\n',
      );
    } finally {
      await i18n.changeLanguage('en');
    }
    expect(attribution({ from: [] }, '')).toBe('someone wrote:');
  });
});
