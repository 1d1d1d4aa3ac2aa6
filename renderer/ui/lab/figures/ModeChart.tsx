import { useTranslation } from 'react-i18next';
import type { Measurements } from '../../../lab/lab-model';
import { modeMetrics } from './figure-data';
import { FigureFrame } from './FigureFrame';

const WIDTH = 520;
const LABEL_END = 118;
const SIDE_END = 160;
const BAR_START = 164;
const BAR_MAX = 270;
const BAR = 13;
const GROUP = 2 * BAR + 14;
/** Protocol names, the same in every language. */
const PROTOCOL_NAME = { pop3: 'POP3', imap: 'IMAP' } as const;

/**
 * After a scenario, what each mode cost, side by side: per measure a POP3
 * bar (filled) and an IMAP bar (outlined), the larger of the two full
 * length, each measure scaled on its own.
 */
export function ModeChart({ name, measurements }: { name: string; measurements: Measurements }): React.JSX.Element {
  const { t } = useTranslation('lab');
  const metrics = modeMetrics(measurements);
  const height = metrics.length * GROUP + 4;
  return (
    <FigureFrame
      name={name}
      className="lab-mode-chart"
      picture={
        <svg className="lab-svg" viewBox={`0 0 ${WIDTH} ${height}`} aria-hidden="true" focusable="false">
          {metrics.map((metric, index) => {
            const top = 4 + index * GROUP;
            return (
              <g key={metric.label}>
                <text className="chart-metric" x={LABEL_END} y={top + BAR + 4} textAnchor="end">
                  {metric.label}
                </text>
                {(['pop3', 'imap'] as const).map((side, row) => {
                  const y = top + row * BAR;
                  const length = Math.max(metric.scale[side] > 0 ? 2 : 0, metric.scale[side] * BAR_MAX);
                  return (
                    <g key={side} className={`chart-${side}`}>
                      <text className="chart-side" x={SIDE_END} y={y + BAR - 3} textAnchor="end">
                        {PROTOCOL_NAME[side]}
                      </text>
                      {length > 0 && <rect className="chart-bar" x={BAR_START} y={y + 1} width={length} height={BAR - 2} />}
                      <text className="chart-value" x={BAR_START + length + 4} y={y + BAR - 3}>
                        {metric[side].text}
                      </text>
                    </g>
                  );
                })}
              </g>
            );
          })}
        </svg>
      }
      note={<p className="lab-figure-note">{t('figures.chartNote')}</p>}
      table={
        <table className="lab-measurements">
          <caption>{t('figures.tableCaption', { name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('report.measured')}</th>
              <th scope="col">{PROTOCOL_NAME.pop3}</th>
              <th scope="col">{PROTOCOL_NAME.imap}</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map((metric) => (
              <tr key={metric.label}>
                <th scope="row">{metric.label}</th>
                <td>{metric.pop3.text}</td>
                <td>{metric.imap.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
