/**
 * Runs Twinbox's main-process services without Electron and serves the built
 * UI to a browser on 127.0.0.1. Used by the benchmark and the crash tests,
 * and by `npm run start:web` where Electron cannot start. Settings and mail
 * live in TWINBOX_DATA_DIR, or else in ~/.twinbox-web. Without a system
 * keychain, passwords are kept for this session only.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { internalImageHostsFrom } from './address-policy';
import { startWebHost } from './hosts/websocket-host';
import { createHandlers } from './ipc/handlers';
import { tuneMainHeap } from './heap-flags';
import { crashLogger, createShutdown, installCrashHandlers } from './lifecycle';
import { createAdapter } from './protocols/factory';
import { readOAuthClients } from './accounts/oauth/providers';
import { createServices } from './services';

tuneMainHeap();

const here = fileURLToPath(new URL('.', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as { productName: string; version: string };
// Mail downloaded over POP3 may exist nowhere else: it is never kept in a temporary folder.
const dataDir = process.env.TWINBOX_DATA_DIR ?? join(homedir(), '.twinbox-web');

installCrashHandlers(process, crashLogger(join(dataDir, 'logs', 'crash.log')));

// For development and tests only (their image servers on loopback), read once here; a bad entry stops the start.
const internalImageHosts = internalImageHostsFrom(process.env);
if (internalImageHosts.entries.length > 0) console.warn(`Remote images may come from these internal addresses: ${internalImageHosts.entries.join(', ')}`);

const services = createServices({
  identity: { name: packageJson.productName, version: packageJson.version },
  host: 'web',
  dataDir,
  createAdapter,
  internalImageHosts,
  oauthClients: readOAuthClients(join(dataDir, 'oauth-clients.json')),
});
const host = await startWebHost({
  handlers: createHandlers(services),
  staticDir: join(here, '../renderer'),
  port: Number(process.env.TWINBOX_WEB_PORT ?? 0),
  onCallerGone: (caller) => void services.callerGone(caller),
});
services.events.subscribe((event, payload) => host.emit(event, payload));
console.log(`Twinbox is running at ${host.url}`);
console.log(`Its settings and mail are in ${dataDir}`);

const shutdown = createShutdown({ timeoutMs: 5000, log: (message) => console.log(message) });
shutdown.add('servers', () => services.close());
shutdown.add('web host', () => host.close());
const stop = (signal: string): void => {
  void shutdown.run(signal).then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
