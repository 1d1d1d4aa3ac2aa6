import type { WebPreferences } from 'electron';

/**
 * The rules every Twinbox window lives by, kept free of Electron's runtime so
 * they can be unit-tested; `index.ts` only applies them.
 */
export const SECURE_WEB_PREFERENCES = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
} as const satisfies WebPreferences;

/**
 * The page may never navigate away from the app: a link in a message, a
 * dropped file or a script must not replace the UI with something else.
 * Only moving within the app's own document (a fragment change) is allowed.
 */
export function isNavigationAllowed(targetUrl: string, appUrl: string): boolean {
  try {
    const target = new URL(targetUrl);
    const app = new URL(appUrl);
    target.hash = '';
    app.hash = '';
    return target.href === app.href;
  } catch {
    return false;
  }
}

/** IPC is answered only for the app's own page in the top frame, never for a frame inside it. */
export function isTrustedSender(sender: { url: string; isMainFrame: boolean } | null, appUrl: string): boolean {
  return sender !== null && sender.isMainFrame && isNavigationAllowed(sender.url, appUrl);
}

/**
 * Permissions a Twinbox page is granted; everything else (camera, location,
 * clipboard...) is refused without a prompt. Notifications announce new
 * mail. Persistent storage keeps the index of the mail (IndexedDB) from ever
 * being cleared to make room, which a browser may do to a "best effort"
 * site: `navigator.storage.persist()` is asked at every start.
 */
export function isPermissionGranted(permission: string): boolean {
  return permission === 'notifications' || permission === 'persistent-storage';
}

/**
 * Whether a navigation that starts replaces the page: a new document in the
 * top frame (a reload included) that the policy above lets through. A
 * fragment change keeps the page, and a blocked navigation never happens,
 * so neither ends what the page started in main.
 */
export function replacesThePage(navigation: { url: string; isMainFrame: boolean; isSameDocument: boolean }, appUrl: string): boolean {
  return navigation.isMainFrame && !navigation.isSameDocument && isNavigationAllowed(navigation.url, appUrl);
}
