/**
 * Everything the benchmark starts or creates is registered here, so that a
 * normal end, a failure and Ctrl+C all leave nothing behind: no daemon, no
 * browser, no temporary folder.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

type Undo = () => Promise<void> | void;

const undos: { name: string; undo: Undo }[] = [];
let running: Promise<void> | undefined;

/** Registers how to undo something; returns the function that runs it early (and only once). */
export function onCleanup(name: string, undo: Undo): () => Promise<void> {
  const entry = { name, undo };
  undos.push(entry);
  return async () => {
    const index = undos.indexOf(entry);
    if (index < 0) return;
    undos.splice(index, 1);
    await undo();
  };
}

/** A temporary folder removed at the end. */
export function removeLater(dir: string): () => Promise<void> {
  return onCleanup(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
}

/**
 * A child that is killed at the end if it is still running. Children that
 * lead a process group (spawned detached) are killed with their group.
 */
export function killLater(child: ChildProcess, name: string, group = false): () => Promise<void> {
  return onCleanup(`stop ${name}`, () => stopChild(child, group));
}

export async function stopChild(child: ChildProcess, group = false, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (which: NodeJS.Signals): void => {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, which);
      else child.kill(which);
    } catch {
      // Already gone.
    }
  };
  kill(signal);
  const timer = setTimeout(() => kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Undoes everything registered, newest first. Safe to call twice (the second call waits for the first). */
export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const entry = undos.pop();
      if (!entry) break;
      try {
        await entry.undo();
      } catch (error) {
        console.error(`cleanup: ${entry.name} failed: ${String(error)}`);
      }
    }
  })();
  return running;
}

/** Ctrl+C or a kill: clean up, then exit with the conventional code. */
export function cleanupOnSignals(): void {
  const handler = (signal: NodeJS.Signals): void => {
    console.error(`\n${signal}: cleaning up…`);
    void cleanupAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
