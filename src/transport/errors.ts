/**
 * Transport failures as typed errors. PC/SC failures carry their SCARD code (PC/SC Workgroup
 * part 5 / pcsclite's pcsclite.h) and a human text.
 */
import { SimdmError } from '../errors.js';
import { hexNum } from '../util/hex.js';

export type TransportErrorKind =
  | 'no-service'
  | 'no-reader'
  | 'no-card'
  | 'card-removed'
  | 'protocol-mismatch'
  | 'sharing-violation'
  | 'timeout'
  | 'transport-broken'
  | 'unresponsive-card'
  | 'cancelled'
  | 'other';

export class TransportError extends SimdmError {
  readonly kind: TransportErrorKind;
  readonly scardCode: number | undefined;
  constructor(kind: TransportErrorKind, message: string, scardCode?: number, options?: { cause?: unknown }) {
    super(`transport.${kind}`, message, options);
    this.kind = kind;
    this.scardCode = scardCode;
  }
}

/** SCARD codes pcsclite reports, with what they mean to a user. */
const SCARD: Record<number, [TransportErrorKind, string]> = {
  0x80100002: ['cancelled', 'the action was cancelled'],
  0x80100003: ['other', 'invalid context handle'],
  0x80100006: ['other', 'not enough memory'],
  0x80100009: ['no-reader', 'unknown reader'],
  0x8010000a: ['timeout', 'timeout'],
  0x8010000b: ['sharing-violation', 'the card is in use by another application (sharing violation)'],
  0x8010000c: ['no-card', 'no card in the reader'],
  0x8010000d: ['other', 'unknown card'],
  0x8010000f: ['protocol-mismatch', 'the card does not support the requested protocol (protocol mismatch)'],
  0x80100010: ['other', 'the reader or card is not ready'],
  0x80100013: ['transport-broken', 'lost connection to pcscd (RPC transport error): restart the tool'],
  0x80100016: ['card-removed', 'transaction failed: the card was probably removed'],
  0x80100017: ['no-reader', 'the reader is not available'],
  0x8010001d: ['no-service', 'the PC/SC service (pcscd) is not running'],
  0x8010002e: ['no-reader', 'no reader found'],
  0x80100066: ['unresponsive-card', 'the card is not responding (unresponsive card)'],
  0x80100067: ['unresponsive-card', 'the card is unpowered'],
  0x80100068: ['card-removed', 'the card was reset'],
  0x80100069: ['card-removed', 'the card was removed'],
};

/** Maps an error thrown by the pcsclite binding ("... (0x80100069)") to a TransportError. */
export function fromPcscError(e: unknown, what: string): TransportError {
  if (e instanceof TransportError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const m = /0x([0-9a-fA-F]{8})/.exec(msg);
  const code = m ? parseInt(m[1]!, 16) : undefined;
  const known = code !== undefined ? SCARD[code] : undefined;
  if (known) {
    return new TransportError(known[0], `${what}: ${known[1]} (0x${hexNum(code!, 8)})`, code, { cause: e });
  }
  return new TransportError('other', `${what}: ${msg}`, code, { cause: e });
}
