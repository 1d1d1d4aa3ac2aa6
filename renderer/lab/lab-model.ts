/**
 * What the Lab's engine reports, and what it needs from the view: the words
 * and figures of each action and scenario, the questions it asks the user.
 */
import type { Account, ProtocolLogLine, ServerSnapshot } from '../../shared/model';
import { dateTime } from '../ui/format';
import type { Change, Observation } from './observe';
import type { Traffic } from './traffic';

export type SideKind = 'pop3' | 'imap';

export interface LocalStorageUse {
  /** Rows in the index. */
  messages: number;
  /** Messages in main's message store (their files). */
  bodies: number;
  /** What those files take on disk. */
  bodyBytes: number;
}

export interface SideMeasure {
  traffic: Traffic;
  elapsedMs: number;
  storage: LocalStorageUse;
}

export interface Measurements {
  pop3: SideMeasure;
  imap: SideMeasure;
  /** `navigator.storage.estimate()` for the whole page (both sides share one database). */
  estimate: { usage: number; quota: number } | undefined;
}

/** What one action did on one side. */
export interface SideExplanation {
  side: SideKind;
  /** After "On this computer:". */
  local: string;
  /** After "On the server:". */
  server: string;
  notes: string[];
  traffic: Traffic;
  elapsedMs: number;
  lines: ProtocolLogLine[];
}

export interface ActionExplanation {
  title: string;
  sides: SideExplanation[];
}

export interface ScenarioResult {
  title: string;
  /** The user said no to what the scenario would have done. */
  cancelled?: boolean;
  verdict: string;
  evidence: string[];
  measurements: Measurements;
}

export interface ConfirmRequest {
  title: string;
  body: string;
  items?: string[];
  confirmLabel: string;
}

export interface LabHooks {
  /** Asks the user; resolves true only when they confirmed. */
  confirm(request: ConfirmRequest): Promise<boolean>;
  /** What the Lab is doing now, for the progress line. */
  progress(step: string): void;
  /** A fresh view of the server, for the middle column. */
  snapshot(snapshot: ServerSnapshot): void;
}

/** What the N-days scenario found after advancing the clock, before anything is deleted. */
export interface RetentionPlan {
  days: number;
  clockDays: number;
  labNow: number;
  /** Due for deletion on the server now. */
  due: { uidl: string; subject: string; identity: string }[];
  /** On the server and not due yet, soonest first. */
  upcoming: { subject: string; dueAt: number }[];
  nextDueAt: number | undefined;
  onServer: string[];
  check: SideRun<unknown>;
}

export interface Side {
  kind: SideKind;
  account: Account;
}

export interface SideRun<T> {
  result: T;
  lines: ProtocolLogLine[];
  traffic: Traffic;
  elapsedMs: number;
  local: Change[];
  server: Change[];
  cacheAfter: Observation;
  serverAfter: Observation;
}

/** A date on the Lab clock, in the interface's language. */
export function formatLabDate(ms: number): string {
  return dateTime(ms);
}
