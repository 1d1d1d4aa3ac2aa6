import { ArrowDownWideNarrow, ArrowUpNarrowWide, Rows3 } from 'lucide-react';
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
  const density = useDensity();
  return (
    <div className="view-controls" role="group" aria-label="List view">
      {sorting && (
        <>
          <label>
            Sort by{' '}
            <select
              value={view.sort}
              onChange={(event) => {
                const sort = event.target.value as SortField;
                // A-to-Z is the natural start for names and subjects; newest first for dates.
                onChange({ ...view, sort, descending: sort === 'date', conversations: sort === 'date' && view.conversations });
              }}
            >
              <option value="date">Date</option>
              <option value="sender">Sender</option>
              <option value="subject">Subject</option>
            </select>
          </label>
          <button type="button" aria-pressed={view.descending} onClick={() => onChange({ ...view, descending: !view.descending })}>
            <Icon icon={view.descending ? ArrowDownWideNarrow : ArrowUpNarrowWide} size={14} />
            {view.sort === 'date' ? (view.descending ? 'Newest first' : 'Oldest first') : view.descending ? 'Z to A' : 'A to Z'}
          </button>
          <label>
            <input
              type="checkbox"
              checked={view.conversations}
              disabled={view.sort !== 'date'}
              onChange={(event) => onChange({ ...view, conversations: event.target.checked })}
            />{' '}
            Conversations
          </label>
        </>
      )}
      {/* Named by aria-label: a visible "Density" beside it would crowd a narrow list pane, and the icon and choices say it. */}
      <span className="view-density" title="Density">
        <Icon icon={Rows3} size={14} />
        <select aria-label="Density" value={density} onChange={(event) => setDensity(event.target.value as Density)}>
          <option value="comfortable">Comfortable</option>
          <option value="compact">Compact</option>
        </select>
      </span>
    </div>
  );
}
