/** Scenario: two devices on POP3. Another computer downloads and deletes while this one is away. */
import type { LabEngine } from './lab-engine';
import type { ScenarioResult } from './lab-model';
import { copies, describeChanges, isInbox, withMessageId } from './observe';
import { twoDevicesVerdict } from './verdicts';

export async function twoDevices(lab: LabEngine): Promise<ScenarioResult | undefined> {
  const title = 'Two devices on POP3';
  if (!(await lab.mayChangeServer('Another POP3 computer will download every message and delete it from the server.'))) return undefined;
  const evidence: string[] = [];
  lab.hooks.progress(`${title}: this computer checks first…`);
  const first = await lab.runSide(lab.pop3, () => lab.engine.syncNow(lab.pop3.account.id));
  const hadBefore = first.cacheAfter;

  lab.hooks.progress(`${title}: new mail arrives while this computer is not looking…`);
  const stamp = new Date().toLocaleTimeString();
  const subjects = [1, 2, 3].map((i) => `Lab: arrived at ${stamp} while this computer was away (${i} of 3)`);
  const delivered = await lab.deliver(subjects);
  const arrivedObservation = delivered.messageIds.length > 0 ? await lab.waitForServer(delivered.messageIds) : undefined;
  // Each new message by its identity, with its subject: what the cache of this computer is compared by.
  const arrived = arrivedObservation
    ? delivered.messageIds.flatMap((id) => {
        const found = withMessageId(arrivedObservation, id, isInbox);
        return found ? [{ id: found.id, subject: found.subject }] : [];
      })
    : [];
  evidence.push(`${arrived.length} new messages reached the server (${delivered.how}).`);

  lab.hooks.progress(`${title}: the other computer downloads everything, deleting it…`);
  const taken = await lab.client.call('lab.otherPop3Device', { accountId: lab.pop3.account.id, deleteAfterDownload: true });
  evidence.push(`The other computer downloaded ${taken.messages.length} messages and deleted them from the server.`);

  lab.hooks.progress(`${title}: this computer checks again…`);
  const second = await lab.runSide(lab.pop3, () => lab.engine.syncNow(lab.pop3.account.id));
  lab.hooks.progress(`${title}: the IMAP side syncs…`);
  const imapRun = await lab.runSide(lab.imap, () => lab.engine.syncNow(lab.imap.account.id, ['INBOX']));

  const neverSeen = arrived.filter((message) => !second.cacheAfter.has(message.id)).map((message) => message.subject);
  const fromUnderUs = taken.messages.map((message) => message.identity).filter((id) => hadBefore.has(id));
  evidence.push(`This computer’s second check: ${describeChanges(second.local)}`);
  const serverAfter = copies(imapRun.serverAfter, isInbox);
  const imapShows = copies(imapRun.cacheAfter, isInbox);
  evidence.push(`The server’s Inbox now holds ${serverAfter}; the IMAP side’s Inbox shows ${imapShows}.`);
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
