/**
 * GBA (TS 33.220). TS 33.220 publishes no numeric examples for Annex B, so:
 * - the generic KDF of B.2 is checked on published KeNB derivations (same KDF, FC = 0x11,
 *   P0 = uplink NAS COUNT; numbers from OpenAirInterface's test_secu_kenb.c);
 * - Ks_ext_NAF / Ks_int_NAF are checked against OpenSSL's HMAC-SHA-256 (an independent tool) over an
 *   S string spelled out by hand in this test (FC ‖ P0 ‖ L0 ‖ …, B.2.1);
 * - CK/IK come from the published TS 35.208 set 1.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kdf, kdfInput } from '../../../../src/secure/gba/kdf.js';
import { bTid, ks, ksExtNaf, ksIntNaf, nafId, parseBTid, UA_PROTOCOL, uaProtocolTls } from '../../../../src/secure/gba/gba.js';
import { fromHex } from '../../../../src/util/hex.js';

const h = (s: string) => fromHex(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const asciiHex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
const len2 = (n: number) => n.toString(16).padStart(4, '0');

function opensslHmac(keyHex: string, dataHex: string): string {
  return execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${keyHex}`, '-binary'], {
    input: Buffer.from(dataHex, 'hex'),
  }).toString('hex');
}

describe('generic KDF (TS 33.220 B.2)', () => {
  // [NAS COUNT, KASME, KeNB] — KeNB = KDF(KASME, FC=0x11, P0 = COUNT, L0 = 0x0004)
  const KENB: [number, string, string][] = [
    [0xdb1a3569, '238E457E0F758BADBCA8D34BB2612C10428D426757CB5553B2B184FA64BFC549', '8EB1BF0083BD79281EF7034BF677E9EC529F196E15287514A2D122ACF713B8E8'],
    [0x001fb39c, '564CB4D2007E4F293B67D9B29392A64ADD4C776B133D895AF6499AA6882AAB62', '009010688F85855E218339DE6C5BD7B6394958DA12DDFBF7559E978CE43408F1'],
    [0x00000012, 'FA77E41F693C2A6E71455CB8687E6E6058EF91E2F5ABD1BD3C496179481F308C', '0AFE81266DE52B8C8F1C3F4FE799BE883F364B018E7368C41F14DD6D050E13E1'],
    [0xfe56a1d3, 'FA77E41F693C2A6E71455CB8687E6E6058EF91E2F5ABD1BD3C496179481F308C', '3622874B06C683586A009DEC81DBE28BDD8E3E6E67A2C22C31630EC97641828E'],
    [0xfe56a1d3, '70D7071AA016A087F9D888AD51F3A83E2C83443AB27843B35BD1B4923615091C', 'E59BE6F0FBEFA1207DA3FF05D0F82014100E7A63A11EEBFE4F8AA92E7CF8B847'],
    [0xaabbccdd, '70D7071AA016A087F9D888AD51F3A83E2C83443AB27843B35BD1B4923615091C', '158781A2FDF2CE53ABFA186D22EB751DECB8273471DC792B5016C9016947D1AE'],
  ];
  for (const [count, kasme, kenb] of KENB) {
    it(`KeNB for NAS COUNT ${count.toString(16)}`, () => {
      const p0 = Uint8Array.of(count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff);
      expect(hex(kdf(h(kasme), 0x11, [p0]))).toBe(kenb.toLowerCase());
    });
  }
  it('S = FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 with 2-octet lengths', () => {
    expect(hex(kdfInput(0x01, ['ab', Uint8Array.of(1, 2, 3)]))).toBe('01' + '6162' + '0002' + '010203' + '0003');
    expect(hex(kdfInput(0x10, [new Uint8Array(0)]))).toBe('10' + '0000');
  });
});

describe('Ks_NAF (TS 33.220 B.3)', () => {
  // CK and IK of TS 35.208 test set 1, RAND of the same set
  const ck = 'b40ba9a3c58b2a05bbf0d987b21bf8cb';
  const ik = 'f769bcd751044604127672711c6d3441';
  const rand = '23553cbe9637a89d218ae64dae47bf35';
  const impi = '001010123456789@ims.mnc001.mcc001.3gppnetwork.org';
  const fqdn = 'naf.example.org';
  const ua = '0100000002';
  const s = (label: string) =>
    '01' + asciiHex(label) + len2(label.length) + rand + '0010' + asciiHex(impi) + len2(impi.length) + asciiHex(fqdn) + ua + len2(fqdn.length + 5);

  it('Ks = CK ‖ IK', () => expect(hex(ks(h(ck), h(ik)))).toBe(ck + ik));
  it('NAF_Id = FQDN ‖ Ua protocol id', () => expect(hex(nafId(fqdn, UA_PROTOCOL.httpDigest))).toBe(asciiHex(fqdn) + ua));
  it('Ks_ext_NAF ("gba-me") equals OpenSSL HMAC-SHA-256 over the hand-built S', () => {
    const got = ksExtNaf(ks(h(ck), h(ik)), h(rand), impi, nafId(fqdn, UA_PROTOCOL.httpDigest));
    expect(hex(got)).toBe(opensslHmac(ck + ik, s('gba-me')));
  });
  it('Ks_int_NAF ("gba-u") equals OpenSSL HMAC-SHA-256 over the hand-built S', () => {
    const got = ksIntNaf(ks(h(ck), h(ik)), h(rand), impi, nafId(fqdn, UA_PROTOCOL.httpDigest));
    expect(hex(got)).toBe(opensslHmac(ck + ik, s('gba-u')));
  });
  it('TLS Ua protocol id (0x01,0x00,0x01,yy,zz)', () => expect(hex(uaProtocolTls(0x002f))).toBe('010001002f'));
});

describe('B-TID (TS 33.220 4.5.2)', () => {
  it('base64(RAND)@BSF domain and back', () => {
    const rand = h('000102030405060708090a0b0c0d0e0f');
    const id = bTid(rand, 'bsf.mnc001.mcc001.pub.3gppnetwork.org');
    expect(id).toBe('AAECAwQFBgcICQoLDA0ODw==@bsf.mnc001.mcc001.pub.3gppnetwork.org');
    expect(parseBTid(id)).toEqual({ rand, bsfDomain: 'bsf.mnc001.mcc001.pub.3gppnetwork.org' });
  });
  it('refuses malformed B-TIDs', () => {
    for (const bad of ['', 'abc', '@x', 'AAECAwQFBgcICQoLDA0ODw==@', 'AAEC@host']) expect(() => parseBTid(bad)).toThrow(/B-TID/);
  });
});
