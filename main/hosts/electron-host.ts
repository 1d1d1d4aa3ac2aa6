import type { App, IpcMain, WebContents } from 'electron';
import { channelOf, METHOD_NAMES } from '../../shared/contract';
import type { EventName, EventPayloads } from '../../shared/contract';
import { dispatch } from '../ipc/dispatch';
import type { HandlerTable } from '../ipc/dispatch';
import { isTrustedSender, replacesThePage } from '../window-policy';

/**
 * Registers exactly one ipcMain handler per contract method. Each checks that
 * the call comes from the app's own top-level page before the shared
 * dispatch validates and runs it.
 */
export function registerIpcHost(ipcMain: IpcMain, handlers: HandlerTable, appUrl: () => string): () => void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(channelOf(method), (event, input: unknown) => {
      const frame = event.senderFrame;
      const sender = frame ? { url: frame.url, isMainFrame: frame.parent === null } : null;
      if (!isTrustedSender(sender, appUrl())) {
        return { ok: false, error: { code: 'INVALID_REQUEST', message: 'call from a page that is not Twinbox' } };
      }
      return dispatch(handlers, method, input, { host: 'electron', caller: callerOf(event.sender) });
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(channelOf(method));
  };
}

/** Which page is calling, as handlers see it: one id per window's web contents. */
export function callerOf(contents: Pick<WebContents, 'id'>): string {
  return `window-${contents.id}`;
}

/**
 * Electron's counterpart of the web host's onCallerGone: `onGone` hears a
 * page's caller id when the page ends, so that the syncs and watches it
 * started end too. A page ends when its window closes, its renderer process
 * dies, or a new document starts loading in its place (a reload: the new
 * page is then a new caller under the same id, and must not inherit the old
 * one's watches). `appUrl` tells which navigations the window policy lets happen.
 */
export function onCallerGone(app: App, appUrl: () => string, onGone: (caller: string) => void): void {
  app.on('web-contents-created', (_event, contents) => {
    const caller = callerOf(contents);
    contents.on('did-start-navigation', (details) => {
      if (replacesThePage(details, appUrl())) onGone(caller);
    });
    contents.on('render-process-gone', () => onGone(caller));
    contents.once('destroyed', () => onGone(caller));
  });
}

export function sendEvent<E extends EventName>(contents: WebContents, event: E, payload: EventPayloads[E]): void {
  if (!contents.isDestroyed()) contents.send(channelOf(event), payload);
}
