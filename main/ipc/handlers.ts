import type { CallContext, HandlerTable } from './dispatch';

export interface AppIdentity {
  name: string;
  version: string;
}

/** The handler table: one function per contract method, shared by every host. */
export function createHandlers(identity: AppIdentity): HandlerTable {
  return {
    'app.getInfo': (_input, context: CallContext) => Promise.resolve({ ...identity, host: context.host }),
  };
}
