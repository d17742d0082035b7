/**
 * Key check values.
 * - DES/3DES: the first 3 bytes of E(K, 00..00) (GP Card Spec 11.8.2.3.x; ANSI X9.24).
 * - AES: the first 3 bytes of E(K, 01..01) (GP Card Spec v2.2 Amendment D 7.6 / GP 2.3 Table 11-72).
 */
import { aesEcbEncrypt } from './aes.js';
import { desEcbEncrypt } from './des.js';

export function kcvDes(key: Uint8Array, len = 3): Uint8Array {
  return desEcbEncrypt(key, new Uint8Array(8)).slice(0, len);
}

export function kcvAes(key: Uint8Array, len = 3): Uint8Array {
  return aesEcbEncrypt(key, new Uint8Array(16).fill(1)).slice(0, len);
}
