/**
 * The deltas of one sync started in main, in order, with the next one
 * already asked for while the caller commits the current one: main's
 * download, parsing and the transfer to this page then overlap the
 * IndexedDB writes instead of waiting for them. At most one delta is
 * in flight besides the one being committed.
 */
import type { SyncDelta } from '../../shared/model';
import type { TwinboxClient } from '../ipc/twinbox-client';

export async function* deltasOf(client: TwinboxClient, syncId: string): AsyncGenerator<SyncDelta, void, undefined> {
  let next = client.call('mail.syncNext', { syncId });
  for (;;) {
    const delta = await next;
    if (delta.kind === 'end') return;
    next = client.call('mail.syncNext', { syncId });
    // If the caller stops at this delta (a failed commit), the sync is cancelled and this answer is not wanted.
    next.catch(() => undefined);
    yield delta;
  }
}
