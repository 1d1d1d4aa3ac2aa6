import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The views draw their symbols with the icon set (renderer/ui/icon.tsx), not
 * with characters: an emoji or a pictographic symbol shows in whatever font
 * the system has for it (a colour emoji, a box, or nothing), differently on
 * every machine. Mail content may hold any of them; the views' own source may not.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const VIEWS = join(ROOT, 'renderer/ui');
/** Emoji and pictographs, the Miscellaneous Symbols and Dingbats blocks (⚑ ✉ ★ ✓, most of which fonts draw as emoji), and the emoji-style selector. */
const PICTOGRAPHIC = /\p{Extended_Pictographic}|[\u{2600}-\u{27BF}]|\u{FE0F}/gu;

function viewSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return viewSources(path);
    return entry.name.endsWith('.tsx') ? [path] : [];
  });
}

describe('glyphs in the views', () => {
  it('finds views to check', () => {
    expect(viewSources(VIEWS).length).toBeGreaterThan(20);
  });

  it('no view draws an emoji or a pictographic symbol as text', () => {
    const found: string[] = [];
    for (const file of viewSources(VIEWS)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const glyphs = line.match(PICTOGRAPHIC);
          if (glyphs) {
            const codes = glyphs.map((glyph) => `${glyph} U+${(glyph.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
            found.push(`${relative(ROOT, file)}:${index + 1}: ${codes.join(', ')}`);
          }
        });
    }
    expect(found).toEqual([]);
  });

  it('would catch one', () => {
    expect('📎 ⚑ ✉ ★ ⚙'.match(PICTOGRAPHIC)).toHaveLength(5);
    expect('Move to… → ↓ ⌘ — “quoted”'.match(PICTOGRAPHIC)).toBeNull();
  });
});
