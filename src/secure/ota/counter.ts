/**
 * Replay protection of the receiving entity (ETSI TS 102 225 5.1.1, SPI1 b5b4 and the response
 * status codes 02 CNTR low, 03 CNTR high, 04 CNTR blocked). The counter is kept per key set
 * (KIc/KID key index) and TAR; it is checked only after the CC verified and updated only when
 * the packet is accepted.
 */
import { OtaError } from './errors.js';
import { MAX_COUNTER } from './packet.js';
import type { CounterPolicy } from './spi.js';
import { PorStatus } from './status.js';

export interface CounterStore {
  get(key: string): number | undefined;
  set(key: string, value: number): void;
}

export class MemoryCounterStore implements CounterStore {
  private readonly m = new Map<string, number>();
  get(key: string): number | undefined {
    return this.m.get(key);
  }
  set(key: string, value: number): void {
    this.m.set(key, value);
  }
}

/**
 * Checks `received` against the stored counter under `policy`; on success stores it (for the
 * 'higher' and 'one-higher' policies). Throws OtaError `ota.counter-replay` (status 02) when the
 * value is not higher, `ota.counter-high` (03) when 'one-higher' sees a gap, `ota.counter-blocked`
 * (04) once the stored counter reached its maximum.
 */
export function checkCounter(store: CounterStore, key: string, policy: CounterPolicy, received: number): void {
  if (policy === 'none' || policy === 'available') return;
  const last = store.get(key) ?? 0;
  if (last >= MAX_COUNTER) throw new OtaError('counter-blocked', 'counter has reached its maximum value', PorStatus.CNTR_BLOCKED);
  if (received <= last) {
    throw new OtaError('counter-replay', `counter ${received} is not higher than the last accepted ${last}: replay refused`, PorStatus.CNTR_LOW);
  }
  if (policy === 'one-higher' && received !== last + 1) {
    throw new OtaError('counter-high', `counter ${received} is more than one higher than ${last}`, PorStatus.CNTR_HIGH);
  }
  store.set(key, received);
}
