import { EventEmitter } from 'node:events';
import type { App } from 'electron';
import { describe, expect, it } from 'vitest';
import { onCallerGone } from './electron-host';

/**
 * When the Electron host says a page is gone, with the app and its web
 * contents played by plain event emitters (no Electron binary here): the
 * events are the ones electron.d.ts types, which `tsc` checks.
 */
const appUrl = 'file:///opt/Twinbox/resources/app.asar/out/renderer/index.html';

function electronApp() {
  const app = new EventEmitter();
  const openWindow = (id: number): EventEmitter => {
    const contents = Object.assign(new EventEmitter(), { id });
    app.emit('web-contents-created', {}, contents);
    return contents;
  };
  return { app: app as unknown as App, openWindow };
}

function navigation(url: string, where: { isMainFrame: boolean; isSameDocument: boolean }) {
  return { url, ...where, preventDefault: () => undefined, defaultPrevented: false };
}

describe('Electron host: pages that go away', () => {
  it('ends a page on a reload, a crash or a closed window, not on a fragment change, a frame or a blocked navigation', () => {
    const gone: string[] = [];
    const { app, openWindow } = electronApp();
    onCallerGone(app, () => appUrl, (caller) => gone.push(caller));
    const window = openWindow(7);
    const other = openWindow(8);

    window.emit('did-start-navigation', navigation(`${appUrl}#view=lab`, { isMainFrame: true, isSameDocument: true }));
    window.emit('did-start-navigation', navigation(appUrl, { isMainFrame: false, isSameDocument: false }));
    window.emit('did-start-navigation', navigation('https://example.org/', { isMainFrame: true, isSameDocument: false }));
    expect(gone).toEqual([]);

    window.emit('did-start-navigation', navigation(appUrl, { isMainFrame: true, isSameDocument: false }));
    expect(gone).toEqual(['window-7']);
    other.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(gone).toEqual(['window-7', 'window-8']);
    window.emit('destroyed');
    expect(gone).toEqual(['window-7', 'window-8', 'window-7']);
  });
});
