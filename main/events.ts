import type { EventName, EventPayloads } from '../shared/contract';

export type EventSink = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

/** Events from main's services to whichever hosts are serving pages right now. */
export class EventBus {
  private readonly sinks = new Set<EventSink>();

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const sink of this.sinks) sink(event, payload);
  }

  /** Returns the function that unsubscribes. */
  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
}
