/**
 * Crashes and shutdown for the main process, in one place (as Signal
 * Desktop does): what happens to an error nobody caught, and what runs, in
 * what time, when Twinbox quits.
 */
import { appendFileSync, mkdirSync, statSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Shutdown {
  /** Registers work to do on quit (log out of servers, flush state). */
  add(name: string, task: () => Promise<void>): void;
  /**
   * Runs every task at once and resolves when all finished or `timeoutMs`
   * passed, whichever is first: quitting must not hang on a dead server.
   * Later calls return the same promise.
   */
  run(reason: string): Promise<ShutdownReport>;
}

export interface ShutdownReport {
  reason: string;
  finished: string[];
  failed: { name: string; error: string }[];
  timedOut: string[];
}

export function createShutdown(options: { timeoutMs: number; log?: (message: string) => void }): Shutdown {
  const tasks: { name: string; task: () => Promise<void> }[] = [];
  let running: Promise<ShutdownReport> | undefined;
  return {
    add(name, task) {
      tasks.push({ name, task });
    },
    run(reason) {
      running ??= (async () => {
        const report: ShutdownReport = { reason, finished: [], failed: [], timedOut: [] };
        const pending = new Set(tasks.map((t) => t.name));
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.timeoutMs);
        });
        const all = Promise.all(
          tasks.map(async ({ name, task }) => {
            try {
              await task();
              report.finished.push(name);
            } catch (error) {
              report.failed.push({ name, error: error instanceof Error ? error.message : String(error) });
            } finally {
              pending.delete(name);
            }
          }),
        );
        await Promise.race([all, deadline]);
        clearTimeout(timer);
        report.timedOut.push(...pending);
        options.log?.(`shutdown (${reason}): ${report.finished.length} done, ${report.failed.length} failed, ${report.timedOut.length} timed out`);
        return report;
      })();
      return running;
    },
  };
}

/** Keeps the crash log from growing without end: past this size it is rotated once. */
const CRASH_LOG_LIMIT_BYTES = 1024 * 1024;

/**
 * Writes what crashed, when, with its stack, to a file the user can attach
 * to a bug report. Never throws: a failing crash log must not cause a crash.
 */
export function crashLogger(file: string): (kind: string, error: unknown) => void {
  return (kind, error) => {
    try {
      mkdirSync(dirname(file), { recursive: true });
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > CRASH_LOG_LIMIT_BYTES) renameSync(file, `${file}.1`);
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      appendFileSync(file, `[${new Date().toISOString()}] ${kind}: ${detail}\n`);
    } catch {
      // Nowhere left to report to.
    }
  };
}

/**
 * An exception or rejection nobody handled is logged and the app keeps
 * running: one bad server reply must not close the user's mail. Node's
 * default for uncaught exceptions (exit) is what this replaces.
 */
export function installCrashHandlers(target: Pick<NodeJS.Process, 'on'>, record: (kind: string, error: unknown) => void): void {
  target.on('uncaughtException', (error) => record('uncaught exception', error));
  target.on('unhandledRejection', (reason) => record('unhandled rejection', reason));
}
