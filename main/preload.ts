/**
 * Exposes the contract to the page, and nothing else: one channel per named
 * method or event. No logic lives here; validation happens in main.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { channelOf, EVENT_NAMES, METHOD_NAMES } from '../shared/ipc-names';
import type { EventName, MethodName } from '../shared/ipc-names';

const methods = new Set<string>(METHOD_NAMES);
const events = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('twinbox', {
  invoke(method: string, input: unknown): Promise<unknown> {
    if (!methods.has(method)) {
      return Promise.resolve({ ok: false, error: { code: 'INVALID_REQUEST', message: `unknown method ${method}` } });
    }
    return ipcRenderer.invoke(channelOf(method as MethodName), input);
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!events.has(event)) throw new Error(`unknown event ${event}`);
    const channel = channelOf(event as EventName);
    const forward = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => ipcRenderer.removeListener(channel, forward);
  },
});
