/**
 * The one i18next instance, without React (the sync engine's and the Lab's
 * code runs in Node tests too): the page hands it to react-i18next's provider
 * in renderer/index.tsx. Views take `t` from `useTranslation(namespace)` and
 * re-render when the language changes; code outside React (the Lab's
 * verdicts, the sync engine's messages) calls `t` from here at the moment it
 * makes a sentence, never at module load, so the sentence is in the language
 * of that moment. Dates and numbers go through Intl with the same language
 * (`locale()`, and i18next's `{{value, number}}` and `{{value, datetime}}`).
 */
import i18next from 'i18next';
import { TwinboxError } from '../../shared/errors';
import { readChoice, resolveChoice, storeChoice, systemLanguages } from './language';
import type { LanguageChoice } from './language';
import { catalogs, english } from './resources';
import type { Language, Namespace } from './resources';

const namespaces = Object.keys(english) as Namespace[];

void i18next.init({
  resources: catalogs,
  lng: resolveChoice(readChoice(), systemLanguages()),
  fallbackLng: 'en',
  supportedLngs: Object.keys(catalogs),
  ns: namespaces,
  defaultNS: 'common',
  // React escapes what it renders; escaping here too would show "&amp;" in a subject.
  interpolation: { escapeValue: false },
  // Resources are bundled: initialise before the first render, not on a later tick.
  initAsync: false,
  returnNull: false,
});

export const i18n = i18next;
export const t = i18next.t.bind(i18next);

/** The interface's language, for Intl formatters and the page's lang attribute. */
export function locale(): Language {
  return (i18next.resolvedLanguage ?? 'en') as Language;
}

const listeners = new Set<() => void>();
let choice: LanguageChoice = readChoice();

export function languageChoice(): LanguageChoice {
  return choice;
}

export function chooseLanguage(next: LanguageChoice): void {
  choice = next;
  storeChoice(next);
  void i18next.changeLanguage(resolveChoice(next, systemLanguages()));
}

/** Called after the language changed, whether by the user's choice or not. */
export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

i18next.on('languageChanged', () => {
  for (const listener of listeners) listener();
});

/** The sentence a user sees for a failure, in the interface's language: by its code, never a raw server reply. */
export function errorText(error: unknown): string {
  return t(`errors:${error instanceof TwinboxError ? error.code : 'INTERNAL'}`);
}
