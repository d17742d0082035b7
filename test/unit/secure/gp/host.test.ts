/**
 * The host side of `simdm gp` (issue 17): the key set follows the card's answer (SCP, KVN, i),
 * `--scp 02` finds the SCP02 key set without `--kvn`, and every card cryptogram failure says which
 * key set, which SCP and i, which diversification was tried and what to try next.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CardLink } from '../../../../src/apdu/link.js';
import { openSecureChannel, listStatus } from '../../../../src/secure/gp/channel.js';
import { explainCryptogramFailure } from '../../../../src/secure/gp/diagnose.js';
import { diversifyKeys } from '../../../../src/secure/gp/diversify.js';
import { Scp02CardSession } from '../../../../src/secure/gp/scp02.js';
import { defaultIsdState, provisionIsd } from '../../../../src/sim/applets/isd.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';
import { GP_TEST_KEY, GP_TEST_KEYS, virtualCardLink } from '../../../helpers/gp.js';

const TEST_KEY = GP_TEST_KEY;
const K = GP_TEST_KEYS;
const MASTER = fromHex('00112233445566778899AABBCCDDEEFF');
const KDD = '0102030405060708090A';

let card: VirtualUicc;
let link: CardLink;
beforeEach(async () => {
  ({ card, link } = await virtualCardLink());
});

describe('key set from the card', () => {
  it('--scp 02 without --kvn: the default key set is SCP03, the key information template names KVN 20', async () => {
    const ch = await openSecureChannel(link, { keys: K, level: 0x01, scp: 2, select: true });
    expect(ch.info).toMatchObject({ scp: 2, kvn: 0x20, i: 0x55 });
    expect((await listStatus(ch, 'isd')).length).toBe(1);
  });
  it('SCP02 i comes from the Card Data (64: 1.2.840.114283.4.2.i)', async () => {
    provisionIsd(card, { keySets: [{ kvn: 0x20, scp: 2, i: 0x15, enc: toHex(TEST_KEY), mac: toHex(TEST_KEY), dek: toHex(TEST_KEY) }] });
    const ch = await openSecureChannel(link, { keys: K, level: 0x03, select: true });
    expect(ch.info).toMatchObject({ scp: 2, i: 0x15 });
    // i=15 has no ICV encryption: the C-MAC chain only verifies when the host uses the card's i
    expect((await listStatus(ch, 'isd')).length).toBe(1);
  });
  it('--scp 03 with --kvn of an SCP02 key set: refused with the key sets listed', async () => {
    await expect(openSecureChannel(link, { keys: K, level: 1, scp: 3, kvn: 0x20, select: true })).rejects.toThrow(
      /key set KVN 20 is an SCP02 key set, SCP03 was asked for with --kvn\. Key sets on the card: KVN 30 SCP03 \(AES-128\), KVN 20 SCP02 \(DES\), KVN 32 SCP03 \(AES-128\)/,
    );
  });
  it('an unknown KVN: 6A88 and the key sets there are', async () => {
    await expect(openSecureChannel(link, { keys: K, level: 1, kvn: 0x44, select: true })).rejects.toThrow(/no key set with KVN 44 \(6A88\).*KVN 30 SCP03/);
  });
});

describe('card cryptogram failures, explained', () => {
  it('SCP02 keys EMV-diversified on the card, master given without --kdf: "use --kdf emv"', async () => {
    const d = diversifyKeys(MASTER, 'emv', fromHex(KDD));
    provisionIsd(card, { keySets: [{ kvn: 0x20, scp: 2, i: 0x55, enc: toHex(d.enc), mac: toHex(d.mac), dek: toHex(d.dek) }], kdd: KDD });
    const err = await openSecureChannel(link, { keys: { enc: MASTER, mac: MASTER, dek: MASTER }, level: 1, select: true }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'scp.cryptogram' });
    expect((err as Error).message).toMatch(
      /key set KVN 20 \(SCP02, i=55 assumed, sequence counter 0000\) with the keys as given \(no diversification\)\. It does verify with EMV diversification: use --kdf emv\./,
    );
    expect((err as Error).message).not.toContain('00112233');
    const ok = await openSecureChannel(link, { keys: { enc: MASTER, mac: MASTER, dek: MASTER }, diversification: 'emv', level: 1, select: true });
    expect(ok.info.kdd).toBe(KDD);
  });
  it('SCP03 KDF3 the other way round: --kdf kdf3 given, the card holds the master itself: "drop --kdf"', async () => {
    const err = await openSecureChannel(link, { keys: K, diversification: 'kdf3', level: 1, select: true }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /KVN 30 \(SCP03, i=70, S8, sequence counter 000001\) with the master key diversified with KDF3 over KDD 00000000000000000000\. It does verify with the keys as given: drop --kdf\./,
    );
  });
  it('wrong keys: what was tried, the key sets, what next; the GP test key is recognised', async () => {
    const wrong = new Uint8Array(16).fill(0x11);
    const err = await openSecureChannel(link, { keys: { enc: wrong, mac: wrong, dek: wrong }, level: 1, select: true }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/still holds the GP test key 40\.\.4F/);
    provisionIsd(card, {
      ...defaultIsdState(),
      keySets: defaultIsdState().keySets.map((k) => ({ ...k, enc: '22'.repeat(16), mac: '22'.repeat(16), dek: '22'.repeat(16) })),
    });
    const err2 = await openSecureChannel(link, { keys: { enc: wrong, mac: wrong, dek: wrong }, level: 1, select: true }).catch((e: Error) => e);
    expect((err2 as Error).message).toMatch(
      /Tried the diversifications none, kdf3 offline: none matches, nor the GP test key\. Key sets on the card: KVN 30 SCP03 \(AES-128\).* Next: check the keys for this KVN, choose another key set with --kvn \(or --scp 02\)/,
    );
  });
  it("explainCryptogramFailure on pySim's SCP02 exchange (KVN 70, seq 0001): the right keys are found as given", () => {
    // pySim test_globalplatform.py SCP02_Test: host challenge 40A62C37FA6304F8 and the card's answer
    const keys = {
      enc: fromHex('100102030405060708090a0b0c0d0e0f'),
      mac: fromHex('101102030405060708090a0b0c0d0e0f'),
      dek: fromHex('102102030405060708090a0b0c0d0e0f'),
    };
    const r = explainCryptogramFailure({
      scp: 2,
      keys,
      diversification: 'emv',
      hostChallenge: fromHex('40A62C37FA6304F8'),
      response: fromHex('00000000000000000000700200016B4524ABEE7CF32EA3838BC148F3'),
    });
    expect(r.matches).toBe('none');
    expect(r.message).toContain('KVN 70 (SCP02');
  });
  it('the card side agrees: an SCP02 session with a diversified key set', () => {
    const d = diversifyKeys(MASTER, 'visa2', fromHex(KDD));
    const c = new Scp02CardSession(d, { kvn: 0x20, diversificationData: fromHex(KDD) });
    const hc = fromHex('0011223344556677');
    const resp = c.initializeUpdate(hc);
    const r = explainCryptogramFailure({ scp: 2, keys: { enc: MASTER, mac: MASTER, dek: MASTER }, diversification: 'emv', hostChallenge: hc, response: resp });
    expect(r.matches).toBe('visa2');
  });
});
