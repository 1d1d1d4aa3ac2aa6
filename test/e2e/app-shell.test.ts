import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy';
import { APP_IDENTITY, openTwinbox } from './harness';
import type { TwinboxSession } from './harness';

describe('app shell in Chromium', () => {
  let session: TwinboxSession | undefined;
  afterEach(async () => {
    await session?.dispose();
    session = undefined;
  });

  it('shows the shell by role and name, and reaches main through the contract', async () => {
    session = await openTwinbox();
    const { page } = session;
    await expect(page.title()).resolves.toBe('Twinbox');
    const banner = page.getByRole('banner');
    await banner.getByRole('heading', { name: 'Twinbox', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Accounts and folders' }).waitFor();
    await page.getByRole('main', { name: 'Mail' }).waitFor();
    const status = page.getByRole('status', { name: 'Connection' });
    await status.getByText(`Connected to ${APP_IDENTITY.name} ${APP_IDENTITY.version} (web host)`).waitFor();
    expect(session.pageErrors).toEqual([]);
  });

  it('serves the page with the app’s Content-Security-Policy', async () => {
    session = await openTwinbox();
    const response = await session.page.request.get(session.host.origin + '/');
    expect(response.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    // The policy is live in the page: an inline script is refused.
    // A string, not a function: this file is typed for Node, the code runs in the page.
    const ran = await session.page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.body.append(script);
      return window.inlineRan === true;
    })()`);
    expect(ran).toBe(false);
  });
});
