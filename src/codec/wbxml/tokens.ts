/**
 * WBXML global tokens and header constants: WAP-192-WBXML-20010725-a, section 7.1 (global tokens,
 * identical in every code page) and section 5.8.4 (their meaning).
 */
import { hexNum } from '../../util/hex.js';

/** Global tokens (section 7.1). The names are the spec's. */
export const GLOBAL = {
  SWITCH_PAGE: 0x00,
  END: 0x01,
  ENTITY: 0x02,
  STR_I: 0x03,
  LITERAL: 0x04,
  EXT_I_0: 0x40,
  EXT_I_1: 0x41,
  EXT_I_2: 0x42,
  PI: 0x43,
  LITERAL_C: 0x44,
  EXT_T_0: 0x80,
  EXT_T_1: 0x81,
  EXT_T_2: 0x82,
  STR_T: 0x83,
  LITERAL_A: 0x84,
  EXT_0: 0xc0,
  EXT_1: 0xc1,
  EXT_2: 0xc2,
  OPAQUE: 0xc3,
  LITERAL_AC: 0xc4,
} as const;

export type GlobalTokenName = keyof typeof GLOBAL;

const NAMES = new Map<number, GlobalTokenName>((Object.entries(GLOBAL) as [GlobalTokenName, number][]).map(([k, v]) => [v, k]));

/** The global token's name, or undefined if `byte` is not a global token. */
export function globalTokenName(byte: number): GlobalTokenName | undefined {
  return NAMES.get(byte);
}

/** Tag token bits (section 5.8.2): bit 7 = attributes follow, bit 6 = content follows. */
export const TAG_HAS_ATTRS = 0x80;
export const TAG_HAS_CONTENT = 0x40;
export const TAG_CODE_MASK = 0x3f;

/** Is `b` a global token in the attribute state? (section 5.8.3: 0x00-0x04, 0x40-0x44, 0x80-0x84, 0xC0-0xC4) */
export function isGlobalInAttrState(b: number): boolean {
  return (b & 0x3f) <= 0x04;
}

/** Character sets this codec reads and writes, as IANA MIBenum (section 5.6). */
export const CHARSET = {
  'US-ASCII': 3,
  'ISO-8859-1': 4,
  'UTF-8': 106,
} as const;

export type CharsetName = keyof typeof CHARSET;

export function charsetName(mib: number): CharsetName | undefined {
  for (const [k, v] of Object.entries(CHARSET)) if (v === mib) return k as CharsetName;
  return undefined;
}

/** WBXML version byte: major-1 in the high nibble, minor in the low nibble (section 5.4). */
export const VERSION = { '1.0': 0x00, '1.1': 0x01, '1.2': 0x02, '1.3': 0x03 } as const;

export function hexByte(b: number): string {
  return '0x' + hexNum(b);
}
