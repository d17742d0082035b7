/**
 * The virtual card's Issuer Security Domain over the in-process transport: host-side SCP02/SCP03
 * sessions (checked against published vectors elsewhere) talking to the card-side verifier.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CardLink } from '../../../../src/apdu/link.js';
import { openSecureChannel, listStatus, putKey } from '../../../../src/secure/gp/channel.js';
import { getKeyInformation, parseKeyInformation } from '../../../../src/secure/gp/commands.js';
import { provisionIsd } from '../../../../src/sim/applets/isd.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';
import { GP_TEST_KEY, GP_TEST_KEYS, virtualCardLink } from '../../../helpers/gp.js';

const TEST_KEY = GP_TEST_KEY;
const K = GP_TEST_KEYS;

let card: VirtualUicc;
let link: CardLink;
beforeEach(async () => {
  ({ card, link } = await virtualCardLink());
});

describe('ISD in the virtual UICC', () => {
  for (const [name, kvn, level] of [
    ['SCP03 C-MAC', 0x30, 0x01],
    ['SCP03 C-MAC+C-DEC+R-MAC+R-ENC', 0x30, 0x33],
    ['SCP02 C-MAC', 0x20, 0x01],
    ['SCP02 C-MAC+C-DEC', 0x20, 0x03],
  ] as const) {
    it(`${name}: authenticates, lists, reads key information`, async () => {
      const ch = await openSecureChannel(link, { keys: K, level, kvn, select: true });
      expect(ch.info.scp).toBe(kvn === 0x30 ? 3 : 2);
      const isd = await listStatus(ch, 'isd');
      expect(toHex(isd[0]!.aid)).toBe('A000000151000000');
      const apps = await listStatus(ch, 'apps');
      expect(apps.length).toBeGreaterThan(0);
      const ki = parseKeyInformation(await ch.send(getKeyInformation()));
      expect(ki.some((k) => k.version === 0x30 && k.type === 0x88)).toBe(true);
    });
  }

  it('refuses wrong keys (card cryptogram) and a tampered command (6982, session closed)', async () => {
    await expect(openSecureChannel(link, { keys: { ...K, mac: new Uint8Array(16) }, level: 1, kvn: 0x30, select: true })).rejects.toMatchObject({
      code: 'scp.cryptogram',
    });
    const ch = await openSecureChannel(link, { keys: K, level: 1, kvn: 0x30, select: true });
    const wrapped = ch.session.wrap({ cla: 0x80, ins: 0xf2, p1: 0x80, p2: 0x02, data: fromHex('4F00'), le: 256 });
    wrapped.data![wrapped.data!.length - 1]! ^= 1;
    const r = await link.transmit(wrapped);
    expect(r.sw).toBe(0x6982);
    const r2 = await link.transmit({ cla: 0x84, ins: 0xf2, p1: 0x80, p2: 0x02, data: fromHex('4F00'), le: 256 });
    expect(r2.sw).toBe(0x6982);
  });

  it('PUT KEY replaces the SCP03 key set; the new keys open a session and survive the image', async () => {
    const ch = await openSecureChannel(link, { keys: K, level: 0x03, kvn: 0x30, select: true });
    const nk = {
      enc: fromHex('000102030405060708090a0b0c0d0e0f'),
      mac: fromHex('101112131415161718191a1b1c1d1e1f'),
      dek: fromHex('202122232425262728292a2b2c2d2e2f'),
    };
    const res = await putKey(ch, { replaceKvn: 0x30, newKvn: 0x31, keys: [nk.enc, nk.mac, nk.dek].map((key) => ({ type: 'aes' as const, key })) });
    // KCVs of these keys as published in pySim's SCP03_KCV_Test
    expect(res.kcvs).toEqual(['C35280', '013808', '840DE5']);
    const ch2 = await openSecureChannel(link, { keys: nk, level: 0x33, kvn: 0x31, select: true });
    expect(ch2.info.kvn).toBe(0x31);
    const img = card.toImage();
    expect(JSON.stringify(img.applets)).toContain('"kvn":49');
    await expect(openSecureChannel(link, { keys: K, level: 1, kvn: 0x30, select: true })).rejects.toMatchObject({ code: 'scp.card' });
  });

  it('SCP02 PUT KEY of a DES key set under the session DEK', async () => {
    const ch = await openSecureChannel(link, { keys: K, level: 0x01, kvn: 0x20, select: true });
    const nk = fromHex('00112233445566778899AABBCCDDEEFF');
    await putKey(ch, { replaceKvn: 0x20, newKvn: 0x21, keys: [nk, nk, nk].map((key) => ({ type: 'des' as const, key })) });
    const ch2 = await openSecureChannel(link, { keys: { enc: nk, mac: nk, dek: nk }, level: 0x03, kvn: 0x21, select: true });
    expect(ch2.info.scp).toBe(2);
  });

  it('uses key sets provisioned in the image, with the KDF3-diversified keys of a master key', async () => {
    const { diversifyKeys } = await import('../../../../src/secure/gp/diversify.js');
    const kdd = new Uint8Array(10);
    const d = diversifyKeys(TEST_KEY, 'kdf3', kdd);
    provisionIsd(card, { keySets: [{ kvn: 0x30, scp: 3, i: 0x70, enc: toHex(d.enc), mac: toHex(d.mac), dek: toHex(d.dek) }] });
    const ch = await openSecureChannel(link, { keys: K, diversification: 'kdf3', level: 1, select: true });
    expect(ch.info.kdd).toBe('00000000000000000000');
  });

  it('S16 mode key set (i=71): 16-byte challenges, cryptograms and MACs', async () => {
    provisionIsd(card, { keySets: [{ kvn: 0x32, scp: 3, i: 0x71, enc: toHex(TEST_KEY), mac: toHex(TEST_KEY), dek: toHex(TEST_KEY) }] });
    // an S8 host challenge finds no key set (6A88) when the host insists on S8
    await expect(openSecureChannel(link, { keys: K, level: 0x33, select: true, s16: false })).rejects.toMatchObject({ code: 'scp.card' });
    const ch = await openSecureChannel(link, { keys: K, level: 0x33, select: true, s16: true });
    expect(ch.info.i).toBe(0x71);
    expect((await listStatus(ch, 'isd')).length).toBe(1);
    // by default the host retries with a 16-byte challenge after the card refused 8 bytes
    const auto = await openSecureChannel(link, { keys: K, level: 0x33, select: true });
    expect(auto.info).toMatchObject({ scp: 3, kvn: 0x32, i: 0x71 });
  });
});
