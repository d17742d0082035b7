import type { TransportEvent } from './types.js';

/** Card in/out listeners: the base of transports that can tell insertion and removal. */
export class TransportEvents {
  private readonly listeners = new Map<TransportEvent, Set<() => void>>();

  on(event: TransportEvent, listener: () => void): void {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
  }

  off(event: TransportEvent, listener: () => void): void {
    this.listeners.get(event)?.delete(listener);
  }

  protected emit(event: TransportEvent): void {
    for (const l of this.listeners.get(event) ?? []) l();
  }
}
