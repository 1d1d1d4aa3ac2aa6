/**
 * The deltas of one sync started in main, in order, with the next one
 * already asked for while the caller commits the current one: main's
 * download, parsing and the transfer to this page then overlap the
 * IndexedDB writes instead of waiting for them. At most one delta is
 * in flight besides the one being committed.
 *
 * Except while the first messages are committed: that commit is the first
 * screen, and on two cores main parsing the next batch (2,000 summaries)
 * meanwhile competes with it for the CPU (one commit of 50 rows took 31 to
 * 34 ms alone and up to 114 ms beside it). The next batch then starts a
 * few tens of milliseconds later, out of seconds.
 */
import type { SyncDelta } from '../../shared/model';
import type { SyncEnd } from '../../shared/contract';
import type { TwinboxClient } from '../ipc/twinbox-client';

export async function* deltasOf(client: TwinboxClient, syncId: string): AsyncGenerator<SyncDelta, void, undefined> {
  const ask = (): Promise<SyncDelta | SyncEnd> => {
    const answer = client.call('mail.syncNext', { syncId });
    // If the caller stops at the delta before it (a failed commit), the sync is cancelled and this answer is not wanted.
    answer.catch(() => undefined);
    return answer;
  };
  let next: Promise<SyncDelta | SyncEnd> | undefined = ask();
  let firstScreenCommitted = false;
  for (;;) {
    const delta: SyncDelta | SyncEnd = await (next ?? ask());
    if (delta.kind === 'end') return;
    const firstScreen: boolean = delta.kind === 'messages' && !firstScreenCommitted;
    next = firstScreen ? undefined : ask();
    yield delta;
    if (firstScreen) firstScreenCommitted = true;
  }
}
