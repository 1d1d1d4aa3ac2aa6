import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm run demo` and `npm run bench` run main's code with tsx, not through
 * Vite: an import only Vite understands (`?raw`, `import.meta.glob`) passes
 * the build and the tests and breaks them. This loads what they load.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/tsx/dist/cli.mjs');

describe('entry points run by tsx', () => {
  it('load main’s services and handlers, and the test harness the bench uses', () => {
    const output = execFileSync(
      process.execPath,
      [TSX, '-e', "Promise.all(['./main/services.ts', './main/ipc/handlers.ts', './test/e2e/harness.ts'].map((m) => import(m))).then(() => console.log('loaded'))"],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(output.trim()).toBe('loaded');
  });
});
