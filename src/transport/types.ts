/**
 * One interface for every way of reaching a card: PC/SC (pcsclite), the network bridge, and the
 * in-process virtual UICC. Everything above (APDU layer, file system, bootstrap) sees only this.
 */
export type TransportEvent = 'inserted' | 'removed';

export interface Transport {
  /** reader name (or a descriptive name for virtual transports) */
  readonly name: string;
  /** ATR of the connected card, undefined when not connected */
  readonly atr: Uint8Array | undefined;
  /** connects to the card in the reader; resolves with the ATR */
  connect(): Promise<Uint8Array>;
  /** sends one C-APDU, resolves with the raw R-APDU (data || SW1 SW2) */
  transmit(capdu: Uint8Array): Promise<Uint8Array>;
  /** warm reset; resolves with the (new) ATR */
  reset(): Promise<Uint8Array>;
  /**
   * releases the card (the reader stays usable); `reset` also resets it, so no verified PIN or
   * ADM outlives the session (a CLI command never leaves a card unlocked for the next process)
   */
  disconnect(opts?: { reset?: boolean }): Promise<void>;
  /** releases everything; the transport cannot be used again */
  close(): Promise<void>;
  /** card insertion/removal notifications, where the transport can tell */
  on?(event: TransportEvent, listener: () => void): void;
  off?(event: TransportEvent, listener: () => void): void;
}
