import { afterEach, describe, expect, it, vi } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import type { FolderChange } from '../../shared/model';
import { WatchRegistry } from './watches';
import type { OpenWatch } from './watches';

/**
 * The registry's bookkeeping, with watches whose opening is scripted: who
 * owns which watch, when a connection is opened, shared, stopped and opened
 * again. (What a watch connection does is tested against Dovecot.)
 */
interface OpenedWatch {
  accountId: string;
  folder: string;
  /** Open as far as the registry knows: opened and not stopped. */
  live: boolean;
  change: (reason: FolderChange['reason']) => void;
  end: (error: TwinboxError) => void;
}

function registryWith(outcomes: (TwinboxError | 'pending' | undefined)[] = []) {
  const opened: OpenedWatch[] = [];
  const pending: (() => void)[] = [];
  const changes: { accountId: string; reason: string }[] = [];
  const open: OpenWatch = ({ accountId, folder }, onChange, onEnd) => {
    const outcome = outcomes[opened.length];
    const watch: OpenedWatch = {
      accountId,
      folder,
      live: false,
      change: (reason) => onChange({ folder, reason }),
      end: onEnd,
    };
    opened.push(watch);
    const stop = (): Promise<void> => {
      watch.live = false;
      return Promise.resolve();
    };
    if (outcome instanceof TwinboxError) return Promise.reject(outcome);
    if (outcome === 'pending') {
      return new Promise((resolve) =>
        pending.push(() => {
          watch.live = true;
          resolve(stop);
        }),
      );
    }
    watch.live = true;
    return Promise.resolve(stop);
  };
  const registry = new WatchRegistry(open, (accountId, change) => changes.push({ accountId, reason: change.reason }), {
    backoffMs: { initial: 1_000, max: 4_000 },
  });
  const live = (): OpenedWatch[] => opened.filter((watch) => watch.live);
  return { registry, opened, live, changes, finishPending: () => pending.shift()?.() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('watch registry', () => {
  it('gives a caller the same watch when it asks twice, and shares one connection between callers', async () => {
    const { registry, opened, live } = registryWith();
    const first = await registry.watch('web-1', 'a', 'INBOX');
    expect(await registry.watch('web-1', 'a', 'INBOX')).toBe(first);
    const other = await registry.watch('web-2', 'a', 'INBOX');
    expect(other).not.toBe(first);
    expect(opened).toHaveLength(1);

    // Another folder or account is another connection.
    await registry.watch('web-1', 'a', 'Sent');
    await registry.watch('web-1', 'b', 'INBOX');
    expect(live().map((watch) => `${watch.accountId}/${watch.folder}`)).toEqual(['a/INBOX', 'a/Sent', 'b/INBOX']);

    await registry.release('web-1');
    // web-2 still wants a/INBOX; the others had no one else.
    expect(live().map((watch) => `${watch.accountId}/${watch.folder}`)).toEqual(['a/INBOX']);
    await registry.unwatch('web-2', other);
    expect(live()).toEqual([]);
    expect(registry.list()).toEqual([]);
  });

  it('keeps one connection through five reloads, and reports each change once', async () => {
    const { registry, live, changes } = registryWith();
    for (let reload = 1; reload <= 5; reload++) {
      await registry.watch(`web-${reload}`, 'a', 'INBOX');
      if (reload < 5) await registry.release(`web-${reload}`);
    }
    expect(live()).toHaveLength(1);
    expect(registry.list()).toEqual([{ accountId: 'a', folder: 'INBOX', state: 'watching', callers: ['web-5'] }]);
    live()[0]!.change('new-mail');
    expect(changes).toEqual([{ accountId: 'a', reason: 'new-mail' }]);
  });

  it('lets a caller end only its own watches', async () => {
    const { registry, live } = registryWith();
    const watchId = await registry.watch('web-1', 'a', 'INBOX');
    await registry.unwatch('web-2', watchId);
    expect(live()).toHaveLength(1);
    await registry.unwatch('web-1', watchId);
    expect(live()).toHaveLength(0);
  });

  it('answers while the server is down and keeps connecting, with growing pauses, then says mail may have come', async () => {
    vi.useFakeTimers();
    const down = new TwinboxError('CONNECTION_REFUSED');
    const { registry, opened, live, changes } = registryWith([down, down, down]);
    expect(await registry.watch('web-1', 'a', 'INBOX')).toEqual(expect.any(String));
    expect(registry.list()[0]?.state).toBe('waiting');
    await vi.advanceTimersByTimeAsync(999);
    expect(opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(opened).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(opened).toHaveLength(3);
    expect(changes).toEqual([]);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(opened).toHaveLength(4);
    expect(live()).toHaveLength(1);
    expect(changes).toEqual([{ accountId: 'a', reason: 'new-mail' }]);
  });

  it('refuses, watching nothing, what only the user can fix, and tries afresh when asked again', async () => {
    const { registry, opened, live } = registryWith([new TwinboxError('AUTH_FAILED')]);
    await expect(registry.watch('web-1', 'a', 'INBOX')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(registry.list()).toEqual([]);
    await registry.watch('web-1', 'a', 'INBOX');
    expect(opened).toHaveLength(2);
    expect(live()).toHaveLength(1);
  });

  it('waits for new settings after a watch gave up on a refused password, then opens it again', async () => {
    vi.useFakeTimers();
    const { registry, opened, live, changes } = registryWith();
    await registry.watch('web-1', 'a', 'INBOX');
    opened[0]!.end(new TwinboxError('AUTH_FAILED'));
    expect(live()).toEqual([]);
    expect(registry.list()[0]?.state).toBe('blocked');
    // Nothing retries a wrong password on its own, and a new page hears why.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(opened).toHaveLength(1);
    await expect(registry.watch('web-2', 'a', 'INBOX')).rejects.toMatchObject({ code: 'AUTH_FAILED' });

    await registry.restartAccount('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(opened).toHaveLength(2);
    expect(live()).toHaveLength(1);
    expect(registry.list()).toEqual([{ accountId: 'a', folder: 'INBOX', state: 'watching', callers: ['web-1'] }]);
    expect(changes).toEqual([{ accountId: 'a', reason: 'new-mail' }]);
  });

  it('opens a watch that ended for another reason again after a pause', async () => {
    vi.useFakeTimers();
    const { registry, opened, live } = registryWith();
    await registry.watch('web-1', 'a', 'INBOX');
    opened[0]!.end(new TwinboxError('CONNECTION_LOST'));
    expect(live()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(live()).toEqual([opened[1]]);
  });

  it('restarts the account’s watches with new settings and ignores what the old connection still says', async () => {
    const { registry, opened, live, changes } = registryWith();
    await registry.watch('web-1', 'a', 'INBOX');
    await registry.watch('web-1', 'b', 'INBOX');
    await registry.restartAccount('a');
    await vi.waitFor(() => expect(live().map((watch) => watch.accountId)).toEqual(['b', 'a']));
    expect(opened[0]?.live).toBe(false);
    opened[0]!.change('flags');
    expect(changes).toEqual([{ accountId: 'a', reason: 'new-mail' }]);
  });

  it('stops a removed account’s watches and forgets who asked for them', async () => {
    const { registry, live, changes } = registryWith();
    const watchId = await registry.watch('web-1', 'a', 'INBOX');
    const watch = live()[0]!;
    await registry.stopAccount('a');
    expect(live()).toEqual([]);
    watch.change('new-mail');
    expect(changes).toEqual([]);
    await registry.unwatch('web-1', watchId);
    expect(registry.list()).toEqual([]);
  });

  it('closes a connection that opens after its page went away', async () => {
    const { registry, opened, finishPending } = registryWith(['pending']);
    const asked = registry.watch('web-1', 'a', 'INBOX');
    await registry.release('web-1');
    await asked;
    finishPending();
    await vi.waitFor(() => expect(opened[0]?.live).toBe(false));
    expect(opened).toHaveLength(1);
    expect(registry.list()).toEqual([]);
  });

  it('answers the same caller’s second ask once the first open was tried', async () => {
    const { registry, opened, finishPending } = registryWith(['pending']);
    const first = registry.watch('web-1', 'a', 'INBOX');
    const second = registry.watch('web-1', 'a', 'INBOX');
    finishPending();
    expect(await second).toBe(await first);
    expect(opened).toHaveLength(1);
  });

  it('refuses new watches once closed', async () => {
    const { registry, live } = registryWith();
    await registry.watch('web-1', 'a', 'INBOX');
    await registry.close();
    expect(live()).toEqual([]);
    await expect(registry.watch('web-1', 'a', 'INBOX')).rejects.toMatchObject({ code: 'HOST_UNAVAILABLE' });
  });
});
