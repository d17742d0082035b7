/**
 * The table AES (aes-table.ts) on the FIPS 197 Appendix C example vectors for each key size, and
 * against OpenSSL (node:crypto) on random keys and blocks; AesBlockCipher's CBC and the one-shot
 * aesCbcEncrypt on both sides of their table/OpenSSL threshold against OpenSSL's CBC.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AesEncryptor } from '../../../../src/secure/primitives/aes-table.js';
import { AesBlockCipher, aesCbcEncrypt, CryptoError } from '../../../../src/secure/primitives/index.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const openssl = (key: Uint8Array, data: Uint8Array, iv: Uint8Array | null) =>
  toHex(
    new Uint8Array(
      createCipheriv(`aes-${key.length * 8}-${iv ? 'cbc' : 'ecb'}`, key, iv)
        .setAutoPadding(false)
        .update(data),
    ),
  );

describe('AesEncryptor', () => {
  const PLAIN = fromHex('00112233445566778899aabbccddeeff');
  it.each([
    ['C.1 AES-128', '000102030405060708090a0b0c0d0e0f', '69C4E0D86A7B0430D8CDB78070B4C55A'],
    ['C.2 AES-192', '000102030405060708090a0b0c0d0e0f1011121314151617', 'DDA97CA4864CDFE06EAF70A0EC0D7191'],
    ['C.3 AES-256', '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', '8EA2B7CA516745BFEAFC49904B496089'],
  ])('FIPS 197 %s', (_, key, cipher) => {
    expect(toHex(new AesEncryptor(fromHex(key)).encryptBlock(PLAIN))).toBe(cipher);
  });

  it('agrees with OpenSSL on random keys (16/24/32 bytes) and blocks, reusing one schedule', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.array(fc.uint8Array({ minLength: 16, maxLength: 16 }), { minLength: 1, maxLength: 4 }),
        (key, blocks) => {
          const aes = new AesEncryptor(key);
          for (const b of blocks) expect(toHex(aes.encryptBlock(b))).toBe(openssl(key, b, null));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses other key and block lengths with crypto codes', () => {
    expect(() => new AesEncryptor(new Uint8Array(15))).toThrow(expect.objectContaining({ code: 'crypto.key-length' }));
    expect(() => new AesEncryptor(new Uint8Array(16)).encryptBlock(new Uint8Array(8))).toThrow(CryptoError);
  });
});

describe('AES-CBC on the table AES', () => {
  it('AesBlockCipher CBC encrypt/decrypt and aesCbcEncrypt equal OpenSSL CBC, below and above the one-shot threshold', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 80 }),
        (key, iv, blocks) => {
          const data = Uint8Array.from({ length: blocks * 16 }, (_, i) => (i * 31 + key[0]!) & 0xff);
          const want = openssl(key, data, iv);
          const c = new AesBlockCipher(key);
          expect(toHex(c.cbcEncrypt(data, iv))).toBe(want);
          expect(toHex(aesCbcEncrypt(key, data, iv))).toBe(want);
          const back = c.cbcDecrypt(fromHex(want), iv);
          expect(toHex(back)).toBe(toHex(new Uint8Array(createDecipheriv('aes-128-cbc', key, iv).setAutoPadding(false).update(fromHex(want)))));
          expect(toHex(back)).toBe(toHex(data));
        },
      ),
      { numRuns: 60 },
    );
  });
});
