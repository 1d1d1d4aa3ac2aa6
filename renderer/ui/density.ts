/**
 * How tightly the lists are packed: comfortable (the default, two roomy
 * lines per message) or compact (more messages on screen). Kept in this
 * profile's localStorage, and shared by every view through one store so the
 * stylesheet (a data attribute on the app's root) and the virtualised list's
 * row height always agree.
 */
import { useSyncExternalStore } from 'react';

export type Density = 'comfortable' | 'compact';

/** The message list's row height per density, in CSS pixels: the virtualiser places rows by it, the stylesheet fits them into it. */
export const ROW_HEIGHT: Record<Density, number> = { comfortable: 56, compact: 40 };

const KEY = 'twinbox.density';
const listeners = new Set<() => void>();
let current: Density | undefined;

function read(): Density {
  try {
    return window.localStorage.getItem(KEY) === 'compact' ? 'compact' : 'comfortable';
  } catch {
    // Storage refused (a locked-down profile): the default, for this session only.
    return 'comfortable';
  }
}

function snapshot(): Density {
  current ??= read();
  return current;
}

export function setDensity(density: Density): void {
  current = density;
  try {
    window.localStorage.setItem(KEY, density);
  } catch {
    // Not kept across restarts, but still applied now.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useDensity(): Density {
  return useSyncExternalStore(subscribe, snapshot);
}
