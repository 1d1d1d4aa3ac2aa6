import { afterEach, describe, expect, it } from 'vitest';
import { folderLabel, folderPathLabel } from './folder-label';
import { i18n } from './index';

afterEach(async () => {
  await i18n.changeLanguage('en');
});

describe('folder names on screen', () => {
  it('names the Inbox and the special folders with default names in the interface language', async () => {
    await i18n.changeLanguage('de');
    expect(folderLabel({ path: 'INBOX', name: 'INBOX' })).toBe('Posteingang');
    expect(folderLabel({ path: 'Sent', name: 'Sent', specialUse: 'sent' })).toBe('Gesendet');
    expect(folderLabel({ path: 'INBOX.Trash', name: 'Trash', specialUse: 'trash' })).toBe('Papierkorb');
    expect(folderLabel({ path: '[Gmail]/Spam', name: 'Spam', specialUse: 'junk' })).toBe('Spam');
    expect(folderPathLabel('INBOX')).toBe('Posteingang');
  });

  it("keeps a name someone chose, and a folder that is not special, as the server names it", async () => {
    await i18n.changeLanguage('de');
    expect(folderLabel({ path: 'Sent Items', name: 'Sent Items', specialUse: 'sent' })).toBe('Sent Items');
    expect(folderLabel({ path: 'Gesendete Objekte', name: 'Gesendete Objekte', specialUse: 'sent' })).toBe('Gesendete Objekte');
    expect(folderLabel({ path: 'Trash', name: 'Trash' })).toBe('Trash');
    expect(folderPathLabel('Receipts/2026')).toBe('Receipts/2026');
  });

  it('says the English names in English', () => {
    expect(folderLabel({ path: 'Drafts', name: 'drafts', specialUse: 'drafts' })).toBe('Drafts');
    expect(folderLabel({ path: 'INBOX', name: 'INBOX', specialUse: 'inbox' })).toBe('Inbox');
  });
});
