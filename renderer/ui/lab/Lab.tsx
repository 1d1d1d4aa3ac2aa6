/**
 * The Protocol Lab: one mailbox opened twice, as a POP3 account on the left
 * and an IMAP account on the right, with what the server holds now in the
 * middle. Actions and scenarios run on both sides and report what each
 * changed here and on the server, what it cost on the wire, and (for the
 * scenarios) a verdict computed from what was observed.
 *
 * While it is open, the POP3 side's server deletions are held: the Lab
 * deletes on the server only what the user confirms in a dialog.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { Flag, FlagOff, Mail, MailOpen, MailPlus, Trash } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { AppInfo } from '../../../shared/contract';
import type { ServerSnapshot } from '../../../shared/model';
import type { CachedMessage } from '../../db/rows';
import { POP3_FOLDER } from '../../db/rows';
import { errorText, t as translate } from '../../i18n';
import { useApp } from '../app-context';
import { timeOfDay } from '../format';
import { Icon } from '../icon';
import { MoveMenu } from '../MoveMenu';
import { useConfirm } from './ConfirmDialog';
import { describeItem, LabList } from './LabList';
import type { LabItem } from './LabList';
import { LabRuntime } from '../../lab/lab-runtime';
import { formatLabDate } from '../../lab/lab-model';
import type { ActionExplanation, RetentionPlan, ScenarioResult } from '../../lab/lab-model';
import { LogRecorder } from '../../lab/log-recorder';
import { fromSnapshot } from '../../lab/observe';
import { hasFlag } from '../../db/rows';
import type { Observation } from '../../lab/observe';
import { defaultPair, retentionWords, sameMailbox } from '../../lab/pairing';
import type { LabPair } from '../../lab/pairing';
import { Explanation, ScenarioReport } from './Reports';
import { RetentionTimeline } from './figures/RetentionTimeline';
import { folderPathLabel } from '../../i18n/folder-label';

/** How often the middle column asks the server while the Lab is on screen. */
const POLL_MS = 4000;
/** Rows per side column; the server view stops at 500 too. */
const ROWS = 500;

export function Lab(): React.JSX.Element {
  const { t } = useTranslation(['lab', 'common']);
  const { client, db } = useApp();
  const accounts = useLiveQuery(() => db.accounts.toArray(), []);
  const [info, setInfo] = useState<AppInfo | undefined>();
  const [chosen, setChosen] = useState<{ pop3?: string; imap?: string }>({});

  useEffect(() => {
    let current = true;
    client.call('app.getInfo', {}).then(
      (found) => current && setInfo(found),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client]);

  const pop3Accounts = (accounts ?? []).filter((a) => a.protocol === 'pop3');
  const imapAccounts = (accounts ?? []).filter((a) => a.protocol === 'imap');
  const twins = accounts ? defaultPair(accounts) : undefined;
  const pop3 = pop3Accounts.find((a) => a.id === chosen.pop3) ?? twins?.pop3 ?? pop3Accounts[0];
  const imap =
    imapAccounts.find((a) => a.id === chosen.imap) ?? (pop3 ? imapAccounts.find((a) => sameMailbox(a, pop3)) : undefined) ?? twins?.imap ?? imapAccounts[0];
  const pair: LabPair | undefined = pop3 && imap ? { pop3, imap } : undefined;
  // The cache hands out new objects on every change; the bench restarts only when the settings do (its key).
  const pairKey = JSON.stringify([pop3 ?? null, imap ?? null]);

  return (
    <section className="lab" aria-label={t('title')}>
      <div className="lab-head">
        <h2>{t('title')}</h2>
        <p className="lab-intro">{t('intro')}</p>
        {accounts && (pop3Accounts.length > 0 || imapAccounts.length > 0) && (
          <div className="lab-pickers">
            <label>
              {t('pickers.pop3')}{' '}
              <select value={pop3?.id ?? ''} onChange={(event) => setChosen({ pop3: event.target.value })} disabled={pop3Accounts.length === 0}>
                {pop3Accounts.map((account) => (
                  <option key={account.id} value={account.id}>
                    {account.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('pickers.imap')}{' '}
              <select value={imap?.id ?? ''} onChange={(event) => setChosen((c) => ({ ...c, imap: event.target.value }))} disabled={imapAccounts.length === 0}>
                {imapAccounts.map((account) => (
                  <option key={account.id} value={account.id}>
                    {account.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
      </div>
      {info && !info.demo && (
        <p role="alert" className="lab-warning">
          {t('notices.realMailbox')}
        </p>
      )}
      {accounts && !pair && (
        <p className="lab-notice">
          <Trans i18nKey="notices.needsPair" t={t} components={{ code: <code /> }} />
        </p>
      )}
      {pair && !sameMailbox(pair.pop3, pair.imap) && (
        <p role="alert" className="lab-warning">
          {t('notices.notSameMailbox')}
        </p>
      )}
      {pair && sameMailbox(pair.pop3, pair.imap) && (
        <p className="lab-notice">
          <Trans
            i18nKey="notices.bothOpen"
            t={t}
            values={{ user: pair.imap.incoming.username, host: pair.imap.incoming.host }}
            components={{ strong: <strong /> }}
          />
        </p>
      )}
      {pair && <LabBench key={pairKey} pair={pair} demo={info?.demo ?? false} />}
    </section>
  );
}

function LabBench({ pair: startPair, demo }: { pair: LabPair; demo: boolean }): React.JSX.Element {
  const { t } = useTranslation(['lab', 'common']);
  // The pair as the bench started with it: new objects with the same settings change nothing, and other settings are
  // another bench (Lab keys it by them).
  const [pair] = useState(startPair);
  const { client, db, engine } = useApp();
  const recorder = useMemo(() => new LogRecorder(client), [client]);
  const [snapshot, setSnapshot] = useState<ServerSnapshot | undefined>();
  const [serverError, setServerError] = useState<string | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const busyRef = useRef(false);
  const [error, setError] = useState<string | undefined>();
  const [explanation, setExplanation] = useState<ActionExplanation | undefined>();
  const [result, setResult] = useState<ScenarioResult | undefined>();
  const [plan, setPlan] = useState<RetentionPlan | undefined>();
  const [days, setDays] = useState(7);
  const [step, setStep] = useState(7);
  const [, setClockTick] = useState(0);
  const [confirmDialog, confirm] = useConfirm();

  const runtime = useMemo(
    () => new LabRuntime(client, db, engine, pair, demo, recorder, { confirm, progress: setBusy, snapshot: setSnapshot }),
    [client, db, engine, pair, demo, recorder, confirm],
  );

  useEffect(() => {
    void recorder.start().catch(() => undefined);
    return () => void recorder.stop().catch(() => undefined);
  }, [recorder]);

  // Background checks must never delete POP3 server copies while the Lab is open: only confirmed deletions happen.
  useEffect(() => {
    engine.holdServerDeletes(pair.pop3.id, true);
    return () => engine.holdServerDeletes(pair.pop3.id, false);
  }, [engine, pair.pop3.id]);

  // The middle column is live: asked again every few seconds while on screen (runs take their own snapshots).
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      if (!document.hidden && !busyRef.current) {
        try {
          await runtime.snapshot();
          setServerError(undefined);
        } catch (failure) {
          setServerError(errorText(failure));
        }
      }
      if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [runtime]);

  const run = useCallback(async (work: () => Promise<void>) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(translate('lab:working'));
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      busyRef.current = false;
      setBusy(undefined);
    }
  }, []);

  const pop3Rows = useInbox(pair.pop3.id);
  const imapRows = useInbox(pair.imap.id);
  const server = useMemo(() => (snapshot ? fromSnapshot(snapshot) : undefined), [snapshot]);
  const chosenPop3 = pop3Rows.find((row) => runtime.identityOf(row) === selected);
  const chosenImap = imapRows.find((row) => runtime.identityOf(row) === selected);
  const chosenServer = selected === undefined ? undefined : server?.get(selected)?.[0];
  const subject = chosenPop3?.subject ?? chosenImap?.subject ?? chosenServer?.subject;
  const chosenRows = [chosenPop3, chosenImap].filter((row): row is CachedMessage => row !== undefined);
  const allRead = chosenRows.length > 0 && chosenRows.every((row) => row.seen === 1);
  const allFlagged = chosenRows.length > 0 && chosenRows.every((row) => row.flagged === 1);
  const canAct = selected !== undefined && chosenRows.length > 0 && busy === undefined;

  const act = (work: () => Promise<ActionExplanation>): void =>
    void run(async () => {
      setExplanation(await work());
    });
  const scenario = (work: () => Promise<ScenarioResult | undefined>): void =>
    void run(async () => {
      setPlan(undefined);
      const outcome = await work();
      if (outcome) setResult(outcome);
    });

  return (
    <div className="lab-bench">
      <div className="lab-columns">
        <section className="lab-column" aria-label={t('columns.pop3Label')}>
          <h3>{t('columns.pop3Heading')}</h3>
          <p className="lab-column-note">{t('columns.pop3Note', { account: pair.pop3.name, count: pop3Rows.length, policy: retentionWords(pair.pop3) })}</p>
          <LabList
            label={t('side.pop3')}
            items={sideItems(pop3Rows, server, 'pop3', (row) => runtime.identityOf(row))}
            selected={selected}
            onSelect={setSelected}
            emptyText={t('columns.pop3Empty')}
          />
        </section>
        <section className="lab-column lab-server" aria-label={t('columns.serverHeading')}>
          <h3>{t('columns.serverHeading')}</h3>
          <p className="lab-column-note">
            {snapshot ? t('columns.serverNote', { time: timeOfDay(snapshot.observedAt, true), folders: folderSummary(snapshot) }) : t('columns.serverAsking')}
          </p>
          {serverError && (
            <p role="alert" className="error-text">
              {serverError}
            </p>
          )}
          <LabList label={t('columns.serverList')} items={serverItems(snapshot)} selected={selected} onSelect={setSelected} emptyText={t('columns.serverEmpty')} />
        </section>
        <section className="lab-column" aria-label={t('columns.imapLabel')}>
          <h3>{t('columns.imapHeading')}</h3>
          <p className="lab-column-note">{t('columns.imapNote', { account: pair.imap.name, count: imapRows.length })}</p>
          <LabList
            label={t('side.imap')}
            items={sideItems(imapRows, server, 'imap', (row) => runtime.identityOf(row))}
            selected={selected}
            onSelect={setSelected}
            emptyText={t('columns.imapEmpty')}
          />
        </section>
      </div>

      <div className="toolbar lab-actions" role="toolbar" aria-label={t('toolbar.label')}>
        <span className="lab-chosen">
          {subject === undefined ? (
            t('toolbar.choose')
          ) : (
            // The subject is mail's own text: isolated, so a right-to-left one reads right inside the sentence.
            <Trans i18nKey="toolbar.chosen" t={t} values={{ subject: subject || t('common:noSubject') }} components={{ subject: <bdi dir="auto" /> }} />
          )}
        </span>
        <button type="button" disabled={!canAct} onClick={() => selected && act(() => runtime.setRead(selected, !allRead))}>
          <Icon icon={allRead ? Mail : MailOpen} />
          {t(allRead ? 'actions.markUnread' : 'actions.markRead')}
        </button>
        <button type="button" disabled={!canAct} onClick={() => selected && act(() => runtime.setFlagged(selected, !allFlagged))}>
          <Icon icon={allFlagged ? FlagOff : Flag} />
          {t(allFlagged ? 'actions.unflag' : 'actions.flag')}
        </button>
        <button type="button" disabled={!canAct} onClick={() => selected && act(() => runtime.remove(selected))}>
          <Icon icon={Trash} />
          {t('common:delete')}
        </button>
        <MoveMenu accountId={pair.imap.id} current="INBOX" disabled={!canAct} onMove={(target) => selected && act(() => runtime.move(selected, target))} />
        <span className="toolbar-gap" />
        <button type="button" disabled={busy !== undefined} onClick={() => act(() => runtime.newMail())}>
          <Icon icon={MailPlus} />
          {t('toolbar.newMail')}
        </button>
      </div>

      <p role="status" aria-label={t('progressLabel')} className="lab-progress">
        {busy ?? t('ready')}
      </p>
      {error && (
        <div role="alert" className="error-bar">
          {error}{' '}
          <button type="button" onClick={() => setError(undefined)}>
            {t('common:dismiss')}
          </button>
        </div>
      )}

      {explanation && <Explanation explanation={explanation} />}

      <section className="lab-scenarios" aria-label={t('scenarios.heading')}>
        <h3>{t('scenarios.heading')}</h3>
        <ul>
          <li>
            <button type="button" disabled={busy !== undefined} onClick={() => scenario(() => runtime.otherDeviceReads(selected))}>
              {t('scenarios.otherDevice.title')}
            </button>{' '}
            {t('scenarios.otherDevice.description')}
          </li>
          <li>
            <button type="button" disabled={busy !== undefined} onClick={() => scenario(() => runtime.computerDied())}>
              {t('scenarios.computerDied.title')}
            </button>{' '}
            {t('scenarios.computerDied.description')}
          </li>
          <li>
            <fieldset className="lab-days">
              <legend>{t('scenarios.leaveOnServer.title')}</legend>
              <label>
                {t('scenarios.leaveOnServer.daysOnServer')} <NumberField value={days} onChange={setDays} />
              </label>{' '}
              <label>
                {t('scenarios.leaveOnServer.daysToAdvance')} <NumberField value={step} onChange={setStep} />
              </label>{' '}
              <output aria-label={t('scenarios.leaveOnServer.clockLabel')}>
                {runtime.clockDays > 0
                  ? t('scenarios.leaveOnServer.clockAhead', { date: formatLabDate(runtime.labNow()), count: runtime.clockDays })
                  : t('scenarios.leaveOnServer.clockReal', { date: formatLabDate(runtime.labNow()) })}
              </output>{' '}
              <button
                type="button"
                disabled={busy !== undefined}
                onClick={() =>
                  void run(async () => {
                    setResult(undefined);
                    setPlan(await runtime.advanceClock(step, days));
                    setClockTick((n) => n + 1);
                  })
                }
              >
                {t('scenarios.leaveOnServer.advance', { count: step })}
              </button>{' '}
              <button
                type="button"
                disabled={busy !== undefined || runtime.clockDays === 0}
                onClick={() => {
                  runtime.resetClock();
                  setPlan(undefined);
                  setClockTick((n) => n + 1);
                }}
              >
                {t('scenarios.leaveOnServer.reset')}
              </button>
            </fieldset>
          </li>
          <li>
            <button type="button" disabled={busy !== undefined} onClick={() => scenario(() => runtime.twoDevices())}>
              {t('scenarios.twoDevices.title')}
            </button>{' '}
            {t('scenarios.twoDevices.description')}
          </li>
          <li>
            <button type="button" disabled={busy !== undefined} onClick={() => scenario(() => runtime.pushOrPoll())}>
              {t('scenarios.pushOrPoll.title')}
            </button>{' '}
            {t('scenarios.pushOrPoll.description', { minutes: pair.pop3.pop3?.pollMinutes ?? 10 })}{' '}
            {runtime.waitingForPop3Check && (
              <button type="button" onClick={() => runtime.checkPop3Now()}>
                {t('scenarios.pushOrPoll.checkNow')}
              </button>
            )}
          </li>
        </ul>
      </section>

      {plan && (
        <RetentionPlanView
          plan={plan}
          busy={busy !== undefined}
          onDelete={() =>
            void run(async () => {
              const outcome = await runtime.deleteDue(plan);
              // Cancelled, the same messages are still due: the list stays, to confirm later.
              if (!outcome.cancelled) setPlan(undefined);
              setResult(outcome);
            })
          }
        />
      )}
      {result && <ScenarioReport result={result} />}
      {confirmDialog}
    </div>
  );
}

function NumberField({ value, onChange }: { value: number; onChange: (value: number) => void }): React.JSX.Element {
  return (
    <input
      type="number"
      min={1}
      max={3650}
      value={value}
      onChange={(event) => onChange(Math.max(1, Math.min(3650, Math.round(Number(event.target.value)) || 1)))}
    />
  );
}

function RetentionPlanView({ plan, busy, onDelete }: { plan: RetentionPlan; busy: boolean; onDelete: () => void }): React.JSX.Element {
  const { t } = useTranslation(['lab', 'common']);
  const date = formatLabDate(plan.labNow);
  return (
    <section className="lab-plan" aria-label={t('plan.label')}>
      <h3>{t('plan.heading', { count: plan.days })}</h3>
      <p>{plan.due.length === 0 ? t('plan.deletesNothing', { date }) : t('plan.deletes', { date, count: plan.due.length })}</p>
      {plan.due.length > 0 && (
        <ul aria-label={t('plan.dueList')}>
          {plan.due.map((item) => (
            <li key={item.uidl} dir="auto">
              {item.subject}
            </li>
          ))}
        </ul>
      )}
      <p>{plan.nextDueAt === undefined ? t('verdicts.retention.nothingElseDue') : t('plan.nextDue', { date: formatLabDate(plan.nextDueAt) })}</p>
      {plan.upcoming.length > 0 && (
        <ul aria-label={t('plan.laterList')}>
          {plan.upcoming.slice(0, 10).map((item, index) => (
            <li key={index}>
              <Trans i18nKey="plan.laterItem" t={t} values={{ subject: item.subject, date: formatLabDate(item.dueAt) }} components={{ subject: <bdi dir="auto" /> }} />
            </li>
          ))}
          {plan.upcoming.length > 10 && <li>{t('andMore', { count: plan.upcoming.length - 10 })}</li>}
        </ul>
      )}
      {plan.due.length + plan.upcoming.length > 0 && <RetentionTimeline name={t('plan.timeline')} plan={plan} />}
      {plan.due.length > 0 && (
        <button type="button" disabled={busy} onClick={onDelete}>
          {t('plan.delete')}
        </button>
      )}
    </section>
  );
}

/** A side's Inbox, newest first (POP3's one folder and IMAP's Inbox have the same path). */
function useInbox(accountId: string): CachedMessage[] {
  const { db } = useApp();
  return useLiveQuery(
    () =>
      db.messages
        .where('[accountId+folder+sortDate]')
        .between([accountId, POP3_FOLDER, -Infinity], [accountId, POP3_FOLDER, Infinity])
        .reverse()
        .limit(ROWS)
        .toArray(),
    [db, accountId],
    [] as CachedMessage[],
  );
}

function sideItems(rows: readonly CachedMessage[], server: Observation | undefined, side: 'pop3' | 'imap', identityOf: (row: CachedMessage) => string): LabItem[] {
  return rows.map((row) => {
    const id = identityOf(row);
    const unread = row.seen === 0;
    const flagged = row.flagged === 1;
    // Compared with the last look at the server, so it says what the sides cannot see by themselves.
    const remark = server === undefined || server.has(id) ? undefined : translate(side === 'pop3' ? 'lab:columns.onlyHere' : 'lab:columns.noLongerOnServer');
    return { id, label: describeItem(unread, flagged, row.subject, remark), subject: row.subject, unread, flagged, ...(remark ? { remark } : {}) };
  });
}

function serverItems(snapshot: ServerSnapshot | undefined): LabItem[] {
  if (!snapshot) return [];
  const isInbox = (path: string): boolean => path.toUpperCase() === 'INBOX';
  const folders = [...snapshot.folders].sort((a, b) => Number(isInbox(b.path)) - Number(isInbox(a.path)));
  return folders.flatMap((folder) =>
    [...folder.messages]
      .sort((a, b) => b.uid - a.uid)
      .map((message) => {
        const unread = !hasFlag(message.flags, '\\Seen');
        const flagged = hasFlag(message.flags, '\\Flagged');
        const remark = isInbox(folder.path) ? undefined : translate('lab:columns.inFolder', { folder: folderPathLabel(folder.path) });
        return {
          id: message.identity,
          label: describeItem(unread, flagged, message.subject, remark),
          subject: message.subject,
          unread,
          flagged,
          ...(remark ? { remark } : {}),
        };
      }),
  );
}

function folderSummary(snapshot: ServerSnapshot): string {
  return translate('lab:columns.folders', { list: snapshot.folders.map((folder) => `${folderPathLabel(folder.path)} ${folder.messages.length}`).join(' · ') });
}
