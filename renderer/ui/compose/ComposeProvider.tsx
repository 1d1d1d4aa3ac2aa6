import type { ReactNode } from 'react';
import { ComposeContext } from './compose-state';

/** Hosts the composer windows; being written. */
export function ComposeProvider({ children }: { children: ReactNode }): React.JSX.Element {
  return <ComposeContext.Provider value={{ open: () => undefined }}>{children}</ComposeContext.Provider>;
}
