import { beforeEach, describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { decodeBer, findBer } from '../../../src/codec/tlv/ber.js';
import { defaultImage, pinHex, USIM_AID } from '../../../src/sim/default-image.js';
import { parseImage } from '../../../src/sim/image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { fromHex, toHex } from '../../../src/util/hex.js';

/** raw exchange with the card: no GET RESPONSE help, so T=0 behaviour is visible */
function raw(card: VirtualUicc, hex: string): { data: string; sw: string } {
  const r = card.process(fromHex(hex));
  return { data: toHex(r.subarray(0, r.length - 2)), sw: toHex(r.subarray(r.length - 2)) };
}

let card: VirtualUicc;
let link: CardLink;
beforeEach(async () => {
  card = new VirtualUicc(defaultImage());
  const t = new InProcessTransport(card);
  await t.connect();
  link = new CardLink(t);
});

describe('SELECT (TS 102 221 11.1.1)', () => {
  it('answers a case 4 SELECT with 61xx and the FCP on GET RESPONSE (T=0)', () => {
    const r = raw(card, '00A40004023F00');
    expect(r.sw.slice(0, 2)).toBe('61');
    const len = parseInt(r.sw.slice(2), 16);
    const g = raw(card, `00C00000${len.toString(16).padStart(2, '0')}`);
    expect(g.sw).toBe('9000');
    const fcp = decodeBer(fromHex(g.data))[0]!;
    expect(fcp.tag).toBe(0x62);
    expect(toHex(findBer(fcp.children, 0x83)!.value)).toBe('3F00');
    expect(toHex(findBer(fcp.children, 0x82)!.value)).toBe('7821');
  });
  it('GET RESPONSE: too large Le gets 6Cxx, a part leaves 61xx, another command discards it (6985)', () => {
    raw(card, '00A40004023F00');
    expect(raw(card, '00C00000FF').sw.slice(0, 2)).toBe('6C');
    const part = raw(card, '00C0000010');
    expect(part.data.length).toBe(32);
    expect(part.sw.slice(0, 2)).toBe('61');
    raw(card, '00A4000C022FE2');
    expect(raw(card, '00C0000010').sw).toBe('6985');
  });
  it('P2=0C returns no data', () => {
    expect(raw(card, '00A4000C023F00')).toEqual({ data: '', sw: '9000' });
  });
  it('selects by path from MF, by AID (partial), 7FFF, and parent', async () => {
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('2FE2') })).sw).toBe(0x9000);
    const adf = await link.send({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x04, data: fromHex(USIM_AID.slice(0, 14)) });
    expect(toHex(findBer(decodeBer(adf)[0]!.children, 0x84)!.value)).toBe(USIM_AID);
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fromHex('6F07') })).sw).toBe(0x9000);
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('7FFF6F07') })).sw).toBe(0x9000);
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 0x03, p2: 0x0c })).sw).toBe(0x9000);
  });
  it('unknown files give 6A82', async () => {
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('6F99') })).sw).toBe(0x6a82);
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: fromHex('A000000999') })).sw).toBe(0x6a82);
  });
  it('STATUS returns the FCP of the current DF', async () => {
    await link.send({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: fromHex(USIM_AID) });
    const d = await link.send({ cla: 0x80, ins: 0xf2, p1: 0, p2: 0, le: 256 });
    expect(toHex(findBer(decodeBer(d)[0]!.children, 0x84)!.value)).toBe(USIM_AID);
  });
});

describe('READ/UPDATE BINARY and access conditions', () => {
  it('reads EF.ICCID (always) and 6Cxx corrects Le', async () => {
    await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') });
    expect(raw(card, '00B0000000').sw).toBe('6C0A');
    expect(toHex(await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 }))).toBe('984401000000000010F5');
  });
  it('reads by SFI (P1 b8 set)', async () => {
    await link.send({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: fromHex(USIM_AID) });
    // EF.AD has SFI 03
    expect(toHex(await link.send({ cla: 0, ins: 0xb0, p1: 0x83, p2: 0, le: 4 }))).toBe('00000002');
  });
  it('refuses EF.IMSI without PIN1 (6982), reads after VERIFY', async () => {
    await link.send({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('7FF06F07') });
    expect((await link.transmit({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 9 })).sw).toBe(0x6982);
    await link.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x01, data: fromHex(pinHex('1234')) });
    expect(toHex(await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 9 }))).toBe('080910101032547698');
  });
  it('UPDATE needs ADM1; after ADM1 it writes, and bounds are checked', async () => {
    await link.send({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('7FF06F46') });
    expect((await link.transmit({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: fromHex('00') })).sw).toBe(0x6982);
    await link.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x0a, data: fromHex(pinHex('88888888')) });
    await link.send({ cla: 0, ins: 0xd6, p1: 0, p2: 1, data: fromHex('414243') });
    expect(toHex(await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 }))).toBe('01414243');
    expect((await link.transmit({ cla: 0, ins: 0xd6, p1: 0, p2: 16, data: fromHex('0000') })).sw).toBe(0x6700);
    expect((await link.transmit({ cla: 0, ins: 0xd6, p1: 0, p2: 17, data: fromHex('00') })).sw).toBe(0x6b00);
  });
  it('READ BINARY on a record file is 6981, with no EF selected 6986', async () => {
    expect((await link.transmit({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 1 })).sw).toBe(0x6986);
    await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2F00') });
    expect((await link.transmit({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 1 })).sw).toBe(0x6981);
  });
});

describe('READ/UPDATE RECORD (TS 102 221 11.1.5, 11.1.6)', () => {
  it('absolute, next and previous modes', async () => {
    await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2F00') });
    const r1 = await link.send({ cla: 0, ins: 0xb2, p1: 1, p2: 0x04, le: 38 });
    expect(toHex(r1).slice(0, 8)).toBe('61184F10');
    const next = await link.send({ cla: 0, ins: 0xb2, p1: 0, p2: 0x02, le: 38 });
    expect(toHex(next)).toBe('FF'.repeat(38));
    const prev = await link.send({ cla: 0, ins: 0xb2, p1: 0, p2: 0x03, le: 38 });
    expect(toHex(prev)).toBe(toHex(r1));
    expect((await link.transmit({ cla: 0, ins: 0xb2, p1: 9, p2: 0x04, le: 38 })).sw).toBe(0x6a83);
  });
  it('reads by SFI (EF.DIR SFI 30) and writes a record after ADM1', async () => {
    const r = await link.send({ cla: 0, ins: 0xb2, p1: 1, p2: (30 << 3) | 4, le: 38 });
    expect(r.length).toBe(38);
    await link.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x0a, data: fromHex(pinHex('88888888')) });
    const rec = new Uint8Array(38).fill(0xff);
    rec[0] = 0x61;
    await link.send({ cla: 0, ins: 0xdc, p1: 2, p2: 0x04, data: rec });
    expect((await link.send({ cla: 0, ins: 0xb2, p1: 2, p2: 0x04, le: 38 }))[0]).toBe(0x61);
    expect((await link.transmit({ cla: 0, ins: 0xdc, p1: 2, p2: 0x04, data: rec.subarray(1) })).sw).toBe(0x6700);
  });
  it('cyclic files: UPDATE PREVIOUS makes the oldest record record 1', async () => {
    const img = defaultImage();
    img.mf.children!.push({
      fid: '2F99',
      type: 'EF',
      structure: 'cyclic',
      recordLength: 2,
      recordCount: 3,
      records: ['0101', '0202', '0303'],
      access: { read: 'ALW', update: 'ALW' },
    });
    const c = new VirtualUicc(img);
    const l = new CardLink(Object.assign(new InProcessTransport(c), {}));
    await l.transport.connect();
    await l.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2F99') });
    await l.send({ cla: 0, ins: 0xdc, p1: 0, p2: 0x03, data: fromHex('0404') });
    const recs = [];
    for (let i = 1; i <= 3; i++) recs.push(toHex(await l.send({ cla: 0, ins: 0xb2, p1: i, p2: 0x04, le: 2 })));
    expect(recs).toEqual(['0404', '0101', '0202']);
  });
});

describe('PINs (TS 102 221 11.1.9-11.1.13)', () => {
  const verify = (ref: number, pin?: string) => link.transmit({ cla: 0, ins: 0x20, p1: 0, p2: ref, ...(pin ? { data: fromHex(pinHex(pin)) } : {}) });
  it('VERIFY without data reports the retry counter', async () => {
    expect((await verify(1)).sw).toBe(0x63c3);
  });
  it('counts down, blocks after the last retry, and stays blocked for the right PIN', async () => {
    expect((await verify(1, '0000')).sw).toBe(0x63c2);
    expect((await verify(1, '0000')).sw).toBe(0x63c1);
    expect((await verify(1, '0000')).sw).toBe(0x6983);
    expect((await verify(1, '1234')).sw).toBe(0x6983);
    expect((await verify(1)).sw).toBe(0x6983);
  });
  it('a correct PIN resets the counter', async () => {
    await verify(1, '0000');
    expect((await verify(1, '1234')).sw).toBe(0x9000);
    expect((await verify(1)).sw).toBe(0x9000);
    expect(card.pins[0]!.retries).toBe(3);
  });
  it('UNBLOCK with the PUK sets a new PIN and resets the counter', async () => {
    for (let i = 0; i < 3; i++) await verify(1, '0000');
    expect((await link.transmit({ cla: 0, ins: 0x2c, p1: 0, p2: 1 })).sw).toBe(0x63ca);
    expect((await link.transmit({ cla: 0, ins: 0x2c, p1: 0, p2: 1, data: fromHex(pinHex('00000000') + pinHex('4321')) })).sw).toBe(0x63c9);
    expect((await link.transmit({ cla: 0, ins: 0x2c, p1: 0, p2: 1, data: fromHex(pinHex('12345678') + pinHex('4321')) })).sw).toBe(0x9000);
    expect((await verify(1, '4321')).sw).toBe(0x9000);
  });
  it('CHANGE, DISABLE and ENABLE', async () => {
    expect((await link.transmit({ cla: 0, ins: 0x24, p1: 0, p2: 1, data: fromHex(pinHex('1234') + pinHex('9999')) })).sw).toBe(0x9000);
    expect((await verify(1, '9999')).sw).toBe(0x9000);
    expect((await link.transmit({ cla: 0, ins: 0x26, p1: 0, p2: 1, data: fromHex(pinHex('9999')) })).sw).toBe(0x9000);
    // with PIN1 disabled a fresh session reads EF.IMSI without VERIFY
    card.powerOn();
    await link.send({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('7FF06F07') });
    expect((await link.transmit({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 9 })).sw).toBe(0x9000);
    expect((await link.transmit({ cla: 0, ins: 0x28, p1: 0, p2: 1, data: fromHex(pinHex('9999')) })).sw).toBe(0x9000);
    expect((await link.transmit({ cla: 0, ins: 0x26, p1: 0, p2: 0x0a, data: fromHex(pinHex('88888888')) })).sw).toBe(0x6985);
  });
  it('power cycle drops the security status', async () => {
    await verify(1, '1234');
    card.powerOn();
    expect((await verify(1)).sw).toBe(0x63c3);
  });
});

describe('MANAGE CHANNEL (TS 102 221 11.1.17)', () => {
  it('opens, uses and closes a logical channel with its own current file', async () => {
    const ch = await link.openChannel();
    expect(ch.channel).toBe(1);
    await ch.send({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: fromHex(USIM_AID) });
    await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') });
    // channel 1 is still in ADF.USIM: EF.AD by SFI
    expect(toHex(await ch.send({ cla: 0, ins: 0xb0, p1: 0x83, p2: 0, le: 4 }))).toBe('00000002');
    await ch.close();
    expect((await link.on(1).transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('3F00') })).sw).toBe(0x6881);
  });
  it('channels up to 19 through further interindustry CLA', async () => {
    for (let i = 1; i <= 19; i++) await link.openChannel();
    expect((await link.transmit({ cla: 0, ins: 0x70, p1: 0, p2: 0, le: 1 })).sw).toBe(0x6a81);
    expect((await link.on(19).transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') })).sw).toBe(0x9000);
  });
});

describe('card image', () => {
  it('round-trips through toImage with changes kept', async () => {
    await link.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x0a, data: fromHex(pinHex('88888888')) });
    await link.send({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('7FF06F46') });
    await link.send({ cla: 0, ins: 0xd6, p1: 0, p2: 1, data: fromHex('5858') });
    const again = new VirtualUicc(parseImage(JSON.parse(JSON.stringify(card.toImage()))));
    expect(toHex(again.fileAt('3F00/7FF0/6F46')!.content!.subarray(0, 3))).toBe('015858');
  });
  it('names the JSON path of a bad image', () => {
    const img = defaultImage() as unknown as { mf: { children: { fid: string }[] } };
    img.mf.children[0]!.fid = 'XYZ';
    expect(() => parseImage(img, 'card.json')).toThrow(/card.json: mf.children.0.fid/);
  });
  it('unknown instructions give 6D00, a bad class 6E00, a garbled APDU 6700', () => {
    expect(raw(card, '00EE0000').sw).toBe('6D00');
    expect(raw(card, 'FFA40000').sw).toBe('6E00');
    expect(raw(card, '00A4').sw).toBe('6700');
  });
});
