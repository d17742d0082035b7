/**
 * Instruction names for traces and errors: ETSI TS 102 221 section 10.1.2 (table 10.5),
 * TS 102 222 (administrative commands) and GlobalPlatform Card Specification 2.3 section 11.
 */
import { hexNum } from '../util/hex.js';
const INS: Record<number, string> = {
  0x04: 'DEACTIVATE FILE',
  0x10: 'TERMINAL PROFILE',
  0x12: 'FETCH',
  0x14: 'TERMINAL RESPONSE',
  0x20: 'VERIFY PIN',
  0x24: 'CHANGE PIN',
  0x26: 'DISABLE PIN',
  0x28: 'ENABLE PIN',
  0x2c: 'UNBLOCK PIN',
  0x32: 'INCREASE',
  0x44: 'ACTIVATE FILE',
  0x50: 'INITIALIZE UPDATE',
  0x70: 'MANAGE CHANNEL',
  0x73: 'MANAGE SECURE CHANNEL',
  0x75: 'TRANSACT DATA',
  0x76: 'SUSPEND UICC',
  0x82: 'EXTERNAL AUTHENTICATE',
  0x84: 'GET CHALLENGE',
  0x88: 'AUTHENTICATE',
  0x89: 'AUTHENTICATE',
  0xa2: 'SEARCH RECORD',
  0xa4: 'SELECT',
  0xaa: 'TERMINAL CAPABILITY',
  0xb0: 'READ BINARY',
  0xb1: 'READ BINARY (ODD)',
  0xb2: 'READ RECORD',
  0xc0: 'GET RESPONSE',
  0xc2: 'ENVELOPE',
  0xca: 'GET DATA',
  0xcb: 'RETRIEVE DATA',
  0xd6: 'UPDATE BINARY',
  0xd7: 'UPDATE BINARY (ODD)',
  0xd8: 'PUT KEY',
  0xdb: 'SET DATA',
  0xdc: 'UPDATE RECORD',
  0xe0: 'CREATE FILE',
  0xe4: 'DELETE FILE',
  0xe6: 'TERMINATE DF / INSTALL',
  0xe8: 'TERMINATE EF / LOAD',
  0xf0: 'SET STATUS',
  0xf2: 'STATUS / GET STATUS',
  0xfe: 'TERMINATE CARD USAGE',
};

export function insName(ins: number): string {
  return INS[ins] ?? `INS ${hexNum(ins)}`;
}

/** Instructions whose command data is a secret (PIN, PUK, ADM, key): TS 102 221 11.1.9-11.1.13, GP PUT KEY. */
export const SECRET_COMMAND_INS = new Set([0x20, 0x24, 0x26, 0x28, 0x2c, 0xd8]);
/** Instructions whose response data is secret: AUTHENTICATE returns RES, CK, IK, Kc (TS 31.102 7.1.2). */
export const SECRET_RESPONSE_INS = new Set([0x88, 0x89]);
