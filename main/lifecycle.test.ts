import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crashLogger, createShutdown, installCrashHandlers } from './lifecycle';

describe('shutdown', () => {
  it('runs every task, reports failures, and does not wait for one that hangs', async () => {
    const shutdown = createShutdown({ timeoutMs: 50 });
    const order: string[] = [];
    shutdown.add('logout', () => {
      order.push('logout');
      return Promise.resolve();
    });
    shutdown.add('broken', () => Promise.reject(new Error('socket gone')));
    shutdown.add('dead server', () => new Promise(() => undefined));
    const report = await shutdown.run('quit');
    expect(order).toEqual(['logout']);
    expect(report.finished).toEqual(['logout']);
    expect(report.failed).toEqual([{ name: 'broken', error: 'socket gone' }]);
    expect(report.timedOut).toEqual(['dead server']);
  });

  it('runs its tasks once however often quit is asked for', async () => {
    const shutdown = createShutdown({ timeoutMs: 50 });
    let runs = 0;
    shutdown.add('count', () => {
      runs++;
      return Promise.resolve();
    });
    await Promise.all([shutdown.run('quit'), shutdown.run('signal'), shutdown.run('window closed')]);
    expect(runs).toBe(1);
  });
});

describe('crash handling', () => {
  it('logs uncaught errors with their stack and keeps going', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinbox-crash-'));
    try {
      const file = join(dir, 'logs', 'crash.log');
      const fakeProcess = new EventEmitter();
      installCrashHandlers(fakeProcess as unknown as NodeJS.Process, crashLogger(file));
      fakeProcess.emit('uncaughtException', new Error('imap parser exploded'));
      fakeProcess.emit('unhandledRejection', 'plain reason');
      const log = readFileSync(file, 'utf8');
      expect(log).toMatch(/uncaught exception: Error: imap parser exploded\n\s+at /);
      expect(log).toMatch(/unhandled rejection: plain reason/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
