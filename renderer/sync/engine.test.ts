import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import type { Account, AdapterCapabilities } from '../../shared/model';
import { TwinboxDatabase } from '../db/schema';
import type { TwinboxClient } from '../ipc/twinbox-client';
import { SyncEngine } from './engine';

/** When the engine's own next check is due: what the Lab's "push or poll" scenario waits for. */

const POP3_CAPABILITIES: AdapterCapabilities = {
  serverFolders: false,
  serverFlags: false,
  push: false,
  serverSearch: false,
  stableIds: true,
  partialFetch: false,
  changeTracking: false,
  vanishedTracking: false,
  atomicMove: false,
  quota: false,
  append: false,
};

const account: Account = {
  id: 'pop',
  name: 'pop',
  email: 'u@example.org',
  displayName: 'U',
  protocol: 'pop3',
  incoming: { host: 'pop.example.org', port: 995, security: 'tls', username: 'u' },
  outgoing: { host: 'smtp.example.org', port: 465, security: 'tls', username: 'u' },
  pop3: { retention: { kind: 'keep' }, pollMinutes: 3, headersOnly: false, maxMessageBytes: 0 },
};

/** A main whose POP3 server has no mail; `refuse` makes it unreachable. */
function emptyMain(options: { refuse?: boolean } = {}): TwinboxClient {
  const answers: Record<string, unknown> = {
    'accounts.list': [account],
    'store.usage': { messages: 0, bytes: 0, unindexed: 0, limitBytes: null },
    'mail.syncStart': { syncId: 's1' },
    'mail.syncNext': { kind: 'end' },
  };
  return {
    transport: 'direct',
    call: (method) => {
      if (method === 'accounts.capabilities')
        return options.refuse ? Promise.reject(new TwinboxError('CONNECTION_REFUSED', 'refused')) : Promise.resolve(POP3_CAPABILITIES as never);
      // Every other call (settling the store, indexing) has nothing to do here.
      return Promise.resolve((answers[method] ?? null) as never);
    },
    on: () => () => undefined,
  };
}

let engine: SyncEngine | undefined;

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

function startEngine(client: TwinboxClient, now: number): SyncEngine {
  const db = new TwinboxDatabase('engine-test', { indexedDB: new IDBFactory(), IDBKeyRange });
  engine = new SyncEngine(client, db, { now: () => now, backoffMs: { initial: 5_000, max: 60_000 } });
  return engine;
}

describe('the engine’s next check', () => {
  it('is due one poll interval after a POP3 check, and unknown while the check runs', async () => {
    const now = 1_000_000;
    const e = startEngine(emptyMain(), now);
    await e.refreshAccounts();
    // refreshAccounts started the first check; it is running, so nothing is scheduled yet.
    expect(e.nextCheckAt(account.id)).toBeUndefined();
    await e.syncNow(account.id);
    expect(e.status.get(account.id).state).toBe('idle');
    expect(e.nextCheckAt(account.id)).toBe(now + 3 * 60_000);
  });

  it('is the retry after a failed check', async () => {
    const now = 2_000_000;
    const e = startEngine(emptyMain({ refuse: true }), now);
    await e.refreshAccounts();
    await e.syncNow(account.id);
    expect(e.status.get(account.id).state).toBe('offline');
    // The second failure in a row (refreshAccounts tried first): the backoff has doubled, as the status says.
    expect(e.nextCheckAt(account.id)).toBe(now + 10_000);
    expect(e.nextCheckAt(account.id)).toBe(e.status.get(account.id).retryAt);
  });

  it('is unknown for an account the engine does not run', () => {
    expect(startEngine(emptyMain(), 0).nextCheckAt('nobody')).toBeUndefined();
  });
});
