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
  /**
   * Runs `fn` with no other client of the reader able to send to the card in between (a guarded
   * sequence: retry-counter read + VERIFY, or a multi-APDU write that relies on the selected file).
   * PC/SC: the `pcsclite` binding offers no SCardBeginTransaction, so the card is held in
   * SCARD_SHARE_EXCLUSIVE mode for the sequence (docs/pcsc.md); bridge: the `begin`/`end` ops do
   * the same on the server's reader. Nested calls join the outer transaction. Without a connected
   * card `fn` just runs (its APDUs fail as they would anyway).
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** releases everything; the transport cannot be used again */
  close(): Promise<void>;
  /** card insertion/removal notifications, where the transport can tell */
  on?(event: TransportEvent, listener: () => void): void;
  off?(event: TransportEvent, listener: () => void): void;
}
