/**
 * Collects the protocol log while the Lab is open, per account and protocol,
 * in windows that span one action or one scenario step. The log comes from
 * the adapters in main (true bytes, passwords masked); the Lab's own views of
 * the server (the middle column, the other devices) use connections that are
 * not logged, so what a window holds is only what that side did.
 */
import type { Protocol, ProtocolLogLine } from '../../shared/model';
import type { TwinboxClient } from '../ipc/twinbox-client';

/** Events may trail the reply of the call that caused them (Electron sends them on another channel). */
const SETTLE_MS = 60;

export interface LogWindow {
  /** Ends the window and returns what it caught. */
  close(): Promise<ProtocolLogLine[]>;
}

export class LogRecorder {
  private readonly open = new Set<{ accountId: string; protocol: Protocol; lines: ProtocolLogLine[] }>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly client: TwinboxClient) {}

  /** Turns the log on in main and starts listening. */
  async start(): Promise<void> {
    this.unsubscribe ??= this.client.on('protocol.log', (line) => {
      for (const window of this.open) if (window.accountId === line.accountId && window.protocol === line.protocol) window.lines.push(line);
    });
    await this.client.call('app.setProtocolLog', { enabled: true });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.open.clear();
    await this.client.call('app.setProtocolLog', { enabled: false });
  }

  /** Lines of this account in this protocol from now until `close()` (mail sent over SMTP to arrive is not the side's traffic). */
  window(accountId: string, protocol: Protocol): LogWindow {
    const window = { accountId, protocol, lines: [] as ProtocolLogLine[] };
    this.open.add(window);
    return {
      close: async () => {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        this.open.delete(window);
        return window.lines;
      },
    };
  }
}
