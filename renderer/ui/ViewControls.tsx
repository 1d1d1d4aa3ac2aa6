import { ArrowDownWideNarrow, ArrowUpNarrowWide, Rows3 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { setDensity, useDensity } from './density';
import type { Density } from './density';
import { Icon } from './icon';
import type { SortField, ViewOptions } from './list-source';

/**
 * How the list is ordered, whether conversations are grouped, and how
 * tightly rows are packed. A unified view lists newest first across accounts,
 * so there only the density applies (`sorting` false).
 */
export function ViewControls({ view, onChange, sorting = true }: { view: ViewOptions; onChange: (view: ViewOptions) => void; sorting?: boolean }): React.JSX.Element {
  const { t } = useTranslation('mail');
  const density = useDensity();
  return (
    <div className="view-controls" role="group" aria-label={t('view.label')}>
      {sorting && (
        <>
          <label>
            {t('view.sortBy')}{' '}
            <select
              value={view.sort}
              onChange={(event) => {
                const sort = event.target.value as SortField;
                // A-to-Z is the natural start for names and subjects; newest first for dates.
                onChange({ ...view, sort, descending: sort === 'date', conversations: sort === 'date' && view.conversations });
              }}
            >
              <option value="date">{t('view.date')}</option>
              <option value="sender">{t('view.sender')}</option>
              <option value="subject">{t('view.subject')}</option>
            </select>
          </label>
          <button type="button" aria-pressed={view.descending} onClick={() => onChange({ ...view, descending: !view.descending })}>
            <Icon icon={view.descending ? ArrowDownWideNarrow : ArrowUpNarrowWide} size={14} />
            {view.sort === 'date' ? (view.descending ? t('view.newestFirst') : t('view.oldestFirst')) : view.descending ? t('view.zToA') : t('view.aToZ')}
          </button>
          <label>
            <input
              type="checkbox"
              checked={view.conversations}
              disabled={view.sort !== 'date'}
              onChange={(event) => onChange({ ...view, conversations: event.target.checked })}
            />{' '}
            {t('view.conversations')}
          </label>
        </>
      )}
      {/* Named by aria-label: a visible "Density" beside it would crowd a narrow list pane, and the icon and choices say it. */}
      <span className="view-density" title={t('view.density')}>
        <Icon icon={Rows3} size={14} />
        <select aria-label={t('view.density')} value={density} onChange={(event) => setDensity(event.target.value as Density)}>
          <option value="comfortable">{t('view.comfortable')}</option>
          <option value="compact">{t('view.compact')}</option>
        </select>
      </span>
    </div>
  );
}
