/** Response Status Codes of the response packet (ETSI TS 102 225 5.2.2, Table 6). */
import { hexNum } from '../../util/hex.js';
export const PorStatus = {
  OK: 0x00,
  RC_CC_DS_FAILED: 0x01,
  CNTR_LOW: 0x02,
  CNTR_HIGH: 0x03,
  CNTR_BLOCKED: 0x04,
  CIPHERING_ERROR: 0x05,
  UNIDENTIFIED_SECURITY_ERROR: 0x06,
  INSUFFICIENT_MEMORY: 0x07,
  MORE_TIME: 0x08,
  TAR_UNKNOWN: 0x09,
  INSUFFICIENT_SECURITY_LEVEL: 0x0a,
  RESPONSE_VIA_SUBMIT: 0x0b,
  RESPONSE_VIA_PROCESS_TOOLKIT: 0x0c,
} as const;

const TEXT: Record<number, string> = {
  0x00: 'PoR OK',
  0x01: 'RC/CC/DS failed',
  0x02: 'CNTR low',
  0x03: 'CNTR high',
  0x04: 'CNTR blocked',
  0x05: 'ciphering error',
  0x06: 'unidentified security error',
  0x07: 'insufficient memory to process incoming message',
  0x08: 'more time needed',
  0x09: 'TAR unknown',
  0x0a: 'insufficient security level',
  0x0b: 'actual response data to be sent using SMS-SUBMIT',
  0x0c: 'actual response data to be sent using a PROCESS TOOLKIT command',
};

export function porStatusText(code: number): string {
  return TEXT[code] ?? `reserved status ${hexNum(code, 2)}`;
}
