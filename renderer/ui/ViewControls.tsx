import type { SortField, ViewOptions } from './list-source';

/** How the list is ordered, and whether conversations are grouped. */
export function ViewControls({ view, onChange }: { view: ViewOptions; onChange: (view: ViewOptions) => void }): React.JSX.Element {
  return (
    <div className="view-controls" role="group" aria-label="List view">
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
    </div>
  );
}
