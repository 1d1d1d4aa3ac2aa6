/**
 * Every word the interface shows, one catalog per language, split by the part
 * of the app that shows it (a translator can take one file at a time).
 * English is the source: its Error sentences are shared/errors.ts's, so main's
 * logs and the page say the same thing. Adding a language: a folder beside
 * en/ with the same files, and a line in LANGUAGES and here; the catalog test
 * says what is missing.
 */
import { ERROR_TEXT } from '../../shared/errors';
import deAccounts from './de/accounts.json';
import deCommon from './de/common.json';
import deCompose from './de/compose.json';
import deErrors from './de/errors.json';
import deFolders from './de/folders.json';
import deLab from './de/lab.json';
import deMail from './de/mail.json';
import enAccounts from './en/accounts.json';
import enCommon from './en/common.json';
import enCompose from './en/compose.json';
import enFolders from './en/folders.json';
import enLab from './en/lab.json';
import enMail from './en/mail.json';

export const english = {
  common: enCommon,
  mail: enMail,
  accounts: enAccounts,
  compose: enCompose,
  folders: enFolders,
  lab: enLab,
  errors: ERROR_TEXT,
};

export type Catalog = typeof english;
export type Namespace = keyof Catalog;

export const catalogs: Record<Language, Record<Namespace, object>> = {
  en: english,
  de: { common: deCommon, mail: deMail, accounts: deAccounts, compose: deCompose, folders: deFolders, lab: deLab, errors: deErrors },
};

/** The languages Twinbox speaks, each named in itself (how a user looks for their own). */
export const LANGUAGES = { en: 'English', de: 'Deutsch' } as const;
export type Language = keyof typeof LANGUAGES;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.hasOwn(LANGUAGES, value);
}
