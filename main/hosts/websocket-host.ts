/**
 * Serves the built renderer and the IPC contract on 127.0.0.1, for tests in a
 * real browser and for running Twinbox's UI without Electron. The same handler
 * table as the Electron host answers; only the transport differs.
 *
 * Guard rails, because any local process or web page can reach loopback:
 * it binds 127.0.0.1 only; the WebSocket accepts only this server's own Origin
 * and a random token that is handed to the page in the URL fragment (never
 * sent to the server by the browser except through the socket).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy';
import { decodeWire, encodeWire } from '../../shared/wire';
import type { EventName, EventPayloads } from '../../shared/contract';
import { dispatch } from '../ipc/dispatch';
import type { HandlerTable } from '../ipc/dispatch';

/** A running web host. */
export interface WebHost {
  /** The address to open, token included. */
  url: string;
  origin: string;
  port: number;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  close(): Promise<void>;
}

export interface WebHostOptions {
  handlers: HandlerTable;
  /** The built renderer (out/renderer). */
  staticDir: string;
  port?: number;
  /** Fixed token for tests; random otherwise. */
  token?: string;
  /** A page disconnected (closed or reloaded): work it started can stop. */
  onCallerGone?: (caller: string) => void;
}

interface CallMessage {
  id: number;
  method: unknown;
  input: unknown;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const server = createServer((request, response) => {
    serveStatic(options.staticDir, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, SECURITY_HEADERS);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the web host has no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    server,
    path: '/ipc',
    maxPayload: 64 * 1024 * 1024,
    verifyClient: ({ origin: requestOrigin, req }: { origin: string; req: IncomingMessage }) =>
      requestOrigin === origin && tokenMatches(req, token),
  });
  let connections = 0;
  wss.on('connection', (socket) => {
    sockets.add(socket);
    const caller = `web-${++connections}`;
    socket.on('close', () => {
      sockets.delete(socket);
      options.onCallerGone?.(caller);
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary || !Buffer.isBuffer(data)) return;
      const message = parseCall(data.toString('utf8'));
      if (!message) return;
      void dispatch(options.handlers, message.method, message.input, { host: 'web', caller }).then((envelope) => {
        if (socket.readyState === socket.OPEN) socket.send(encodeWire({ id: message.id, envelope }));
      });
    });
  });

  return {
    url: `${origin}/#token=${token}`,
    origin,
    port: address.port,
    emit(event, payload) {
      const frame = encodeWire({ event, payload });
      for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(frame);
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function tokenMatches(request: IncomingMessage, token: string): boolean {
  const given = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseCall(text: string): CallMessage | undefined {
  try {
    const value = decodeWire(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { id, method, input } = value as Record<string, unknown>;
    return typeof id === 'number' ? { id, method, input } : undefined;
  } catch {
    return undefined;
  }
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, SECURITY_HEADERS).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
  const relative = normalize(pathname === '/' ? '/index.html' : pathname);
  const file = join(root, relative);
  // normalize() resolved any "..": what is left must still be inside root.
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    response.writeHead(404, SECURITY_HEADERS).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    response.writeHead(404, SECURITY_HEADERS).end();
    return;
  }
  const body = await readFile(file);
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
