/**
 * Carries queued changes (IMAP flags, moves, deletions) to the server in the
 * order they were made. A connection problem leaves the rest queued for the
 * next attempt; a refusal by the server rolls that change back here and
 * keeps it, failed, with the sentence the user sees.
 */
import { asTwinboxError, TwinboxError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import type { PendingOperation } from '../db/rows';
import type { CacheWriter } from '../db/writer';
import { errorText } from '../i18n';
import type { TwinboxClient } from '../ipc/twinbox-client';

/** Nothing is wrong with the change itself: try again when the connection is back. */
const TRY_AGAIN: ReadonlySet<ErrorCode> = new Set([
  'CONNECTION_LOST',
  'CONNECTION_REFUSED',
  'HOST_NOT_FOUND',
  'TIMEOUT',
  'HOST_UNAVAILABLE',
  'AUTH_FAILED',
  'TLS_CERT_UNTRUSTED',
  'TLS_REQUIRED',
  'INTERNAL',
]);

export interface RunResult {
  done: number;
  failed: number;
  /** The queue stopped on a connection problem; this many are still waiting. */
  waiting: number;
}

export class PendingRunner {
  private running = new Map<string, Promise<RunResult>>();

  constructor(
    private readonly client: TwinboxClient,
    private readonly writer: CacheWriter,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs an account's queue; a second call while one runs joins it. */
  run(accountId: string): Promise<RunResult> {
    const current = this.running.get(accountId);
    if (current) return current;
    const run = this.drain(accountId).finally(() => this.running.delete(accountId));
    this.running.set(accountId, run);
    return run;
  }

  private async drain(accountId: string): Promise<RunResult> {
    const result: RunResult = { done: 0, failed: 0, waiting: 0 };
    for (;;) {
      // "running" left over from a reload is retried: every operation here is safe to repeat.
      const now = this.now();
      const next = await this.writer.db.pending
        .where('accountId')
        .equals(accountId)
        // Not before its undo window has passed.
        .filter((op) => op.status !== 'failed' && (op.notBefore ?? 0) <= now)
        .first();
      if (!next?.id) return result;
      const id = next.id;
      await this.writer.markPendingRunning(id);
      try {
        await this.perform(next);
        await this.writer.completePending(id);
        result.done++;
      } catch (error) {
        const failure = asTwinboxError(error);
        if (TRY_AGAIN.has(failure.code)) {
          await this.writer.requeuePending(id);
          result.waiting = await this.writer.db.pending.where('accountId').equals(accountId).filter((op) => op.status !== 'failed').count();
          return result;
        }
        if (failure.code === 'MESSAGE_GONE') {
          // Gone on the server already: the user's change is moot, and the next sync shows the truth.
          await this.writer.completePending(id);
          continue;
        }
        await this.writer.failPending(id, { code: failure.code, text: errorText(failure) });
        result.failed++;
      }
    }
  }

  private async perform(op: PendingOperation): Promise<void> {
    const target = { accountId: op.accountId, folder: op.folder, serverIds: op.serverIds };
    switch (op.kind) {
      case 'setFlags':
        await this.client.call('mail.setFlags', { ...target, ...(op.add ? { add: op.add } : {}), ...(op.remove ? { remove: op.remove } : {}) });
        return;
      case 'delete':
        await this.client.call('mail.delete', { ...target, ...(op.expunge === undefined ? {} : { expunge: op.expunge }) });
        return;
      case 'move':
        if (op.target === undefined) throw new TwinboxError('INVALID_REQUEST', 'a move without a target');
        await this.client.call('mail.move', { ...target, target: op.target });
        return;
    }
  }
}
