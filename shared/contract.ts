/**
 * The IPC contract: every method the renderer may call, with a runtime schema
 * for its input and the type of its result, and every event main may send.
 * The preload exposes exactly these names, the Electron host registers exactly
 * these handlers, and the loopback WebSocket host serves the same table.
 */
import { z } from 'zod';
import type { WireError } from './errors';
import type { EventName, MethodName } from './ipc-names';

export { METHOD_NAMES, EVENT_NAMES, channelOf, type EventName, type MethodName } from './ipc-names';

/** A method's spec: the schema that validates its input, and (as a type only) its result. */
export interface MethodSpec<Input extends z.ZodType, Result> {
  input: Input;
  /** Never set at runtime; carries the result type. */
  readonly result?: Result;
}

function method<Input extends z.ZodType, Result>(input: Input): MethodSpec<Input, Result> {
  return { input };
}

const NoInput = z.object({}).strict();

export interface AppInfo {
  name: string;
  version: string;
  /** Which host serves the contract: the Electron shell, or the loopback web host. */
  host: 'electron' | 'web';
}

export const methods = {
  'app.getInfo': method<typeof NoInput, AppInfo>(NoInput),
} satisfies Record<MethodName, MethodSpec<z.ZodType, unknown>>;

/** Payload of each event main pushes to the renderer. */
export interface EventPayloads {
  /** Something the user should know that is not the answer to a call (for example, the host is shutting down). */
  'app.notice': { level: 'info' | 'warning' | 'error'; text: string };
}

// Compile-time checks that ipc-names.ts and this file name the same methods and events.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type MethodNamesMatch = Assert<Same<keyof typeof methods, MethodName>>;
export type EventNamesMatch = Assert<Same<keyof EventPayloads, EventName>>;

export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<(typeof methods)[M]['input']>;
export type MethodResult<M extends MethodName> = NonNullable<(typeof methods)[M]['result']>;

/** What every handler returns across the boundary, so error codes survive it. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** The renderer's view of the contract, implemented by the preload and by the WebSocket client. */
export interface TwinboxBridge {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodResult<M>>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}
