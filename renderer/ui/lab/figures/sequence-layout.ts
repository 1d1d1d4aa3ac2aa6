/**
 * A side's protocol log as the steps of a sequence diagram: each command and
 * reply one arrow, and long runs of alike exchanges (52 RETRs and their
 * replies, a FETCH answered 52 times) folded into one step that carries their
 * totals. Pure, so that the folding is tested to keep every byte and command
 * of the log it draws.
 */
import type { ProtocolLogLine } from '../../../../shared/model';
import { t } from '../../../i18n';
import { commandName } from '../../../lab/traffic';
import { formatNumber } from '../../format';

/** A run this long or longer is folded into one step. */
export const FOLD_AT = 4;
/** Beyond this many steps the middle of the diagram is folded too, so that it stays a picture. */
export const MAX_STEPS = 30;

/** One line of the log, one arrow. */
export interface LineStep {
  kind: 'line';
  direction: 'out' | 'in';
  /** The command's name, or the reply's first words. */
  label: string;
  bytes: number;
  /** Milliseconds after the log's first line. */
  atMs: number;
}

/** Several lines drawn as one step, with their totals. */
export interface RunStep {
  kind: 'run';
  /** `out` and `in` when all its lines went one way; `both` for commands with their replies. */
  direction: 'out' | 'in' | 'both';
  /** "RETR ×52", "* FETCH ×52", or for the folded middle of a long log "52 lines". */
  label: string;
  lines: number;
  commands: number;
  bytesOut: number;
  bytesIn: number;
  fromMs: number;
  toMs: number;
}

export type SequenceStep = LineStep | RunStep;

export interface SequenceTotals {
  lines: number;
  commands: number;
  bytesOut: number;
  bytesIn: number;
  /** From the first line to the last. */
  spanMs: number;
}

/**
 * A reply's first words without what changes from one to the next: `+OK`,
 * `* FETCH` for `* 12 FETCH (UID 40 …)`, `OK` for `5 OK Fetch completed`.
 */
export function replyLabel(line: Pick<ProtocolLogLine, 'protocol' | 'text'>): string {
  const words = line.text.trim().split(/\s+/).filter((word) => word !== '');
  const first = words[0] ?? '';
  if (line.protocol !== 'imap') return first.toUpperCase() || t('lab:sequence.empty');
  if (first === '*') {
    const second = words[1] ?? '';
    return /^\d+$/.test(second) ? `* ${(words[2] ?? '').toUpperCase()}` : `* ${second.toUpperCase()}`;
  }
  if (first === '+') return t('lab:sequence.goOn');
  // A tagged reply: the tag says which command, the status is what matters.
  return (words[1] ?? first).toUpperCase();
}

/** What an arrow says: the command's name, or the reply's first words. */
export function lineLabel(line: ProtocolLogLine): string {
  return line.direction === 'out' ? commandName(line) || t('lab:sequence.empty') : replyLabel(line);
}

function lineStep(line: ProtocolLogLine, start: number): LineStep {
  return { kind: 'line', direction: line.direction, label: lineLabel(line), bytes: line.bytes, atMs: Math.max(0, line.at - start) };
}

function runOf(lines: readonly ProtocolLogLine[], start: number, label: string): RunStep {
  let commands = 0;
  let bytesOut = 0;
  let bytesIn = 0;
  for (const line of lines) {
    if (line.direction === 'out') {
      commands++;
      bytesOut += line.bytes;
    } else bytesIn += line.bytes;
  }
  const direction = commands === lines.length ? 'out' : commands === 0 ? 'in' : 'both';
  return {
    kind: 'run',
    direction,
    label,
    lines: lines.length,
    commands,
    bytesOut,
    bytesIn,
    fromMs: Math.max(0, (lines[0]?.at ?? start) - start),
    toMs: Math.max(0, (lines[lines.length - 1]?.at ?? start) - start),
  };
}

/** A command and what came back before the next command (replies before the first command, the greeting, make one of their own). */
interface Exchange {
  name: string | undefined;
  lines: ProtocolLogLine[];
}

function exchanges(lines: readonly ProtocolLogLine[]): Exchange[] {
  const found: Exchange[] = [];
  for (const line of lines) {
    const last = found[found.length - 1];
    if (line.direction === 'out' || !last) found.push({ name: line.direction === 'out' ? commandName(line) : undefined, lines: [line] });
    else last.lines.push(line);
  }
  return found;
}

/** An exchange's lines as arrows, a long run of alike replies (a FETCH's answers) folded into one. */
function exchangeSteps(exchange: Exchange, start: number): SequenceStep[] {
  const steps: SequenceStep[] = [];
  for (const group of runs(exchange.lines, (line) => (line.direction === 'in' ? replyLabel(line) : undefined))) {
    if (group.key !== undefined && group.items.length >= FOLD_AT) steps.push(runOf(group.items, start, `${group.key} ×${group.items.length}`));
    else steps.push(...group.items.map((line) => lineStep(line, start)));
  }
  return steps;
}

/** Consecutive items with the same key, in order; an undefined key never joins its neighbours. */
function runs<T>(items: readonly T[], keyOf: (item: T) => string | undefined): { key: string | undefined; items: T[] }[] {
  const found: { key: string | undefined; items: T[] }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const last = found[found.length - 1];
    if (last && key !== undefined && last.key === key) last.items.push(item);
    else found.push({ key, items: [item] });
  }
  return found;
}

/**
 * The log as steps: runs of FOLD_AT or more exchanges of the same command
 * folded into one, and when still more than MAX_STEPS, the middle folded too.
 */
export function sequenceSteps(lines: readonly ProtocolLogLine[]): SequenceStep[] {
  const start = lines[0]?.at ?? 0;
  const steps: SequenceStep[] = [];
  for (const group of runs(exchanges(lines), (exchange) => exchange.name)) {
    if (group.key !== undefined && group.items.length >= FOLD_AT) {
      steps.push(runOf(group.items.flatMap((e) => e.lines), start, `${group.key} ×${group.items.length}`));
    } else {
      for (const exchange of group.items) steps.push(...exchangeSteps(exchange, start));
    }
  }
  return capSteps(steps);
}

/** ": UID FETCH ×3, SELECT, NOOP, …": which commands a folded stretch holds, the first three of them. */
function commandsIn(steps: readonly SequenceStep[]): string {
  const counts = new Map<string, number>();
  for (const step of steps) {
    if (step.kind === 'line' && step.direction === 'out') counts.set(step.label, (counts.get(step.label) ?? 0) + 1);
    if (step.kind === 'run' && step.commands > 0) {
      const name = step.label.replace(/ ×\d+$/, '');
      counts.set(name, (counts.get(name) ?? 0) + step.commands);
    }
  }
  const names = [...counts].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name));
  if (names.length === 0) return '';
  return `: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`;
}

function startOf(step: SequenceStep): number {
  return step.kind === 'line' ? step.atMs : step.fromMs;
}

function stepLines(step: SequenceStep): number {
  return step.kind === 'line' ? 1 : step.lines;
}

/** Keeps the first and the last steps and folds those between into one, with their totals. */
function capSteps(steps: SequenceStep[]): SequenceStep[] {
  if (steps.length <= MAX_STEPS) return steps;
  const head = Math.ceil((MAX_STEPS - 1) / 2);
  const tail = MAX_STEPS - 1 - head;
  const middle = steps.slice(head, steps.length - tail);
  const sum = totals(middle);
  const first = middle[0];
  const folded: RunStep = {
    kind: 'run',
    direction: sum.commands === sum.lines ? 'out' : sum.commands === 0 ? 'in' : 'both',
    label: t('lab:sequence.moreLines', { count: sum.lines, commands: commandsIn(middle) }),
    lines: sum.lines,
    commands: sum.commands,
    bytesOut: sum.bytesOut,
    bytesIn: sum.bytesIn,
    fromMs: first ? startOf(first) : 0,
    toMs: sum.spanMs,
  };
  return [...steps.slice(0, head), folded, ...steps.slice(steps.length - tail)];
}

/** What the steps add up to: for any log, the same as the log's own lines. */
export function totals(steps: readonly SequenceStep[]): SequenceTotals {
  let lines = 0;
  let commands = 0;
  let bytesOut = 0;
  let bytesIn = 0;
  let spanMs = 0;
  for (const step of steps) {
    lines += stepLines(step);
    if (step.kind === 'line') {
      if (step.direction === 'out') {
        commands++;
        bytesOut += step.bytes;
      } else bytesIn += step.bytes;
      spanMs = Math.max(spanMs, step.atMs);
    } else {
      commands += step.commands;
      bytesOut += step.bytesOut;
      bytesIn += step.bytesIn;
      spanMs = Math.max(spanMs, step.toMs);
    }
  }
  return { lines, commands, bytesOut, bytesIn, spanMs };
}

/** "+12 ms", "+3.4 s": how long after the first line. */
export function offset(ms: number): string {
  return ms < 10_000 ? `+${formatNumber(Math.round(ms))} ms` : `+${formatNumber(ms / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;
}

/** "+12 ms" for a line, "+12–950 ms" for a run. */
export function stepTime(step: SequenceStep): string {
  if (step.kind === 'line') return offset(step.atMs);
  if (step.fromMs === step.toMs) return offset(step.fromMs);
  return step.toMs < 10_000
    ? `+${formatNumber(Math.round(step.fromMs))}–${formatNumber(Math.round(step.toMs))} ms`
    : t('lab:sequence.span', { from: offset(step.fromMs), to: offset(step.toMs) });
}
