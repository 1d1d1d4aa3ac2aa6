/** Scenario: another device marks a message read on the server, and each side shows whether it learns of it. */
import type { CachedMessage } from '../db/schema';
import { POP3_FOLDER } from '../db/writer';
import { isRead, WAIT_FOR_SIDE_MS, waitFor } from './lab-engine';
import type { LabEngine } from './lab-engine';
import type { ScenarioResult, SideRun } from './lab-model';
import { describeChanges, fromSnapshot, hasFlag, inInbox } from './observe';
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
  const title = 'Another device reads a message';
  lab.hooks.progress(`${title}: choosing a message…`);
  const server = fromSnapshot(await lab.snapshot());
  const target = await pickTarget(lab, preferred, server);
  if (!target) {
    return {
      title,
      verdict: 'There is nothing to try this on: no message is in the Inbox of both sides and on the server. Let new mail arrive first.',
      evidence: [],
      measurements: await lab.measure({ pop3: [], imap: [] }),
    };
  }
  if (!(await lab.mayChangeServer(`Another device will mark “${target.subject}” as read on the server.`))) return undefined;
  const identity = lab.identityOf(target);
  const evidence: string[] = [];
  const imapRuns: SideRun<unknown>[] = [];
  const popRuns: SideRun<unknown>[] = [];
  if (hasFlag(inInbox(server, identity)?.flags ?? [], '\\Seen')) {
    // It must be unread on the server first, or there is no change for the sides to learn.
    lab.hooks.progress(`${title}: the other device first marks it unread…`);
    const prelude = await lab.runSide(lab.imap, async () => {
      await lab.client.call('lab.otherDevice', { accountId: lab.imap.account.id, action: 'unread', identity });
      return waitFor(async () => ((await lab.inboxRow(lab.imap, identity))?.seen === 0 ? true : undefined), WAIT_FOR_SIDE_MS);
    });
    imapRuns.push(prelude);
    evidence.push(
      `The server had “${target.subject}” as read already, so the other device first marked it unread; the IMAP side ${prelude.result ? `showed that within ${seconds(prelude.result.afterMs)}` : 'did not show that'}.`,
    );
  }
  const imapReadBefore = isRead(await lab.inboxRow(lab.imap, identity));
  const pop3ReadBefore = isRead(await lab.inboxRow(lab.pop3, identity));

  lab.hooks.progress(`${title}: the other device reads it…`);
  const imapRun = await lab.runSide(lab.imap, async () => {
    await lab.client.call('lab.otherDevice', { accountId: lab.imap.account.id, action: 'read', identity });
    return waitFor(async () => (isRead(await lab.inboxRow(lab.imap, identity)) ? true : undefined), WAIT_FOR_SIDE_MS);
  });
  imapRuns.push(imapRun);
  const serverReadAfter = hasFlag(inInbox(imapRun.serverAfter, identity)?.flags ?? [], '\\Seen');
  evidence.push(`On the server: ${describeChanges(imapRun.server, { raw: true })} (by the other device, on a connection of its own)`);
  evidence.push(`IMAP side: ${imapReadBefore ? 'read' : 'unread'} before; ${imapRun.result ? `read ${seconds(imapRun.result.afterMs)} later` : `still unread after ${seconds(WAIT_FOR_SIDE_MS)}`}.`);

  lab.hooks.progress(`${title}: the POP3 side checks the server…`);
  const popRun = await lab.runSide(lab.pop3, () => lab.engine.syncNow(lab.pop3.account.id));
  popRuns.push(popRun);
  const pop3Problem = lab.syncProblem(lab.pop3);
  const pop3ReadAfter = isRead(await lab.inboxRow(lab.pop3, identity));
  evidence.push(
    `POP3 side: ${pop3ReadBefore ? 'read' : 'unread'} before; ${pop3ReadAfter ? 'read' : 'unread'} after checking the server (${popRun.traffic.commands} commands, none of which can carry a flag)${pop3Problem ? `; the check failed: ${pop3Problem}` : ''}.`,
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
