import type { IpcMain, WebContents } from 'electron';
import { channelOf, METHOD_NAMES } from '../../shared/contract';
import type { EventName, EventPayloads } from '../../shared/contract';
import { dispatch } from '../ipc/dispatch';
import type { HandlerTable } from '../ipc/dispatch';
import { isTrustedSender } from '../window-policy';

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
      return dispatch(handlers, method, input, { host: 'electron', caller: `window-${event.sender.id}` });
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(channelOf(method));
  };
}

export function sendEvent<E extends EventName>(contents: WebContents, event: E, payload: EventPayloads[E]): void {
  if (!contents.isDestroyed()) contents.send(channelOf(event), payload);
}
