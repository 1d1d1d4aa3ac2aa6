import { describe, expect, it } from 'vitest';
import type { SyncEnd } from '../../shared/contract';
import type { SyncDelta } from '../../shared/model';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { deltasOf } from './delta-stream';

/** A main that hands out `deltas` in order and notes each time the page asks for the next one. */
function scriptedMain(deltas: SyncDelta[]): { client: TwinboxClient; asked: string[] } {
  const asked: string[] = [];
  let index = 0;
  const client: TwinboxClient = {
    transport: 'direct',
    call: (method) => {
      asked.push(method);
      const delta: SyncDelta | SyncEnd = deltas[index++] ?? { kind: 'end' };
      // Only mail.syncNext is called here; its result type is the delta.
      return Promise.resolve(delta as never);
    },
    on: () => () => undefined,
  };
  return { client, asked };
}

const messages = (done: number): SyncDelta => ({ kind: 'messages', summaries: [], partial: [], progress: { done, total: 4 } });

describe('the deltas of a sync', () => {
  it('asks for the next delta while one is committed, except while the first screen of messages is', async () => {
    const { client, asked } = scriptedMain([{ kind: 'reset', uidValidity: '7' }, messages(1), messages(2), messages(4)]);
    const inFlightDuringCommit: number[] = [];
    let received = 0;
    for await (const delta of deltasOf(client, 'sync-1')) {
      // Here the page would commit `delta`: how many answers has it asked for beyond those it has?
      expect(delta.kind).not.toBe('end');
      received++;
      inFlightDuringCommit.push(asked.length - received);
    }
    // reset: the next asked for meanwhile; the first messages: nothing; later ones: the next again.
    expect(inFlightDuringCommit).toEqual([1, 0, 1, 1]);
    expect(asked).toHaveLength(5);
  });
});
