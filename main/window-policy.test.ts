import { describe, expect, it } from 'vitest';
import { isNavigationAllowed, isPermissionGranted, isTrustedSender, SECURE_WEB_PREFERENCES } from './window-policy';

const appUrl = 'file:///opt/Twinbox/resources/app.asar/out/renderer/index.html';

describe('window policy', () => {
  it('locks every window down', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
  });

  it('allows only moves within the app’s own page', () => {
    expect(isNavigationAllowed(`${appUrl}#/inbox`, appUrl)).toBe(true);
    expect(isNavigationAllowed('https://example.org/', appUrl)).toBe(false);
    expect(isNavigationAllowed('file:///etc/passwd', appUrl)).toBe(false);
    expect(isNavigationAllowed('file:///opt/Twinbox/resources/app.asar/out/renderer/other.html', appUrl)).toBe(false);
    expect(isNavigationAllowed('not a url', appUrl)).toBe(false);
  });

  it('answers IPC only for the app’s top-level page', () => {
    expect(isTrustedSender({ url: appUrl, isMainFrame: true }, appUrl)).toBe(true);
    expect(isTrustedSender({ url: appUrl, isMainFrame: false }, appUrl)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isMainFrame: true }, appUrl)).toBe(false);
    expect(isTrustedSender(null, appUrl)).toBe(false);
  });

  it('grants notifications and storage that is never cleared, and nothing else', () => {
    expect(isPermissionGranted('persistent-storage')).toBe(true);
    expect(isPermissionGranted('notifications')).toBe(true);
    for (const refused of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'unknown']) expect(isPermissionGranted(refused)).toBe(false);
  });
});
