/**
 * The page's end of the contract: Electron's preload bridge when the page
 * runs in the app, else a WebSocket to the loopback host (tests, a browser).
 * Either way the page sees one typed client (twinbox-client.ts) and never
 * Electron or Node.
 */
import type { EventName, EventPayloads, Envelope, MethodInput, MethodName, MethodResult, TwinboxBridge } from '../../shared/contract';
import { decodeWire, encodeWire } from '../../shared/wire';
import { createClient } from './twinbox-client';
import type { TwinboxClient } from './twinbox-client';

export type { TwinboxClient } from './twinbox-client';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the page is served by the loopback web host. */
    twinbox?: TwinboxBridge;
  }
}

/** Electron's preload bridge when there is one, else the loopback host's WebSocket. */
export function connectToHost(): TwinboxClient {
  if (window.twinbox) return createClient(window.twinbox, 'electron');
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  const url = new URL('/ipc', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  url.hash = '';
  return createClient(new WebSocketBridge(url.href), 'websocket');
}

type Listener = (payload: unknown) => void;

/**
 * The contract over the loopback host's WebSocket. Calls wait for the socket
 * to open; if it closes, calls in flight fail with HOST_UNAVAILABLE and the
 * next call opens a new socket.
 */
export class WebSocketBridge implements TwinboxBridge {
  private socket: WebSocket | undefined;
  private opened: Promise<WebSocket> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly url: string) {}

  async invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodResult<M>>> {
    let socket: WebSocket;
    try {
      socket = await this.open();
    } catch {
      return unavailable('could not reach the Twinbox host');
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (envelope: Envelope<unknown>) => void);
      socket.send(encodeWire({ id, method, input }));
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set<Listener>();
    this.listeners.set(event, set);
    set.add(listener as Listener);
    // Events flow only over an open socket.
    void this.open().catch(() => undefined);
    return () => set.delete(listener as Listener);
  }

  private open(): Promise<WebSocket> {
    if (this.opened) return this.opened;
    this.opened = new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(this.url);
      socket.addEventListener('open', () => {
        this.socket = socket;
        resolve(socket);
      });
      socket.addEventListener('message', (event: MessageEvent<string>) => this.receive(event.data));
      socket.addEventListener('close', () => {
        if (this.socket !== socket) reject(new Error('closed before open'));
        this.socket = undefined;
        this.opened = undefined;
        for (const resolvePending of this.pending.values()) resolvePending(unavailable('the Twinbox host closed the connection'));
        this.pending.clear();
      });
    });
    return this.opened;
  }

  private receive(text: string): void {
    const frame = decodeWire(text) as { id?: number; envelope?: Envelope<unknown>; event?: string; payload?: unknown };
    if (typeof frame.id === 'number' && frame.envelope) {
      this.pending.get(frame.id)?.(frame.envelope);
      this.pending.delete(frame.id);
    } else if (typeof frame.event === 'string') {
      for (const listener of this.listeners.get(frame.event) ?? []) listener(frame.payload);
    }
  }
}

function unavailable(message: string): { ok: false; error: { code: 'HOST_UNAVAILABLE'; message: string } } {
  return { ok: false, error: { code: 'HOST_UNAVAILABLE', message } };
}
