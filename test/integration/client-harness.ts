/**
 * The renderer's sync code run in Node: its cache on fake-indexeddb, its
 * calls going through the very dispatch both hosts use, to main's real
 * adapters, against the real servers. The end-to-end tests run the same code
 * in Chromium with real IndexedDB; this harness lets property tests run many
 * sequences quickly.
 */
import * as fakeIndexedDb from 'fake-indexeddb';
import type { DexieOptions } from 'dexie';
import type { Account } from '../../shared/model';
import type { TwinboxBridge } from '../../shared/contract';
import { allowedEndpoints } from '../../main/address-policy';
import { dispatch } from '../../main/ipc/dispatch';
import { createHandlers } from '../../main/ipc/handlers';
import { createAdapter } from '../../main/protocols/factory';
import { createServices } from '../../main/services';
import type { Services, ServicesOptions } from '../../main/services';
import { TwinboxDatabase } from '../../renderer/db/schema';
import { createClient } from '../../renderer/ipc/twinbox-client';
import type { TwinboxClient } from '../../renderer/ipc/twinbox-client';

export interface ClientHarness {
  services: Services;
  client: TwinboxClient;
  /** A fresh handle on the same IndexedDB, as after a page reload. */
  openDatabase(): TwinboxDatabase;
  /** The page's IndexedDB itself, to write a cache as an older Twinbox left it. */
  idb: { indexedDB: NonNullable<DexieOptions['indexedDB']>; IDBKeyRange: NonNullable<DexieOptions['IDBKeyRange']> };
  /** Makes every call fail as if the host went away, until `restore()`. */
  cut(): void;
  /** Lets `calls` more calls through, then cuts. */
  cutAfter(calls: number): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * `internalImageHosts`: the test's own image servers (`127.0.0.1:port`), the only internal addresses main may fetch pictures from.
 * `signIn`: the "system browser" a provider's sign-in page opens in (a test drives it), and the tests' provider with its client id.
 */
export function clientHarness(
  options: { internalImageHosts?: string[]; signIn?: Pick<ServicesOptions, 'openExternal' | 'oauthProviders' | 'oauthClients'> } = {},
): ClientHarness {
  const services = createServices({
    identity: { name: 'Twinbox', version: 'test' },
    host: 'web',
    createAdapter,
    internalImageHosts: allowedEndpoints(options.internalImageHosts ?? []),
    ...options.signIn,
  });
  const table = createHandlers(services);
  // fake-indexeddb is typed with the DOM's IndexedDB types, which Node code here does not load.
  const fake = fakeIndexedDb as unknown as { IDBFactory: new () => DexieOptions['indexedDB']; IDBKeyRange: DexieOptions['IDBKeyRange'] };
  const indexedDB = new fake.IDBFactory();
  const IDBKeyRange = fake.IDBKeyRange;
  let cut = false;
  let callsBeforeCut = Infinity;
  const isCut = (): boolean => cut;
  const bridge: TwinboxBridge = {
    invoke: async (method, input) => {
      if (callsBeforeCut-- <= 0) cut = true;
      if (cut) return { ok: false, error: { code: 'HOST_UNAVAILABLE', message: 'cut by the test' } };
      // Like IPC: the input is copied, never shared.
      const envelope = await dispatch(table, method, structuredClone(input), { host: 'web', caller: 'test' });
      // The cut may have come while the call was under way: the answer is lost with the connection.
      if (isCut()) return { ok: false, error: { code: 'HOST_UNAVAILABLE', message: 'cut by the test' } };
      return structuredClone(envelope) as never;
    },
    on: (event, listener) =>
      services.events.subscribe((name, payload) => {
        if ((name as string) === event) listener(structuredClone(payload) as never);
      }),
  };
  const databases: TwinboxDatabase[] = [];
  return {
    services,
    client: createClient(bridge, 'direct'),
    idb: { indexedDB: indexedDB!, IDBKeyRange: IDBKeyRange! },
    openDatabase() {
      const db = new TwinboxDatabase('twinbox', { indexedDB, IDBKeyRange });
      databases.push(db);
      return db;
    },
    cut: () => {
      cut = true;
    },
    cutAfter: (calls) => {
      callsBeforeCut = calls;
    },
    restore: () => {
      cut = false;
      callsBeforeCut = Infinity;
    },
    async close() {
      for (const db of databases) db.close();
      await services.close();
    },
  };
}

/** Saves an account through the contract, as the setup form does. */
export async function saveAccount(client: TwinboxClient, account: Omit<Account, 'id'>, password: string): Promise<Account> {
  return client.call('accounts.save', { account, incomingPassword: password });
}

/** What the cache holds for a folder, in the same shape. */
export async function cachedFolder(db: TwinboxDatabase, accountId: string, folder = 'INBOX'): Promise<Map<string, string[]>> {
  const rows = await db.messages.where('[accountId+folder+serverId]').between([accountId, folder, ''], [accountId, folder, '\uffff']).toArray();
  return new Map(rows.map((row) => [row.serverId, row.flags.map((f) => f.toLowerCase()).sort()]));
}
