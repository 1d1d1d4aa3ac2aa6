/** Scenario: two devices on POP3. Another computer downloads and deletes while this one is away. */
import { t } from '../i18n';
import { timeOfDay } from '../ui/format';
import type { LabEngine } from './lab-engine';
import type { ScenarioResult } from './lab-model';
import { copies, describeChanges, isInbox, withMessageId } from './observe';
import { twoDevicesVerdict } from './verdicts';

export async function twoDevices(lab: LabEngine): Promise<ScenarioResult | undefined> {
  const title = t('lab:scenarios.twoDevices.title');
  if (!(await lab.mayChangeServer(t('lab:scenarios.twoDevices.willTake')))) return undefined;
  const evidence: string[] = [];
  lab.hooks.progress(t('lab:scenarios.twoDevices.checkFirst', { title }));
  const first = await lab.runSide(lab.pop3, () => lab.engine.syncNow(lab.pop3.account.id));
  const hadBefore = first.cacheAfter;

  lab.hooks.progress(t('lab:scenarios.twoDevices.arriving', { title }));
  const stamp = timeOfDay(Date.now(), true);
  const subjects = [1, 2, 3].map((index) => t('lab:scenarios.twoDevices.subject', { time: stamp, index, total: 3 }));
  const delivered = await lab.deliver(subjects);
  const arrivedObservation = delivered.messageIds.length > 0 ? await lab.waitForServer(delivered.messageIds) : undefined;
  // Each new message by its identity, with its subject: what the cache of this computer is compared by.
  const arrived = arrivedObservation
    ? delivered.messageIds.flatMap((id) => {
        const found = withMessageId(arrivedObservation, id, isInbox);
        return found ? [{ id: found.id, subject: found.subject }] : [];
      })
    : [];
  evidence.push(t('lab:scenarios.twoDevices.arrived', { count: arrived.length, how: delivered.how }));

  lab.hooks.progress(t('lab:scenarios.twoDevices.taking', { title }));
  const taken = await lab.client.call('lab.otherPop3Device', { accountId: lab.pop3.account.id, deleteAfterDownload: true });
  evidence.push(t('lab:scenarios.twoDevices.taken', { count: taken.messages.length }));

  lab.hooks.progress(t('lab:scenarios.twoDevices.checkAgain', { title }));
  const second = await lab.runSide(lab.pop3, () => lab.engine.syncNow(lab.pop3.account.id));
  lab.hooks.progress(t('lab:scenarios.twoDevices.imapSyncing', { title }));
  const imapRun = await lab.runSide(lab.imap, () => lab.engine.syncNow(lab.imap.account.id, ['INBOX']));

  const neverSeen = arrived.filter((message) => !second.cacheAfter.has(message.id)).map((message) => message.subject);
  const fromUnderUs = taken.messages.map((message) => message.identity).filter((id) => hadBefore.has(id));
  evidence.push(t('lab:scenarios.twoDevices.secondCheck', { changes: describeChanges(second.local) }));
  const serverAfter = copies(imapRun.serverAfter, isInbox);
  const imapShows = copies(imapRun.cacheAfter, isInbox);
  evidence.push(t('lab:scenarios.twoDevices.inboxes', { server: serverAfter, imap: imapShows }));
  return {
    title,
    verdict: twoDevicesVerdict({
      arrived: arrived.map((message) => message.subject),
      deliveryProblem: delivered.problem,
      taken: taken.messages.length,
      neverSeen,
      takenFromUnderUs: fromUnderUs.length,
      keptHere: fromUnderUs.filter((id) => second.cacheAfter.has(id)).length,
      serverAfter,
      imapShows,
    }),
    evidence,
    measurements: await lab.measure({ pop3: [first, second], imap: [imapRun] }),
  };
}
