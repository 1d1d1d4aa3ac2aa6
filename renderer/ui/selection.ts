import type { MessageKey } from '../db/rows';

/** Which folder the list shows. */
export interface FolderRef {
  accountId: string;
  path: string;
}

export function sameKey(a: MessageKey, b: MessageKey): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

export function keyId(key: MessageKey): string {
  return key.join('\u0000');
}
