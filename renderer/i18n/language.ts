/**
 * Which language the interface speaks: the system's (the first of the
 * user's preferred languages that Twinbox has, as Electron passes the system's
 * list to the page), unless the user picked one. The choice is kept in this
 * profile's localStorage, like the density.
 */
import { isLanguage } from './resources';
import type { Language } from './resources';

export type LanguageChoice = Language | 'system';

const KEY = 'twinbox.language';

/** The page's globals this module reads, typed here because it also compiles (and runs in tests) without the DOM. */
const page = globalThis as {
  navigator?: { languages?: readonly string[]; language?: string };
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
};

/** The first preferred language Twinbox has a catalog for, by its primary subtag ("de-AT" is German); English otherwise. */
export function matchLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

export function systemLanguages(): readonly string[] {
  const languages = page.navigator?.languages ?? [];
  const language = page.navigator?.language;
  return languages.length > 0 ? languages : language ? [language] : [];
}

export function readChoice(): LanguageChoice {
  try {
    const stored = page.localStorage?.getItem(KEY);
    return isLanguage(stored) ? stored : 'system';
  } catch {
    // Storage refused (a locked-down profile): follow the system.
    return 'system';
  }
}

export function storeChoice(choice: LanguageChoice): void {
  try {
    if (choice === 'system') page.localStorage?.removeItem(KEY);
    else page.localStorage?.setItem(KEY, choice);
  } catch {
    // Not kept across restarts, but applied now.
  }
}

export function resolveChoice(choice: LanguageChoice, preferred: readonly string[]): Language {
  return choice === 'system' ? matchLanguage(preferred) : choice;
}
