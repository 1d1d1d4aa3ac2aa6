import { describe, expect, it } from 'vitest';
import { matchLanguage, resolveChoice } from './language';
import { catalogs, english, LANGUAGES } from './resources';
import type { Language } from './resources';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Every leaf of a catalog as "namespace:dotted.key" → text. */
function leaves(tree: object, prefix: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix + key;
    if (typeof value === 'string') found.set(path, value);
    else if (typeof value === 'object' && value !== null) for (const [inner, text] of leaves(value as object, `${path}.`)) found.set(inner, text);
    else found.set(path, `<not text: ${typeof value}>`);
  }
  return found;
}

function catalogLeaves(language: Language): Map<string, string> {
  const all = new Map<string, string>();
  for (const [namespace, tree] of Object.entries(catalogs[language])) for (const [key, text] of leaves(tree, `${namespace}:`)) all.set(key, text);
  return all;
}

/** A key's name without its plural form, and the forms it has. */
function pluralGroups(keys: Iterable<string>): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>();
  for (const key of keys) {
    const match = PLURAL_SUFFIX.exec(key);
    const base = match ? key.slice(0, match.index) : key;
    const forms = groups.get(base) ?? new Set<string>();
    if (match?.[1]) forms.add(match[1]);
    groups.set(base, forms);
  }
  return groups;
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}|<(\d+|\w+)>/g)].map((match) => match[1] ?? match[2] ?? '').sort();

describe('message catalogs', () => {
  const source = catalogLeaves('en');
  const sourceGroups = pluralGroups(source.keys());

  it('English has the interface in it', () => {
    expect(Object.keys(catalogs.en)).toEqual(Object.keys(english));
    expect(source.size).toBeGreaterThan(40);
  });

  for (const language of Object.keys(LANGUAGES) as Language[]) {
    describe(language, () => {
      const translated = catalogLeaves(language);
      const groups = pluralGroups(translated.keys());
      const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories;

      it('says everything English says, and nothing English does not', () => {
        expect([...groups.keys()].sort()).toEqual([...sourceGroups.keys()].sort());
      });

      it("has each counted sentence in every plural form the language's rules use", () => {
        const wrong: string[] = [];
        for (const [base, sourceForms] of sourceGroups) {
          if (sourceForms.size === 0) continue;
          const have = groups.get(base) ?? new Set<string>();
          for (const form of forms) if (!have.has(form)) wrong.push(`${base}_${form} missing`);
        }
        expect(wrong).toEqual([]);
      });

      it('keeps every placeholder and no text is empty', () => {
        const wrong: string[] = [];
        for (const [key, text] of translated) {
          if (text.trim() === '') wrong.push(`${key} is empty`);
          const base = key.replace(PLURAL_SUFFIX, '');
          const english = source.get(key) ?? source.get(`${base}_other`);
          if (english === undefined) continue;
          // A singular may say "one" in words instead of {{count}}; every other form keeps English's placeholders.
          const expected = placeholders(english).filter((name) => !(key.endsWith('_one') && name === 'count'));
          const got = placeholders(text).filter((name) => !(key.endsWith('_one') && name === 'count'));
          if (expected.join() !== got.join()) wrong.push(`${key}: ${got.join()} instead of ${expected.join()}`);
        }
        expect(wrong).toEqual([]);
      });
    });
  }
});

describe('the interface language', () => {
  it('follows the first preferred language Twinbox has, by its primary subtag', () => {
    expect(matchLanguage(['de-AT', 'en-US'])).toBe('de');
    expect(matchLanguage(['fr-FR', 'de-DE'])).toBe('de');
    expect(matchLanguage(['en-GB', 'de'])).toBe('en');
    expect(matchLanguage(['DE_ch'])).toBe('de');
  });

  it('falls back to English when none is known', () => {
    expect(matchLanguage(['fr', 'ja'])).toBe('en');
    expect(matchLanguage([])).toBe('en');
  });

  it("keeps the user's choice over the system's", () => {
    expect(resolveChoice('en', ['de-DE'])).toBe('en');
    expect(resolveChoice('de', ['en-US'])).toBe('de');
    expect(resolveChoice('system', ['de-DE'])).toBe('de');
  });
});
