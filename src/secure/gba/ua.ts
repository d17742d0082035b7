/**
 * The Ua side shared by a GBA client and a NAF (3GPP TS 33.220): the IMPI of a USIM-only
 * subscriber (TS 23.003 13.3), the Ua protocol of the DM exchange (Annex H: HTTP digest over TLS)
 * and simdm's message MAC with Ks_NAF (HMAC-SHA256; see src/dms/gba.ts for the framing).
 */
import { createHmac } from 'node:crypto';
import { UA_PROTOCOL } from './gba.js';

export const GBA_UA = UA_PROTOCOL.httpDigestTls;

export function gbaMac(ksNaf: Uint8Array, data: Uint8Array | string): string {
  return createHmac('sha256', ksNaf).update(data).digest('base64');
}

/** TS 23.003 13.3: <IMSI>@ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org, MNC padded to 3 digits. */
export function impiFromImsi(imsi: string, mncLength: 2 | 3 = 2): string {
  const mcc = imsi.slice(0, 3);
  const mnc = imsi.slice(3, 3 + mncLength).padStart(3, '0');
  return `${imsi}@ims.mnc${mnc}.mcc${mcc}.3gppnetwork.org`;
}
