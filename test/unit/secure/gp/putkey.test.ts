import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../../../src/apdu/command.js';
import { buildPutKey, parsePutKey } from '../../../../src/secure/gp/putkey.js';
import { encodeStatusEntry, parseKeyInformation, encodeKeyInformation, parseStatusResponse } from '../../../../src/secure/gp/commands.js';
import { parseLevel } from '../../../../src/secure/gp/common.js';
import { aesCbcDecrypt, aesCbcEncrypt } from '../../../../src/secure/primitives/aes.js';
import { desEcbDecrypt, desEcbEncrypt } from '../../../../src/secure/primitives/des.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

describe('PUT KEY', () => {
  const dekDes = fromHex('404142434445464748494A4B4C4D4E4F');
  it('DES key set: GP 2.2 11.8.2.3 layout with KCVs (default key 40..4F has KCV 8BAF47)', () => {
    const k = fromHex('404142434445464748494A4B4C4D4E4F');
    const { cmd, expect: exp } = buildPutKey({ replaceKvn: 0, newKvn: 0x21, keys: [{ type: 'des', key: k }] }, (c) => desEcbEncrypt(dekDes, c));
    const hex = toHex(encodeCommand(cmd));
    // 80 D8 00 01 | Lc | 21 | 80 10 <16 enc> 03 8BAF47
    expect(hex.slice(0, 8)).toBe('80D80001');
    expect(hex.slice(10, 16)).toBe('218010');
    expect(hex.slice(48, 56)).toBe('038BAF47');
    expect(toHex(exp)).toBe('218BAF47');
    const back = parsePutKey(cmd, (e) => desEcbDecrypt(dekDes, e));
    expect(toHex(back.keys[0]!.key)).toBe(toHex(k));
  });
  it('AES key set of three keys: length-prefixed blocks, pySim SCP03 KCVs', () => {
    const dek = fromHex('202122232425262728292a2b2c2d2e2f');
    const keys = ['000102030405060708090a0b0c0d0e0f', '101112131415161718191a1b1c1d1e1f', '202122232425262728292a2b2c2d2e2f'].map((h) => ({
      type: 'aes' as const,
      key: fromHex(h),
    }));
    const { cmd, expect: exp } = buildPutKey({ replaceKvn: 0x30, newKvn: 0x31, keys }, (c) => aesCbcEncrypt(dek, c));
    expect(cmd.p1).toBe(0x30);
    expect(cmd.p2).toBe(0x81);
    expect(toHex(exp)).toBe('31C35280013808840DE5');
    expect(toHex(cmd.data!.subarray(0, 4))).toBe('31881110');
    const back = parsePutKey(cmd, (e) => aesCbcDecrypt(dek, e));
    expect(back.keys.map((k) => toHex(k.key))).toEqual(keys.map((k) => toHex(k.key)));
  });
  it('refuses a key whose KCV does not match', () => {
    const dek = fromHex('202122232425262728292a2b2c2d2e2f');
    const { cmd } = buildPutKey({ replaceKvn: 0, newKvn: 0x31, keys: [{ type: 'aes', key: new Uint8Array(16) }] }, (c) => aesCbcEncrypt(dek, c));
    cmd.data![cmd.data!.length - 1]! ^= 1;
    expect(() => parsePutKey(cmd, (e) => aesCbcDecrypt(dek, e))).toThrow(expect.objectContaining({ code: 'scp.key' }));
  });
});

describe('GP registry and key information', () => {
  it('GET STATUS entries round-trip', () => {
    const e = { aid: fromHex('A000000151000000'), lifeCycle: 0x0f, privileges: fromHex('9EFE80') };
    const got = parseStatusResponse(encodeStatusEntry(e));
    expect(toHex(got[0]!.aid)).toBe('A000000151000000');
    expect(got[0]!.lifeCycle).toBe(0x0f);
  });
  it('key information template (GP 2.2 Table 11-29)', () => {
    // a typical SCP03 card: E0 12 C0 04 01 30 88 10 C0 04 02 30 88 10 C0 04 03 30 88 10
    const ki = parseKeyInformation(fromHex('E012C00401308810C00402308810C00403308810'));
    expect(ki).toEqual([
      { id: 1, version: 0x30, type: 0x88, length: 16 },
      { id: 2, version: 0x30, type: 0x88, length: 16 },
      { id: 3, version: 0x30, type: 0x88, length: 16 },
    ]);
    expect(toHex(encodeKeyInformation(ki))).toBe('E012C00401308810C00402308810C00403308810');
  });
  it('security level names', () => {
    expect(parseLevel('cmac')).toBe(0x01);
    expect(parseLevel('cmac+cdec')).toBe(0x03);
    expect(parseLevel('cmac+cdec+rmac+renc')).toBe(0x33);
    expect(parseLevel('33')).toBe(0x33);
    expect(Number.isNaN(parseLevel('bogus'))).toBe(true);
  });
});
