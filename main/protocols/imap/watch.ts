/**
 * Watching a folder for changes made elsewhere, on a connection of its own
 * so that watching never waits behind a sync (and a sync never breaks IDLE).
 */
import { TwinboxError } from '../../../shared/errors';
import type { FolderChange } from '../../../shared/model';
import { NEEDS_THE_USER } from '../errors';
import type { ImapSession } from './session';

export interface WatchSettings {
  /** Opens a new connection for the watch. */
  open: () => Promise<ImapSession>;
  /** How often a server without IDLE is asked (NOOP) whether anything changed. */
  pollIntervalMs: number;
  /** Waits between reconnects after the watch connection is lost: doubling from the first to the last. */
  reconnectDelaysMs?: { first: number; last: number };
  /**
   * Called once if the watch ends by itself: a reconnect was refused in a way
   * only new settings can fix (a wrong password must not be retried). Never
   * called after stop().
   */
  onEnd?: (error: TwinboxError) => void;
}

const DEFAULT_RECONNECT_DELAYS_MS = { first: 1_000, last: 60_000 };

type Reason = FolderChange['reason'];

/**
 * Watches `folder` (EXAMINE, read-only) and calls `onChange` with what
 * happened: new mail (EXISTS grew), messages expunged (EXPUNGE or VANISHED),
 * flags changed (FETCH FLAGS). The server pushes these during IDLE, which
 * imapflow starts as soon as the connection is quiet; a server without IDLE
 * is polled with NOOP instead. Several notices of one kind in one burst are
 * reported once. A lost connection is reopened with growing pauses, and what
 * changed meanwhile is reported from the folder's counters; a reconnect
 * refused for a reason only the user can fix ends the watch (settings.onEnd).
 * The returned function stops watching and logs out.
 */
export async function watchFolder(settings: WatchSettings, folder: string, onChange: (change: FolderChange) => void): Promise<() => Promise<void>> {
  const watch = new FolderWatch(settings, folder, onChange);
  await watch.start();
  return () => watch.stop();
}

interface FolderCounters {
  exists: number;
  uidNext: number;
  highestModseq: bigint | undefined;
}

class FolderWatch {
  private session: ImapSession | undefined;
  private stopped = false;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly reconnectDelays: { first: number; last: number };
  private reconnectDelay: number;
  private pending = new Set<Reason>();
  private lastCounters: FolderCounters | undefined;

  constructor(
    private readonly settings: WatchSettings,
    private readonly folder: string,
    private readonly onChange: (change: FolderChange) => void,
  ) {
    this.reconnectDelays = settings.reconnectDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS;
    this.reconnectDelay = this.reconnectDelays.first;
  }

  /** The first connection; its failure is the caller's (wrong folder, no network). */
  async start(): Promise<void> {
    this.adopt(await this.connect());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  private async connect(): Promise<ImapSession> {
    const session = await this.settings.open();
    const pushes = session.server.has('IDLE');
    // imapflow reads this option whenever the connection falls quiet; without IDLE its own
    // stand-in would poll every two minutes, so the watch's timer below takes over instead.
    if (!pushes) session.client.options.disableAutoIdle = true;
    try {
      const mailbox = await session.run(() => session.client.mailboxOpen(this.folder, { readOnly: true }));
      const counters: FolderCounters = { exists: mailbox.exists, uidNext: mailbox.uidNext, highestModseq: mailbox.highestModseq };
      if (this.lastCounters) this.reportMissed(this.lastCounters, counters);
      this.lastCounters = counters;
    } catch (error) {
      await session.close();
      throw error;
    }
    const { client } = session;
    client.on('exists', (event) => {
      this.remember(session);
      if (event.count > event.prevCount) this.report('new-mail');
    });
    client.on('expunge', () => {
      this.remember(session);
      this.report('expunged');
    });
    client.on('flags', () => {
      this.remember(session);
      this.report('flags');
    });
    if (!pushes) {
      this.pollTimer = setInterval(() => {
        client.noop().catch(() => undefined);
      }, this.settings.pollIntervalMs);
      this.pollTimer.unref();
    }
    session.onClose(() => this.lost(session));
    return session;
  }

  private remember(session: ImapSession): void {
    const mailbox = session.client.mailbox;
    if (mailbox === false) return;
    this.lastCounters = { exists: mailbox.exists, uidNext: mailbox.uidNext, highestModseq: mailbox.highestModseq };
  }

  /** What changed while the connection was down, judged by the folder's counters. */
  private reportMissed(before: FolderCounters, after: FolderCounters): void {
    const arrived = Math.max(0, after.uidNext - before.uidNext);
    if (arrived > 0) this.report('new-mail');
    if (after.exists < before.exists + arrived) this.report('expunged');
    if (before.highestModseq !== undefined && after.highestModseq !== before.highestModseq && arrived === 0) this.report('flags');
  }

  private report(reason: Reason): void {
    if (this.stopped) return;
    const first = this.pending.size === 0;
    this.pending.add(reason);
    if (!first) return;
    setImmediate(() => {
      const reasons = [...this.pending];
      this.pending.clear();
      if (this.stopped) return;
      for (const each of reasons) {
        try {
          this.onChange({ folder: this.folder, reason: each });
        } catch {
          // The listener's failure is its own; the watch goes on.
        }
      }
    });
  }

  private lost(session: ImapSession): void {
    if (this.session !== session) return;
    clearInterval(this.pollTimer);
    this.session = undefined;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.reconnectTimer = setTimeout(() => void this.reconnect(), this.reconnectDelay);
    this.reconnectTimer.unref();
  }

  private async reconnect(): Promise<void> {
    let reopened: ImapSession;
    try {
      reopened = await this.connect();
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof TwinboxError && NEEDS_THE_USER.has(error.code)) {
        this.end(error);
        return;
      }
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.reconnectDelays.last);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await reopened.close();
      return;
    }
    this.reconnectDelay = this.reconnectDelays.first;
    this.adopt(reopened);
  }

  /** A connection that closed while it was being set up is lost like any other, not kept as if alive. */
  private adopt(session: ImapSession): void {
    this.session = session;
    if (!session.usable) this.lost(session);
  }

  private end(error: TwinboxError): void {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    this.settings.onEnd?.(error);
  }
}
