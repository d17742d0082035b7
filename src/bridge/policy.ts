/**
 * What a principal may do: which readers (exact names or `*` globs) and whether it is read-only.
 *
 * Read-only is an allow-list of (CLA, INS) pairs: the meaning of an INS depends on its class. On
 * a real card a proprietary class (ISO/IEC 7816-4 5.4.1: CLA with b8 = 1, e.g. GSM 11.11 'A0',
 * GlobalPlatform '80'/'84'), an applet-selected context, or a reader pseudo-APDU (CLA 'FF', PC/SC
 * part 3) decides what a byte means, so only interindustry classes are let through by default:
 *
 * - CLA '00'..'03' and '40'..'4F' (first / further interindustry class, logical channels 0..19,
 *   no secure messaging, no command chaining: the bridge cannot see inside an SM-protected or
 *   chained command) with INS: SELECT (A4), READ BINARY (B0/B1), READ RECORD (B2/B3), SEARCH
 *   RECORD (A2), GET RESPONSE (C0), GET DATA (CA/CB), MANAGE CHANNEL (70), and VERIFY (20)
 *   *without* data (the retry-counter query of TS 102 221 11.1.9, which changes nothing);
 * - CLA '80'..'83' and 'C0'..'CF' (the UICC class of TS 102 221 10.1.1, no SM) with INS STATUS (F2)
 *   only (TS 102 221 11.1.2).
 *
 * Everything else is refused: writes, PIN presentations, AUTHENTICATE, secure messaging (e.g.
 * '0CB0', '84F2'), proprietary classes ('80B0', 'A0B0'), CLA 'FF' ('FFCA', 'FF70'), ... A principal
 * may be allowed more pairs explicitly with `allow` (e.g. `["A0B0", "A0A4", "A0C0"]` for a 2G
 * reader): a list of CLA||INS in hex, exact bytes.
 */
import { hexNum } from '../util/hex.js';
export interface Principal {
  /** stable id for logs and audit (token id or certificate CN); never the secret */
  id: string;
  readers: string[];
  readOnly: boolean;
  /** read-only principals: extra (CLA, INS) pairs as 4 hex digits each, beyond READ_ONLY_DEFAULT */
  allow?: readonly string[];
}

/** interindustry INS a read-only principal may send */
const INTERINDUSTRY_READ_INS = new Set([
  0xa4, // SELECT
  0xb0, // READ BINARY
  0xb1, // READ BINARY (odd)
  0xb2, // READ RECORD
  0xb3, // READ RECORD (odd)
  0xa2, // SEARCH RECORD
  0xc0, // GET RESPONSE
  0xca, // GET DATA
  0xcb, // GET DATA (odd)
  0x70, // MANAGE CHANNEL
]);

/** ISO/IEC 7816-4 5.4.1: interindustry class without secure messaging or chaining */
function plainInterindustry(cla: number): boolean {
  if ((cla & 0xe0) === 0x00) return (cla & 0x1c) === 0; // first interindustry '0X': b5 chaining, b4-b3 SM
  if ((cla & 0xc0) === 0x40) return (cla & 0x30) === 0; // further interindustry '4X'-'7X': b6 SM, b5 chaining
  return false;
}

/** TS 102 221 10.1.1: the UICC class '8X' (channels 0..3) / 'CX' (channels 4..19), no SM */
function uiccClass(cla: number): boolean {
  return (cla & 0xfc) === 0x80 || (cla & 0xf0) === 0xc0;
}

/** Whether a read-only principal may send this C-APDU (header bytes CLA INS P1 P2 [Lc|Le]). */
export function readOnlyAllows(capdu: Uint8Array, extra?: readonly string[]): boolean {
  const cla = capdu[0];
  const ins = capdu[1];
  if (cla === undefined || ins === undefined || capdu.length < 4) return false;
  if (extra?.length) {
    const pair = hexNum((cla << 8) | ins, 4);
    if (extra.some((a) => a.toUpperCase() === pair)) return true;
  }
  if (plainInterindustry(cla)) {
    if (INTERINDUSTRY_READ_INS.has(ins)) return true;
    // VERIFY PIN with no command data (case 1: 4 bytes, or only Le) = query of the retry counter
    if (ins === 0x20) return capdu.length <= 5;
    return false;
  }
  if (uiccClass(cla)) return ins === 0xf2;
  return false;
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${esc}$`, 's');
}

export function readerAllowed(p: Principal, reader: string): boolean {
  return p.readers.some((g) => (g.includes('*') ? globToRegExp(g).test(reader) : g === reader));
}
