/**
 * Security Parameter Indicator (ETSI TS 102 225 5.1.1, coding of the SPI) and the KIc / KID
 * algorithm bytes (5.1.2 / 5.1.3), decoded to typed objects and back.
 */
import { OtaError } from './errors.js';
import { hexNum } from '../../util/hex.js';

export type Integrity = 'none' | 'rc' | 'cc' | 'ds';
/** b5b4 of SPI1: no counter; counter available (no check); process if higher; process if one higher */
export type CounterPolicy = 'none' | 'available' | 'higher' | 'one-higher';
export type PorRequest = 'none' | 'always' | 'on-error';

export interface Spi {
  integrity: Integrity;
  ciphering: boolean;
  counter: CounterPolicy;
  por: PorRequest;
  porIntegrity: Integrity;
  porCiphering: boolean;
  /** b6 of SPI2: PoR sent with SMS-SUBMIT (true) or in the SMS-DELIVER-REPORT (false) */
  porViaSubmit: boolean;
}

const INTEGRITY: Integrity[] = ['none', 'rc', 'cc', 'ds'];
const COUNTER: CounterPolicy[] = ['none', 'available', 'higher', 'one-higher'];
const POR: (PorRequest | undefined)[] = ['none', 'always', 'on-error', undefined];

export function decodeSpi(b: Uint8Array | number): Spi {
  const s1 = typeof b === 'number' ? (b >> 8) & 0xff : b[0]!;
  const s2 = typeof b === 'number' ? b & 0xff : b[1]!;
  if (typeof b !== 'number' && b.length !== 2) throw new OtaError('format', `SPI must be 2 bytes, got ${b.length}`);
  const por = POR[s2 & 0x03];
  if (!por) throw new OtaError('format', 'SPI2 PoR field 11 is reserved');
  return {
    integrity: INTEGRITY[s1 & 0x03]!,
    ciphering: (s1 & 0x04) !== 0,
    counter: COUNTER[(s1 >> 3) & 0x03]!,
    por,
    porIntegrity: INTEGRITY[(s2 >> 2) & 0x03]!,
    porCiphering: (s2 & 0x10) !== 0,
    porViaSubmit: (s2 & 0x20) !== 0,
  };
}

export function encodeSpi(s: Spi): Uint8Array {
  const s1 = INTEGRITY.indexOf(s.integrity) | (s.ciphering ? 0x04 : 0) | (COUNTER.indexOf(s.counter) << 3);
  const s2 = POR.indexOf(s.por) | (INTEGRITY.indexOf(s.porIntegrity) << 2) | (s.porCiphering ? 0x10 : 0) | (s.porViaSubmit ? 0x20 : 0);
  return Uint8Array.of(s1, s2);
}

export type CipherAlgorithm = 'implicit' | 'des-cbc' | '3des-2key' | '3des-3key' | 'des-ecb' | 'aes-cbc' | 'proprietary';
export type ChecksumAlgorithm = 'implicit' | 'des-cbc-mac' | '3des-2key-mac' | '3des-3key-mac' | 'aes-cmac' | 'proprietary';

export interface KeyIdentifier<A> {
  algorithm: A;
  /** b8-b5: the key index in the receiving entity's key set */
  keyIndex: number;
}

/** KIc (TS 102 225 5.1.2): b2b1 family (00 implicit, 01 DES, 10 AES, 11 proprietary), b4b3 mode. */
export function decodeKic(b: number): KeyIdentifier<CipherAlgorithm> {
  const fam = b & 0x03;
  const mode = (b >> 2) & 0x03;
  let algorithm: CipherAlgorithm;
  if (fam === 0) algorithm = 'implicit';
  else if (fam === 3) algorithm = 'proprietary';
  else if (fam === 1) algorithm = (['des-cbc', '3des-2key', '3des-3key', 'des-ecb'] as const)[mode];
  else {
    if (mode !== 0) throw new OtaError('key', `KIc ${hexNum(b)}: AES mode ${mode} is reserved`);
    algorithm = 'aes-cbc';
  }
  return { algorithm, keyIndex: b >> 4 };
}

/** KID (TS 102 225 5.1.3): for DES b4b3 00 DES, 01 3DES 2 keys, 10 3DES 3 keys; for AES 00 = CMAC. */
export function decodeKid(b: number): KeyIdentifier<ChecksumAlgorithm> {
  const fam = b & 0x03;
  const mode = (b >> 2) & 0x03;
  let algorithm: ChecksumAlgorithm;
  if (fam === 0) algorithm = 'implicit';
  else if (fam === 3) algorithm = 'proprietary';
  else if (fam === 1) {
    if (mode === 3) throw new OtaError('key', `KID ${hexNum(b)}: DES mode 11 is reserved`);
    algorithm = (['des-cbc-mac', '3des-2key-mac', '3des-3key-mac'] as const)[mode]!;
  } else {
    if (mode !== 0) throw new OtaError('key', `KID ${hexNum(b)}: AES mode ${mode} is reserved`);
    algorithm = 'aes-cmac';
  }
  return { algorithm, keyIndex: b >> 4 };
}
