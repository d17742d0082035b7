/**
 * Secured packets against the numbers of pySim's tests/unittests/test_ota.py (Test_SMS_3DES,
 * Test_SMS_AES128, SmsOtaTestCase): real 3DES and AES-128 command and PoR packets of sysmocom cards.
 * pySim prints unciphered command packets without their CPL; here they carry it.
 */
import { describe, expect, it } from 'vitest';
import { buildCommandPacket, buildResponsePacket, openCommandPacket, openResponsePacket } from '../../../../src/secure/ota/packet.js';
import { decodeKic, decodeKid, decodeSpi, encodeSpi, type Spi } from '../../../../src/secure/ota/spi.js';
import { OtaError } from '../../../../src/secure/ota/errors.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const spi = (h: string): Spi => decodeSpi(fromHex(h));

const K3DES_1 = { kic: fromHex('C21DD66ACAC13CB3BC8B331B24AFB57B'), kid: fromHex('12110C78E678C25408233076AA033615') };
const K3DES_SJA5 = { kic: fromHex('300102030405060708090a0b0c0d0e0f'), kid: fromHex('301102030405060708090a0b0c0d0e0f') };
const KAES_SJA5 = { kic: fromHex('200102030405060708090a0b0c0d0e0f'), kid: fromHex('201102030405060708090a0b0c0d0e0f') };

describe('SPI / KIc / KID coding (TS 102 225 5.1)', () => {
  it('decodes 06 19: CC + ciphering, no counter, PoR required with CC and ciphering', () => {
    expect(spi('0619')).toEqual({
      integrity: 'cc',
      ciphering: true,
      counter: 'none',
      por: 'always',
      porIntegrity: 'cc',
      porCiphering: true,
      porViaSubmit: false,
    });
    expect(toHex(encodeSpi(spi('0619')))).toBe('0619');
    expect(spi('1621').counter).toBe('higher');
    expect(spi('1E21').counter).toBe('one-higher');
    expect(spi('1621').porViaSubmit).toBe(true);
  });
  it('decodes KIc/KID 35 (3DES 2-key, key 3) and 22 (AES, key 2)', () => {
    expect(decodeKic(0x35)).toEqual({ algorithm: '3des-2key', keyIndex: 3 });
    expect(decodeKid(0x35)).toEqual({ algorithm: '3des-2key-mac', keyIndex: 3 });
    expect(decodeKic(0x22)).toEqual({ algorithm: 'aes-cbc', keyIndex: 2 });
    expect(decodeKid(0x22)).toEqual({ algorithm: 'aes-cmac', keyIndex: 2 });
  });
});

const CMD_VECTORS = [
  {
    name: '3DES ciphered, no CC',
    keys: K3DES_1,
    kic: 0x35,
    tar: 'b00000',
    spi: '0419',
    apdu: '00a40000023f00',
    out: '00180d04193535b00000e3ec80a849b554421276af3883927c20',
  },
  {
    name: '3DES CC, not ciphered',
    keys: K3DES_1,
    kic: 0x35,
    tar: 'b00000',
    spi: '0219',
    apdu: '00a40000023f00',
    out: '001d' + '1502193535b00000000000000000072ea17bdb72060e00a40000023f00',
  },
  {
    name: '3DES no security',
    keys: K3DES_1,
    kic: 0x35,
    tar: 'b00000',
    spi: '0019',
    apdu: '00a40000023f00',
    out: '0015' + '0d00193535b0000000000000000000a40000023f00',
  },
  {
    name: '3DES SJA5 ciphered + CC',
    keys: K3DES_SJA5,
    kic: 0x35,
    tar: 'b00011',
    spi: '0619',
    apdu: '00a40004023f00',
    out: '00201506193535b00011ae733256918d050b87c94fbfe12e4dc402f262c41cf67f2f',
  },
  {
    name: '3DES SJA5 ciphered + CC, PoR unciphered',
    keys: K3DES_SJA5,
    kic: 0x35,
    tar: 'b00011',
    spi: '0609',
    apdu: '00a40004023f00',
    out: '00201506093535b00011c49ac91ab8159ba5b83a54fb6385e0a5e31694f8b215fafc',
  },
  {
    name: '3DES SJA5 ciphered + CC, PoR no CC',
    keys: K3DES_SJA5,
    kic: 0x35,
    tar: 'b00011',
    spi: '0601',
    apdu: '00a40004023f00',
    out: '00201506013535b000113190be334900f52b025f3f7eddfe868e96ebf310023b7769',
  },
  {
    name: 'AES-128 ciphered + CMAC',
    keys: KAES_SJA5,
    kic: 0x22,
    tar: 'b00011',
    spi: '0619',
    apdu: '00a40004023f00',
    out: '00281506192222b00011e87cceebb2d93083011ce294f93fc4d8de80da1abae8c37ca3e72ec4432e5058',
  },
];

// With counters, from a public OTA tool's test suite (pysim_otaman_server tests, generated with pySim's
// OtaDialectSms): KIc/KID 15 (3DES 2-key, key set 1) with K = 00112233..FF, and the AES sample keys.
const K_DUMMY = { kic: fromHex('00112233445566778899AABBCCDDEEFF'), kid: fromHex('00112233445566778899AABBCCDDEEFF') };
const CMD_VECTORS_CNTR = [
  {
    name: '3DES ciphered + CC, counter 1',
    keys: K_DUMMY,
    kic: 0x15,
    tar: 'b00000',
    spi: '0609',
    cntr: 1,
    apdu: '00a40000023f00',
    out: '00201506091515b00000c08f58c38860acb3a362fffe670ad13759a2a6b4c1a91116',
  },
  {
    name: '3DES counter must be higher',
    keys: K_DUMMY,
    kic: 0x15,
    tar: 'b00000',
    spi: '1601',
    cntr: 1,
    apdu: '00a40000023f00',
    out: '00201516011515b00000e42573469e68a8462a57a505b0e2b1c09c1928c7a182311f',
  },
  {
    name: '3DES CC only, counter 1',
    keys: K_DUMMY,
    kic: 0x15,
    tar: 'b00000',
    spi: '0209',
    cntr: 1,
    apdu: '00a40000023f00',
    out: '001d1502091515b0000000000000010085a8ca1a9828b0bb00a40000023f00',
  },
  {
    name: 'AES-128 ciphered, counter higher',
    keys: KAES_SJA5,
    kic: 0x22,
    tar: 'b00011',
    spi: '1619',
    cntr: 0x11,
    apdu: '00a40004023f00',
    out: '00281516192222b000115a47655527e96e832f1a5c698655715d4331454a0d83952c0ed35245706976b1',
  },
  {
    name: 'AES-128 CMAC only, counter higher',
    keys: KAES_SJA5,
    kic: 0x22,
    tar: 'b00011',
    spi: '1209',
    cntr: 0x11,
    apdu: '00a40004023f00',
    out: '001d1512092222b0001100000000110029826122c7a0b79500a40004023f00',
  },
  {
    name: 'AES-128 ciphered, counter one higher',
    keys: KAES_SJA5,
    kic: 0x22,
    tar: 'b00011',
    spi: '1e19',
    cntr: 0x11,
    apdu: '00a40004023f00',
    out: '0028151e192222b0001118b202ee47a3203e7370861c383b4142e704157b36e5c0eb4bb33eb6036cbaf8',
  },
];

describe('command packets with counters (public OTA tool vectors)', () => {
  for (const v of CMD_VECTORS_CNTR) {
    it(v.name, () => {
      const out = buildCommandPacket({ spi: spi(v.spi), kic: v.kic, kid: v.kic, tar: fromHex(v.tar), counter: v.cntr, data: fromHex(v.apdu) }, v.keys);
      expect(toHex(out)).toBe(v.out.toUpperCase());
      const back = openCommandPacket(out, v.keys);
      expect(back.counter).toBe(v.cntr);
      expect(toHex(back.data)).toBe(v.apdu.toUpperCase());
    });
  }
  it('plain PoR without CC (SPI 02 01)', () => {
    const r = openResponsePacket(fromHex('027100000e0ab0000000000000010000016e00'), { spi: spi('0201'), kic: 0x15, kid: 0x15 }, K_DUMMY);
    expect(r.counter).toBe(1);
    expect(toHex(r.data)).toBe('016E00');
  });
});

describe('command packets (pySim vectors)', () => {
  for (const v of CMD_VECTORS) {
    it(v.name, () => {
      const input = { spi: spi(v.spi), kic: v.kic, kid: v.kic, tar: fromHex(v.tar), counter: 0, data: fromHex(v.apdu) };
      const out = buildCommandPacket(input, v.keys);
      expect(toHex(out)).toBe(v.out.toUpperCase());
      const back = openCommandPacket(out, v.keys);
      expect(toHex(back.data)).toBe(v.apdu.toUpperCase());
      expect(toHex(back.tar)).toBe(v.tar.toUpperCase());
      expect(back.counter).toBe(0);
      // with the SMS user data header
      expect(toHex(buildCommandPacket(input, v.keys, { udh: true }))).toBe('027000' + v.out.toUpperCase());
    });
  }
  it('a flipped bit in a ciphered packet is refused with status 01 (CC failed)', () => {
    const bad = fromHex(CMD_VECTORS[3]!.out);
    bad[bad.length - 1]! ^= 1;
    try {
      openCommandPacket(bad, K3DES_SJA5);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OtaError);
      expect((e as OtaError).code).toBe('ota.cc');
      expect((e as OtaError).status).toBe(0x01);
    }
  });
  it('a missing key is an error, never a silent pass', () => {
    expect(() => openCommandPacket(fromHex(CMD_VECTORS[3]!.out), {})).toThrow(OtaError);
  });
});

const RSP_VECTORS = [
  { name: '3DES ciphered PoR', keys: K3DES_1, kic: 0x35, spi: '0619', resp: '027100001c12b000119660ebdb81be189b5e4389e9e7ab2bc0954f963ad869ed7c', sw: '612F' },
  { name: '3DES signed PoR', keys: K3DES_1, kic: 0x35, spi: '0609', resp: '027100001612b000110000000000000055f47118381175fb01612f', sw: '612F' },
  { name: '3DES PoR without security', keys: K3DES_1, kic: 0x35, spi: '0601', resp: '027100000e0ab000110000000000000001612f', sw: '612F' },
  {
    name: '3DES SJA5 ciphered PoR',
    keys: K3DES_SJA5,
    kic: 0x35,
    spi: '0619',
    resp: '027100001c12b000118bb989492c632529326a2f4681feb37c825bc9021c9f6d0b',
    sw: '6132',
  },
  { name: '3DES SJA5 signed PoR', keys: K3DES_SJA5, kic: 0x35, spi: '0609', resp: '027100001612b0001100000000000000b5bcd6353a421fae016132', sw: '6132' },
  {
    name: 'AES-128 ciphered PoR',
    keys: KAES_SJA5,
    kic: 0x22,
    spi: '0619',
    resp: '027100002412b00011ebc6b497e2cad7aedf36ace0e3a29b38853f0fe9ccde81913be5702b73abce1f',
    sw: '6132',
  },
];

describe('response packets (pySim vectors)', () => {
  for (const v of RSP_VECTORS) {
    it(v.name, () => {
      const cmd = { spi: spi(v.spi), kic: v.kic, kid: v.kic };
      const r = openResponsePacket(fromHex(v.resp), cmd, v.keys);
      expect(r.status).toBe(0);
      expect(toHex(r.tar)).toBe('B00011');
      expect(toHex(r.data)).toBe('01' + v.sw);
      // and the receiving-entity side produces the same bytes
      const again = buildResponsePacket({ ...cmd, tar: r.tar, counter: r.counter, status: r.status, data: r.data }, v.keys);
      expect(toHex(again)).toBe(v.resp.toUpperCase());
    });
  }
  it('a PoR with a wrong CC is refused', () => {
    const bad = fromHex('027100001612b000110000000000000055f47118381175fb02612f');
    expect(() => openResponsePacket(bad, { spi: spi('0609'), kic: 0x35, kid: 0x35 }, K3DES_1)).toThrow(expect.objectContaining({ code: 'ota.cc' }));
  });
});
