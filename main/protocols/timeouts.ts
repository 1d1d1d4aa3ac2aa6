import type { Timeouts } from './adapter';

/**
 * Long enough for a slow server on a bad network, short enough that a dead
 * one is reported while the user still waits for an answer.
 */
export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 20_000,
  commandMs: 60_000,
};

export function resolveTimeouts(given: Partial<Timeouts> | undefined): Timeouts {
  return { ...DEFAULT_TIMEOUTS, ...given };
}
