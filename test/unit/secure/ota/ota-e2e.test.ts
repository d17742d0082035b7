/**
 * RFM over SMS-PP into the virtual UICC: ENVELOPE D1 with a secured packet built by the host-side
 * library (checked against pySim's packets in packet.test.ts), run by the card's OTA applet, PoR back.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeCommand } from '../../../../src/apdu/command.js';
import { CardLink } from '../../../../src/apdu/link.js';
import { unwrapPor, wrapScript } from '../../../../src/secure/ota/sender.js';
import { buildSmsPpEnvelope } from '../../../../src/secure/ota/smspp.js';
import { decodeSpi } from '../../../../src/secure/ota/spi.js';
import { pinHex, defaultImage } from '../../../../src/sim/default-image.js';
import { provisionOta } from '../../../../src/sim/applets/ota.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../../src/sim/inproc.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const KEYS = { kic: fromHex('200102030405060708090a0b0c0d0e0f'), kid: fromHex('201102030405060708090a0b0c0d0e0f') };
const SPI = decodeSpi(fromHex('1639')); // CC + ciphering, counter must be higher, PoR with CC + ciphering
const c = (h: string) => decodeCommand(fromHex(h));

let card: VirtualUicc;
let link: CardLink;
beforeEach(async () => {
  card = new VirtualUicc(defaultImage());
  provisionOta(card, { keySets: [{ index: 2, kic: '200102030405060708090A0B0C0D0E0F', kid: '201102030405060708090A0B0C0D0E0F' }] });
  const t = new InProcessTransport(card);
  await t.connect();
  link = new CardLink(t);
});

async function send(counter: number, cmds: string[], tar = 'B00000', format: 'compact' | 'expanded' = 'compact') {
  const pkt = wrapScript({ spi: SPI, kic: 0x22, kid: 0x22, tar: fromHex(tar), counter, commands: cmds.map(c), format }, KEYS);
  const r = await link.transmit(buildSmsPpEnvelope(pkt));
  expect(r.sw).toBe(0x9000);
  return unwrapPor(r.data, { spi: SPI, kic: 0x22, kid: 0x22, format }, KEYS);
}

describe('OTA RFM in the virtual UICC', () => {
  it('reads EF.ICCID with a compact script', async () => {
    const por = await send(1, ['00a40004022fe2', '00b000000a']);
    expect(por.status).toBe(0);
    expect(por.verified).toBe(true);
    expect(por.result!.executed).toBe(2);
    expect(toHex(por.result!.responses[0]!.data)).toBe('984401000000000010F5');
  });
  it('expanded script with full access (no PIN needed), and the terminal selection on channel 0 is untouched', async () => {
    await link.send(c('00a40004022fe2'));
    const por = await send(1, ['00a4000c027ff0', '00a4000c026f07', '00b0000009'], 'B00000', 'expanded');
    expect(por.result!.responses.map((r) => r.sw)).toEqual([0x9000, 0x9000, 0x9000]);
    expect(toHex(por.result!.responses[2]!.data)).toBe('080910101032547698');
    // channel 0 still has EF.ICCID selected
    expect(toHex(await link.send(c('00b000000a')))).toBe('984401000000000010F5');
  });
  it('access domain "card": the terminal\'s security status applies (EF.IMSI needs PIN1)', async () => {
    provisionOta(card, { keySets: [{ index: 2, kic: '200102030405060708090A0B0C0D0E0F', kid: '201102030405060708090A0B0C0D0E0F' }], accessDomain: 'card' });
    const por = await send(1, ['00a4000c027ff0', '00a4000c026f07', '00b0000009'], 'B00000', 'expanded');
    expect(por.result!.responses.map((r) => r.sw)).toEqual([0x9000, 0x9000, 0x6982]);
    await link.send({ cla: 0x00, ins: 0x20, p1: 0x00, p2: 0x01, data: fromHex(pinHex('1234')) });
    const again = await send(2, ['00a4000c027ff0', '00a4000c026f07', '00b0000009'], 'B00000', 'expanded');
    expect(toHex(again.result!.responses[2]!.data)).toBe('080910101032547698');
  });
  it('updates the ADM-protected EF.SPN without ADM (full access), refuses a replayed packet with CNTR low', async () => {
    const upd = ['00a40004027ff0', '00a40004026f46', '00d6000003014142'];
    expect((await send(5, upd)).result!.responses[0]!.sw).toBe(0x9000);
    await link.send(c('00a40004027ff0'));
    await link.send(c('00a40004026f46'));
    expect(toHex(await link.send(c('00b0000003')))).toBe('014142');
    const replay = await send(5, ['00a40004027ff0', '00a40004026f46', '00d6000003015a5a']);
    expect(replay.status).toBe(2);
    expect(replay.statusText).toBe('CNTR low');
    expect(toHex(await link.send(c('00b0000003')))).toBe('014142');
    expect(JSON.stringify(card.toImage().applets)).toContain('"B00000/2/2":5');
  });
  it('records: UPDATE RECORD (absolute) and READ RECORD (next) on EF.ECC, by SFI too', async () => {
    const por = await send(1, ['00a40004027ff0', '00a40004026fb7', '00dc0204041234ffff', '00b2010404', '00b2000204'], 'B00000', 'expanded');
    expect(por.result!.responses.map((r) => r.sw)).toEqual([0x9000, 0x9000, 0x9000, 0x9000, 0x9000]);
    expect(toHex(por.result!.responses[3]!.data)).toBe('11F2FF00');
    expect(toHex(por.result!.responses[4]!.data)).toBe('1234FFFF');
    // SFI 1 (EF.ECC) from the USIM DF: P2 = 1 << 3 | 04
    const sfi = await send(2, ['00a40004027ff0', '00b2020c04'], 'B00000', 'expanded');
    expect(toHex(sfi.result!.responses[1]!.data)).toBe('1234FFFF');
  });
  it('wrong KID: status 01 and nothing runs; unknown TAR: 09', async () => {
    const bad = wrapScript(
      { spi: SPI, kic: 0x22, kid: 0x22, tar: fromHex('B00000'), counter: 1, commands: [c('00b000000a')] },
      { ...KEYS, kid: new Uint8Array(16) },
    );
    const r = await link.transmit(buildSmsPpEnvelope(bad));
    expect(unwrapPor(r.data, { spi: SPI, kic: 0x22, kid: 0x22 }, KEYS).status).toBe(1);
    expect((await send(1, ['00b000000a'], 'C00000')).status).toBe(9);
  });
});

describe('concatenated SMS-PP (TS 23.040 9.2.3.24.1, TS 31.115 4.2)', () => {
  it('a script longer than one SMS travels in two short messages and runs once complete', async () => {
    const { buildSmsPpEnvelopes } = await import('../../../../src/secure/ota/smspp.js');
    // EF.OPLMNwAcT (6F61) is 40 bytes: write it four times (about 200 bytes of script), read it back
    const content = '00F110C080'.repeat(8);
    const upd = '00d6000028' + content;
    const cmds = ['00a40004027ff0', '00a40004026f61', upd, upd, upd, upd, '00b0000028'];
    const pkt = wrapScript({ spi: SPI, kic: 0x22, kid: 0x22, tar: fromHex('B00000'), counter: 7, commands: cmds.map(c) }, KEYS);
    const envs = buildSmsPpEnvelopes(pkt, { reference: 9 });
    expect(envs.length).toBe(2);
    const first = await link.transmit(envs[0]!);
    expect(first.sw).toBe(0x9000);
    expect(first.data.length).toBe(0);
    const last = await link.transmit(envs[1]!);
    const por = unwrapPor(last.data, { spi: SPI, kic: 0x22, kid: 0x22 }, KEYS);
    expect(por.status).toBe(0);
    expect(por.result!.executed).toBe(7);
    expect(toHex(por.result!.responses[0]!.data)).toBe(content);
  });
});
