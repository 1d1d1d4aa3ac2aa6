/** New mail arrives: the IMAP side is told by the server (IDLE); the POP3 side finds it when it checks. */
import { TwinboxError } from '../../shared/errors';
import type { ProtocolLogLine } from '../../shared/model';
import type { CachedMessage } from '../db/rows';
import { WAIT_FOR_SIDE_MS, waitFor } from './lab-engine';
import type { LabEngine } from './lab-engine';
import type { ActionExplanation } from './lab-model';
import { diff, fromSnapshot } from './observe';
import type { Observation } from './observe';
import { summarize } from './traffic';
import { seconds } from './verdicts';
import { t } from '../i18n';
import { timeOfDay } from '../ui/format';

/** New mail arrives: the IMAP side is told by the server; the POP3 side finds it when it checks. */
export async function newMail(lab: LabEngine): Promise<ActionExplanation> {
  const subject = t('lab:newMail.subject', { time: timeOfDay(Date.now(), true) });
  const imap = lab.imap;
  lab.hooks.progress(t('lab:newMail.sending'));
  // The IMAP side may hear of the mail the moment it lands, so its log and its "before" start now.
  const imapBefore = await lab.observe(imap);
  const window = lab.recorder.window(imap.account.id, 'imap');
  const started = performance.now();
  let lines: ProtocolLogLine[] = [];
  let delivered: Awaited<ReturnType<LabEngine['deliver']>>;
  let serverAtArrival: Observation | undefined;
  let shown: { value: CachedMessage; afterMs: number } | undefined;
  try {
    delivered = await lab.deliver([subject]);
    const id = delivered.messageIds[0];
    // Said in the words of the failure that stopped it (a refused connection, a login the server did not accept).
    if (id === undefined) throw delivered.failure ?? new TwinboxError('INTERNAL', 'the mail could not be delivered');
    serverAtArrival = await lab.waitForServer([id]);
    lab.hooks.progress(t('lab:newMail.waitingImap'));
    shown = await waitFor(() => lab.inboxRowWithMessageId(imap, id), WAIT_FOR_SIDE_MS);
    if (!shown) await lab.engine.syncNow(imap.account.id, ['INBOX']);
  } finally {
    lines = await window.close();
  }
  const elapsedMs = performance.now() - started;
  const serverAfterImap = fromSnapshot(await lab.snapshot());
  const imapAfter = await lab.observe(imap);
  const imapNotes = [
    shown ? t('lab:newMail.pushed', { time: seconds(shown.afterMs) }) : t('lab:newMail.notPushed', { time: seconds(WAIT_FOR_SIDE_MS) }),
    t('lab:newMail.how', { how: delivered.how }),
  ];
  const imapSide = lab.explain(
    imap,
    {
      result: undefined,
      lines,
      traffic: summarize(lines),
      elapsedMs,
      local: diff(imapBefore, imapAfter),
      server: serverAtArrival ? diff(serverAtArrival, serverAfterImap) : [],
      cacheAfter: imapAfter,
      serverAfter: serverAfterImap,
    },
    imapNotes,
  );

  lab.hooks.progress(t('lab:newMail.pop3Checks'));
  const pop3Run = await lab.runSide(lab.pop3, () => lab.engine.syncNow(lab.pop3.account.id));
  const problem = lab.syncProblem(lab.pop3);
  const pop3Side = lab.explain(lab.pop3, pop3Run, [
    t('lab:newMail.pop3Note'),
    ...(problem ? [t('lab:newMail.checkFailed', { problem })] : []),
  ]);
  return { title: t('lab:newMail.title', { subject }), sides: [pop3Side, imapSide] };
}
