/**
 * A TCP relay between Twinbox and a real server, on loopback, that forwards
 * every byte and breaks the connection where a test says: on a command the
 * client sends, or a number of bytes into the server's answer to it. The
 * server is real Dovecot and the fault is a real network fault (both sockets
 * reset), so the product meets exactly what a dropped line does to it.
 *
 * Commands are seen only on unencrypted connections: tests point the account
 * at the relay with security "plain".
 */
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';

/** What the relay does with one command line from the client. */
export type RelayAction =
  /** Forward it. */
  | { kind: 'forward' }
  /** Break the connection instead of forwarding it: the server never sees the command. */
  | { kind: 'cut' }
  /** Forward it, let `bytes` more bytes of the server's reply through, then break the connection. */
  | { kind: 'cut-after-server-bytes'; bytes: number }
  /** Forward it only once `until` settles (the server's side may have gone meanwhile); later commands wait behind it. */
  | { kind: 'hold'; until: Promise<unknown> };

/** One relayed connection, as a rule sees it. */
export interface RelayedConnection {
  readonly id: number;
  /** Command lines the client sent so far, oldest first (the current one last). */
  readonly commands: readonly string[];
  /** Bytes the server sent on this connection so far. */
  readonly serverBytes: number;
  readonly closed: boolean;
}

export type RelayRule = (line: string, connection: RelayedConnection) => RelayAction;

export interface FaultRelay {
  host: '127.0.0.1';
  port: number;
  /** Replaces the rule for every command from now on (existing connections included). */
  setRule(rule: RelayRule): void;
  /** Breaks every open connection the predicate picks, now; returns how many. */
  cutWhere(pick: (connection: RelayedConnection) => boolean): number;
  /** Connections accepted so far, open or not. */
  readonly connections: readonly RelayedConnection[];
  /** Connections this relay broke on purpose. */
  readonly cuts: number;
  close(): Promise<void>;
}

const FORWARD: RelayRule = () => ({ kind: 'forward' });

class Connection implements RelayedConnection {
  readonly commands: string[] = [];
  serverBytes = 0;
  closed = false;
  /** Set by cut-after-server-bytes: the server byte count at which to break. */
  cutAtServerBytes: number | undefined;
  private pending = Buffer.alloc(0);
  /** Client lines are handled one after another, so a hold delays everything behind it. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly server: Socket,
    private readonly relay: { rule: RelayRule; cut(connection: Connection): void },
  ) {}

  fromClient(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (let end = this.pending.indexOf('\r\n'); end >= 0; end = this.pending.indexOf('\r\n')) {
      const line = this.pending.subarray(0, end + 2);
      this.pending = this.pending.subarray(end + 2);
      this.chain = this.chain.then(() => this.handleLine(line));
    }
  }

  fromServer(chunk: Buffer): void {
    if (this.closed) return;
    const limit = this.cutAtServerBytes;
    if (limit !== undefined && this.serverBytes + chunk.length >= limit) {
      const room = limit - this.serverBytes;
      this.serverBytes = limit;
      // The part before the cut arrives; the rest never does.
      this.client.write(chunk.subarray(0, room), () => this.relay.cut(this));
      return;
    }
    this.serverBytes += chunk.length;
    this.client.write(chunk);
  }

  private stillOpen(): boolean {
    return !this.closed;
  }

  private async handleLine(line: Buffer): Promise<void> {
    if (this.closed) return;
    const text = line.toString('latin1').replace(/\r\n$/, '');
    this.commands.push(text);
    const action = this.relay.rule(text, this);
    switch (action.kind) {
      case 'forward':
        this.server.write(line);
        return;
      case 'cut':
        this.relay.cut(this);
        return;
      case 'cut-after-server-bytes':
        this.cutAtServerBytes = this.serverBytes + action.bytes;
        this.server.write(line);
        return;
      case 'hold':
        await action.until.catch(() => undefined);
        // Either side may have gone while the command waited (a server restart, say).
        if (this.stillOpen()) this.server.write(line);
        return;
    }
  }
}

/** Starts a relay on a free loopback port to `target` (also on loopback). */
export async function startFaultRelay(target: { host: string; port: number }): Promise<FaultRelay> {
  if (target.host !== '127.0.0.1' && target.host !== 'localhost') throw new Error('the fault relay only talks to loopback');
  const open = new Set<{ connection: Connection; client: Socket; server: Socket }>();
  const all: Connection[] = [];
  let cuts = 0;
  const state = {
    rule: FORWARD,
    cut(connection: Connection): void {
      for (const entry of open) {
        if (entry.connection !== connection) continue;
        cuts++;
        breakBoth(entry);
      }
    },
  };
  const breakBoth = (entry: { connection: Connection; client: Socket; server: Socket }): void => {
    if (entry.connection.closed) return;
    entry.connection.closed = true;
    open.delete(entry);
    // A reset, as a dropped line or a crashed router gives: no orderly goodbye on either side.
    if (!entry.client.destroyed) entry.client.resetAndDestroy();
    if (!entry.server.destroyed) entry.server.resetAndDestroy();
  };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: target.port });
    const connection = new Connection(all.length + 1, client, upstream, state);
    all.push(connection);
    const entry = { connection, client, server: upstream };
    open.add(entry);
    client.on('data', (chunk: Buffer) => connection.fromClient(chunk));
    upstream.on('data', (chunk: Buffer) => connection.fromServer(chunk));
    // Either side ending ends the other: the relay itself never keeps a half-open line.
    const closeBoth = (): void => {
      if (connection.closed) return;
      connection.closed = true;
      open.delete(entry);
      client.end();
      upstream.end();
      client.destroySoon();
      upstream.destroySoon();
    };
    client.on('end', closeBoth);
    upstream.on('end', closeBoth);
    client.on('error', () => breakBoth(entry));
    upstream.on('error', () => breakBoth(entry));
    client.on('close', () => breakBoth(entry));
    upstream.on('close', () => breakBoth(entry));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  return {
    host: '127.0.0.1',
    port: address.port,
    setRule(rule) {
      state.rule = rule;
    },
    cutWhere(pick) {
      let count = 0;
      for (const entry of [...open]) {
        if (!pick(entry.connection)) continue;
        state.cut(entry.connection);
        count++;
      }
      return count;
    },
    get connections() {
      return all;
    },
    get cuts() {
      return cuts;
    },
    close: async () => {
      for (const entry of [...open]) breakBoth(entry);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
