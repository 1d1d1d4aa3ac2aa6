/**
 * `npm run demo`: Twinbox without a mail account. Starts a mail server on
 * this computer (Dovecot, and Postfix when run as root) in a temporary
 * folder, fills one mailbox with a few dozen varied messages, and opens
 * Twinbox on it twice (POP3 and IMAP) with the Protocol Lab showing.
 *
 *   npm run demo            the desktop app, in a throw-away profile
 *   npm run demo -- --web   the same UI in a browser, through the loopback host
 *
 * Where Electron cannot start (no binary, no display), the browser is used.
 * Ctrl+C stops everything and removes every temporary folder.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ALLOW_INTERNAL_IMAGE_HOSTS, allowedEndpoints } from '../main/address-policy';
import { startWebHost } from '../main/hosts/websocket-host';
import { dispatch } from '../main/ipc/dispatch';
import { createHandlers } from '../main/ipc/handlers';
import { createAdapter } from '../main/protocols/factory';
import { createServices } from '../main/services';
import { startLocalMailStack } from '../test/mailstack/local-stack';
import { demoAccounts } from './accounts';
import type { DemoAccount } from './accounts';
import { startImageServer } from './images';
import { demoMessages, seedMailbox } from './seed';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(ROOT, process.env.TWINBOX_OUT_DIR ?? 'out');
/** Electron that exits this soon did not start (no display, a missing library): the browser is used instead. */
const EARLY_EXIT_MS = 8000;

const cleanups: { name: string; run: () => Promise<void> | void }[] = [];
let stopping: Promise<never> | undefined;

function say(text: string): void {
  console.log(`[demo] ${text}`);
}

/** Undoes everything started so far, newest first, then exits. */
function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    // A hung step must not keep the terminal: exit anyway after a while.
    setTimeout(() => process.exit(code || 1), 15_000).unref();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup.run();
      } catch (error) {
        console.error(`[demo] stopping ${cleanup.name} failed:`, error);
      }
    }
    process.exit(code);
  })();
  return stopping;
}

function electronBinary(): { path: string } | { reason: string } {
  const dir = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  // Electron's own variable for a binary kept elsewhere.
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  // Electron downloads its binary on first use; the demo does not start a download of its own.
  const missing = 'Electron’s binary is not installed here (run `npx install-electron` once where there is internet, or `npm start`, which downloads it)';
  if (!override && !existsSync(pathFile)) return { reason: missing };
  const binary = override ? join(override, executable) : join(dir, 'dist', executable);
  if (!existsSync(binary)) return { reason: missing };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display to open a window on' };
  return { path: binary };
}

/**
 * Starts the desktop app on a throw-away profile; false when it could not
 * start. `imageHost` is the demo's image server (on loopback), the one
 * internal address main may fetch pictures from.
 */
async function runElectron(binary: string, accounts: DemoAccount[], imageHost: string): Promise<boolean> {
  const profile = mkdtempSync(join(tmpdir(), 'twinbox-demo-profile-'));
  cleanups.push({ name: 'the demo profile', run: () => rmSync(profile, { recursive: true, force: true }) });
  const app = OUT === resolve(ROOT, 'out') ? ROOT : join(OUT, 'main', 'index.js');
  // Chromium refuses to run as root with its sandbox on.
  const args = [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), app];
  const child: ChildProcess = spawn(binary, args, {
    stdio: 'inherit',
    env: { ...process.env, TWINBOX_DEMO: JSON.stringify({ userDataDir: profile, accounts }), [ALLOW_INTERNAL_IMAGE_HOSTS]: imageHost },
  });
  const exited = new Promise<number>((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
  cleanups.push({
    name: 'Twinbox',
    run: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  });
  const early = await Promise.race([exited, new Promise<undefined>((done) => setTimeout(() => done(undefined), EARLY_EXIT_MS))]);
  if (early !== undefined && early !== 0) {
    say(`Electron exited at once (code ${early}).`);
    return false;
  }
  say('Twinbox is open on the demo mailbox. Close its window or press Ctrl+C to stop the demo.');
  void exited.then(() => stop(0));
  return true;
}

async function runWeb(accounts: DemoAccount[], imageHost: string): Promise<void> {
  if (!existsSync(join(OUT, 'renderer', 'index.html'))) throw new Error(`${OUT}/renderer is not built: run "npm run demo" (it builds first)`);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { productName: string; version: string };
  // No data folder: settings and passwords live in memory and end with the demo.
  const services = createServices({
    identity: { name: pkg.productName, version: pkg.version },
    host: 'web',
    createAdapter,
    demo: true,
    internalImageHosts: allowedEndpoints([imageHost]),
  });
  cleanups.push({ name: 'the mail connections', run: () => services.close() });
  const handlers = createHandlers(services);
  for (const { account, password } of accounts) {
    const saved = await dispatch(handlers, 'accounts.save', { account, incomingPassword: password }, { host: 'web', caller: 'demo' });
    if (!saved.ok) throw new Error(`the demo account ${account.name} was not saved: ${saved.error.message}`);
  }
  const host = await startWebHost({
    handlers,
    staticDir: join(OUT, 'renderer'),
    port: Number(process.env.TWINBOX_WEB_PORT ?? 0),
    onCallerGone: (caller) => void services.syncs.cancelOwner(caller),
  });
  cleanups.push({ name: 'the web host', run: () => host.close() });
  services.events.subscribe((event, payload) => host.emit(event, payload));
  say('Twinbox is running for a browser on this computer. Open:');
  console.log(`\n    ${host.url}&view=lab\n`);
  say('Press Ctrl+C to stop the demo.');
}

async function main(): Promise<void> {
  const web = process.argv.slice(2).includes('--web');
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  say('Starting a mail server on this computer…');
  const stack = await startLocalMailStack();
  cleanups.push({ name: 'the mail server', run: () => stack.stop() });
  const { info } = stack;
  const user = info.users[0];
  const imaps = info.imaps;
  if (!user || !imaps) throw new Error('the demo mail server has no user or no IMAPS');
  say(`Dovecot: IMAPS ${imaps.port}, POP3S ${info.pop3s?.port ?? '-'}; ${info.smtp ? `Postfix: SMTP ${info.smtp.port}` : `no SMTP (${info.missing.smtp ?? 'not available'}): new mail in the Lab goes in by IMAP APPEND`}.`);

  const images = await startImageServer();
  cleanups.push({ name: 'the image server', run: () => images.close() });
  const messages = demoMessages({ owner: { name: 'Demo User', address: user.address }, imageOrigin: images.origin });
  const seeded = await seedMailbox({ host: imaps.host, port: imaps.port, user: user.user, password: user.password, ...(info.caPem ? { ca: info.caPem } : {}), servername: info.tlsServername }, messages);
  say(`The mailbox ${user.address} holds ${seeded} messages; remote images come from ${images.origin}.`);

  const accounts = demoAccounts(info, user);
  // Main refuses pictures from this computer and its network; the demo's own image server is the one exception.
  const imageHost = new URL(images.origin).host;
  if (!web) {
    const electron = electronBinary();
    if ('path' in electron && (await runElectron(electron.path, accounts, imageHost))) return;
    say(`${'reason' in electron ? electron.reason : 'Electron could not start'}: showing the demo in a browser instead.`);
  }
  await runWeb(accounts, imageHost);
}

main().catch(async (error: unknown) => {
  console.error('[demo] could not start:', error instanceof Error ? error.message : error);
  await stop(1);
});
