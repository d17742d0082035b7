/**
 * Status words: ISO/IEC 7816-4 section 5.6 and ETSI TS 102 221 section 10.2.
 * Every SW maps to a typed result with a message; unknown ones still get their class's meaning.
 */
import { SimdmError } from '../errors.js';
import { hexNum } from '../util/hex.js';

export type SwStatus = 'ok' | 'warning' | 'error';

export interface SwInfo {
  sw: number;
  status: SwStatus;
  message: string;
  /** 63Cx: verification failed (or internal retry), x retries left */
  retries?: number;
  /** 61xx / 6Cxx / 91xx: the byte count the card announces */
  available?: number;
}

/** TS 102 221 10.2.1 and ISO 7816-4 table 5/6: exact status words. */
const EXACT: Record<number, [SwStatus, string]> = {
  0x9000: ['ok', 'normal ending'],
  0x9300: ['error', 'SIM Application Toolkit busy, command cannot be executed now'],
  0x6200: ['warning', 'no information given, state of non-volatile memory unchanged'],
  0x6281: ['warning', 'part of returned data may be corrupted'],
  0x6282: ['warning', 'end of file/record reached before reading Le bytes'],
  0x6283: ['warning', 'selected file invalidated'],
  0x6285: ['warning', 'selected file in termination state'],
  0x62f1: ['warning', 'more data available'],
  0x62f2: ['warning', 'more data available and proactive command pending'],
  0x62f3: ['warning', 'response data available'],
  0x63f1: ['warning', 'more data expected'],
  0x63f2: ['warning', 'more data expected and proactive command pending'],
  0x6400: ['error', 'execution error, state of non-volatile memory unchanged'],
  0x6500: ['error', 'execution error, state of non-volatile memory changed'],
  0x6581: ['error', 'memory problem'],
  0x6700: ['error', 'wrong length'],
  0x6800: ['error', 'function in CLA not supported'],
  0x6881: ['error', 'logical channel not supported'],
  0x6882: ['error', 'secure messaging not supported'],
  0x6900: ['error', 'command not allowed, no information given'],
  0x6981: ['error', 'command incompatible with file structure'],
  0x6982: ['error', 'security status not satisfied'],
  0x6983: ['error', 'authentication/PIN method blocked'],
  0x6984: ['error', 'referenced data invalidated'],
  0x6985: ['error', 'conditions of use not satisfied'],
  0x6986: ['error', 'command not allowed (no EF selected)'],
  0x6989: ['error', 'command not allowed, secure channel security not satisfied'],
  0x6a80: ['error', 'incorrect parameters in the data field'],
  0x6a81: ['error', 'function not supported'],
  0x6a82: ['error', 'file or application not found'],
  0x6a83: ['error', 'record not found'],
  0x6a84: ['error', 'not enough memory space'],
  0x6a86: ['error', 'incorrect parameters P1 to P2'],
  0x6a87: ['error', 'Lc inconsistent with P1 to P2'],
  0x6a88: ['error', 'referenced data not found'],
  0x6a89: ['error', 'file already exists'],
  0x6a8a: ['error', 'DF name already exists'],
  0x6b00: ['error', 'wrong parameter(s) P1-P2'],
  0x6d00: ['error', 'instruction code not supported or invalid'],
  0x6e00: ['error', 'class not supported'],
  0x6f00: ['error', 'technical problem, no precise diagnosis'],
  0x9850: ['error', 'INCREASE cannot be performed, maximum value reached'],
  0x9862: ['error', 'authentication error, incorrect MAC'],
  0x9863: ['error', 'security session or association expired'],
  0x9864: ['error', 'minimum UICC suspension time is too long'],
};

export function describeSw(sw: number): SwInfo {
  const hex = swHex(sw);
  const e = EXACT[sw];
  if (e) return { sw, status: e[0], message: e[1] };
  const s1 = sw >> 8;
  const x = sw & 0xff;
  switch (s1) {
    case 0x61:
      return { sw, status: 'ok', message: `${x || 256} response bytes available`, available: x || 256 };
    case 0x9f: // GSM 11.11 equivalent of 61xx
      return { sw, status: 'ok', message: `${x || 256} response bytes available (GSM)`, available: x || 256 };
    case 0x91:
      return { sw, status: 'ok', message: `normal ending, proactive command of ${x} bytes pending`, available: x };
    case 0x92:
      return { sw, status: 'ok', message: 'normal ending, with information on an ongoing data transfer session' };
    case 0x6c:
      return { sw, status: 'error', message: `wrong Le: ${x || 256} bytes available`, available: x || 256 };
    case 0x63:
      if ((x & 0xf0) === 0xc0) {
        const n = x & 0x0f;
        return { sw, status: 'warning', message: `verification failed, ${n} ${n === 1 ? 'retry' : 'retries'} left`, retries: n };
      }
      return { sw, status: 'warning', message: 'state of non-volatile memory changed' };
    case 0x62:
      return { sw, status: 'warning', message: 'state of non-volatile memory unchanged' };
    case 0x64:
    case 0x65:
    case 0x66:
      return { sw, status: 'error', message: 'execution error' };
    case 0x67:
      return { sw, status: 'error', message: 'wrong length' };
    case 0x68:
      return { sw, status: 'error', message: 'function in CLA not supported' };
    case 0x69:
      return { sw, status: 'error', message: 'command not allowed' };
    case 0x6a:
      return { sw, status: 'error', message: 'wrong parameters' };
    case 0x6f:
      return { sw, status: 'error', message: 'technical problem' };
    case 0x98:
      return { sw, status: 'error', message: 'application error' };
    default:
      return { sw, status: 'error', message: `unknown status word ${hex}` };
  }
}

export function swHex(sw: number): string {
  return hexNum(sw, 4);
}

/** "6982 security status not satisfied" */
export function swText(sw: number): string {
  return `${swHex(sw)} ${describeSw(sw).message}`;
}

export function isSuccess(sw: number): boolean {
  return describeSw(sw).status === 'ok';
}

/** The card answered with a status word other than success. Carries the SW and the instruction. */
export class SwError extends SimdmError {
  readonly sw: number;
  readonly info: SwInfo;
  constructor(sw: number, what: string, hint?: string) {
    const info = describeSw(sw);
    super(`sw.${swHex(sw)}`, `${what}: ${info.message} (${swHex(sw)})${hint ? `: ${hint}` : ''}`);
    this.sw = sw;
    this.info = info;
  }
}
