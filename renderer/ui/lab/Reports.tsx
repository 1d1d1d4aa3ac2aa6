import { useEffect, useRef } from 'react';
import { byteSize } from '../format';
import type { ActionExplanation, Measurements, ScenarioResult, SideExplanation, SideMeasure } from '../../lab/lab-model';
import { seconds } from '../../lab/verdicts';
import { describeTraffic } from './traffic-words';
import { exactBytes } from './figures/figure-data';
import { ModeChart } from './figures/ModeChart';
import { SequenceDiagram } from './figures/SequenceDiagram';

/** Quotas run to gigabytes, which byteSize would show as thousands of MB. */
function storageSize(bytes: number): string {
  const gigabyte = 1024 * 1024 * 1024;
  return bytes >= gigabyte ? `${(bytes / gigabyte).toFixed(1)} GB` : byteSize(bytes);
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

const SIDE_NAME = { pop3: 'POP3 side', imap: 'IMAP side' } as const;
const PROTOCOL_NAME = { pop3: 'POP3', imap: 'IMAP' } as const;

/** After an action: per side, what changed here, what changed on the server, and what it took on the wire. */
export function Explanation({ explanation }: { explanation: ActionExplanation }): React.JSX.Element {
  const section = useScrolledTo(explanation);
  return (
    <section ref={section} className="lab-explanation" aria-label="What happened">
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
  return (
    <article className={`lab-card ${side.side}`} aria-label={SIDE_NAME[side.side]}>
      <h4>{SIDE_NAME[side.side]}</h4>
      <p>
        <strong>On this computer:</strong> {side.local}
      </p>
      <p>
        <strong>On the server:</strong> {side.server}
      </p>
      {side.notes.map((note, index) => (
        <p key={index} className="lab-note">
          {note}
        </p>
      ))}
      <p>
        <strong>Commands:</strong> {describeTraffic(side.traffic)} {side.elapsedMs > 0 && `(${seconds(side.elapsedMs)})`}
      </p>
      {side.lines.length > 0 && (
        <SequenceDiagram name={`${SIDE_NAME[side.side]}: what went over the wire`} lane={`This computer (${PROTOCOL_NAME[side.side]})`} lines={side.lines} />
      )}
      {side.lines.length > 0 && (
        // The log's exact bytes per line: the figure's table adds up to them.
        <details>
          <summary>Protocol log ({side.lines.length} lines)</summary>
          <ol className="lab-log" aria-label={`${SIDE_NAME[side.side]} protocol log`}>
            {side.lines.map((line, index) => (
              <li key={index} className={line.direction}>
                <span aria-label={line.direction === 'out' ? 'sent' : 'received'}>{line.direction === 'out' ? '→' : '←'}</span> {line.text}{' '}
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
  const section = useScrolledTo(result);
  return (
    <section ref={section} className="lab-result" aria-label="Scenario result">
      <h3>{result.title}</h3>
      <div role="status" aria-label="Verdict" className="lab-verdict">
        {result.verdict}
      </div>
      {result.evidence.length > 0 && (
        <>
          <h4>What the Lab observed</h4>
          <ul className="lab-evidence">
            {result.evidence.map((line, index) => (
              <li key={index}>{line}</li>
            ))}
          </ul>
        </>
      )}
      <MeasurementTable measurements={result.measurements} />
      <ModeChart name="POP3 and IMAP compared" measurements={result.measurements} />
    </section>
  );
}

const ROWS: { label: string; value: (side: SideMeasure) => string }[] = [
  { label: 'Bytes down', value: (side) => byteSize(side.traffic.bytesIn) },
  { label: 'Bytes up', value: (side) => byteSize(side.traffic.bytesOut) },
  { label: 'Commands', value: (side) => String(side.traffic.commands) },
  { label: 'Round trips', value: (side) => String(side.traffic.roundTrips) },
  { label: 'Time', value: (side) => seconds(side.elapsedMs) },
  { label: 'Messages on this computer', value: (side) => String(side.storage.messages) },
  { label: 'Messages in the mail folder', value: (side) => String(side.storage.bodies) },
  { label: 'Mail folder size', value: (side) => byteSize(side.storage.bodyBytes) },
];

export function MeasurementTable({ measurements }: { measurements: Measurements }): React.JSX.Element {
  return (
    <>
      <table className="lab-measurements" aria-label="Measurements">
        <caption>Measurements</caption>
        <thead>
          <tr>
            <th scope="col">Measured</th>
            <th scope="col">POP3</th>
            <th scope="col">IMAP</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>{row.value(measurements.pop3)}</td>
              <td>{row.value(measurements.imap)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="lab-estimate">
        Bytes, commands and round trips are the protocol’s own (after TLS), from the protocol log. On this computer, the messages themselves are
        files in Twinbox’s mail folder (each side its own); the list, flags and search index are in the browser’s storage.{' '}
        {measurements.estimate
          ? `Browser storage used by that index, both sides together (navigator.storage.estimate()): ${storageSize(measurements.estimate.usage)} of ${storageSize(measurements.estimate.quota)}.`
          : 'This page may not ask the browser how much storage its index uses.'}
      </p>
    </>
  );
}
