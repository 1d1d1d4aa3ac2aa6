/**
 * The names the preload may forward, kept apart from the schemas so the
 * sandboxed preload stays tiny. `contract.ts` checks at compile time that this
 * list and the contract's methods and events are the same.
 */
export const METHOD_NAMES = ['app.getInfo'] as const;

export const EVENT_NAMES = ['app.notice'] as const;

export type MethodName = (typeof METHOD_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** Electron channel for a method or event: one channel each, never a generic pass-through. */
export function channelOf(name: MethodName | EventName): string {
  return `twinbox:${name}`;
}
