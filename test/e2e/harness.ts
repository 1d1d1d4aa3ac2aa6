/**
 * End-to-end harness: the built renderer (out/renderer), served with the real
 * handler table by the loopback web host, opened in Debian's Chromium through
 * playwright-core. Tests drive the page only through roles, labels and keys.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { allowedEndpoints } from '../../main/address-policy';
import { startWebHost } from '../../main/hosts/websocket-host';
import type { WebHost } from '../../main/hosts/websocket-host';
import { createHandlers } from '../../main/ipc/handlers';
import { createAdapter } from '../../main/protocols/factory';
import { createServices } from '../../main/services';
import type { Services, ServicesOptions } from '../../main/services';
import { dispatch } from '../../main/ipc/dispatch';
import { RENDERER_JS_FLAGS } from '../../main/heap-flags';
import type { MethodInput, MethodName, MethodResult } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';

export const CHROMIUM_PATH = process.env.TWINBOX_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep headless Chromium quiet on a machine without a network (and as root), and the page's V8 flags. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // What the app gives its pages (main/heap-flags.ts), so that tests and the benchmark run the page as it ships.
  `--js-flags=${RENDERER_JS_FLAGS}`,
];

const ROOT = resolve(import.meta.dirname, '../..');
/** The built renderer; TWINBOX_RENDERER_DIR points elsewhere (a build of one's own while others build too). */
export const RENDERER_DIR = process.env.TWINBOX_RENDERER_DIR ? resolve(process.env.TWINBOX_RENDERER_DIR) : join(ROOT, 'out/renderer');

export const APP_IDENTITY = (() => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { productName: string; version: string };
  return { name: pkg.productName, version: pkg.version };
})();

export interface TwinboxSession {
  host: WebHost;
  /** Main's services behind the page, for checks a user could not make from the UI. */
  services: Services;
  /** Calls the contract as the page does (same dispatch), for setting things up. */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  readonly page: Page;
  /** Uncaught errors the page reported since it was opened. */
  readonly pageErrors: string[];
  /** Quits the browser and opens the app again on the same profile, as across an app restart. */
  restart(): Promise<Page>;
  dispose(): Promise<void>;
}

/**
 * Starts main's services and a web host for them, and opens Twinbox in a
 * fresh Chromium profile of its own.
 */
export interface OpenOptions {
  /** Set up accounts and the like before the page first loads. */
  beforeOpen?: (call: TwinboxSession['call']) => Promise<void>;
  /** The system's preferred language as the page sees it (a BCP 47 tag); en-US by default. */
  locale?: string;
  /** Browser permissions granted to the page (e.g. notifications). */
  permissions?: string[];
  /** Runs in the page before its own scripts, on every load (to observe browser APIs). */
  initScript?: string;
  /** Serve as `npm run demo` does: the app says its mailbox is the demo's, not a real one. */
  demo?: boolean;
  /**
   * Open the page with `bench=1`: it exposes its engine and cache on `window.twinboxBench`
   * and syncs nothing by itself (see renderer/index.tsx), so a test can fill the cache directly.
   */
  cacheHook?: boolean;
  /**
   * The test's own image servers (`127.0.0.1:port`), which main may fetch
   * remote images from although they are on loopback; main refuses every
   * other internal address.
   */
  internalImageHosts?: string[];
  /**
   * Main's services as a test needs them otherwise (the fault tests): a data
   * directory of its own (left for the caller to remove), adapters made
   * another way, and quicker retries, so that a retry after a fault happens
   * within the test; and where finding an address's servers looks (the
   * test's own DNS and web servers). Without it: a temporary store and the
   * app's adapters.
   */
  services?: Partial<Pick<ServicesOptions, 'dataDir' | 'createAdapter' | 'pool' | 'watches' | 'discovery' | 'openExternal' | 'oauthProviders' | 'oauthClients'>>;
}

export async function openTwinbox(options: OpenOptions = {}): Promise<TwinboxSession> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`${RENDERER_DIR}/index.html is missing: run "npm run build" before the end-to-end tests`);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install chromium, or set TWINBOX_CHROMIUM`);
  }
  const services = createServices({
    identity: APP_IDENTITY,
    host: 'web',
    demo: options.demo === true,
    internalImageHosts: allowedEndpoints(options.internalImageHosts ?? []),
    ...options.services,
    createAdapter: options.services?.createAdapter ?? createAdapter,
  });
  const handlers = createHandlers(services);
  const call: TwinboxSession['call'] = async (method, input) => {
    const envelope = await dispatch(handlers, method, input, { host: 'web', caller: 'test setup' });
    if (!envelope.ok) throw TwinboxError.fromWire(envelope.error);
    return envelope.value as MethodResult<typeof method>;
  };
  await options.beforeOpen?.(call);
  const host = await startWebHost({
    handlers,
    staticDir: RENDERER_DIR,
    onCallerGone: (caller) => void services.callerGone(caller),
  });
  services.events.subscribe((event, payload) => host.emit(event, payload));
  const profile = mkdtempSync(join(tmpdir(), 'twinbox-profile-'));
  const pageErrors: string[] = [];
  const launch = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      // The system language the page sees (navigator.languages): English unless a test says otherwise, whatever this machine's.
      locale: options.locale ?? 'en-US',
      ...(options.permissions ? { permissions: options.permissions } : {}),
    });
    if (options.initScript !== undefined) await context.addInitScript({ content: options.initScript });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(options.cacheHook === true ? `${host.url}&bench=1` : host.url);
    return { context, page };
  };
  let current = await launch();
  return {
    host,
    services,
    call,
    pageErrors,
    get page() {
      return current.page;
    },
    async restart() {
      await current.context.close();
      current = await launch();
      return current.page;
    },
    async dispose() {
      await current.context.close().catch(() => undefined);
      await services.close();
      await host.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
