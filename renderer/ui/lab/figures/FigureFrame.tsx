import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A figure of the Lab: its name, the picture, and the same numbers as a
 * table. The picture is hidden from screen readers, which read the table
 * instead; on screen the table is shown on request, and stays in the
 * accessibility tree either way.
 */
export function FigureFrame({
  name,
  className,
  picture,
  table,
  note,
}: {
  name: string;
  className: string;
  picture: React.ReactNode;
  table: React.ReactNode;
  note?: React.ReactNode;
}): React.JSX.Element {
  const { t } = useTranslation('lab');
  const captionId = useId();
  const [tableShown, setTableShown] = useState(false);
  return (
    <figure className={`lab-figure ${className}`} aria-labelledby={captionId}>
      <figcaption id={captionId}>{name}</figcaption>
      {picture}
      {note}
      <button type="button" className="lab-figure-toggle" aria-pressed={tableShown} onClick={() => setTableShown((shown) => !shown)}>
        {t('figures.asTable')}
      </button>
      <div className={tableShown ? 'lab-figure-table' : 'lab-figure-table visually-hidden'}>{table}</div>
    </figure>
  );
}

