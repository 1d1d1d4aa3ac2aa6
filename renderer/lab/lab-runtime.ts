/**
 * What the Lab's view drives: one object per pair of accounts, with the
 * actions and scenarios as methods. It only joins the engine (lab-engine.ts)
 * to the files that hold each action and scenario.
 */
import type { ServerSnapshot } from '../../shared/model';
import type { CachedMessage } from '../db/rows';
import type { CacheReader } from '../db/schema';
import type { TwinboxClient } from '../ipc/twinbox-client';
import type { SyncEngine } from '../sync/engine';
import { LabEngine } from './lab-engine';
import type { ActionExplanation, LabHooks, RetentionPlan, ScenarioResult, Side } from './lab-model';
import type { LogRecorder } from './log-recorder';
import { move, remove, setFlagged, setRead } from './message-actions';
import { newMail } from './new-mail';
import type { LabPair } from './pairing';
import { computerDied } from './scenario-computer-died';
import { advanceClock, deleteDue, planRetention } from './scenario-leave-on-server';
import { otherDeviceReads } from './scenario-other-device-reads';
import { pushOrPoll } from './scenario-push-or-poll';
import type { PushOrPollControl } from './scenario-push-or-poll';
import { twoDevices } from './scenario-two-devices';

export class LabRuntime {
  private readonly lab: LabEngine;
  private readonly pushOrPollControl: PushOrPollControl = {};

  constructor(client: TwinboxClient, db: CacheReader, engine: SyncEngine, pair: LabPair, demo: boolean, recorder: LogRecorder, hooks: LabHooks) {
    this.lab = new LabEngine(client, db, engine, pair, demo, recorder, hooks);
  }

  get pop3(): Side {
    return this.lab.pop3;
  }

  get imap(): Side {
    return this.lab.imap;
  }

  get clockDays(): number {
    return this.lab.clockDays;
  }

  labNow(): number {
    return this.lab.labNow();
  }

  resetClock(): void {
    this.lab.resetClock();
  }

  /** A row's identity, which is what matches rows across the columns. */
  identityOf(row: CachedMessage): string {
    return this.lab.identityOf(row);
  }

  snapshot(): Promise<ServerSnapshot> {
    return this.lab.snapshot();
  }

  setRead(identity: string, read: boolean): Promise<ActionExplanation> {
    return setRead(this.lab, identity, read);
  }

  setFlagged(identity: string, flagged: boolean): Promise<ActionExplanation> {
    return setFlagged(this.lab, identity, flagged);
  }

  remove(identity: string): Promise<ActionExplanation> {
    return remove(this.lab, identity);
  }

  move(identity: string, target: string): Promise<ActionExplanation> {
    return move(this.lab, identity, target);
  }

  newMail(): Promise<ActionExplanation> {
    return newMail(this.lab);
  }

  otherDeviceReads(preferred: string | undefined): Promise<ScenarioResult | undefined> {
    return otherDeviceReads(this.lab, preferred);
  }

  computerDied(): Promise<ScenarioResult> {
    return computerDied(this.lab);
  }

  advanceClock(step: number, days: number): Promise<RetentionPlan> {
    return advanceClock(this.lab, step, days);
  }

  planRetention(days: number): Promise<RetentionPlan> {
    return planRetention(this.lab, days);
  }

  deleteDue(plan: RetentionPlan): Promise<ScenarioResult> {
    return deleteDue(this.lab, plan);
  }

  twoDevices(): Promise<ScenarioResult | undefined> {
    return twoDevices(this.lab);
  }

  pushOrPoll(): Promise<ScenarioResult | undefined> {
    return pushOrPoll(this.lab, this.pushOrPollControl);
  }

  /** Whether "New mail: push or poll" is waiting for the POP3 side's own check, which the user may ask for at once. */
  get waitingForPop3Check(): boolean {
    return this.pushOrPollControl.checkNow !== undefined;
  }

  checkPop3Now(): void {
    this.pushOrPollControl.checkNow?.();
  }
}
