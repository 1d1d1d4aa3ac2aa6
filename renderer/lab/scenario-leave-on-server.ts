/** Scenario: leave on the server for N days. The Lab clock moves on, and the POP3 side deletes what falls due, once the user confirms. */
import { accountMessages } from '../db/queries';
import { DAY_MS, serverDeletionsDue } from '../sync/retention';
import { t } from '../i18n';
import type { LabEngine } from './lab-engine';
import { formatLabDate } from './lab-model';
import type { RetentionPlan, ScenarioResult } from './lab-model';
import { copies, describeChanges, fromSnapshot, inInbox, isInbox } from './observe';
import type { Observation } from './observe';
import { retentionVerdict } from './verdicts';

/**
 * Moves the Lab clock on, checks the server (which deletes nothing while
 * the Lab is open) and works out what "keep for N days" would delete now,
 * and when the rest falls due.
 */
export async function advanceClock(lab: LabEngine, step: number, days: number): Promise<RetentionPlan> {
  lab.moveClock(step * DAY_MS);
  return planRetention(lab, days);
}

export async function planRetention(lab: LabEngine, days: number): Promise<RetentionPlan> {
  const side = lab.pop3;
  lab.hooks.progress(t('lab:scenarios.leaveOnServer.checking'));
  const check = await lab.runSide(side, () => lab.engine.syncNow(side.account.id));
  // After a check the ledger knows which of its messages the server no longer has.
  const ledger = await lab.db.ledger.where('accountId').equals(side.account.id).toArray();
  const onServer = ledger.filter((e) => e.deletedOnServerAt === undefined).map((e) => e.uidl);
  const now = lab.labNow();
  const decision = serverDeletionsDue({ kind: 'days', days }, ledger, new Set(onServer), now);
  const rows = await accountMessages(lab.db, side.account.id).toArray();
  const byUidl = new Map(rows.map((row) => [row.serverId, row]));
  const notHere = t('lab:scenarios.leaveOnServer.notHere');
  const due = decision.deleteNow.map((uidl) => {
    const row = byUidl.get(uidl);
    // A UIDL alone names what this computer does not hold: an identity that matches nothing elsewhere.
    return { uidl, subject: row?.subject ?? notHere, identity: row ? lab.identityOf(row) : `(not on this computer) ${uidl}` };
  });
  const dueSet = new Set(decision.deleteNow);
  const upcoming = ledger
    .filter((e) => e.deletedOnServerAt === undefined && e.committedAt !== undefined && !dueSet.has(e.uidl))
    .map((e) => ({ subject: byUidl.get(e.uidl)?.subject ?? notHere, dueAt: (e.committedAt ?? now) + days * DAY_MS }))
    .sort((a, b) => a.dueAt - b.dueAt);
  return { days, clockDays: lab.clockDays, labNow: now, due, upcoming, nextDueAt: decision.nextDueAt, onServer, check };
}

/** Deletes on the server what the plan named, after the user confirmed it; reports either way. */
export async function deleteDue(lab: LabEngine, plan: RetentionPlan): Promise<ScenarioResult> {
  const title = t('lab:scenarios.leaveOnServer.title');
  const side = lab.pop3;
  const serverBefore = fromSnapshot(await lab.snapshot());
  const inboxCount = (observation: Observation): number => copies(observation, isInbox);
  const base = {
    days: plan.days,
    clockDays: plan.clockDays,
    due: plan.due.map((d) => d.subject),
    serverBefore: inboxCount(serverBefore),
    nextDue: plan.nextDueAt === undefined ? undefined : formatLabDate(plan.nextDueAt),
  };
  const evidence = [t('lab:scenarios.leaveOnServer.evidenceClock', { date: formatLabDate(plan.labNow), count: plan.clockDays })];
  if (plan.due.length === 0) {
    return {
      title,
      verdict: retentionVerdict({ ...base, cancelled: false, deletedOnServer: 0, serverAfter: base.serverBefore, stillOnServer: 0, keptHere: 0, imapBefore: 0, imapAfter: 0 }),
      evidence,
      measurements: await lab.measure({ pop3: [plan.check], imap: [] }),
    };
  }
  const yes = await lab.hooks.confirm({
    title: t('lab:scenarios.leaveOnServer.confirmTitle', { count: plan.due.length }),
    body: t('lab:scenarios.leaveOnServer.confirmBody', { policy: t('lab:retention.days', { count: plan.days }), date: formatLabDate(plan.labNow) }),
    items: plan.due.map((d) => d.subject),
    confirmLabel: t('lab:actions.deleteOnServer'),
  });
  if (!yes) {
    const after = fromSnapshot(await lab.snapshot());
    return {
      title,
      cancelled: true,
      verdict: retentionVerdict({ ...base, cancelled: true, deletedOnServer: 0, serverAfter: inboxCount(after), stillOnServer: plan.due.length, keptHere: 0, imapBefore: 0, imapAfter: 0 }),
      evidence,
      measurements: await lab.measure({ pop3: [plan.check], imap: [] }),
    };
  }
  const ids = plan.due.map((d) => d.identity);
  const imapBefore = await lab.observe(lab.imap);
  lab.hooks.progress(t('lab:scenarios.leaveOnServer.deleting'));
  const popRun = await lab.runSide(side, () => lab.labPop3.applyRetention(side.account.id, { kind: 'days', days: plan.days }, new Set(plan.onServer)));
  lab.hooks.progress(t('lab:scenarios.leaveOnServer.imapSyncing'));
  const imapRun = await lab.runSide(lab.imap, () => lab.engine.syncNow(lab.imap.account.id, ['INBOX']));
  const inImapInbox = (observation: Observation): number => ids.filter((id) => inInbox(observation, id) !== undefined).length;
  evidence.push(t('lab:scenarios.leaveOnServer.onServer', { changes: describeChanges(popRun.server, { raw: true }) }));
  evidence.push(t('lab:scenarios.leaveOnServer.onThisComputer', { changes: describeChanges(popRun.local) }));
  evidence.push(t('lab:scenarios.leaveOnServer.imapSide', { changes: describeChanges(imapRun.local) }));
  return {
    title,
    verdict: retentionVerdict({
      ...base,
      cancelled: false,
      deletedOnServer: popRun.result.deleted.length,
      serverAfter: inboxCount(imapRun.serverAfter),
      stillOnServer: ids.filter((id) => inInbox(imapRun.serverAfter, id) !== undefined).length,
      keptHere: ids.filter((id) => popRun.cacheAfter.has(id)).length,
      imapBefore: inImapInbox(imapBefore),
      imapAfter: inImapInbox(imapRun.cacheAfter),
      nextDue: popRun.result.nextDueAt === undefined ? base.nextDue : formatLabDate(popRun.result.nextDueAt),
    }),
    evidence,
    measurements: await lab.measure({ pop3: [plan.check, popRun], imap: [imapRun] }),
  };
}
