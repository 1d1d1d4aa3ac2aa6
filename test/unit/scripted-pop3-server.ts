/**
 * A POP3 server on 127.0.0.1 that follows a script, for
 * the hostile input no real server sends on purpose (stalls, drops, garbage,
 * a stripped STLS, a lost QUIT). Everything a well-behaved server does is
 * tested against the real Dovecot in test/integration instead.
 */
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import type { ServerSettings } from '../../shared/model';

export interface ScriptedConnection {
  /** Every command line this connection received, in order, without CRLF. */
  readonly received: string[];
  write(data: string | Buffer): void;
  /** Cuts the connection without a word. */
  drop(): void;
}

export interface ScriptedServer {
  readonly port: number;
  /** Settings for a plain-text session to this server. */
  settings(): ServerSettings;
  /** Commands received over all connections, in order. */
  received(): string[];
  close(): Promise<void>;
}

export interface Script {
  /** The greeting line; `null` sends none. */
  greeting?: string | null;
  /** Answers one command (or stays silent); called once per line received. */
  onCommand(command: string, connection: ScriptedConnection): void;
}

/** Starts a scripted server on a free loopback port. */
export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const allReceived: string[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const connection: ScriptedConnection = {
      received: [],
      write: (data) => {
        if (!socket.destroyed) socket.write(data);
      },
      drop: () => socket.destroy(),
    };
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        connection.received.push(line);
        allReceived.push(line);
        script.onCommand(line, connection);
      }
    });
    const greeting = script.greeting === undefined ? '+OK scripted server ready' : script.greeting;
    if (greeting !== null) connection.write(`${greeting}\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    settings: () => ({ host: '127.0.0.1', port, security: 'plain', username: 'tester' }),
    received: () => [...allReceived],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A message in a scripted maildrop. */
export interface ScriptedMessage {
  uidl: string;
  /** As stored; dot-stuffed on the way out. */
  raw: string;
}

/**
 * The answers a well-behaved server gives to the usual commands, for a
 * script to fall back on around the one it twists. Undefined for anything
 * else.
 */
export function ordinaryReply(command: string, options: { capabilities: string[]; messages: ScriptedMessage[] }): string | undefined {
  const [verb = '', argument] = command.toUpperCase().split(' ');
  const message = argument === undefined ? undefined : options.messages[Number(argument) - 1];
  switch (verb) {
    case 'CAPA':
      return `+OK\r\n${options.capabilities.map((line) => `${line}\r\n`).join('')}.\r\n`;
    case 'USER':
    case 'PASS':
    case 'NOOP':
    case 'RSET':
    case 'DELE':
      return '+OK\r\n';
    case 'QUIT':
      return '+OK bye\r\n';
    case 'STAT':
      return `+OK ${options.messages.length} ${options.messages.reduce((sum, m) => sum + Buffer.byteLength(m.raw, 'latin1'), 0)}\r\n`;
    case 'UIDL':
      return `+OK\r\n${options.messages.map((m, i) => `${i + 1} ${m.uidl}\r\n`).join('')}.\r\n`;
    case 'LIST':
      // With a number, one line for that message (RFC 1939); without, the listing.
      if (argument !== undefined) return message ? `+OK ${argument} ${Buffer.byteLength(message.raw, 'latin1')}\r\n` : '-ERR no such message\r\n';
      return `+OK\r\n${options.messages.map((m, i) => `${i + 1} ${Buffer.byteLength(m.raw, 'latin1')}\r\n`).join('')}.\r\n`;
    case 'RETR':
      return message ? `+OK\r\n${message.raw.replace(/(^|\r\n)\./g, '$1..')}.\r\n` : '-ERR no such message\r\n';
    default:
      return '-ERR unknown command\r\n';
  }
}
