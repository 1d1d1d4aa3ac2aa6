import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { t as translate } from '../../i18n';
import { byteSize, formatNumber } from '../format';
import type { ActionExplanation, Measurements, ScenarioResult, SideExplanation, SideMeasure } from '../../lab/lab-model';
import { seconds } from '../../lab/verdicts';
import { describeTraffic } from './traffic-words';
import { exactBytes } from './figures/figure-data';
import type { MeasureKey } from './figures/figure-data';
import { ModeChart } from './figures/ModeChart';
import { SequenceDiagram } from './figures/SequenceDiagram';

/** Quotas run to gigabytes, which byteSize would show as thousands of MB. */
function storageSize(bytes: number): string {
  const gigabyte = 1024 * 1024 * 1024;
  return bytes >= gigabyte
    ? translate('common:size.gigabytes', { value: formatNumber(bytes / gigabyte, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) })
    : byteSize(bytes);
}

/** A new report is what the user waits for: bring it into view. */
function useScrolledTo(report: object): React.RefObject<HTMLElement | null> {
  const element = useRef<HTMLElement>(null);
  useEffect(() => {
    // A statement, not an arrow's value: newer Chromium returns a promise from scrollIntoView, and an effect may return only its cleanup.
    element.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [report]);
  return element;
}

const SIDE_NAME = { pop3: 'side.pop3', imap: 'side.imap' } as const;
/** Protocol names, the same in every language. */
const PROTOCOL_NAME = { pop3: 'POP3', imap: 'IMAP' } as const;

/** After an action: per side, what changed here, what changed on the server, and what it took on the wire. */
export function Explanation({ explanation }: { explanation: ActionExplanation }): React.JSX.Element {
  const { t } = useTranslation('lab');
  const section = useScrolledTo(explanation);
  return (
    <section ref={section} className="lab-explanation" aria-label={t('report.whatHappened')}>
      <h3>{explanation.title}</h3>
      <div className="lab-cards">
        {explanation.sides.map((side) => (
          <SideCard key={side.side} side={side} />
        ))}
      </div>
    </section>
  );
}

function SideCard({ side }: { side: SideExplanation }): React.JSX.Element {
  const { t } = useTranslation('lab');
  const name = t(SIDE_NAME[side.side]);
  return (
    <article className={`lab-card ${side.side}`} aria-label={name}>
      <h4>{name}</h4>
      <p>
        <strong>{t('report.onThisComputer')}</strong> {side.local}
      </p>
      <p>
        <strong>{t('report.onTheServer')}</strong> {side.server}
      </p>
      {side.notes.map((note, index) => (
        <p key={index} className="lab-note">
          {note}
        </p>
      ))}
      <p>
        <strong>{t('report.commands')}</strong> {describeTraffic(side.traffic)} {side.elapsedMs > 0 && `(${seconds(side.elapsedMs)})`}
      </p>
      {side.lines.length > 0 && (
        <SequenceDiagram name={t('report.overTheWire', { side: name })} lane={t('report.lane', { protocol: PROTOCOL_NAME[side.side] })} lines={side.lines} />
      )}
      {side.lines.length > 0 && (
        // The log's exact bytes per line: the figure's table adds up to them.
        <details>
          <summary>{t('report.log', { count: side.lines.length })}</summary>
          <ol className="lab-log" aria-label={t('report.logLabel', { side: name })}>
            {side.lines.map((line, index) => (
              // The log's lines are the protocol's own words, left as they went over the wire.
              <li key={index} className={line.direction}>
                <span aria-label={t(line.direction === 'out' ? 'report.sent' : 'report.received')}>{line.direction === 'out' ? '→' : '←'}</span> {line.text}{' '}
                <span className="lab-bytes">({exactBytes(line.bytes)})</span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </article>
  );
}

/** After a scenario: the verdict, what it rests on, and what each mode cost. */
export function ScenarioReport({ result }: { result: ScenarioResult }): React.JSX.Element {
  const { t } = useTranslation('lab');
  const section = useScrolledTo(result);
  return (
    <section ref={section} className="lab-result" aria-label={t('report.scenarioResult')}>
      <h3>{result.title}</h3>
      <div role="status" aria-label={t('report.verdict')} className="lab-verdict">
        {result.verdict}
      </div>
      {result.evidence.length > 0 && (
        <>
          <h4>{t('report.observed')}</h4>
          <ul className="lab-evidence">
            {result.evidence.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
        </>
      )}
      <MeasurementTable measurements={result.measurements} />
      <ModeChart name={t('report.compared')} measurements={result.measurements} />
    </section>
  );
}

const ROWS: { key: MeasureKey; value: (side: SideMeasure) => string }[] = [
  { key: 'bytesDown', value: (side) => byteSize(side.traffic.bytesIn) },
  { key: 'bytesUp', value: (side) => byteSize(side.traffic.bytesOut) },
  { key: 'commands', value: (side) => formatNumber(side.traffic.commands) },
  { key: 'roundTrips', value: (side) => formatNumber(side.traffic.roundTrips) },
  { key: 'time', value: (side) => seconds(side.elapsedMs) },
  { key: 'messagesHere', value: (side) => formatNumber(side.storage.messages) },
  { key: 'messagesInFolder', value: (side) => formatNumber(side.storage.bodies) },
  { key: 'folderSize', value: (side) => byteSize(side.storage.bodyBytes) },
];

export function MeasurementTable({ measurements }: { measurements: Measurements }): React.JSX.Element {
  const { t } = useTranslation('lab');
  return (
    <>
      <table className="lab-measurements" aria-label={t('report.measurements')}>
        <caption>{t('report.measurements')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('report.measured')}</th>
            <th scope="col">{PROTOCOL_NAME.pop3}</th>
            <th scope="col">{PROTOCOL_NAME.imap}</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map((row) => (
            <tr key={row.key}>
              <th scope="row">{t(`measure.${row.key}`)}</th>
              <td>{row.value(measurements.pop3)}</td>
              <td>{row.value(measurements.imap)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="lab-estimate">
        {t('report.estimateIntro')}{' '}
        {measurements.estimate
          ? t('report.estimate', { used: storageSize(measurements.estimate.usage), quota: storageSize(measurements.estimate.quota) })
          : t('report.noEstimate')}
      </p>
    </>
  );
}
