/**
 * Runs Twinbox's main-process services without Electron and serves the built
 * UI to a browser on 127.0.0.1. Used by the end-to-end tests and by
 * `npm run start:web` where Electron cannot start.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebHost } from './hosts/websocket-host';
import { createHandlers } from './ipc/handlers';

const here = fileURLToPath(new URL('.', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as { productName: string; version: string };

const host = await startWebHost({
  handlers: createHandlers({ name: packageJson.productName, version: packageJson.version }),
  staticDir: join(here, '../renderer'),
  port: Number(process.env.TWINBOX_WEB_PORT ?? 0),
});
console.log(`Twinbox is running at ${host.url}`);

const stop = (): void => {
  void host.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
