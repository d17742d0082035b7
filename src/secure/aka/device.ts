/**
 * Device (ME) side of USIM authentication over the APDU layer: sends AUTHENTICATE (TS 31.102
 * 7.1.2) on a channel where the USIM application is selected and interprets the answer. T=0
 * 61xx/GET RESPONSE is handled by the link. A MAC failure (SW 9862) is a result, not an
 * exception; other error status words throw SwError, malformed answers AkaError `aka.format`.
 */
import type { ApduSender } from '../../apdu/link.js';
import { SwError } from '../../apdu/sw.js';
import {
  type Authenticate3gAnswer,
  authenticate3gData,
  INS_AUTHENTICATE,
  P2_3G_CONTEXT,
  P2_GSM_CONTEXT,
  parseAuthenticate3gAnswer,
  parseAuthenticateGsmAnswer,
  SW_AUTH_MAC_FAILURE,
} from './authenticate-apdu.js';
import { AkaError } from './errors.js';

export type DeviceAuthResult = Authenticate3gAnswer | { kind: 'mac-failure' };

export async function authenticate(card: ApduSender, rand: Uint8Array, autn: Uint8Array): Promise<DeviceAuthResult> {
  const r = await card.transmit({ cla: 0x00, ins: INS_AUTHENTICATE, p1: 0x00, p2: P2_3G_CONTEXT, data: authenticate3gData(rand, autn), le: 256 });
  if (r.sw === SW_AUTH_MAC_FAILURE) return { kind: 'mac-failure' };
  if (r.sw !== 0x9000) throw new SwError(r.sw, 'AUTHENTICATE');
  return parseAuthenticate3gAnswer(r.data);
}

/** GSM security context (P2 = 80): SRES and Kc from RAND. */
export async function authenticateGsm(card: ApduSender, rand: Uint8Array): Promise<{ sres: Uint8Array; kc: Uint8Array }> {
  if (rand.length !== 16) throw new AkaError('aka.format', `RAND must be 16 bytes, got ${rand.length}`);
  const data = new Uint8Array(17);
  data[0] = 16;
  data.set(rand, 1);
  const r = await card.transmit({ cla: 0x00, ins: INS_AUTHENTICATE, p1: 0x00, p2: P2_GSM_CONTEXT, data, le: 256 });
  if (r.sw !== 0x9000) throw new SwError(r.sw, 'AUTHENTICATE (GSM context)');
  return parseAuthenticateGsmAnswer(r.data);
}

/**
 * The success branch of a device-side result, or AkaError: `aka.mac-failure` (SW 9862) or
 * `aka.sync-failure` carrying the card's AUTS for the AuC (TS 33.102 6.3.5).
 */
export function expectAuthSuccess(r: DeviceAuthResult): Extract<DeviceAuthResult, { kind: 'success' }> {
  if (r.kind === 'success') return r;
  if (r.kind === 'mac-failure') throw new AkaError('aka.mac-failure', 'USIM reports MAC failure (SW 9862): the network side holds another K/OPc or algorithm');
  throw new SyncFailureError(r.auts);
}

export class SyncFailureError extends AkaError {
  constructor(readonly auts: Uint8Array) {
    super('aka.sync-failure', 'USIM reports synchronisation failure: resynchronise the AuC with AUTS');
  }
}
