import { Languages } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, languageChoice, onLanguageChange } from '../i18n';
import type { LanguageChoice } from '../i18n/language';
import { matchLanguage, systemLanguages } from '../i18n/language';
import { isLanguage, LANGUAGES } from '../i18n/resources';
import { Icon } from './icon';

/** The interface's language: the system's by default, or one the user picks (kept for the next start). */
export function LanguagePicker(): React.JSX.Element {
  const { t } = useTranslation();
  const choice = useSyncExternalStore(onLanguageChange, languageChoice);
  const system = LANGUAGES[matchLanguage(systemLanguages())];
  return (
    <label className="language-picker" title={t('language.label')}>
      <Icon icon={Languages} size={16} />
      <select
        aria-label={t('language.label')}
        value={choice}
        onChange={(event) => {
          const value = event.target.value;
          chooseLanguage((isLanguage(value) ? value : 'system') satisfies LanguageChoice);
        }}
      >
        <option value="system">{t('language.system', { language: system })}</option>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          // Each language named in itself, so a user who cannot read the current one still finds theirs.
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
