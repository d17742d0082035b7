/**
 * Card key diversification from a master key and the 10-byte key diversification data (KDD) the
 * card returns in INITIALIZE UPDATE, under the names GlobalPlatformPro uses:
 * - EMV (EMV CPS v1.1 5.3.2, "EMV CPS"): K = 3DES-ECB(MK, KDD[4..9] || F0 || kk || KDD[4..9] || 0F || kk)
 * - VISA2 (VISA GP 2.1.1 card implementation requirements): KDD[0..1] || KDD[4..7] in place of KDD[4..9]
 * - KDF3 (SCP03, GP Amendment D style KDF): K = AES-CMAC counter KDF(MK, [i] || 00 00 00 kk 00 || KDD)
 * where kk is 01 for ENC, 02 for MAC, 03 for DEK.
 */
import { concatBytes } from '../../util/hex.js';
import { desEcbEncrypt } from '../primitives/des.js';
import { kdfCounterCmac } from '../primitives/kdf.js';
import { ScpError } from './errors.js';

export type Diversification = 'none' | 'emv' | 'visa2' | 'kdf3';
export type KeyPurpose = 'enc' | 'mac' | 'dek';

const KK: Record<KeyPurpose, number> = { enc: 1, mac: 2, dek: 3 };

export function diversifyKey(master: Uint8Array, method: Diversification, kdd: Uint8Array, purpose: KeyPurpose): Uint8Array {
  if (method === 'none') return master.slice();
  if (kdd.length !== 10) throw new ScpError('format', `key diversification data must be 10 bytes, got ${kdd.length}`);
  const kk = KK[purpose];
  if (method === 'emv' || method === 'visa2') {
    if (master.length !== 16) throw new ScpError('key', `${method} diversification needs a 16-byte 3DES master key`);
    const six = method === 'emv' ? kdd.subarray(4, 10) : concatBytes(kdd.subarray(0, 2), kdd.subarray(4, 8));
    const d = concatBytes(six, Uint8Array.of(0xf0, kk), six, Uint8Array.of(0x0f, kk));
    return desEcbEncrypt(master, d);
  }
  if (master.length !== 16 && master.length !== 24 && master.length !== 32) {
    throw new ScpError('key', 'kdf3 diversification needs an AES master key');
  }
  return kdfCounterCmac(master, master.length, { after: concatBytes(Uint8Array.of(0, 0, 0, kk, 0), kdd), counterBytes: 1 });
}

export function diversifyKeys(master: Uint8Array, method: Diversification, kdd: Uint8Array): { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array } {
  return {
    enc: diversifyKey(master, method, kdd, 'enc'),
    mac: diversifyKey(master, method, kdd, 'mac'),
    dek: diversifyKey(master, method, kdd, 'dek'),
  };
}
