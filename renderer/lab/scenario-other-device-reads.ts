/** Scenario: another device marks a message read on the server, and each side shows whether it learns of it. */
import type { CachedMessage } from '../db/rows';
import { POP3_FOLDER } from '../db/rows';
import { t } from '../i18n';
import { isRead, WAIT_FOR_SIDE_MS, waitFor } from './lab-engine';
import type { LabEngine } from './lab-engine';
import type { ScenarioResult, SideRun } from './lab-model';
import { describeChanges, fromSnapshot, inInbox } from './observe';
import { hasFlag } from '../db/rows';
import type { Observation } from './observe';
import { otherDeviceReadVerdict, seconds } from './verdicts';

/** A message to try things on: the chosen one, else the newest that is unread on the POP3 side and in both Inboxes and on the server. */
async function pickTarget(lab: LabEngine, preferred: string | undefined, server: Observation): Promise<CachedMessage | undefined> {
  const everywhere = async (row: CachedMessage): Promise<boolean> =>
    inInbox(server, lab.identityOf(row)) !== undefined && (await lab.inboxRow(lab.imap, lab.identityOf(row))) !== undefined;
  if (preferred !== undefined) {
    const row = await lab.inboxRow(lab.pop3, preferred);
    if (row && (await everywhere(row))) return row;
  }
  const rows = await lab.db.messages
    .where('[accountId+folder+sortDate]')
    .between([lab.pop3.account.id, POP3_FOLDER, -Infinity], [lab.pop3.account.id, POP3_FOLDER, Infinity])
    .reverse()
    .toArray();
  let fallback: CachedMessage | undefined;
  for (const row of rows) {
    if (!(await everywhere(row))) continue;
    if (row.seen === 0) return row;
    fallback ??= row;
  }
  return fallback;
}

export async function otherDeviceReads(lab: LabEngine, preferred: string | undefined): Promise<ScenarioResult | undefined> {
  const title = t('lab:scenarios.otherDevice.title');
  lab.hooks.progress(t('lab:scenarios.otherDevice.choosing', { title }));
  const server = fromSnapshot(await lab.snapshot());
  const target = await pickTarget(lab, preferred, server);
  if (!target) {
    return {
      title,
      verdict: t('lab:scenarios.otherDevice.nothingToTry'),
      evidence: [],
      measurements: await lab.measure({ pop3: [], imap: [] }),
    };
  }
  if (!(await lab.mayChangeServer(t('lab:scenarios.otherDevice.willMark', { subject: target.subject || t('common:noSubject') })))) return undefined;
  const identity = lab.identityOf(target);
  const evidence: string[] = [];
  const imapRuns: SideRun<unknown>[] = [];
  const popRuns: SideRun<unknown>[] = [];
  if (hasFlag(inInbox(server, identity)?.flags ?? [], '\\Seen')) {
    // It must be unread on the server first, or there is no change for the sides to learn.
    lab.hooks.progress(t('lab:scenarios.otherDevice.markingUnread', { title }));
    const prelude = await lab.runSide(lab.imap, async () => {
      await lab.client.call('lab.otherDevice', { accountId: lab.imap.account.id, action: 'unread', identity });
      return waitFor(async () => ((await lab.inboxRow(lab.imap, identity))?.seen === 0 ? true : undefined), WAIT_FOR_SIDE_MS);
    });
    imapRuns.push(prelude);
    const subject = target.subject || t('common:noSubject');
    evidence.push(
      prelude.result
        ? t('lab:scenarios.otherDevice.preludeShown', { subject, time: seconds(prelude.result.afterMs) })
        : t('lab:scenarios.otherDevice.preludeNotShown', { subject }),
    );
  }
  const imapReadBefore = isRead(await lab.inboxRow(lab.imap, identity));
  const pop3ReadBefore = isRead(await lab.inboxRow(lab.pop3, identity));

  lab.hooks.progress(t('lab:scenarios.otherDevice.reading', { title }));
  const imapRun = await lab.runSide(lab.imap, async () => {
    await lab.client.call('lab.otherDevice', { accountId: lab.imap.account.id, action: 'read', identity });
    return waitFor(async () => (isRead(await lab.inboxRow(lab.imap, identity)) ? true : undefined), WAIT_FOR_SIDE_MS);
  });
  imapRuns.push(imapRun);
  const serverReadAfter = hasFlag(inInbox(imapRun.serverAfter, identity)?.flags ?? [], '\\Seen');
  const readWord = (read: boolean): string => t(read ? 'lab:state.read' : 'lab:state.unread');
  evidence.push(t('lab:scenarios.otherDevice.onServer', { changes: describeChanges(imapRun.server, { raw: true }) }));
  evidence.push(
    imapRun.result
      ? t('lab:scenarios.otherDevice.imapRead', { before: readWord(imapReadBefore), time: seconds(imapRun.result.afterMs) })
      : t('lab:scenarios.otherDevice.imapUnread', { before: readWord(imapReadBefore), time: seconds(WAIT_FOR_SIDE_MS) }),
  );

  lab.hooks.progress(t('lab:scenarios.otherDevice.pop3Checking', { title }));
  const popRun = await lab.runSide(lab.pop3, () => lab.engine.syncNow(lab.pop3.account.id));
  popRuns.push(popRun);
  const pop3Problem = lab.syncProblem(lab.pop3);
  const pop3ReadAfter = isRead(await lab.inboxRow(lab.pop3, identity));
  const pop3Words = { before: readWord(pop3ReadBefore), after: readWord(pop3ReadAfter), commands: popRun.traffic.commands };
  evidence.push(
    pop3Problem ? t('lab:scenarios.otherDevice.pop3Failed', { ...pop3Words, problem: pop3Problem }) : t('lab:scenarios.otherDevice.pop3', pop3Words),
  );
  return {
    title,
    verdict: otherDeviceReadVerdict({
      subject: target.subject,
      serverReadAfter,
      imapReadBefore,
      imapReadAfterMs: imapRun.result?.afterMs,
      waitedMs: WAIT_FOR_SIDE_MS,
      pop3ReadBefore,
      pop3ReadAfter,
      pop3Checked: pop3Problem === undefined,
    }),
    evidence,
    measurements: await lab.measure({ pop3: popRuns, imap: imapRuns }),
  };
}
