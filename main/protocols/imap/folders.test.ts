import { describe, expect, it } from 'vitest';
import { adapterCapabilitiesOf, ServerCapabilities } from './capabilities';
import { isSelectable, specialUseOf } from './folders';

describe('special-use folders', () => {
  it('believes the server’s attributes, in any letter case', () => {
    expect(specialUseOf({ path: 'Gesendet', flags: new Set(['\\HasNoChildren', '\\sent']) }, true)).toBe('sent');
    expect(specialUseOf({ path: 'Papierkorb', flags: new Set(['\\TRASH']) }, false)).toBe('trash');
    expect(specialUseOf({ path: 'inbox', flags: new Set() }, true)).toBe('inbox');
  });

  it('guesses from the name only when the server does not mark special use', () => {
    const namedLikeSent = { path: 'Sent Items', flags: new Set<string>(), specialUse: '\\Sent', specialUseSource: 'name' as const };
    expect(specialUseOf(namedLikeSent, false)).toBe('sent');
    expect(specialUseOf(namedLikeSent, true)).toBeUndefined();
  });

  it('knows containers that cannot hold mail', () => {
    expect(isSelectable(new Set(['\\HasChildren']))).toBe(true);
    expect(isSelectable(new Set(['\\NoSelect']))).toBe(false);
    expect(isSelectable(new Set(['\\NonExistent']))).toBe(false);
  });
});

describe('capabilities', () => {
  it('decides by capability names, case-insensitively', () => {
    const full = adapterCapabilitiesOf(new ServerCapabilities(['IMAP4rev1', 'idle', 'QRESYNC', 'Move', 'QUOTA=RES-STORAGE']));
    expect(full).toMatchObject({ push: true, changeTracking: true, vanishedTracking: true, atomicMove: true, quota: true });
    const bare = adapterCapabilitiesOf(new ServerCapabilities(['IMAP4rev1', 'UIDPLUS']));
    expect(bare).toMatchObject({ push: false, changeTracking: false, vanishedTracking: false, atomicMove: false, quota: false, serverFolders: true, append: true });
  });
});
