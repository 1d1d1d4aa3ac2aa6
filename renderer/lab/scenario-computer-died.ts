/**
 * Scenario: this computer died. Each side's cache is wiped and synced again;
 * what comes back is compared with what was there. POP3 goes first, and a
 * server that marks mail read when POP3 downloads it changes what IMAP then
 * brings back: such changes are the POP3 side's, and are said to be.
 */
import { t } from '../i18n';
import type { LabEngine } from './lab-engine';
import type { ScenarioResult, SideKind, SideRun } from './lab-model';
import { copies, fromSnapshot, isInbox } from './observe';
import { hasFlag } from '../db/rows';
import type { Change, Observation, ObservedMessage } from './observe';
import { retentionWords } from './pairing';
import { computerDiedVerdict, markedRead, seconds } from './verdicts';
import type { WipeObservation } from './verdicts';

export async function computerDied(lab: LabEngine): Promise<ScenarioResult> {
  const title = t('lab:scenarios.computerDied.title');
  const evidence: string[] = [];
  const runs: { pop3: SideRun<unknown>[]; imap: SideRun<unknown>[] } = { pop3: [], imap: [] };
  const observed = new Map<SideKind, WipeObservation>();
  // Both sides as they were before anything was wiped: what each had to lose.
  const before = { pop3: await lab.observe(lab.pop3), imap: await lab.observe(lab.imap) };
  let pop3ServerChanges: Change[] = [];
  let imapReadBecausePop3 = 0;
  for (const side of [lab.pop3, lab.imap]) {
    const name = side.kind === 'pop3' ? 'POP3' : 'IMAP';
    lab.hooks.progress(t('lab:scenarios.computerDied.wiping', { title, protocol: name }));
    const run = await lab.runSide(side, () => lab.engine.wipeAndResync(side.account.id));
    runs[side.kind].push(run);
    if (side.kind === 'pop3') pop3ServerChanges = run.server;
    const comparison = compare(before[side.kind], run.cacheAfter, side.kind === 'imap' ? pop3ServerChanges : []);
    if (side.kind === 'imap') imapReadBecausePop3 = comparison.readBecauseOfOther;
    const problem = lab.syncProblem(side);
    observed.set(side.kind, comparison.observation);
    const counts = { protocol: name, before: comparison.observation.before, after: comparison.observation.after, commands: run.traffic.commands, time: seconds(run.elapsedMs) };
    evidence.push(problem ? t('lab:scenarios.computerDied.sideFailed', { ...counts, problem }) : t('lab:scenarios.computerDied.side', counts));
    if (side.kind === 'pop3') evidence.push(t('lab:scenarios.computerDied.serverDuring', { changes: describeServer(run.server) }));
  }
  const snapshot = fromSnapshot(await lab.snapshot());
  const serverKeeps = copies(snapshot, isInbox);
  evidence.push(t('lab:scenarios.computerDied.serverHolds', { count: serverKeeps }));
  const empty: WipeObservation = { before: 0, after: 0, lost: [], changed: 0, extra: 0 };
  return {
    title,
    verdict: computerDiedVerdict({
      imap: observed.get('imap') ?? empty,
      pop3: observed.get('pop3') ?? empty,
      pop3MarkedRead: markedRead(pop3ServerChanges),
      imapReadBecausePop3,
      retention: retentionWords(lab.pop3.account),
      serverKeeps,
    }),
    evidence,
    measurements: await lab.measure(runs),
  };
}

function describeServer(changes: readonly Change[]): string {
  const read = markedRead(changes);
  if (changes.length === 0) return t('lab:changes.nothing');
  return read === changes.length
    ? t('lab:scenarios.computerDied.allMarkedRead', { count: read })
    : t('lab:scenarios.computerDied.someMarkedRead', { count: changes.length, read });
}

/** A copy's folder and the flags the Lab compares, as one string. */
function state(copy: Pick<ObservedMessage, 'folder' | 'flags'>): string {
  return `${copy.folder}:${hasFlag(copy.flags, '\\Seen') ? 'r' : 'u'}${hasFlag(copy.flags, '\\Flagged') ? 'f' : ''}`;
}

/**
 * What came back against what was there, copy by copy (a message may be in
 * two folders, or twice in one). A copy that came back read where the other
 * side's run marked it read on the server is that side's doing, not a change
 * this side made.
 */
function compare(before: Observation, after: Observation, otherSideServerChanges: readonly Change[]): { observation: WipeObservation; readBecauseOfOther: number } {
  const otherMarkedRead = new Set(
    otherSideServerChanges
      .filter((change) => change.kind === 'flags' && change.added.some((flag) => flag.toLowerCase() === '\\seen'))
      .map((change) => `${change.id}\u0000${change.folder}`),
  );
  const lost: string[] = [];
  let changed = 0;
  let readBecauseOfOther = 0;
  let extra = 0;
  for (const [id, was] of before) {
    const now = [...(after.get(id) ?? [])];
    for (const copy of was) {
      const same = now.findIndex((c) => state(c) === state(copy));
      if (same >= 0) {
        now.splice(same, 1);
        continue;
      }
      const inFolder = now.findIndex((c) => c.folder === copy.folder);
      const back = inFolder >= 0 ? now[inFolder] : now[0];
      if (!back) {
        lost.push(copy.subject);
        continue;
      }
      now.splice(now.indexOf(back), 1);
      const onlyNowRead = back.folder === copy.folder && state(back) === state({ folder: copy.folder, flags: [...copy.flags, '\\Seen'] });
      if (onlyNowRead && otherMarkedRead.has(`${id}\u0000${copy.folder}`)) readBecauseOfOther++;
      else changed++;
    }
    extra += now.length;
  }
  for (const [id, list] of after) if (!before.has(id)) extra += list.length;
  return { observation: { before: copies(before), after: copies(after), lost, changed, extra }, readBecauseOfOther };
}
