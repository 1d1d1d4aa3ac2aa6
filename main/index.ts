/**
 * The Electron shell: one window, locked down, loading the built renderer.
 * Everything with logic lives behind the handler table, which the loopback
 * web host serves too (and which the tests exercise without Electron).
 */
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, shell } from 'electron';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { CONTENT_SECURITY_POLICY } from '../shared/content-security-policy';
import { AccountSchema } from '../shared/contract';
import { internalImageHostsFrom } from './address-policy';
import { proposedSavePath } from './attachments';
import { onCallerGone, registerIpcHost, sendEvent } from './hosts/electron-host';
import { dispatch } from './ipc/dispatch';
import { createHandlers } from './ipc/handlers';
import { RENDERER_JS_FLAGS, tuneMainHeap } from './heap-flags';
import { crashLogger, createShutdown, installCrashHandlers } from './lifecycle';
import { createAdapter } from './protocols/factory';
import { readOAuthClients } from './accounts/oauth/providers';
import { mailtoArguments } from './mailto-links';
import { createServices } from './services';
import { isNavigationAllowed, isPermissionGranted, SECURE_WEB_PREFERENCES } from './window-policy';

tuneMainHeap();
// Before the first page starts: the switch is read when a renderer process is launched.
app.commandLine.appendSwitch('js-flags', RENDERER_JS_FLAGS);

/**
 * `npm run demo` (demo/run.ts) starts the app with TWINBOX_DEMO: a throw-away
 * profile folder, so that the user's own profile is never touched, and the
 * demo mailbox's two accounts to save there. A normal start has neither.
 */
const demo = process.env.TWINBOX_DEMO
  ? z
      .object({ userDataDir: z.string().min(1), accounts: z.array(z.object({ account: AccountSchema.omit({ id: true }), password: z.string() })) })
      .parse(JSON.parse(process.env.TWINBOX_DEMO))
  : undefined;
// Before anything asks for the profile's path (the crash log below does).
if (demo) app.setPath('userData', demo.userDataDir);

/**
 * For development and tests only: internal image servers that remote images
 * may come from all the same (exact address:port pairs, such as the demo's
 * on loopback), as web.js reads it. The app never sets it.
 */
const internalImageHosts = internalImageHostsFrom(process.env);
if (internalImageHosts.entries.length > 0) console.warn(`Remote images may come from these internal addresses: ${internalImageHosts.entries.join(', ')}`);

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const appUrl = pathToFileURL(rendererIndex).href;
const recordCrash = crashLogger(join(app.getPath('userData'), 'logs', 'crash.log'));

installCrashHandlers(process, recordCrash);
app.enableSandbox();

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url, appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('render-process-gone', (_goneEvent, details) => {
    recordCrash('renderer gone', new Error(details.reason));
    if (details.reason !== 'clean-exit') contents.reload();
  });
});

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'Twinbox',
    show: false,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: join(here, '../preload/index.cjs') },
  });
  window.once('ready-to-show', () => window.show());
  // The demo opens on the Protocol Lab (App reads view=lab from the hash).
  void window.loadFile(rendererIndex, demo ? { hash: 'view=lab' } : {});
  return window;
}

const shutdown = createShutdown({ timeoutMs: 5000, log: (message) => console.log(message) });

// One Twinbox per profile: a second launch (a mailto: link clicked while Twinbox runs) hands its link over and ends.
if (!app.requestSingleInstanceLock()) app.exit(0);
/** Links that come before the services exist (macOS sends open-url before ready; a first launch has its own). */
const earlyLinks = mailtoArguments(process.argv);
let openMailto = (link: string): void => {
  earlyLinks.push(link);
};
app.on('open-url', (event, url) => {
  event.preventDefault();
  openMailto(url);
});
app.on('second-instance', (_event, argv) => {
  for (const link of mailtoArguments(argv)) openMailto(link);
  const window = BrowserWindow.getAllWindows()[0];
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

void app.whenReady().then(async () => {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // New-mail notifications and storage that is never cleared, nothing else: no camera, microphone, location or other prompts.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionGranted(permission)));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission));

  const services = createServices({
    identity: { name: app.getName(), version: app.getVersion() },
    host: 'electron',
    dataDir: app.getPath('userData'),
    cipher: safeStorage,
    createAdapter,
    // The system browser, never a window of Twinbox's: the provider's password is typed where the user trusts it (RFC 8252).
    openExternal: (url) => shell.openExternal(url),
    oauthClients: readOAuthClients(join(app.getPath('userData'), 'oauth-clients.json')),
    saveFile: async (suggestedName, content) => {
      const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const options = { defaultPath: proposedSavePath(app.getPath('downloads'), suggestedName) };
      const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (choice.canceled || !choice.filePath) return undefined;
      await writeFile(choice.filePath, content);
      return choice.filePath;
    },
    // The titles come from the page, in its language; the English here is only for a caller that sends none.
    chooseExportTarget: async ({ kind, suggestedName, title }) => {
      const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const defaultPath = proposedSavePath(app.getPath('documents'), suggestedName);
      if (kind === 'file') {
        const choice = window ? await dialog.showSaveDialog(window, { defaultPath }) : await dialog.showSaveDialog({ defaultPath });
        return choice.canceled ? undefined : choice.filePath;
      }
      const options = { title: title ?? `Choose where to put “${suggestedName}”`, defaultPath: app.getPath('documents'), properties: ['openDirectory' as const, 'createDirectory' as const] };
      const choice = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return choice.canceled ? undefined : choice.filePaths[0];
    },
    chooseImportSources: async ({ kind, title }) => {
      const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const options =
        kind === 'maildir'
          ? { title: title ?? 'Choose a Maildir folder to import', properties: ['openDirectory' as const] }
          : { title: title ?? 'Choose .eml or mbox files to import', properties: ['openFile' as const, 'multiSelections' as const] };
      const choice = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return choice.canceled ? undefined : choice.filePaths;
    },
    printDocument: printInWindowOfItsOwn,
    demo: demo !== undefined,
    internalImageHosts,
  });
  const handlers = createHandlers(services);
  // The demo's accounts, saved as the account dialog saves them, before the page asks for the list.
  for (const { account, password } of demo?.accounts ?? []) {
    const saved = await dispatch(handlers, 'accounts.save', { account, incomingPassword: password }, { host: 'electron', caller: 'demo' });
    if (!saved.ok) console.error(`The demo account ${account.name} was not saved: ${saved.error.message}`);
  }
  const unregister = registerIpcHost(ipcMain, handlers, () => appUrl);
  services.events.subscribe((event, payload) => {
    for (const window of BrowserWindow.getAllWindows()) sendEvent(window.webContents, event, payload);
  });
  shutdown.add('servers', () => services.close());
  shutdown.add('ipc', () => Promise.resolve(unregister()));

  // A reload, a crash or a closed window ends the page's syncs (their connections go back to the pool) and its watches.
  onCallerGone(app, () => appUrl, (caller) => void services.callerGone(caller));

  openMailto = (link) => {
    if (services.mailto.deliver(link)) BrowserWindow.getAllWindows()[0]?.focus();
  };
  for (const link of earlyLinks.splice(0)) openMailto(link);
  // An installed Twinbox offers itself for mailto: links (the Linux desktop entry declares it too); a development run does not take them over.
  if (app.isPackaged && !demo) app.setAsDefaultProtocolClient('mailto');

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// Log out of every server before the process ends, within the shutdown's time limit.
let loggedOut = false;
app.on('before-quit', (event) => {
  if (loggedOut) return;
  event.preventDefault();
  void shutdown.run('quit').then(() => {
    loggedOut = true;
    app.quit();
  });
});

/**
 * Prints a message's document in a hidden window of its own, so that the
 * whole message prints (a frame in the app's window would be cut at its
 * height): no script, no preload, the same sandbox as the app, and a file
 * rather than a data: URL, which Chromium caps at 2 MB.
 */
async function printInWindowOfItsOwn(document: string): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'twinbox-print-'));
  const file = join(folder, `${randomUUID()}.html`);
  const printer = new BrowserWindow({ show: false, webPreferences: { ...SECURE_WEB_PREFERENCES, javascript: false } });
  try {
    await writeFile(file, document);
    await printer.loadFile(file);
    await new Promise<void>((resolve, reject) => {
      printer.webContents.print({}, (printed, reason) => (printed || reason === 'cancelled' ? resolve() : reject(new Error(`printing failed: ${reason}`))));
    });
  } finally {
    printer.destroy();
    await rm(folder, { recursive: true, force: true });
  }
}
