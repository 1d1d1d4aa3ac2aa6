import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProtocolLogLine } from '../../../../shared/model';
import { t } from '../../../i18n';
import { byteSize } from '../../format';
import { exactBytes } from './figure-data';
import { FigureFrame } from './FigureFrame';
import { offset, sequenceSteps, stepTime, totals } from './sequence-layout';
import type { SequenceStep } from './sequence-layout';

const WIDTH = 520;
const LEFT = 78;
const RIGHT = WIDTH - 24;
const HEAD = 34;
const ROW = 22;
/** A fold says under its arrow how much went each way. */
const RUN_EXTRA = 12;

function direction(step: SequenceStep): string {
  if (step.direction === 'out') return t('lab:sequence.sent');
  if (step.direction === 'in') return t('lab:sequence.received');
  return t('lab:sequence.bothWays');
}

/** For a fold, how much went each way: under its arrow, on a line of its own. */
function runBytes(step: SequenceStep): string {
  if (step.kind === 'line') return '';
  const parts = [];
  if (step.commands > 0) parts.push(t('lab:sequence.runSent', { count: step.commands, bytes: byteSize(step.bytesOut) }));
  if (step.lines > step.commands) parts.push(t('lab:sequence.runReceived', { bytes: byteSize(step.bytesIn) }));
  return parts.join(', ');
}

function rowHeight(step: SequenceStep): number {
  return step.kind === 'run' ? ROW + RUN_EXTRA : ROW;
}

function Arrow({ step, y }: { step: SequenceStep; y: number }): React.JSX.Element {
  const toServer = step.direction !== 'in';
  const fromComputer = step.direction !== 'out';
  const lineY = y + 15;
  const className = step.kind === 'run' ? 'seq-arrow seq-run' : `seq-arrow seq-${step.direction}`;
  return (
    <g className={className}>
      <text className="seq-time" x={4} y={lineY + 3}>
        {offset(step.kind === 'line' ? step.atMs : step.fromMs)}
      </text>
      <text className="seq-label" x={(LEFT + RIGHT) / 2} y={y + 9} textAnchor="middle">
        {step.kind === 'line' ? `${step.label} · ${byteSize(step.bytes)}` : step.label}
      </text>
      <line x1={LEFT + 1} x2={RIGHT - 1} y1={lineY} y2={lineY} />
      {toServer && <polygon points={`${RIGHT - 1},${lineY} ${RIGHT - 9},${lineY - 4} ${RIGHT - 9},${lineY + 4}`} />}
      {fromComputer && <polygon points={`${LEFT + 1},${lineY} ${LEFT + 9},${lineY - 4} ${LEFT + 9},${lineY + 4}`} />}
      {step.kind === 'run' && (
        <text className="seq-run-bytes" x={(LEFT + RIGHT) / 2} y={lineY + 13} textAnchor="middle">
          {runBytes(step)}
        </text>
      )}
    </g>
  );
}

/**
 * What one side sent and what came back, as a sequence diagram: this
 * computer's lane on the left, the server's on the right, one arrow per
 * command or reply, long runs folded into one with their totals.
 */
export function SequenceDiagram({ name, lane, lines }: { name: string; lane: string; lines: readonly ProtocolLogLine[] }): React.JSX.Element {
  const { t } = useTranslation('lab');
  const steps = useMemo(() => sequenceSteps(lines), [lines]);
  const sum = totals(steps);
  const tops: number[] = [];
  let bottom = HEAD - 8;
  for (const step of steps) {
    tops.push(bottom);
    bottom += rowHeight(step);
  }
  const height = bottom + 14;
  const folded = steps.some((step) => step.kind === 'run');
  return (
    <FigureFrame
      name={name}
      className="lab-sequence"
      picture={
        <svg className="lab-svg" viewBox={`0 0 ${WIDTH} ${height}`} aria-hidden="true" focusable="false">
          <text className="seq-lane-name" x={LEFT} y={14} textAnchor="middle">
            {lane}
          </text>
          <text className="seq-lane-name" x={RIGHT} y={14} textAnchor="end">
            {t('sequence.server')}
          </text>
          <line className="seq-lane" x1={LEFT} x2={LEFT} y1={20} y2={height - 2} />
          <line className="seq-lane" x1={RIGHT} x2={RIGHT} y1={20} y2={height - 2} />
          {steps.map((step, index) => (
            <Arrow key={index} step={step} y={tops[index] ?? 0} />
          ))}
        </svg>
      }
      note={
        <p className="lab-figure-note">{t(folded ? 'sequence.noteFolded' : 'sequence.note')}</p>
      }
      table={
        <table className="lab-measurements lab-sequence-table">
          <caption>{t('figures.tableCaption', { name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('sequence.step')}</th>
              <th scope="col">{t('sequence.direction')}</th>
              <th scope="col">{t('sequence.what')}</th>
              <th scope="col">{t('sequence.lines')}</th>
              <th scope="col">{t('sequence.commands')}</th>
              <th scope="col">{t('sequence.bytesSent')}</th>
              <th scope="col">{t('sequence.bytesReceived')}</th>
              <th scope="col">{t('sequence.time')}</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((step, index) => (
              <tr key={index}>
                <th scope="row">{index + 1}</th>
                <td>{direction(step)}</td>
                <td>{step.label}</td>
                <td>{step.kind === 'line' ? 1 : step.lines}</td>
                <td>{step.kind === 'line' ? (step.direction === 'out' ? 1 : 0) : step.commands}</td>
                <td>{exactBytes(step.kind === 'line' ? (step.direction === 'out' ? step.bytes : 0) : step.bytesOut)}</td>
                <td>{exactBytes(step.kind === 'line' ? (step.direction === 'in' ? step.bytes : 0) : step.bytesIn)}</td>
                <td>{stepTime(step)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('sequence.total')}</th>
              <td />
              <td />
              <td>{sum.lines}</td>
              <td>{sum.commands}</td>
              <td>{exactBytes(sum.bytesOut)}</td>
              <td>{exactBytes(sum.bytesIn)}</td>
              <td>{offset(sum.spanMs)}</td>
            </tr>
          </tfoot>
        </table>
      }
    />
  );
}
