/**
 * The names the preload may forward, kept apart from the schemas so the
 * sandboxed preload stays tiny. `contract.ts` checks at compile time that this
 * list and the contract's methods and events are the same.
 */
export const METHOD_NAMES = [
  'app.getInfo',
  'app.setProtocolLog',
  'app.print',
  'app.takeMailto',
  'accounts.list',
  'accounts.save',
  'accounts.remove',
  'accounts.test',
  'accounts.discover',
  'accounts.signIn',
  'accounts.capabilities',
  'mail.listFolders',
  'mail.folderCounts',
  'mail.syncStart',
  'mail.syncNext',
  'mail.syncCancel',
  'mail.open',
  'mail.source',
  'mail.download',
  'mail.texts',
  'mail.setFlags',
  'mail.move',
  'mail.copy',
  'mail.delete',
  'mail.append',
  'mail.search',
  'mail.quota',
  'mail.export',
  'mail.exportCancel',
  'mail.import',
  'mail.importUpload',
  'folders.create',
  'folders.rename',
  'folders.delete',
  'mail.watch',
  'mail.unwatch',
  'mail.send',
  'mail.compose',
  'attachments.fetch',
  'attachments.save',
  'store.usage',
  'store.list',
  'store.summaries',
  'store.settle',
  'store.setFlags',
  'store.move',
  'store.remove',
  'store.restore',
  'store.putLocal',
  'store.import',
  'store.wipe',
  'mail.remoteImages',
  'lab.serverState',
  'lab.otherDevice',
  'lab.otherPop3Device',
] as const;

export const EVENT_NAMES = ['app.notice', 'app.mailto', 'connection.state', 'sync.progress', 'mail.changed', 'protocol.log', 'mailbox.progress'] as const;

export type MethodName = (typeof METHOD_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** Electron channel for a method or event: one channel each, never a generic pass-through. */
export function channelOf(name: MethodName | EventName): string {
  return `twinbox:${name}`;
}
