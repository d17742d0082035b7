/**
 * TUAK on the published test data of 3GPP TS 35.233 clause 6 (test sets 1-6: 128/256-bit K,
 * MAC 64/128/256, RES 32/64/128/256, CK/IK 128/256, Keccak iterations 1 and 2), and Keccak-f[1600]
 * on FIPS 202 SHA3-256 examples and against Node's own SHA3 (OpenSSL) on random messages.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { keccakF1600 } from '../../../../src/secure/aka/keccak.js';
import { Tuak, tuakTopc } from '../../../../src/secure/aka/tuak.js';
import { AkaError } from '../../../../src/secure/aka/errors.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const h = (s: string) => fromHex(s);
const lc = (b: Uint8Array) => toHex(b).toLowerCase();

/** SHA3-256 sponge over our permutation (FIPS 202: rate 1088, suffix 01, pad10*1). */
function sha3_256(msg: Uint8Array): string {
  const rate = 136;
  const s = new Uint8Array(200);
  const p = new Uint8Array(Math.ceil((msg.length + 1) / rate) * rate);
  p.set(msg);
  p[msg.length]! ^= 0x06;
  p[p.length - 1]! ^= 0x80;
  for (let o = 0; o < p.length; o += rate) {
    for (let i = 0; i < rate; i++) s[i]! ^= p[o + i]!;
    keccakF1600(s);
  }
  return lc(s.slice(0, 32));
}

describe('Keccak-f[1600]', () => {
  it('FIPS 202 SHA3-256 examples: empty message and "abc"', () => {
    expect(sha3_256(new Uint8Array(0))).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
    expect(sha3_256(new TextEncoder().encode('abc'))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
  });
  it('Keccak team intermediate values: f on the all-zero state starts F1258F7940E1DDE7 (lane 0)', () => {
    const z = new Uint8Array(200);
    keccakF1600(z);
    expect(lc(z.slice(0, 8).reverse())).toBe('f1258f7940e1dde7');
  });
  it('agrees with OpenSSL SHA3-256 (node:crypto) on random messages of 0..400 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (m) => {
        expect(sha3_256(m)).toBe(createHash('sha3-256').update(m).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });
});

interface TuakSet {
  name: string;
  k: string;
  rand: string;
  sqn: string;
  amf: string;
  top: string;
  iter: number;
  topc: string;
  f1: string;
  f1star: string;
  f2: string;
  f3: string;
  f4: string;
  f5: string;
  f5star: string;
}

// 3GPP TS 35.233 clauses 6.3-6.8 (numbers as published; also in libosmocore's tests/tuak)
const SETS: TuakSet[] = [
  {
    name: 'TS 35.233 6.3 test set 1',
    k: 'abababababababababababababababab',
    rand: '42424242424242424242424242424242',
    sqn: '111111111111',
    amf: 'ffff',
    top: '5555555555555555555555555555555555555555555555555555555555555555',
    iter: 1,
    topc: 'bd04d9530e87513c5d837ac2ad954623a8e2330c115305a73eb45d1f40cccbff',
    f1: 'f9a54e6aeaa8618d',
    f1star: 'e94b4dc6c7297df3',
    f2: '657acd64',
    f3: 'd71a1e5c6caffe986a26f783e5c78be1',
    f4: 'be849fa2564f869aecee6f62d4337e72',
    f5: '719f1e9b9054',
    f5star: 'e7af6b3d0e38',
  },
  {
    name: 'TS 35.233 6.4 test set 2',
    k: 'fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0',
    rand: '0123456789abcdef0123456789abcdef',
    sqn: '0123456789ab',
    amf: 'abcd',
    top: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
    iter: 1,
    topc: '305425427e18c503c8a4b294ea72c95d0c36c6c6b29d0c65de5974d5977f8524',
    f1: 'c0b8c2d4148ec7aa5f1d78a97e4d1d58',
    f1star: 'ef81af7290f7842c6ceafa537fa0745b',
    f2: 'e9d749dc4eea0035',
    f3: 'a4cb6f6529ab17f8337f27baa8234d47',
    f4: '2274155ccf4199d5e2abcbf621907f90',
    f5: '480a9345cc1e',
    f5star: 'f84eb338848c',
  },
  {
    name: 'TS 35.233 6.5 test set 3',
    k: 'fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0',
    rand: '0123456789abcdef0123456789abcdef',
    sqn: '0123456789ab',
    amf: 'abcd',
    top: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
    iter: 1,
    topc: '305425427e18c503c8a4b294ea72c95d0c36c6c6b29d0c65de5974d5977f8524',
    f1: 'd97b75a1776065271b1e212bc3b1bf173f438b21e6c64a55a96c372e085e5cc5',
    f1star: '427bbf07c6e3a86c54f8c5216499f3909a6fd4a164c9fe235b1550258111b821',
    f2: '07021c73e7635c7d',
    f3: '4d59ac796834eb85d11fa148a5058c3c',
    f4: '126d47500136fdc5ddfd14f19ebf16749ce4b6435323fbb5715a3a796a6082bd',
    f5: '1d6622c4e59a',
    f5star: 'f84eb338848c',
  },
  {
    name: 'TS 35.233 6.6 test set 4',
    k: 'b8da837a50652d6ac7c97da14f6acc61',
    rand: '6887e55425a966bd86c9661a5fa72be8',
    sqn: '0dea2ee2c5af',
    amf: 'df1e',
    top: '0952be13556c32ebc58195d9dd930493e12a9003669988ffde5fa1f0fe35cc01',
    iter: 1,
    topc: '2bc16eb657a68e1f446f08f57c0efb1d493527a2e652ce281eb6ca0e4487760a',
    f1: '749214087958dd8f58bfcdf869d8ae3f',
    f1star: '619e865afe80e382aee13063f9dfb56d',
    f2: '4041ce438e3e38e8aa96562eed83ac43',
    f3: '3e3bc01bea0cd914c4c2c83ce2d92757',
    f4: '666a8e6f577b1aa77b7fd53cebb8a3d6',
    f5: '1f880d005119',
    f5star: '45e617d77fe5',
  },
  {
    name: 'TS 35.233 6.7 test set 5',
    k: '1574ca56881d05c189c82880f789c9cd4244955f4426aa2b69c29f15770e5aa5',
    rand: 'c570aac68cde651fb1e3088322498bef',
    sqn: 'c89bb71f3a41',
    amf: '297d',
    top: 'e59f6eb10ea406813f4991b0b9e02f181edf4c7e17b480f66d34da35ee88c95e',
    iter: 1,
    topc: '3c6052e41532a28a47aa3cbb89f223e8f3aaa976aecd48bc3e7d6165a55eff62',
    f1: 'd7340dad02b4cb01',
    f1star: 'c6021e2e66accb15',
    f2: '84d89b41db1867ffd4c7ba1d82163f4d526a20fbae5418fbb526940b1eeb905c',
    f3: 'd419676afe5ab58c1d8bee0d43523a4d2f52ef0b31a4676a0c334427a988fe65',
    f4: '205533e505661b61d05cc0eac87818f4',
    f5: 'd7b3d2d4980a',
    f5star: 'ca9655264986',
  },
  {
    name: 'TS 35.233 6.8 test set 6 (2 Keccak iterations)',
    k: '1574ca56881d05c189c82880f789c9cd4244955f4426aa2b69c29f15770e5aa5',
    rand: 'c570aac68cde651fb1e3088322498bef',
    sqn: 'c89bb71f3a41',
    amf: '297d',
    top: 'e59f6eb10ea406813f4991b0b9e02f181edf4c7e17b480f66d34da35ee88c95e',
    iter: 2,
    topc: 'b04a66f26c62fcd6c82de22a179ab65506ecf47f56245cd149966cfa9cec7a51',
    f1: '90d2289ed1ca1c3dbc2247bb480d431ac71d2e4a7677f6e997cfddb0cbad88b7',
    f1star: '427355dbac30e825063aba61b556e87583abac638e3ab01c4c884ad9d458dc2f',
    f2: 'd67e6e64590d22eecba7324afa4af4460c93f01b24506d6e12047d789a94c867',
    f3: 'ede57edfc57cdffe1aae75066a1b7479bbc3837438e88d37a801cccc9f972b89',
    f4: '48ed9299126e5057402fe01f9201cf25249f9c5c0ed2afcf084755daff1d3999',
    f5: '6aae8d18c448',
    f5star: '8c5f33b61f4e',
  },
];

describe('TUAK on TS 35.233 test sets 1-6', () => {
  for (const t of SETS) {
    it(t.name, () => {
      expect(lc(tuakTopc(h(t.k), h(t.top), t.iter))).toBe(t.topc);
      const tuak = new Tuak(h(t.k), h(t.topc), {
        macLength: (t.f1.length / 2) as 8 | 16 | 32,
        resLength: (t.f2.length / 2) as 4 | 8 | 16 | 32,
        ckLength: (t.f3.length / 2) as 16 | 32,
        ikLength: (t.f4.length / 2) as 16 | 32,
        keccakIterations: t.iter,
      });
      expect(lc(tuak.f1(h(t.rand), h(t.sqn), h(t.amf)))).toBe(t.f1);
      expect(lc(tuak.f1star(h(t.rand), h(t.sqn), h(t.amf)))).toBe(t.f1star);
      const o = tuak.f2345(h(t.rand));
      expect(lc(o.res)).toBe(t.f2);
      expect(lc(o.ck)).toBe(t.f3);
      expect(lc(o.ik)).toBe(t.f4);
      expect(lc(o.ak)).toBe(t.f5);
      expect(lc(tuak.f5star(h(t.rand)))).toBe(t.f5star);
    });
  }
  it('fromTop equals new Tuak(k, topc)', () => {
    const t = SETS[3]!;
    expect(lc(Tuak.fromTop(h(t.k), h(t.top), { macLength: 16, resLength: 16 }).f1(h(t.rand), h(t.sqn), h(t.amf)))).toBe(t.f1);
  });
  it('rejects bad lengths', () => {
    expect(() => new Tuak(randomBytes(24), randomBytes(32))).toThrow(AkaError);
    expect(() => new Tuak(randomBytes(16), randomBytes(32), { resLength: 12 as 8 })).toThrow(/RES length/);
    expect(() => tuakTopc(randomBytes(16), randomBytes(16))).toThrow(/TOP must be 32 bytes/);
  });
});
