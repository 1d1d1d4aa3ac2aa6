import { createContext, useContext } from 'react';
import type { MailtoFields } from '../../../shared/mailto';
import type { MessageKey } from '../../db/rows';

/** What the user asked to write: a new message (filled in from a mailto: link, say), an answer to one, a forward, or a saved draft. */
export type ComposeRequest =
  | { kind: 'new'; accountId?: string; prefill?: MailtoFields }
  | { kind: 'reply' | 'replyAll' | 'forward'; message: MessageKey }
  | { kind: 'draft'; message: MessageKey };

export interface ComposeApi {
  open(request: ComposeRequest): void;
}

export const ComposeContext = createContext<ComposeApi | null>(null);

export function useCompose(): ComposeApi {
  const api = useContext(ComposeContext);
  if (!api) throw new Error('useCompose outside <ComposeProvider>');
  return api;
}
