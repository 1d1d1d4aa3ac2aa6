import { describe, expect, it } from 'vitest';
import { i18n } from '../../i18n';
import { parseVCards, writeVCards } from './vcard';

describe('vCard import and export', () => {
  it('round-trips names (non-ASCII too) and addresses as vCard 4.0', () => {
    const people = [
      { name: 'Zoë Ñúñez-Müller', address: 'zoe@example.org' },
      { name: '山田 太郎', address: 'taro@example.jp' },
      { name: 'Doe, Jane; "JJ"', address: 'jane@example.org' },
      { name: '', address: 'nameless@example.org' },
    ];
    const text = writeVCards(people);
    expect(text.match(/BEGIN:VCARD/g)).toHaveLength(4);
    expect(text).toContain('VERSION:4.0');
    const back = parseVCards(text);
    expect(back.skipped).toEqual([]);
    expect(back.people).toEqual([...people.slice(0, 3), { name: 'nameless@example.org', address: 'nameless@example.org' }]);
  });

  it('reads vCard 3.0 with several e-mail lines, N without FN, folded lines, and reports what it skips', () => {
    const file = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Çağla Öztürk',
      'N:Öztürk;Çağla;;;',
      'EMAIL;TYPE=INTERNET,HOME:cagla@example.org',
      'EMAIL;TYPE=INTERNET,WORK:cagla.ozturk@wo',
      ' rk.example',
      'TEL:+90 555 0000',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:4.0',
      'N:Lee;Kim;;;',
      'EMAIL;PREF=1:mailto:kim@example.org',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:No Mail',
      'TEL:123',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Bad Mail',
      'EMAIL:not an address',
      'END:VCARD',
      '',
    ].join('\r\n');
    const result = parseVCards(file);
    expect(result.people).toEqual([
      { name: 'Çağla Öztürk', address: 'cagla@example.org' },
      { name: 'Çağla Öztürk', address: 'cagla.ozturk@work.example' },
      { name: 'Kim Lee', address: 'kim@example.org' },
    ]);
    expect(result.skipped).toEqual(['“No Mail”: it has no e-mail address.', '“Bad Mail”: “not an address” is not an e-mail address.']);
  });

  it('says when a file holds no card', () => {
    expect(parseVCards('hello').skipped).toEqual(['The file holds no vCard (no BEGIN:VCARD line).']);
  });

  it('says why a card is skipped in the language of the interface', async () => {
    await i18n.changeLanguage('de');
    try {
      const file = ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Bad Mail', 'EMAIL:not an address', 'END:VCARD', 'BEGIN:VCARD', 'VERSION:3.0', 'TEL:123', 'END:VCARD'].join('\r\n');
      expect(parseVCards(file).skipped).toEqual(['„Bad Mail“: „not an address“ ist keine E-Mail-Adresse.', 'Karte 2: keine E-Mail-Adresse.']);
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
