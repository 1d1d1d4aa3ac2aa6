import { afterEach, describe, expect, it, vi } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import type { MailAdapter } from './adapter';
import { ConnectionPool } from './pool';

/**
 * The pool's own rules, with adapters whose connect and close are scripted:
 * which connection a call gets, when one is thrown away, when a connect is
 * tried again. (What a connection does is tested against real servers.)
 */
class ScriptedAdapter {
  connected = false;
  closed = false;
  constructor(
    readonly id: number,
    private readonly connectFailure: ErrorCode | undefined,
  ) {}
  connect(): Promise<void> {
    if (this.connectFailure) return Promise.reject(new TwinboxError(this.connectFailure));
    this.connected = true;
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.connected = false;
    this.closed = true;
    return Promise.resolve();
  }
}

function poolWith(script: (ErrorCode | undefined)[], clock = { now: 0 }, renewSignIn?: (accountId: string, refused: MailAdapter) => Promise<boolean>) {
  const made: ScriptedAdapter[] = [];
  const pool = new ConnectionPool(
    () => {
      const adapter = new ScriptedAdapter(made.length + 1, script[made.length]);
      made.push(adapter);
      return Promise.resolve(adapter as unknown as MailAdapter);
    },
    { size: 2, idleMs: 1000, backoffMs: { initial: 1000, max: 8000 }, now: () => clock.now, ...(renewSignIn ? { renewSignIn } : {}) },
  );
  return { pool, made, clock };
}

const idOf = (adapter: MailAdapter): number => (adapter as unknown as ScriptedAdapter).id;

afterEach(() => {
  vi.useRealTimers();
});

describe('connection pool', () => {
  it('reuses a connection, opens a second for concurrent work, and queues a third', async () => {
    const { pool, made } = poolWith([]);
    expect(await pool.use('a', (adapter) => Promise.resolve(idOf(adapter)))).toBe(1);
    expect(await pool.use('a', (adapter) => Promise.resolve(idOf(adapter)))).toBe(1);
    let releaseFirst: (() => void) | undefined;
    const first = pool.use('a', (adapter) => new Promise<number>((resolve) => (releaseFirst = () => resolve(idOf(adapter)))));
    let releaseSecond: (() => void) | undefined;
    const second = pool.use('a', (adapter) => new Promise<number>((resolve) => (releaseSecond = () => resolve(idOf(adapter)))));
    await vi.waitFor(() => expect(releaseFirst && releaseSecond).toBeTypeOf('function'));
    expect(made).toHaveLength(2);
    const third = pool.use('a', (adapter) => Promise.resolve(idOf(adapter)));
    releaseSecond?.();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    releaseFirst?.();
    expect(await first).toBe(1);
    expect(made).toHaveLength(2);
    await pool.closeAll();
    expect(made.every((adapter) => adapter.closed)).toBe(true);
  });

  it('throws away a broken connection and retries idempotent work once on a new one', async () => {
    const { pool, made } = poolWith([]);
    let calls = 0;
    const result = await pool.use(
      'a',
      (adapter) => {
        calls++;
        if (calls === 1) return Promise.reject(new TwinboxError('CONNECTION_LOST'));
        return Promise.resolve(idOf(adapter));
      },
      { idempotent: true },
    );
    expect(result).toBe(2);
    expect(made[0]?.closed).toBe(true);
  });

  it('does not repeat work that is not idempotent', async () => {
    const { pool } = poolWith([]);
    let calls = 0;
    await expect(
      pool.use('a', () => {
        calls++;
        return Promise.reject(new TwinboxError('CONNECTION_LOST'));
      }),
    ).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(calls).toBe(1);
  });

  it('keeps a connection after an error that is not about the connection', async () => {
    const { pool, made } = poolWith([]);
    await expect(pool.use('a', () => Promise.reject(new TwinboxError('MESSAGE_GONE')))).rejects.toMatchObject({ code: 'MESSAGE_GONE' });
    expect(await pool.use('a', (adapter) => Promise.resolve(idOf(adapter)))).toBe(1);
    expect(made).toHaveLength(1);
  });

  it('backs off after failed connects, doubling the wait', async () => {
    const { pool, made, clock } = poolWith(['CONNECTION_REFUSED', 'CONNECTION_REFUSED', undefined]);
    await expect(pool.use('a', () => Promise.resolve())).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(pool.retryAt('a')).toBe(1000);
    // Before the wait is over: the last error again, without touching the server.
    clock.now = 999;
    await expect(pool.use('a', () => Promise.resolve())).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(made).toHaveLength(1);
    clock.now = 1000;
    await expect(pool.use('a', () => Promise.resolve())).rejects.toMatchObject({ code: 'CONNECTION_REFUSED' });
    expect(pool.retryAt('a')).toBe(3000);
    clock.now = 3000;
    await expect(pool.use('a', () => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(pool.retryAt('a')).toBeUndefined();
  });

  it('stops trying a password the server refused until the settings change', async () => {
    const { pool, made } = poolWith(['AUTH_FAILED', undefined]);
    await expect(pool.use('a', () => Promise.resolve())).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(pool.use('a', () => Promise.resolve())).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(made).toHaveLength(1);
    await pool.invalidate('a');
    await expect(pool.use('a', () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('logs out a connection nobody used for a while', async () => {
    vi.useFakeTimers();
    const { pool, made } = poolWith([]);
    await pool.use('a', () => Promise.resolve());
    expect(made[0]?.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(made[0]?.closed).toBe(true);
  });

  it('refuses work once shutting down', async () => {
    const { pool } = poolWith([]);
    await pool.closeAll();
    await expect(pool.use('a', () => Promise.resolve())).rejects.toMatchObject({ code: 'HOST_UNAVAILABLE' });
  });

  it('tries once more with a renewed sign-in after a refusal, and then waits for the user', async () => {
    const renewals: number[] = [];
    const renew = (_accountId: string, refused: MailAdapter): Promise<boolean> => {
      renewals.push(idOf(refused));
      return Promise.resolve(true);
    };
    const renewed = poolWith(['AUTH_FAILED', undefined], { now: 0 }, renew);
    expect(await renewed.pool.use('a', (adapter) => Promise.resolve(idOf(adapter)))).toBe(2);
    expect(renewals).toEqual([1]);

    // Refused again with the renewed credential: no loop, the account waits for the user.
    const refused = poolWith(['AUTH_FAILED', 'AUTH_FAILED', undefined], { now: 0 }, renew);
    await expect(refused.pool.use('a', () => Promise.resolve(0))).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(refused.pool.use('a', () => Promise.resolve(0))).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(refused.made).toHaveLength(2);

    // A password account (the hook says no) is not tried again at all.
    const password = poolWith(['AUTH_FAILED', undefined]);
    await expect(password.pool.use('a', () => Promise.resolve(0))).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(password.made).toHaveLength(1);
  });
});
