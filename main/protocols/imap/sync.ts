/**
 * Folder sync: from what the caller's cache holds (UIDVALIDITY, HIGHESTMODSEQ,
 * the UIDs it has) to what the server holds, as deltas that leave the cache
 * equal to the folder when applied in order:
 *
 *   reset?  vanished?  flags*  messages*  done
 *
 * What the server offers decides how each part is learned:
 *
 * | | QRESYNC | CONDSTORE | neither, or no HIGHESTMODSEQ from the caller |
 * |---|---|---|---|
 * | flag changes | UID FETCH known (FLAGS) (CHANGEDSINCE m VANISHED) | same, without VANISHED | FLAGS of every known message |
 * | vanished | the VANISHED (EARLIER) reply | none if the message count adds up, else UID SEARCH of the known set | known UIDs the FLAGS fetch did not return |
 * | new | UID SEARCH of the UIDs the cache lacks | same | same |
 *
 * Without CONDSTORE the caller's flags are unknown here, so every known
 * message's flags come back as a change: one FETCH response of about 60 bytes
 * per message (0.6 MB for 10,000), against nothing at all for an unchanged
 * folder with CONDSTORE.
 *
 * With QRESYNC the count is checked too, and a disagreement (mail that came
 * or went while the sync ran) falls back to the search, so the deltas stay
 * exact whatever the server reported.
 *
 * With QRESYNC, a folder whose HIGHESTMODSEQ and message count are what the
 * cache last saw has not changed at all: the server raises HIGHESTMODSEQ for
 * every flag change, expunge and arrival (RFC 7162). Then nothing more is
 * asked: the FETCH CHANGEDSINCE over every known UID and the SEARCH for new
 * ones are two round trips that could only answer "nothing". It is asked
 * with STATUS before any SELECT (leaving the folder first if it was selected,
 * where the server can UNSELECT): STATUS reads the same three values without
 * loading the folder's messages, and a SELECT can cost far more on a large
 * folder (100 ms at 100,000 messages on Dovecot 2.3 once the connection has
 * sent LIST, against well under 1 ms for STATUS).
 *
 * New messages are the server's UIDs that the cache lacks, not only those
 * above its highest UID: a first sync that was interrupted leaves the older
 * messages out, and the next sync fills them in. They come newest first, in
 * batches, the first one small enough to be the first screen.
 */
import type { ExpungeEvent, MailboxObject } from 'imapflow';
import { TwinboxError } from '../../../shared/errors';
import type { MessageSummary, SyncDelta, SyncOptions, SyncState } from '../../../shared/model';
import type { AdapterDelta } from '../adapter';
import { MAX_UID, UidSet } from '../../../shared/sequence-set';
import type { ImapSession } from './session';
import { storedFlags, SUMMARY_QUERY, toMessageSummary } from './summary';
import { existingUids } from './uid-search';

const DEFAULT_BATCH_SIZE = 200;
/** About one screen of a message list. */
const FIRST_SCREEN = 50;
const FLAG_CHANGES_PER_DELTA = 1000;
/** A folder whose UIDVALIDITY changes during every attempt is not one we can sync. */
const MAX_ATTEMPTS = 3;

type FlagChange = Extract<SyncDelta, { kind: 'flags' }>['changes'][number];

/** What the cache holds, as far as this sync is concerned. */
interface CacheState {
  uidValidity: string | undefined;
  highestModseq: string | undefined;
  known: UidSet;
}

/** What the first look at the folder found. */
interface SyncPlan {
  uidValidity: string;
  uidNext: number | undefined;
  /** HIGHESTMODSEQ at the start, only when the folder has CONDSTORE. */
  highestModseq: string | undefined;
  reset: boolean;
  vanished: UidSet;
  flagChanges: FlagChange[];
  /** Known UIDs that are still there. */
  remaining: UidSet;
  newUids: UidSet;
}

/**
 * Syncs one folder; see the module comment for how. A first sync (no
 * UIDVALIDITY in `state`) starts with `reset` too, so the caller records the
 * UIDVALIDITY before any message arrives and can resume an interrupted sync.
 * The folder is locked only while a command runs, never while a delta waits
 * to be consumed, so opening a message meanwhile is not held up.
 */
export async function* syncFolder(
  session: ImapSession,
  folder: string,
  state: Extract<SyncState, { protocol: 'imap' }>,
  options: SyncOptions = {},
): AsyncGenerator<AdapterDelta, void, undefined> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  let cache: CacheState = { uidValidity: state.uidValidity, highestModseq: state.highestModseq, known: UidSet.parse(state.knownUids) };

  const unchanged = await unchangedByStatus(session, folder, cache);
  if (unchanged) {
    yield { kind: 'done', state: { ...state, knownUids: cache.known.toString() }, total: cache.known.size, uidNext: Math.max(unchanged.uidNext ?? 0, (cache.known.max ?? 0) + 1) };
    return;
  }

  for (let attempt = 1; ; attempt++) {
    const plan = await session.withFolder(folder, (mailbox) => planSync(session, mailbox, cache), { fresh: true });
    if (plan.reset) yield { kind: 'reset', uidValidity: plan.uidValidity };
    if (!plan.vanished.isEmpty) yield { kind: 'vanished', serverIds: plan.vanished.toServerIds() };
    for (let i = 0; i < plan.flagChanges.length; i += FLAG_CHANGES_PER_DELTA) {
      yield { kind: 'flags', changes: plan.flagChanges.slice(i, i + FLAG_CHANGES_PER_DELTA) };
    }

    let fetched = UidSet.empty;
    let done = 0;
    let recreated = false;
    for (const batch of plan.newUids.slicesDescending(Math.min(FIRST_SCREEN, batchSize), batchSize)) {
      const summaries = await session.withFolder(folder, async (mailbox) =>
        mailbox.uidValidity.toString() === plan.uidValidity ? fetchSummaries(session, batch) : undefined,
      );
      if (summaries === undefined) {
        recreated = true;
        break;
      }
      done += batch.size;
      fetched = fetched.union(UidSet.of(summaries.map((summary) => Number(summary.serverId))));
      yield { kind: 'messages', summaries, partial: [], progress: { done, total: plan.newUids.size }, sources: [] };
    }

    const nowKnown = plan.remaining.union(fetched);
    if (recreated) {
      if (attempt >= MAX_ATTEMPTS) throw new TwinboxError('PROTOCOL_ERROR', `${folder} changed its UIDVALIDITY during every sync attempt`);
      // The cache holds what was applied so far, under the old UIDVALIDITY: the next pass resets it.
      cache = { uidValidity: plan.uidValidity, highestModseq: undefined, known: nowKnown };
      continue;
    }
    const uidNext = Math.max(plan.uidNext ?? 0, (nowKnown.max ?? 0) + 1);
    yield {
      kind: 'done',
      state: {
        protocol: 'imap',
        uidValidity: plan.uidValidity,
        ...(plan.highestModseq === undefined ? {} : { highestModseq: plan.highestModseq }),
        knownUids: nowKnown.toString(),
      },
      total: nowKnown.size,
      uidNext,
    };
    return;
  }
}

/**
 * Whether STATUS shows the folder exactly as the cache last saw it (same
 * UIDVALIDITY, HIGHESTMODSEQ and message count, which under QRESYNC every
 * arrival, flag change and expunge moves); undefined whenever it cannot tell.
 */
async function unchangedByStatus(session: ImapSession, folder: string, cache: CacheState): Promise<{ uidNext: number | undefined } | undefined> {
  const sinceText = cache.highestModseq;
  if (!session.enabled('QRESYNC') || cache.uidValidity === undefined || sinceText === undefined || !/^\d+$/.test(sinceText)) return undefined;
  if (!(await session.leave(folder))) return undefined;
  const status = await session.run(() => session.client.status(folder, { messages: true, uidNext: true, uidValidity: true, highestModseq: true }));
  // A refusal (the folder is gone, say) is left to the SELECT below, which says what is wrong.
  if (status === false) return undefined;
  const same =
    status.uidValidity?.toString() === cache.uidValidity &&
    status.highestModseq === BigInt(sinceText) &&
    status.messages === cache.known.size;
  if (!same) return undefined;
  return { uidNext: Number.isSafeInteger(status.uidNext) && (status.uidNext ?? 0) > 0 ? status.uidNext : undefined };
}

/** Everything but the new messages' summaries, with the folder selected (freshly). */
async function planSync(session: ImapSession, mailbox: MailboxObject, cache: CacheState): Promise<SyncPlan> {
  const uidValidity = mailbox.uidValidity.toString();
  const condstore = session.enabled('CONDSTORE') && mailbox.noModseq !== true && mailbox.highestModseq !== undefined;
  const reset = cache.uidValidity !== uidValidity;
  const known = reset ? UidSet.empty : cache.known;
  const since = !reset && condstore && cache.highestModseq !== undefined && /^\d+$/.test(cache.highestModseq) ? BigInt(cache.highestModseq) : undefined;

  // UIDs the server says are gone while we work: the VANISHED (EARLIER) answer to CHANGEDSINCE
  // under QRESYNC, or another session expunging meanwhile (VANISHED once QRESYNC is on).
  const announcedGone: number[] = [];
  const onExpunge = (event: ExpungeEvent): void => {
    if (event.vanished && event.uid !== undefined) announcedGone.push(event.uid);
  };
  const uidNext = Number.isSafeInteger(mailbox.uidNext) && mailbox.uidNext > 0 ? mailbox.uidNext : undefined;
  if (since !== undefined && session.enabled('QRESYNC') && mailbox.highestModseq === since && mailbox.exists === known.size) {
    return {
      uidValidity,
      uidNext,
      highestModseq: since.toString(),
      reset: false,
      vanished: UidSet.empty,
      flagChanges: [],
      remaining: known,
      newUids: UidSet.empty,
    };
  }
  session.client.on('expunge', onExpunge);
  try {
    const flags = await knownFlags(session, known, since);
    const newUids = (await existingUids(session, known.complement(MAX_UID))).subtract(known);
    let vanished: UidSet;
    if (flags.present) {
      vanished = known.subtract(flags.present);
    } else {
      const announced = UidSet.of(announcedGone).intersect(known);
      // Every message is either new or known, so when the count adds up nothing else vanished.
      // (imapflow keeps `exists` current as EXISTS and EXPUNGE replies arrive.)
      const consistent = mailbox.exists - newUids.size === known.size - announced.size;
      vanished = consistent ? announced : known.subtract(await existingUids(session, known));
    }
    const remaining = known.subtract(vanished);
    return {
      uidValidity,
      uidNext,
      highestModseq: condstore ? mailbox.highestModseq?.toString() : undefined,
      reset,
      vanished,
      flagChanges: flags.changes.filter((change) => remaining.has(Number(change.serverId))),
      remaining,
      newUids,
    };
  } finally {
    session.client.off('expunge', onExpunge);
  }
}

/**
 * Flags of known messages: those changed since `since` (CONDSTORE; with
 * QRESYNC the reply also names the vanished ones), or without `since` every
 * known message's flags, which also tells which of them remain (`present`).
 */
async function knownFlags(
  session: ImapSession,
  known: UidSet,
  since: bigint | undefined,
): Promise<{ changes: FlagChange[]; present?: UidSet }> {
  if (known.isEmpty) return { changes: [], present: UidSet.empty };
  const changes = new Map<number, FlagChange>();
  const present: number[] = [];
  for (const chunk of known.toChunks()) {
    // imapflow adds VANISHED to a UID FETCH with CHANGEDSINCE once QRESYNC is enabled.
    const rows = session.client.fetch(chunk, { uid: true, flags: true }, { uid: true, ...(since === undefined ? {} : { changedSince: since }) });
    for await (const row of rows) {
      // Unsolicited FETCH responses about other messages arrive through the same iterator.
      if (!known.has(row.uid) || row.flags === undefined) continue;
      present.push(row.uid);
      changes.set(row.uid, {
        serverId: String(row.uid),
        flags: storedFlags(row.flags),
        ...(row.modseq === undefined ? {} : { modseq: row.modseq.toString() }),
      });
    }
  }
  return { changes: [...changes.values()], ...(since === undefined ? { present: UidSet.of(present) } : {}) };
}

/** Summaries of the messages of `batch`, newest first. */
async function fetchSummaries(session: ImapSession, batch: UidSet): Promise<MessageSummary[]> {
  const byUid = new Map<number, MessageSummary>();
  for (const chunk of batch.toChunks()) {
    for await (const row of session.client.fetch(chunk, SUMMARY_QUERY, { uid: true })) {
      if (!batch.has(row.uid) || row.envelope === undefined) continue;
      byUid.set(row.uid, toMessageSummary(row));
    }
  }
  return [...byUid.values()].sort((a, b) => (b.uid ?? 0) - (a.uid ?? 0));
}
