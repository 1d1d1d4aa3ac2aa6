import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';

/** One port per name that the OS says is free right now. Servers may still lose a race for them; callers retry. */
export async function freePorts<Name extends string>(names: readonly Name[]): Promise<Record<Name, number>> {
  const servers = await Promise.all(
    names.map(() =>
      new Promise<Server>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return Object.fromEntries(names.map((name, i) => [name, ports[i]])) as Record<Name, number>;
}

/**
 * Starts a daemon in the foreground as the leader of its own process group, so
 * that one signal to the group stops it and every helper it forked.
 */
export function spawnDaemon(command: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
}

/**
 * Collects what a daemon writes, for the error message when it fails to start.
 * TWINBOX_MAILSTACK_VERBOSE=1 echoes it to stderr as it comes.
 */
export function captureOutput(child: ChildProcess): () => string {
  let output = '';
  const verbose = process.env.TWINBOX_MAILSTACK_VERBOSE === '1';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
    if (verbose) process.stderr.write(chunk);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}

/** Resolves once something accepts connections on the port and speaks first (a banner). */
export async function waitForBanner(
  port: number,
  child: ChildProcess,
  describe: () => string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode} before listening: ${describe()}`);
    }
    if (await hasBanner(port)) return;
    if (Date.now() > deadline) throw new Error(`no answer on 127.0.0.1:${port} after ${timeoutMs} ms: ${describe()}`);
    await delay(25);
  }
}

function hasBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('data', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Live process ids whose process group is `pgid` (Linux /proc). Zombies are
 * left out: they hold no port, file or memory, and only their parent (or init,
 * after the daemon is gone) can reap them.
 */
export function processesInGroup(pgid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid pgrp ...
      const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (afterName[0] !== 'Z' && Number(afterName[2]) === pgid) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Kills a daemon's whole process group and waits until none of it is left. */
export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
  await exited;
  const deadline = Date.now() + 5000;
  while (processesInGroup(pgid).length > 0) {
    if (Date.now() > deadline) throw new Error(`processes of group ${pgid} survived ${signal}`);
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Raced with their exit.
    }
    await delay(20);
  }
}
