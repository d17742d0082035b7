/**
 * SCP02 against pySim's tests/unittests/test_globalplatform.py (SCP02_Test, PutKey_PSK_Test) and
 * GlobalPlatformPro's TestPlaintextKeys (session key KCVs, key encryption, diversification KCVs).
 */
import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand } from '../../../../src/apdu/command.js';
import { diversifyKeys } from '../../../../src/secure/gp/diversify.js';
import { Scp02CardSession, Scp02Session, scp02SessionKeys } from '../../../../src/secure/gp/scp02.js';
import { kcvAes, kcvDes } from '../../../../src/secure/primitives/kcv.js';
import { kdfCounterCmac } from '../../../../src/secure/primitives/kdf.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const KEYS = {
  enc: fromHex('100102030405060708090a0b0c0d0e0f'),
  mac: fromHex('101102030405060708090a0b0c0d0e0f'),
  dek: fromHex('102102030405060708090a0b0c0d0e0f'),
};
const HC = fromHex('40A62C37FA6304F8');
const IU_RSP = fromHex('00000000000000000000700200016B4524ABEE7CF32EA3838BC148F3');

function open(): Scp02Session {
  const s = new Scp02Session(KEYS, { hostChallenge: HC });
  expect(toHex(encodeCommand(s.initializeUpdate()))).toBe('805000000840A62C37FA6304F800');
  s.processInitializeUpdate(IU_RSP);
  return s;
}

describe('SCP02 host (pySim vectors)', () => {
  it('INITIALIZE UPDATE with KVN 0x20 and EXTERNAL AUTHENTICATE', () => {
    const s = new Scp02Session(KEYS, { kvn: 0x20, hostChallenge: HC });
    expect(toHex(encodeCommand(s.initializeUpdate()))).toBe('805020000840A62C37FA6304F800');
    s.processInitializeUpdate(IU_RSP);
    expect(toHex(encodeCommand(s.externalAuthenticate(0x01)))).toBe('8482010010BA6961667737C5BCEBECE14C7D6A4376');
  });
  it('a wrong card cryptogram is refused with scp.cryptogram', () => {
    const s = new Scp02Session(KEYS, { hostChallenge: HC });
    const bad = IU_RSP.slice();
    bad[27] = 0xff;
    expect(() => s.processInitializeUpdate(bad)).toThrow(expect.objectContaining({ code: 'scp.cryptogram' }));
  });
  it('C-MAC on the four APDU cases, with ICV chaining', () => {
    const s = open();
    s.externalAuthenticate(0x01);
    const w = (h: string) => toHex(encodeCommand(s.wrap(decodeCommand(fromHex(h)))));
    expect(w('80F22002')).toBe('84F220020814DB34FA4341DCA8');
    expect(w('80ca006600')).toBe('84CA00660855ED7C5FF069512B00');
    expect(w('80F220020a4f0212345c054f9f70c5')).toBe('84F22002124F0212345C054F9F70C58FC1B380C4228AF8');
    expect(w('80f28002024f0000')).toBe('84F280020A4F003B95F09317DE6A4E00');
  });
  it('PUT KEY data: a 16-byte key encrypted under the session DEK (pySim PutKey_PSK_Test)', () => {
    const s = open();
    s.externalAuthenticate(0x01);
    expect(toHex(s.encryptKeyData(fromHex('303132333435363738393a3b3c3d3e3f')))).toBe('15ABF1FE16CCC5AA13743394442942CD');
  });
});

describe('SCP02 session keys and key encryption (GlobalPlatformPro TestPlaintextKeys)', () => {
  const K = fromHex('404142434445464748494A4B4C4D4E4F');
  it('session key KCVs for sequence counter 0000', () => {
    const sk = scp02SessionKeys({ enc: K, mac: K, dek: K }, fromHex('0000'));
    expect(toHex(kcvDes(sk.sEnc))).toBe('F2DCDD');
    expect(toHex(kcvDes(sk.cMac))).toBe('5FCC69');
    expect(toHex(kcvDes(sk.dek))).toBe('85272E');
    expect(toHex(kcvDes(sk.rMac))).toBe('9F749A');
  });
});

describe('key diversification (GlobalPlatformPro TestPlaintextKeys KCVs, KDD 00..09)', () => {
  const KDD = fromHex('00010203040506070809');
  const kcv3 = (k: { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array }, f: (k: Uint8Array) => Uint8Array) =>
    [f(k.enc), f(k.mac), f(k.dek)].map((x) => toHex(x));
  it('EMV CPS', () => {
    expect(kcv3(diversifyKeys(fromHex('404142434445464748494A4B4C4D4E4F'), 'emv', KDD), kcvDes)).toEqual(['C33013', '6F4CA6', 'BB8179']);
  });
  it('VISA2', () => {
    expect(kcv3(diversifyKeys(fromHex('404142434445464748494A4B4C4D4E4F'), 'visa2', KDD), kcvDes)).toEqual(['2BE598', '58DA38', '3C328E']);
  });
  it('KDF3 AES-128/192/256', () => {
    expect(kcv3(diversifyKeys(fromHex('404142434445464748494A4B4C4D4E4F'), 'kdf3', KDD), kcvAes)).toEqual(['E79C05', 'D1BD77', '3FDE8C']);
    expect(kcv3(diversifyKeys(fromHex('404142434445464748494A4B4C4D4E4F5051525354555657'), 'kdf3', KDD), kcvAes)).toEqual(['1DE8EA', '47C00C', 'C04D76']);
    expect(kcv3(diversifyKeys(fromHex('404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F'), 'kdf3', KDD), kcvAes)).toEqual([
      '2972D2',
      '036F94',
      '5D57B8',
    ]);
  });
  it('KDF3 external vector (GlobalPlatformPro TestSCP03.testKDF3)', () => {
    const k = diversifyKeys(fromHex('8C72C72CF908411653018807950D82FBAD947562F0828A0B10B8B9606ABF3BCD'), 'kdf3', fromHex('D9B1DE5D0362DEDCE4FB'));
    expect(toHex(k.enc)).toBe('9AAC5D0B3601F89438A0D9D0B6B256CFB47E6462DFA5228D3420C4AC7C224781');
  });
  it('the SP 800-108 KDF reproduces GlobalPlatformPro testScp3Kdf (KCV BD8165)', () => {
    const r = kdfCounterCmac(fromHex('404142434445464748494A4B4C4D4E4F'), 16, { before: new Uint8Array(16), after: new Uint8Array(16) });
    expect(toHex(kcvAes(r))).toBe('BD8165');
  });
});

describe('SCP02 card side', () => {
  it('verifies the pySim EXTERNAL AUTHENTICATE and unwraps the pySim commands', () => {
    const card = new Scp02CardSession(KEYS, { kvn: 0x70, sequenceCounter: 1, cardChallenge: fromHex('6B4524ABEE7C') });
    expect(toHex(card.initializeUpdate(HC))).toBe(toHex(IU_RSP));
    card.externalAuthenticate(decodeCommand(fromHex('8482010010BA6961667737C5BCEBECE14C7D6A4376')));
    const u = (h: string) => toHex(encodeCommand(card.unwrapCommand(decodeCommand(fromHex(h)))));
    expect(u('84F220020814DB34FA4341DCA8')).toBe('80F22002');
    expect(u('84CA00660855ED7C5FF069512B00')).toBe('80CA006600');
    expect(u('84F22002124F0212345C054F9F70C58FC1B380C4228AF8')).toBe('80F220020A4F0212345C054F9F70C5');
    expect(u('84F280020A4F003B95F09317DE6A4E00')).toBe('80F28002024F0000');
  });
  it('round-trips C-DECRYPTION with the host and refuses a forged MAC', () => {
    const card = new Scp02CardSession(KEYS, { kvn: 0x20, sequenceCounter: 7 });
    const host = new Scp02Session(KEYS, { kvn: 0x20 });
    host.processInitializeUpdate(card.initializeUpdate(host.initializeUpdate().data!));
    card.externalAuthenticate(decodeCommand(encodeCommand(host.externalAuthenticate(0x03))));
    for (const h of ['80F22002', '80E2910006BF3E035C015A00', '80D8000111' + '88'.repeat(17)]) {
      const plain = decodeCommand(fromHex(h));
      expect(toHex(encodeCommand(card.unwrapCommand(decodeCommand(encodeCommand(host.wrap(plain))))))).toBe(toHex(encodeCommand(plain)));
    }
    const w = encodeCommand(host.wrap(decodeCommand(fromHex('80F22002'))));
    w[w.length - 1]! ^= 1;
    expect(() => card.unwrapCommand(decodeCommand(w))).toThrow(expect.objectContaining({ code: 'scp.mac' }));
    expect(card.authenticated).toBe(false);
  });
});

describe('SCP02 maxCommandData', () => {
  for (const [level, want] of [
    [0x01, 247],
    [0x03, 239],
  ] as const) {
    it(`level ${level}: ${want} bytes wrap and unwrap, ${want + 1} are refused without breaking the session`, () => {
      const card = new Scp02CardSession(KEYS, { kvn: 0x20 });
      const host = new Scp02Session(KEYS, { kvn: 0x20 });
      host.processInitializeUpdate(card.initializeUpdate(host.initializeUpdate().data!));
      card.externalAuthenticate(host.externalAuthenticate(level));
      expect(host.maxCommandData).toBe(want);
      expect(card.unwrapCommand(host.wrap({ cla: 0x80, ins: 0xe2, p1: 0, p2: 0, data: new Uint8Array(want).fill(7) })).data!.length).toBe(want);
      expect(() => host.wrap({ cla: 0x80, ins: 0xe2, p1: 0, p2: 0, data: new Uint8Array(want + 1) })).toThrow(expect.objectContaining({ code: 'scp.format' }));
      expect(card.unwrapCommand(host.wrap({ cla: 0x80, ins: 0xf2, p1: 0x80, p2: 0x02, data: Uint8Array.of(0x4f, 0) })).ins).toBe(0xf2);
    });
  }
});
