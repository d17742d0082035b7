/**
 * The ciphering and cryptographic checksum algorithms of ETSI TS 102 225 5.1.2 / 5.1.3, all with
 * an initial chaining value of zero:
 * - ciphering: DES-CBC, 3DES outer-CBC with 2 or 3 keys, DES-ECB, AES-CBC;
 * - CC: DES / 3DES CBC-MAC (ISO 9797-1 MAC algorithm 1 with the padding zeros of 102 225 5.1.1),
 *   AES-CMAC (SP 800-38B) truncated to the CC length (8 octets by default).
 */
import { aesCbcDecrypt, aesCbcEncrypt } from '../primitives/aes.js';
import { aesCmac } from '../primitives/cmac.js';
import { desCbcDecrypt, desCbcEncrypt, desEcbDecrypt, desEcbEncrypt } from '../primitives/des.js';
import { desMacAlg1 } from '../primitives/mac.js';
import { OtaError } from './errors.js';
import type { ChecksumAlgorithm, CipherAlgorithm } from './spi.js';

export function cipherBlockSize(a: CipherAlgorithm): number {
  return a === 'aes-cbc' ? 16 : 8;
}

function cipherKey(a: CipherAlgorithm, key: Uint8Array): Uint8Array {
  const need = a === 'des-cbc' || a === 'des-ecb' ? [8, 16, 24] : a === '3des-2key' ? [16] : a === '3des-3key' ? [24] : a === 'aes-cbc' ? [16, 24, 32] : [];
  if (!need.includes(key.length)) throw new OtaError('key', `KIc algorithm ${a} cannot use a ${key.length}-byte key`);
  // single DES with a longer key: its first 8 bytes
  return (a === 'des-cbc' || a === 'des-ecb') && key.length > 8 ? key.subarray(0, 8) : key;
}

export function otaEncrypt(a: CipherAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = cipherKey(a, key);
  switch (a) {
    case 'des-cbc':
    case '3des-2key':
    case '3des-3key':
      return desCbcEncrypt(k, data);
    case 'des-ecb':
      return desEcbEncrypt(k, data);
    case 'aes-cbc':
      return aesCbcEncrypt(k, data);
    default:
      throw new OtaError('key', `ciphering algorithm ${a} is not supported`);
  }
}

export function otaDecrypt(a: CipherAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = cipherKey(a, key);
  if (data.length % cipherBlockSize(a) !== 0) throw new OtaError('cipher', 'ciphered data is not a multiple of the block size', 0x05);
  switch (a) {
    case 'des-cbc':
    case '3des-2key':
    case '3des-3key':
      return desCbcDecrypt(k, data);
    case 'des-ecb':
      return desEcbDecrypt(k, data);
    case 'aes-cbc':
      return aesCbcDecrypt(k, data);
    default:
      throw new OtaError('key', `ciphering algorithm ${a} is not supported`);
  }
}

export function checksumLength(a: ChecksumAlgorithm, aesLength: 4 | 8 | 16 = 8): number {
  return a === 'aes-cmac' ? aesLength : 8;
}

export function otaChecksum(a: ChecksumAlgorithm, key: Uint8Array, data: Uint8Array, aesLength: 4 | 8 | 16 = 8): Uint8Array {
  switch (a) {
    case 'des-cbc-mac':
      if (![8, 16, 24].includes(key.length)) throw new OtaError('key', `KID DES needs an 8-byte key, got ${key.length}`);
      return desMacAlg1(key.subarray(0, 8), data, { padding: 'method1' });
    case '3des-2key-mac':
      if (key.length !== 16) throw new OtaError('key', `KID 3DES 2-key needs a 16-byte key, got ${key.length}`);
      return desMacAlg1(key, data, { padding: 'method1' });
    case '3des-3key-mac':
      if (key.length !== 24) throw new OtaError('key', `KID 3DES 3-key needs a 24-byte key, got ${key.length}`);
      return desMacAlg1(key, data, { padding: 'method1' });
    case 'aes-cmac':
      if (![16, 24, 32].includes(key.length)) throw new OtaError('key', `KID AES-CMAC needs a 16/24/32-byte key, got ${key.length}`);
      return aesCmac(key, data).slice(0, aesLength);
    default:
      throw new OtaError('key', `checksum algorithm ${a} is not supported`);
  }
}
