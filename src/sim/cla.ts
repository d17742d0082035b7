/**
 * Class byte checks of the virtual UICC, ETSI TS 102 221 10.1.1 (table 10.3) and ISO/IEC 7816-4
 * 5.4.1:
 * - '0X' (first interindustry: b5 chaining, b4-b3 secure messaging, b2-b1 channel 0-3),
 *   '4X'/'6X' (further interindustry: b6 secure messaging, b4-b1 channel 4-19) carry the ISO
 *   commands (SELECT, READ BINARY, VERIFY ...);
 * - '8X', 'CX', 'EX' (the same codings with b8 set) carry the UICC-specific ones (STATUS, and the
 *   GlobalPlatform/CAT commands of the applets);
 * - 'A0' is the GSM class of TS 51.011: a UICC-only card does not support it;
 * - anything else is not a class a UICC supports.
 * The answers: 6E00 "class not supported" (TS 102 221 10.2.1.4), 6882 "secure messaging not
 * supported" and 6884 "command chaining not supported" (ISO 7816-4 table 6).
 */

export const GSM_CLASS = 0xa0;

export type ClassFamily = 'interindustry' | 'proprietary' | 'gsm' | 'unsupported';

/** Which family a CLA belongs to (TS 102 221 table 10.3). */
export function classFamily(cla: number): ClassFamily {
  if (cla === GSM_CLASS) return 'gsm';
  const hi = cla & 0xf0;
  if (hi === 0x00 || hi === 0x10 || hi === 0x40 || hi === 0x50 || hi === 0x60 || hi === 0x70) return 'interindustry';
  if (hi === 0x80 || hi === 0xc0 || hi === 0xd0 || hi === 0xe0 || hi === 0xf0) return cla === 0xff ? 'unsupported' : 'proprietary';
  return 'unsupported';
}

/** Secure messaging indicated: b4-b3 for the first, b6 for the further interindustry coding. */
export function hasSecureMessaging(cla: number): boolean {
  return (cla & 0x40) === 0 ? (cla & 0x0c) !== 0 : (cla & 0x20) !== 0;
}

/** Command chaining bit (b5), ISO 7816-4 5.4.1. */
export function isChained(cla: number): boolean {
  return (cla & 0x10) !== 0;
}

/** Instructions the UICC takes in the interindustry class only (TS 102 221 table 10.5). */
const ISO_INS = new Set([0xa4, 0xb0, 0xd6, 0xb2, 0xdc, 0xa2, 0x20, 0x24, 0x26, 0x28, 0x2c, 0x04, 0x44, 0x70, 0xc0, 0x88, 0x89, 0x84]);
/** Instructions the UICC takes in the UICC-specific class '8X'/'CX'/'EX' only. */
const UICC_INS = new Set([0xf2, 0x32, 0x10, 0xc2, 0x12, 0x14, 0xaa, 0x76]);

/**
 * The class check for a built-in command: undefined when CLA and INS go together, else the SW.
 * Instructions the card does not know are left to the INS check (6D00).
 */
export function classCheck(cla: number, ins: number): number | undefined {
  const fam = classFamily(cla);
  if (fam === 'gsm' || fam === 'unsupported') return 0x6e00;
  if (ISO_INS.has(ins) && fam !== 'interindustry') return 0x6e00;
  if (UICC_INS.has(ins) && fam !== 'proprietary') return 0x6e00;
  if (isChained(cla)) return 0x6884;
  if (hasSecureMessaging(cla)) return 0x6882;
  return undefined;
}
