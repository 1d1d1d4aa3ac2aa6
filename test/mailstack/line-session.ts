import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { connect as connectTls, TLSSocket } from 'node:tls';

/**
 * A bare line-protocol session (POP3, SMTP) for tests that prove what a server
 * does without any client library in between. It collects raw bytes and splits
 * replies itself, so what a test sees is exactly what the server sent.
 */
export class LineSession {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private closedError: Error | undefined;

  private constructor(private socket: Socket | TLSSocket) {
    this.attach(socket);
  }

  static async open(options: {
    host: string;
    port: number;
    tls?: { ca?: string; servername: string };
  }): Promise<LineSession> {
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s = options.tls
        ? connectTls({ host: options.host, port: options.port, ...options.tls, rejectUnauthorized: true }, () => resolve(s))
        : connectTcp({ host: options.host, port: options.port }, () => resolve(s));
      s.once('error', reject);
    });
    return new LineSession(socket);
  }

  get encrypted(): boolean {
    return this.socket instanceof TLSSocket;
  }

  /** Reads one CRLF-terminated line, without the CRLF. */
  async readLine(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end >= 0) {
        const line = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 2);
        return line;
      }
      await this.more();
    }
  }

  /**
   * Reads a POP3 multi-line body up to the lone "." line, removes the
   * dot-stuffing (RFC 1939 section 3), and returns the exact bytes between.
   */
  async readMultiline(): Promise<Buffer> {
    for (;;) {
      const terminator = this.buffer.indexOf('\r\n.\r\n');
      const startsEmpty = this.buffer.subarray(0, 3).toString('latin1') === '.\r\n';
      if (startsEmpty) {
        this.buffer = this.buffer.subarray(3);
        return Buffer.alloc(0);
      }
      if (terminator >= 0) {
        const body = this.buffer.subarray(0, terminator + 2);
        this.buffer = this.buffer.subarray(terminator + 5);
        return unstuff(body);
      }
      await this.more();
    }
  }

  async send(line: string): Promise<void> {
    await new Promise<void>((resolve, reject) => this.socket.write(`${line}\r\n`, (e) => (e ? reject(e) : resolve())));
  }

  /** Sends a command and returns its one-line reply. */
  async command(line: string): Promise<string> {
    await this.send(line);
    return this.readLine();
  }

  /** Upgrades the connection in place (after STLS / STARTTLS was accepted). */
  async upgradeToTls(tls: { ca?: string; servername: string }): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    this.socket = await new Promise<TLSSocket>((resolve, reject) => {
      const secure = connectTls({ socket: plain, ...tls, rejectUnauthorized: true }, () => resolve(secure));
      secure.once('error', reject);
    });
    this.attach(this.socket);
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closedError = new Error('connection closed by the server');
      this.wake();
    });
    socket.on('error', (error: Error) => {
      this.closedError = error;
      this.wake();
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private async more(): Promise<void> {
    if (this.closedError) throw this.closedError;
    await new Promise<void>((resolve) => (this.waiter = resolve));
  }
}

function unstuff(body: Buffer): Buffer {
  const lines = body.toString('latin1').split('\r\n');
  return Buffer.from(lines.map((line) => (line.startsWith('.') ? line.slice(1) : line)).join('\r\n'), 'latin1');
}
