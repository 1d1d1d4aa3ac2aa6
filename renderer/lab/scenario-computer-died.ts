/** Scenario: this computer died. Each side's cache is wiped and synced again; what comes back is compared with what was there. */
import type { LabEngine } from './lab-engine';
import type { ScenarioResult, SideKind, SideRun } from './lab-model';
import { fromSnapshot, hasFlag, observeCache } from './observe';
import type { Observation } from './observe';
import { retentionWords } from './pairing';
import { computerDiedVerdict, seconds } from './verdicts';
import type { WipeObservation } from './verdicts';

export async function computerDied(lab: LabEngine): Promise<ScenarioResult> {
  const title = 'This computer died';
  const evidence: string[] = [];
  const runs: { pop3: SideRun<unknown>[]; imap: SideRun<unknown>[] } = { pop3: [], imap: [] };
  const observed = new Map<SideKind, WipeObservation>();
  for (const side of [lab.pop3, lab.imap]) {
    const name = side.kind === 'pop3' ? 'POP3' : 'IMAP';
    lab.hooks.progress(`${title}: wiping the ${name} side’s cache and syncing again…`);
    const before = await observeCache(lab.db, side.account.id);
    const run = await lab.runSide(side, () => lab.engine.wipeAndResync(side.account.id));
    runs[side.kind].push(run);
    const after = run.cacheAfter;
    const lost: string[] = [];
    let changed = 0;
    for (const [id, copies] of before) {
      const now = after.get(id);
      if (!now) {
        lost.push(copies[0]?.subject ?? id);
        continue;
      }
      const state = (list: typeof copies): string =>
        list
          .map((c) => `${c.folder}:${hasFlag(c.flags, '\\Seen') ? 'r' : 'u'}${hasFlag(c.flags, '\\Flagged') ? 'f' : ''}`)
          .sort()
          .join(',');
      if (state(copies) !== state(now)) changed++;
    }
    const extra = [...after.keys()].filter((id) => !before.has(id)).length;
    const problem = lab.syncProblem(side);
    observed.set(side.kind, { before: count(before), after: count(after), lost, changed, extra });
    evidence.push(
      `${name} side: ${count(before)} messages before; ${count(after)} after the resync (${run.traffic.commands} commands, ${seconds(run.elapsedMs)})${problem ? `; the sync failed: ${problem}` : ''}.`,
    );
  }
  const snapshot = fromSnapshot(await lab.snapshot());
  const serverKeeps = [...snapshot.values()].filter((copies) => copies.some((c) => c.folder.toUpperCase() === 'INBOX')).length;
  evidence.push(`The server’s Inbox holds ${serverKeeps} messages.`);
  const pop3 = observed.get('pop3') ?? { before: 0, after: 0, lost: [], changed: 0, extra: 0 };
  const imap = observed.get('imap') ?? { before: 0, after: 0, lost: [], changed: 0, extra: 0 };
  return {
    title,
    verdict: computerDiedVerdict({ imap, pop3, retention: retentionWords(lab.pop3.account), serverKeeps }),
    evidence,
    measurements: await lab.measure(runs),
  };
}


function count(observation: Observation): number {
  return observation.size;
}
