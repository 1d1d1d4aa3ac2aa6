/**
 * The Lab's actions on one message (read, flag, delete, move), done on each
 * side in turn and observed there (lab-engine.ts).
 */
import type { CachedMessage } from '../db/rows';
import { accountMessages } from '../db/queries';
import { t } from '../i18n';
import { serverDeletionsDue } from '../sync/retention';
import type { LabEngine } from './lab-engine';
import type { ActionExplanation, Side, SideExplanation } from './lab-model';
import { keyOf } from '../db/rows';
import { retentionWords } from './pairing';
import { addTraffic, NO_TRAFFIC } from './traffic';
import { folderPathLabel } from '../i18n/folder-label';

/** Mark read or unread on both sides, one after the other. */
export async function setRead(lab: LabEngine, identity: string, read: boolean): Promise<ActionExplanation> {
  return onBothSides(lab, t(read ? 'lab:actions.markRead' : 'lab:actions.markUnread'), identity, (side, row) => changeOn(lab, side, () => lab.actions.setRead([keyOf(row)], read)));
}

export async function setFlagged(lab: LabEngine, identity: string, flagged: boolean): Promise<ActionExplanation> {
  return onBothSides(lab, t(flagged ? 'lab:actions.flag' : 'lab:actions.unflag'), identity, (side, row) => changeOn(lab, side, () => lab.actions.setFlagged([keyOf(row)], flagged)));
}

export async function remove(lab: LabEngine, identity: string): Promise<ActionExplanation> {
  return onBothSides(lab, t('common:delete'), identity, async (side, row) => {
    if (side.kind === 'imap') return changeOn(lab, side, () => lab.actions.delete([keyOf(row)]), true);
    return deleteOnPop3(lab, row);
  });
}

export async function move(lab: LabEngine, identity: string, target: string): Promise<ActionExplanation> {
  const imapTarget = await lab.db.folders.get([lab.imap.account.id, target]);
  return onBothSides(lab, t('lab:actions.moveTo', { folder: folderPathLabel(target) }), identity, async (side, row) => {
    let to = target;
    if (side.kind === 'pop3') {
      await lab.engine.writer.ensureLocalFolders(side.account.id);
      const local = await lab.db.folders.where('accountId').equals(side.account.id).toArray();
      const match =
        local.find((f) => imapTarget?.specialUse !== undefined && f.specialUse === imapTarget.specialUse) ??
        local.find((f) => f.path.toLowerCase() === target.toLowerCase() || f.name.toLowerCase() === target.toLowerCase());
      if (!match) {
        return {
          side: side.kind,
          local: t('lab:actions.noFolder', { folder: folderPathLabel(target) }),
          server: t('lab:changes.nothing'),
          notes: [],
          traffic: NO_TRAFFIC,
          elapsedMs: 0,
          lines: [],
        };
      }
      to = match.path;
    }
    return changeOn(lab, side, () => lab.actions.move([keyOf(row)], to), side.kind === 'imap');
  });
}

async function onBothSides(lab: LabEngine, title: string, identity: string, act: (side: Side, row: CachedMessage) => Promise<SideExplanation>): Promise<ActionExplanation> {
  const subject = (await lab.rowOf(lab.pop3, identity))?.subject ?? (await lab.rowOf(lab.imap, identity))?.subject;
  const sides: SideExplanation[] = [];
  for (const side of [lab.pop3, lab.imap]) {
    lab.hooks.progress(t('lab:actions.progress', { action: title, protocol: side.kind === 'pop3' ? 'POP3' : 'IMAP' }));
    const row = await lab.rowOf(side, identity);
    if (!row) {
      sides.push({
        side: side.kind,
        local: t('lab:actions.sideMissing'),
        server: t('lab:changes.nothing'),
        notes: [],
        traffic: NO_TRAFFIC,
        elapsedMs: 0,
        lines: [],
      });
      continue;
    }
    sides.push(await act(side, row));
  }
  return { title: subject === undefined ? title : t('lab:actions.titled', { action: title, subject: subject || t('common:noSubject') }), sides };
}

/** A change through MailActions; where the server keeps the change, it is sent before the side counts as done. */
async function changeOn(lab: LabEngine, side: Side, change: () => Promise<unknown>, movesOut = false): Promise<SideExplanation> {
  const since = Date.now();
  const run = await lab.runSide(side, async () => {
    await change();
    if ((await lab.engine.capabilities(side.account.id)).serverFolders) await lab.engine.runner.run(side.account.id);
  });
  const notes = await lab.refusals(side, since);
  if (run.local.length === 0 && run.traffic.commands === 0) notes.push(t('lab:actions.alreadyThatWay'));
  else if (side.kind === 'pop3' && run.server.length === 0) notes.push(t('lab:actions.pop3NoServer'));
  if (side.kind === 'imap' && movesOut && run.local.length > 0) notes.push(t('lab:actions.leftFolder'));
  return lab.explain(side, run, notes);
}

/**
 * Deletes here (to this computer's Trash); the server copy goes only if the
 * account's retention policy says so now, and then only after the user says
 * yes for this deletion.
 */
async function deleteOnPop3(lab: LabEngine, row: CachedMessage): Promise<SideExplanation> {
  const side = lab.pop3;
  const local = await lab.runSide(side, () => lab.actions.delete([keyOf(row)]));
  const policy = side.account.pop3?.retention ?? { kind: 'keep' as const };
  const ledger = await lab.db.ledger.where('accountId').equals(side.account.id).toArray();
  const onServer = new Set(ledger.filter((e) => e.deletedOnServerAt === undefined).map((e) => e.uidl));
  const due = serverDeletionsDue(policy, ledger, onServer, Date.now()).deleteNow;
  if (due.length === 0) {
    return lab.explain(side, local, [t('lab:actions.policyKeeps', { policy: retentionWords(side.account) })]);
  }
  const subjects = await subjectsOf(lab, side, due);
  const yes = await lab.hooks.confirm({
    title: t('lab:actions.deleteOnServerTitle', { count: due.length }),
    body: t('lab:actions.deleteOnServerBody', { count: due.length, policy: retentionWords(side.account) }),
    items: subjects,
    confirmLabel: t('lab:actions.deleteOnServer'),
  });
  if (!yes) {
    return lab.explain(side, local, [t('lab:actions.keptServerCopy')]);
  }
  const server = await lab.runSide(side, () => lab.engine.pop3.applyRetention(side.account.id, policy, onServer));
  return {
    ...lab.explain(side, { ...server, local: [...local.local, ...server.local], server: [...local.server, ...server.server] }),
    traffic: addTraffic(local.traffic, server.traffic),
    elapsedMs: local.elapsedMs + server.elapsedMs,
    lines: [...local.lines, ...server.lines],
  };
}

async function subjectsOf(lab: LabEngine, side: Side, serverIds: readonly string[]): Promise<string[]> {
  const wanted = new Set(serverIds);
  const rows = await accountMessages(lab.db, side.account.id).filter((row) => wanted.has(row.serverId)).toArray();
  return rows.map((row) => row.subject || t('common:noSubject'));
}
