import { useTranslation } from 'react-i18next';
import { t as translate } from '../../../i18n';
import { retentionTimeline } from './figure-data';
import type { RetentionDates } from './figure-data';
import { FigureFrame } from './FigureFrame';

const WIDTH = 520;
const SUBJECT_END = 184;
const AXIS_START = 198;
const AXIS_END = WIDTH - 30;
const AXIS_Y = 22;
const ROW = 18;
/** Rows drawn; the table beside it lists every message. */
const MAX_ROWS = 25;

function shortSubject(subject: string): string {
  const text = subject || translate('common:noSubject');
  return text.length > 26 ? `${text.slice(0, 25)}…` : text;
}

/**
 * When each message leaves the server under "keep for N days", on the Lab
 * clock: a row per message, a line from now to the day it falls due and a
 * mark there; a square at now for what is due already.
 */
export function RetentionTimeline({ name, plan }: { name: string; plan: RetentionDates }): React.JSX.Element {
  const { t } = useTranslation(['lab', 'common']);
  const data = retentionTimeline(plan);
  const drawn = data.marks.slice(0, MAX_ROWS);
  const more = data.marks.length - drawn.length;
  const height = AXIS_Y + 8 + drawn.length * ROW + (more > 0 ? ROW : 0) + 4;
  const x = (position: number): number => AXIS_START + position * (AXIS_END - AXIS_START);
  return (
    <FigureFrame
      name={name}
      className="lab-timeline"
      picture={
        <svg className="lab-svg" viewBox={`0 0 ${WIDTH} ${height}`} aria-hidden="true" focusable="false">
          <line className="timeline-axis" x1={AXIS_START} x2={AXIS_END} y1={AXIS_Y} y2={AXIS_Y} />
          {data.ticks.map((tick, index) => (
            <g key={index} className={index === 0 ? 'timeline-now' : 'timeline-tick'}>
              <line x1={x(tick.position)} x2={x(tick.position)} y1={AXIS_Y - 4} y2={height - 2} />
              <text x={x(tick.position)} y={AXIS_Y - 8} textAnchor={tick.position === 1 && index > 0 ? 'end' : 'middle'}>
                {tick.text}
              </text>
            </g>
          ))}
          {drawn.map((mark, index) => {
            const y = AXIS_Y + 8 + index * ROW + ROW / 2;
            const at = x(mark.position);
            return (
              <g key={index} className={mark.dueNow ? 'timeline-mark due-now' : 'timeline-mark'}>
                <title>{`${mark.subject || t('common:noSubject')}: ${mark.when}`}</title>
                <text className="timeline-subject" x={SUBJECT_END} y={y + 4} textAnchor="end">
                  {shortSubject(mark.subject)}
                </text>
                {mark.dueNow ? (
                  <>
                    <rect x={at - 5} y={y - 5} width={10} height={10} />
                    <text className="timeline-due" x={at + 9} y={y + 4}>
                      {t('figures.dueNow')}
                    </text>
                  </>
                ) : (
                  <>
                    <line x1={AXIS_START} x2={at} y1={y} y2={y} />
                    <circle cx={at} cy={y} r={4.5} />
                  </>
                )}
              </g>
            );
          })}
          {more > 0 && (
            <text className="timeline-more" x={SUBJECT_END} y={AXIS_Y + 8 + drawn.length * ROW + ROW / 2 + 4} textAnchor="end">
              {t('figures.moreRows', { count: more })}
            </text>
          )}
        </svg>
      }
      note={<p className="lab-figure-note">{t('figures.timelineNote')}</p>}
      table={
        <table className="lab-measurements lab-timeline-table">
          <caption>{t('figures.tableCaption', { name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('figures.message')}</th>
              <th scope="col">{t('figures.leavesOn')}</th>
            </tr>
          </thead>
          <tbody>
            {data.marks.map((mark, index) => (
              <tr key={index}>
                <th scope="row" dir="auto">
                  {mark.subject || t('common:noSubject')}
                </th>
                <td>{mark.when}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
