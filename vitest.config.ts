import { defineConfig } from 'vitest/config';
import { externalServerRequested } from './test/mailstack/external-stack.ts';

const mailStackSetup = ['test/mailstack/global-setup.ts'];
// An external server's users are shared by every test file: run those files one at a time.
const oneFileAtATime = externalServerRequested(process.env);

export default defineConfig({
  test: {
    reporters: ['default'],
    // Most of a test's time here is spent waiting on servers and the browser, not on the CPU:
    // three files at a time keep two cores busy (vitest's default on two cores is one).
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{main,shared,renderer}/**/*.test.{ts,tsx}', 'test/unit/**/*.test.ts', 'test/corpus/**/*.test.ts'],
          // A few run ESLint or parse the whole corpus: a second alone, several beside the browsers of the e2e tests.
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: mailStackSetup,
          fileParallelism: !oneFileAtATime,
          testTimeout: 30_000,
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: mailStackSetup,
          fileParallelism: !oneFileAtATime,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // expect.poll gives up after 1 s by default: a picture fetched through main, or a write that a live
          // query has to notice, can take longer than that while three browsers share two cores.
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        extends: true,
        test: {
          // Network cuts, a server restart, a changed UIDVALIDITY, a page reload and a full disk, against real Dovecot.
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: mailStackSetup,
          fileParallelism: !oneFileAtATime,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        extends: true,
        test: {
          name: 'packaging',
          include: ['test/packaging/**/*.test.ts'],
          testTimeout: 180_000,
          // electron-builder runs in beforeAll: tens of seconds on a busy machine.
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
