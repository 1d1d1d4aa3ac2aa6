import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createHandlers } from '../ipc/handlers';
import { createServices } from '../services';
import { startWebHost } from './websocket-host';
import type { WebHost } from './websocket-host';

const TOKEN = 'test-token-1234567890';
let host: WebHost;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'twinbox-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Twinbox</title>');
  const services = createServices({
    identity: { name: 'Twinbox', version: '9.9.9' },
    host: 'web',
    createAdapter: () => {
      throw new Error('no adapter is needed here');
    },
  });
  host = await startWebHost({ handlers: createHandlers(services), staticDir, token: TOKEN });
});

afterAll(async () => {
  await host.close();
  rmSync(staticDir, { recursive: true, force: true });
});

function get(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    // A raw path, so that "../" reaches the server as typed rather than normalised by a URL parser.
    const req = request({ host: '127.0.0.1', port: host.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(options: { origin?: string; token?: string }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/ipc?token=${options.token ?? TOKEN}`, { origin: options.origin ?? host.origin });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function call(socket: WebSocket, id: number, method: string, input: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { id: number; envelope: unknown };
      if (frame.id === id) resolve(frame.envelope);
    });
    socket.send(JSON.stringify({ id, method, input }));
  });
}

describe('loopback web host', () => {
  it('serves the renderer with the security headers', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>Twinbox</title>');
    expect(response.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves nothing outside its folder', async () => {
    expect((await get('/../../../../etc/passwd')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get('/missing.js')).status).toBe(404);
  });

  it('answers contract calls from its own page', async () => {
    const socket = await connect({});
    try {
      expect(await call(socket, 1, 'app.getInfo', {})).toEqual({
        ok: true,
        value: { name: 'Twinbox', version: '9.9.9', host: 'web', passwordsPersist: false, demo: false },
      });
      expect(await call(socket, 2, 'no.such.method', {})).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    } finally {
      socket.close();
    }
  });

  it('refuses a socket from another origin or without the token', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/401|403/);
    await expect(connect({ token: 'wrong-token-000000000' })).rejects.toThrow(/401|403/);
  });

  it('listens on loopback only', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
