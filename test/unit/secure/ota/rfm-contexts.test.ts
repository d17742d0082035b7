/**
 * OTA RFM as issue 17 asks: TAR-dependent starting contexts (UICC RFM at the MF, USIM RFM in
 * ADF.USIM, ISIM RFM only where the card has an ISIM), access domains (TS 102 226 8.2.1.3.2.4), the
 * minimum security level, the T=0 form of compact scripts, the PoR form of every error case
 * (TS 102 225 5.2, docs/ota.md), and the default image's documented test key sets, against
 * pySim's published packets (tests/unittests/test_ota.py) as well as packets built here.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeCommand } from '../../../../src/apdu/command.js';
import { CardLink } from '../../../../src/apdu/link.js';
import { unwrapPor, wrapScript } from '../../../../src/secure/ota/sender.js';
import { buildSmsPpEnvelope } from '../../../../src/secure/ota/smspp.js';
import { decodeSpi } from '../../../../src/secure/ota/spi.js';
import { defaultOtaState, OTA_TEST_KEYS, provisionOta } from '../../../../src/sim/applets/ota.js';
import { defaultImage } from '../../../../src/sim/default-image.js';
import { InProcessTransport } from '../../../../src/sim/inproc.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const AES = { kic: fromHex(OTA_TEST_KEYS[1]!.kic!), kid: fromHex(OTA_TEST_KEYS[1]!.kid!) };
const SPI = decodeSpi(fromHex('1639')); // CC + ciphering, counter higher, PoR with CC + ciphering
const c = (h: string) => decodeCommand(fromHex(h));

let card: VirtualUicc;
let link: CardLink;
beforeEach(async () => {
  card = new VirtualUicc(defaultImage()); // the default image, not provisioned: its OTA test keys
  const t = new InProcessTransport(card);
  await t.connect();
  link = new CardLink(t);
});

async function envelope(packet: Uint8Array) {
  const r = await link.transmit(buildSmsPpEnvelope(packet));
  expect(r.sw).toBe(0x9000);
  return r.data;
}

async function send(tar: string, cmds: string[], o: { counter?: number; format?: 'compact' | 'expanded'; spi?: typeof SPI } = {}) {
  const spi = o.spi ?? SPI;
  const format = o.format ?? 'compact';
  const pkt = wrapScript({ spi, kic: 0x22, kid: 0x22, tar: fromHex(tar), counter: o.counter ?? 1, commands: cmds.map(c), format }, AES);
  const raw = await envelope(pkt);
  return { raw, por: unwrapPor(raw, { spi, kic: 0x22, kid: 0x22, format }, AES) };
}

describe('the default image accepts the documented OTA test key sets', () => {
  it("pySim's AES-128 packet (test_ota.py Test_SMS_AES128, TAR B00011, SELECT MF) runs; the PoR verifies", async () => {
    const raw = await envelope(fromHex('00281506192222b00011e87cceebb2d93083011ce294f93fc4d8de80da1abae8c37ca3e72ec4432e5058'));
    const por = unwrapPor(raw, { spi: decodeSpi(fromHex('0619')), kic: 0x22, kid: 0x22 }, AES);
    expect(por).toMatchObject({ status: 0, verified: true });
    expect(toHex(por.tar)).toBe('B00011');
    // compact scripts are T=0: SELECT's FCP is announced with 61xx, as pySim's card answered 6132
    expect(por.result!.executed).toBe(1);
    expect(por.result!.responses[0]!.sw >> 8).toBe(0x61);
    expect(defaultImage().applets).toEqual({ ota: defaultOtaState() });
  });
  it('the 3DES test key set (index 1) works too', async () => {
    const k = { kic: fromHex(OTA_TEST_KEYS[0]!.kic!), kid: fromHex(OTA_TEST_KEYS[0]!.kid!) };
    const pkt = wrapScript({ spi: SPI, kic: 0x15, kid: 0x15, tar: fromHex('B00000'), counter: 1, commands: [c('00a40004022fe2'), c('00b000000a')] }, k);
    const por = unwrapPor(await envelope(pkt), { spi: SPI, kic: 0x15, kid: 0x15 }, k);
    expect(toHex(por.result!.responses[0]!.data)).toBe('984401000000000010F5');
  });
});

describe('TAR-dependent starting context (TS 102 226 8.2, TS 31.116)', () => {
  it('USIM RFM (B00010-B0001F) starts in ADF.USIM: EF.IMSI by SFI and by FID at once; UICC RFM (B00000) starts at the MF', async () => {
    const usim = await send('B00010', ['00b0870009']);
    expect(toHex(usim.por.result!.responses[0]!.data)).toBe('080910101032547698');
    const usim2 = await send('B0001F', ['00a4000c026f07', '00b0000009'], { counter: 2 });
    expect(toHex(usim2.por.result!.responses[0]!.data)).toBe('080910101032547698');
    const uicc = await send('B00000', ['00b0870009'], { counter: 3 });
    expect(uicc.por.result!.responses[0]!.sw).toBe(0x6a82);
    // at the MF, EF.ICCID is a child: SFI 02 (TS 102 221 13.2)
    const iccid = await send('B00000', ['00b082000a'], { counter: 4 });
    expect(toHex(iccid.por.result!.responses[0]!.data)).toBe('984401000000000010F5');
  });
  it('ISIM RFM (B00020) on a card without ISIM and any unclaimed TAR: 09 TAR unknown, unsecured, RHL 0A', async () => {
    for (const tar of ['B00020', 'B00030', 'C00000']) {
      const pkt = wrapScript({ spi: SPI, kic: 0x22, kid: 0x22, tar: fromHex(tar), counter: 1, commands: [c('00b000000a')] }, AES);
      // 02 71 00 | RPL 000B | RHL 0A | TAR | CNTR 0000000000 | PCNTR 00 | status 09
      expect(toHex(await envelope(pkt))).toBe(`027100000B0A${tar}00000000000009`);
    }
  });
  it('an image can declare its own RFM instances (PE-RFM style): TAR list, ADF, MSL', async () => {
    provisionOta(card, { keySets: defaultOtaState().keySets, rfm: [{ name: 'USIM RFM', tars: ['B00011'], adf: 'A0000000871002', msl: '16' }] });
    expect((await send('B00010', ['00b0870009'])).por.status).toBe(9);
    const ok = await send('B00011', ['00b0870009'], { counter: 5 });
    expect(toHex(ok.por.result!.responses[0]!.data)).toBe('080910101032547698');
  });
});

describe('access domains (TS 102 226 8.2.1.3.2.4)', () => {
  it('02 000100 (ADM1): ADM1-protected files update, PIN1-protected files stay closed; FF: nothing', async () => {
    provisionOta(card, {
      keySets: defaultOtaState().keySets,
      rfm: [
        { name: 'UICC RFM', tars: ['B00000'], uiccAccessDomain: '02000100' },
        { name: 'locked', tars: ['B00001'], uiccAccessDomain: 'FF' },
      ],
    });
    const r = await send('B00000', ['00a40004027ff0', '00a40004026f46', '00d6000003014142', '00b0000003'], { format: 'expanded' });
    expect(r.por.result!.responses.map((x) => x.sw)).toEqual([0x9000, 0x9000, 0x9000, 0x9000]);
    expect(toHex(r.por.result!.responses[3]!.data)).toBe('014142');
    const imsi = await send('B00000', ['00a4000c027ff0', '00a4000c026f07', '00b0000009'], { counter: 2, format: 'expanded' });
    expect(imsi.por.result!.responses[2]!.sw).toBe(0x6982);
    const locked = await send('B00001', ['00a4000c022fe2', '00b000000a'], { counter: 3, format: 'expanded' });
    expect(locked.por.result!.responses[1]!.sw).toBe(0x6982);
  });
});

describe('script forms', () => {
  it('compact (T=0): SELECT answers 61xx, GET RESPONSE fetches the FCP with 9000', async () => {
    const r = await send('B00000', ['00a40004022fe2', '00c0000000']);
    expect(r.por.result!.executed).toBe(2);
    expect(r.por.result!.responses[0]!.sw).toBe(0x9000);
    expect(toHex(r.por.result!.responses[0]!.data).startsWith('62')).toBe(true);
  });
  it('expanded: data only where Le asks for it', async () => {
    const r = await send('B00000', ['00a40004022fe2', '00a40004022fe200'], { format: 'expanded' });
    expect(r.por.result!.responses[0]).toEqual({ data: new Uint8Array(0), sw: 0x9000 });
    expect(toHex(r.por.result!.responses[1]!.data).startsWith('62')).toBe(true);
  });
});

describe('PoR per error case (TS 102 225 5.2)', () => {
  it('01 CC failed: unsecured, RHL 0A, counter 0', async () => {
    const bad = wrapScript(
      { spi: SPI, kic: 0x22, kid: 0x22, tar: fromHex('B00010'), counter: 1, commands: [c('00b000000a')] },
      { ...AES, kid: new Uint8Array(16) },
    );
    expect(toHex(await envelope(bad))).toBe('027100000B0AB0001000000000000001');
  });
  it('06 unknown key set (KIc/KID index 7): unsecured', async () => {
    const pkt = wrapScript({ spi: SPI, kic: 0x72, kid: 0x72, tar: fromHex('B00010'), counter: 1, commands: [c('00b000000a')] }, AES);
    expect(toHex(await envelope(pkt))).toBe('027100000B0AB0001000000000000006');
  });
  it('02 CNTR low: secured as the SPI asks (CC verified, ciphered), with the received counter', async () => {
    await send('B00010', ['00b0870009'], { counter: 9 });
    const replay = await send('B00010', ['00b0870009'], { counter: 9 });
    expect(replay.raw[5]).toBe(0x12); // RHL 0A + 8-byte CC
    expect(replay.por).toMatchObject({ status: 2, verified: true, counter: 9 });
  });
  it('0A insufficient security level: secured when the CC verified, unsecured otherwise', async () => {
    provisionOta(card, { keySets: defaultOtaState().keySets, rfm: [{ name: 'strict', tars: ['B00000'], msl: '16' }] });
    const plainSpi = decodeSpi(fromHex('1209')); // CC, counter higher, no ciphering; PoR always, with CC
    const weak = await send('B00000', ['00b082000a'], { spi: plainSpi });
    expect(weak.raw[5]).toBe(0x12);
    expect(weak.por).toMatchObject({ status: 0x0a, verified: true });
    // pySim's 3DES packet, ciphered without CC (test_ota.py test_cmd_3des_ciphered, key set 3)
    provisionOta(card, {
      keySets: [...defaultOtaState().keySets, { index: 3, kic: 'C21DD66ACAC13CB3BC8B331B24AFB57B', kid: '12110C78E678C25408233076AA033615' }],
    });
    expect(toHex(await envelope(fromHex('00180d04193535b00000e3ec80a849b554421276af3883927c20')))).toBe('027100000B0AB00000' + '0000000000' + '00' + '0A');
    // with an instance that accepts ciphering alone (MSL 04) pySim's SELECT MF runs and the PoR is secured
    provisionOta(card, {
      keySets: [...defaultOtaState().keySets, { index: 3, kic: 'C21DD66ACAC13CB3BC8B331B24AFB57B', kid: '12110C78E678C25408233076AA033615' }],
      rfm: [{ name: 'UICC RFM', tars: ['B00000'], msl: '04' }],
    });
    const raw = await envelope(fromHex('00180d04193535b00000e3ec80a849b554421276af3883927c20'));
    const k3 = { kic: fromHex('C21DD66ACAC13CB3BC8B331B24AFB57B'), kid: fromHex('12110C78E678C25408233076AA033615') };
    const por = unwrapPor(raw, { spi: decodeSpi(fromHex('0419')), kic: 0x35, kid: 0x35 }, k3);
    expect(por).toMatchObject({ status: 0, verified: true });
    expect(por.result!.responses[0]!.sw >> 8).toBe(0x61); // pySim's card: 612F
  });
});
