/**
 * The typed client over any bridge, free of the DOM so the sync engine's
 * Node tests can drive main's real handlers in-process through it.
 */
import type { EventName, EventPayloads, MethodInput, MethodName, MethodResult, TwinboxBridge } from '../../shared/contract';
import { TwinboxError } from '../../shared/errors';

/** The page's typed handle on the contract: a result, or a thrown TwinboxError with its code. */
export interface TwinboxClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** Which transport carries the calls. */
  readonly transport: 'electron' | 'websocket' | 'direct';
}

/** Wraps a bridge (preload, WebSocket, or in-process in tests) into the typed client. */
export function createClient(bridge: TwinboxBridge, transport: TwinboxClient['transport']): TwinboxClient {
  return {
    transport,
    async call(method, input) {
      const envelope = await bridge.invoke(method, input);
      if (envelope.ok) return envelope.value;
      throw TwinboxError.fromWire(envelope.error);
    },
    on: (event, listener) => bridge.on(event, listener),
  };
}
