/**
 * Twinbox's main process as a process of its own (the built out/main/web.js),
 * for what the in-process harness cannot do: kill it (the crash tests), or
 * read its memory and CPU from /proc (the benchmark). Calls reach it over its
 * WebSocket, exactly as the page's do.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import type { Envelope, MethodInput, MethodName, MethodResult } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';
import { decodeWire, encodeWire } from '../../shared/wire';

export interface MainProcess {
  child: ChildProcess;
  /** The page's address, with this run's token. */
  url: string;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals>;
}

export interface MainOptions {
  /** The build: out/ or TWINBOX_OUT_DIR. */
  outDir: string;
  dataDir: string;
  /** The page's IndexedDB belongs to its origin, port included: a restart that must find it needs the same port. */
  port?: number;
  env?: Record<string, string>;
  nodeArgs?: string[];
  label?: string;
}

export async function startMain(options: MainOptions): Promise<MainProcess> {
  const webJs = resolve(options.outDir, 'main', 'web.js');
  if (!existsSync(webJs)) throw new Error(`${webJs} is missing: build first (npx electron-vite build)`);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), webJs], {
    env: { ...process.env, ...options.env, TWINBOX_DATA_DIR: options.dataDir, TWINBOX_WEB_PORT: String(options.port ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | NodeJS.Signals>((done) => child.once('exit', (code, signal) => done(signal ?? code ?? 0)));
  if (process.env.TWINBOX_MAIN_VERBOSE === '1') void exited.then((how) => process.stderr.write(`[main${options.label ? ` ${options.label}` : ''} exited: ${how}]\n`));
  let output = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = /Twinbox is running at (\S+)/.exec(output);
      if (found?.[1]) resolveUrl(found[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (process.env.TWINBOX_MAIN_VERBOSE === '1') process.stderr.write(chunk);
    });
    void exited.then((code) => reject(new Error(`Twinbox main${options.label ? ` (${options.label})` : ''} exited with ${code} before serving:\n${output}`)));
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Twinbox main did not start within 20 s:\n${output}`));
    }, 20_000);
  }).finally(() => clearTimeout(timer));
  return { child, url, exited };
}

/** A port free right now on loopback, to start main on again after it died. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Calls the contract over the host's WebSocket, as the page does (same origin, same token). */
export async function callMain<M extends MethodName>(url: string, method: M, input: MethodInput<M>): Promise<MethodResult<M>> {
  const { origin, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token') ?? '';
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/ipc?token=${encodeURIComponent(token)}`, { origin });
  try {
    await new Promise<void>((resolveOpen, reject) => {
      socket.once('open', () => resolveOpen());
      socket.once('error', reject);
    });
    const envelope = await new Promise<Envelope<MethodResult<M>>>((resolveCall, reject) => {
      socket.on('message', (data: Buffer) => {
        const frame = decodeWire(data.toString('utf8')) as { id?: number; envelope?: Envelope<MethodResult<M>> };
        if (frame.id === 1 && frame.envelope) resolveCall(frame.envelope);
      });
      socket.once('close', () => reject(new Error(`the host closed the socket during ${method}`)));
      socket.send(encodeWire({ id: 1, method, input }));
    });
    if (!envelope.ok) throw TwinboxError.fromWire(envelope.error);
    return envelope.value;
  } finally {
    socket.close();
  }
}
