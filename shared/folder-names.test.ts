import { describe, expect, it } from 'vitest';
import { childPath, freeName, isWithin, leafName, nameProblem, parentPath, rebase } from './folder-names';

describe('folder names', () => {
  it('accepts an ordinary name, trimmed', () => {
    expect(nameProblem('Projects', '.', [], true)).toBeUndefined();
    expect(nameProblem('  Reisen 2024 ✈  ', '/', ['Reisen'], false)).toBeUndefined();
  });

  it('refuses an empty or blank name', () => {
    expect(nameProblem('', '.', [], true)).toBe('empty');
    expect(nameProblem('   ', '/', [], false)).toBe('empty');
  });

  it('refuses the server’s delimiter inside a name, whichever it is', () => {
    expect(nameProblem('a.b', '.', [], true)).toBe('separator');
    expect(nameProblem('a/b', '/', [], true)).toBe('separator');
    // What is not the delimiter is an ordinary character.
    expect(nameProblem('a/b', '.', [], true)).toBeUndefined();
    expect(nameProblem('a.b', '/', [], true)).toBeUndefined();
    // A flat server has no delimiter to refuse.
    expect(nameProblem('a.b/c', '', [], true)).toBeUndefined();
  });

  it('refuses LIST wildcards and control characters', () => {
    expect(nameProblem('all*', '.', [], true)).toBe('separator');
    expect(nameProblem('50%', '.', [], true)).toBe('separator');
    expect(nameProblem('tab\there', '.', [], true)).toBe('separator');
  });

  it('refuses a sibling’s name, compared exactly', () => {
    expect(nameProblem('Work', '.', ['Work', 'Home'], false)).toBe('exists');
    expect(nameProblem(' Work ', '.', ['Work'], false)).toBe('exists');
    expect(nameProblem('work', '.', ['Work'], false)).toBeUndefined();
  });

  it('keeps INBOX, in any case, for the Inbox at the top level only', () => {
    expect(nameProblem('inbox', '.', [], true)).toBe('reserved');
    expect(nameProblem('INBOX', '.', [], false)).toBeUndefined();
  });
});

describe('folder paths', () => {
  it('joins, splits and compares with the delimiter given', () => {
    expect(childPath(undefined, 'A', '.')).toBe('A');
    expect(childPath('A', 'B', '.')).toBe('A.B');
    expect(childPath('A', 'B', '/')).toBe('A/B');
    expect(leafName('A.B.C', '.')).toBe('C');
    expect(leafName('A.B', '/')).toBe('A.B');
    expect(parentPath('A.B.C', '.')).toBe('A.B');
    expect(parentPath('A', '.')).toBeUndefined();
    expect(parentPath('A/B', '')).toBeUndefined();
  });

  it('knows a folder’s subtree without mistaking a prefix for a parent', () => {
    expect(isWithin('A', 'A', '.')).toBe(true);
    expect(isWithin('A.B', 'A', '.')).toBe(true);
    expect(isWithin('AB', 'A', '.')).toBe(false);
    expect(isWithin('A.B', 'A', '')).toBe(false);
  });

  it('rebases a subfolder onto the new path', () => {
    expect(rebase('Old', 'Old', 'New')).toBe('New');
    expect(rebase('Old.Sub.Deep', 'Old', 'Trash.Old')).toBe('Trash.Old.Sub.Deep');
  });

  it('finds a free name beside those taken', () => {
    expect(freeName('Work', [])).toBe('Work');
    expect(freeName('Work', ['Work'])).toBe('Work 2');
    expect(freeName('Work', ['Work', 'Work 2'])).toBe('Work 3');
  });
});
