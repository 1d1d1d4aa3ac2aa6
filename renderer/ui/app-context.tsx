import { createContext, useContext } from 'react';
import type { CacheReader } from '../db/schema';
import type { TwinboxClient } from '../ipc/twinbox-client';
import type { SyncEngine } from '../sync/engine';

/** What every view reads from and acts through: the cache (read only) and the engine (actions). */
export interface AppServices {
  client: TwinboxClient;
  db: CacheReader;
  engine: SyncEngine;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside <AppContext.Provider>');
  return services;
}
