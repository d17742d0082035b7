import { describe, expect, it } from 'vitest';
import { aesCmac, AesCmacKey, cmacSubkeys } from '../../../../src/secure/primitives/cmac.js';
import { AesBlockCipher } from '../../../../src/secure/primitives/aes.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

// RFC 4493 section 4 (AES-128) and NIST SP 800-38B Appendix D.2/D.3 (AES-192/256) example vectors.
const M = '6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' + '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710';

describe('AES-CMAC', () => {
  const k128 = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  it('RFC 4493 subkeys', () => {
    const { k1, k2 } = cmacSubkeys(k128);
    expect(toHex(k1)).toBe('FBEED618357133667C85E08F7236A8DE');
    expect(toHex(k2)).toBe('F7DDAC306AE266CCF90BC11EE46D513B');
  });
  const cases128: [number, string][] = [
    [0, 'BB1D6929E95937287FA37D129B756746'],
    [16, '070A16B46B4D4144F79BDD9DD04A287C'],
    [40, 'DFA66747DE9AE63030CA32611497C827'],
    [64, '51F0BEBF7E3B9D92FC49741779363CFE'],
  ];
  for (const [len, tag] of cases128) {
    it(`RFC 4493 AES-128 example, Mlen=${len}`, () => {
      expect(toHex(aesCmac(k128, fromHex(M.slice(0, len * 2))))).toBe(tag);
    });
  }
  const k192 = fromHex('8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b');
  const cases192: [number, string][] = [
    [0, 'D17DDF46ADAACDE531CAC483DE7A9367'],
    [16, '9E99A7BF31E710900662F65E617C5184'],
    [40, '8A1DE5BE2EB31AAD089A82E6EE908B0E'],
    [64, 'A1D5DF0EED790F794D77589659F39A11'],
  ];
  for (const [len, tag] of cases192) {
    it(`SP 800-38B AES-192 example, Mlen=${len}`, () => {
      expect(toHex(aesCmac(k192, fromHex(M.slice(0, len * 2))))).toBe(tag);
    });
  }
  const k256 = fromHex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
  const cases256: [number, string][] = [
    [0, '028962F61B7BF89EFC6B551F4667D983'],
    [16, '28A7023F452E8F82BD4BF28D8C37C35C'],
    [40, 'AAF3D8F1DE5640C232F5B169B9C911E6'],
    [64, 'E1992190549F6ED5696A2C056C315410'],
  ];
  for (const [len, tag] of cases256) {
    it(`SP 800-38B AES-256 example, Mlen=${len}`, () => {
      expect(toHex(aesCmac(k256, fromHex(M.slice(0, len * 2))))).toBe(tag);
    });
  }
  it('AesCmacKey (precomputed subkeys, open cipher) gives the same RFC 4493 / SP 800-38B tags', () => {
    for (const [key, cases] of [
      [k128, cases128],
      [k192, cases192],
      [k256, cases256],
    ] as const) {
      const ck = new AesCmacKey(key);
      for (const [len, tag] of cases) expect(toHex(ck.mac(fromHex(M.slice(0, len * 2))))).toBe(tag);
    }
  });
  it('AesBlockCipher CBC: SP 800-38A F.2.1/F.2.2 CBC-AES128', () => {
    const c = new AesBlockCipher(k128);
    const iv = fromHex('000102030405060708090a0b0c0d0e0f');
    const ct = c.cbcEncrypt(fromHex(M), iv);
    expect(toHex(ct)).toBe('7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B273BED6B8E3C1743B7116E69E222295163FF1CAA1681FAC09120ECA307586E1A7');
    expect(toHex(c.cbcDecrypt(ct, iv))).toBe(M.toUpperCase());
  });
  it('rejects bad key length with a typed error', () => {
    expect(() => aesCmac(new Uint8Array(15), new Uint8Array(0))).toThrow(/16, 24 or 32/);
  });
});
