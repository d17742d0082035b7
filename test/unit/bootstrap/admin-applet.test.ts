/** CREATE FILE / DELETE FILE (ETSI TS 102 222 6.3, 6.4) in the virtual UICC. */
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { createFcp } from '../../../src/bootstrap/card-io.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { fromHex } from '../../../src/util/hex.js';

async function setup(free = 32768) {
  const img = defaultImage();
  img.freeSpace = free;
  const c = new VirtualUicc(img);
  const t = new InProcessTransport(c, 'test');
  await t.connect();
  return { c, link: new CardLink(t) };
}

// 62 { 82 41 21 (working EF, transparent), 83 6F99, 8A 05, AB { 80 01 03 (read|update) 90 00 }, 80 00 20 }
const FCP = fromHex('621682024121' + '83026F99' + '8A0105' + 'AB05800103' + '9000' + '80020020');

describe('virtual UICC CREATE/DELETE FILE', () => {
  it('needs the DF create condition (ADM1 on the MF), then creates and selects the file', async () => {
    const { c, link } = await setup();
    const free = c.available;
    expect((await link.transmit({ cla: 0, ins: 0xe0, p1: 0, p2: 0, data: FCP })).sw).toBe(0x6982);
    await verifyPin(link, 'ADM1', encodePinValue('88888888', 'adm'));
    expect((await link.transmit({ cla: 0, ins: 0xe0, p1: 0, p2: 0, data: FCP })).sw).toBe(0x9000);
    expect(c.available).toBe(free - 32);
    // the created file is current: UPDATE/READ BINARY without SELECT
    expect((await link.transmit({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: fromHex('0102') })).sw).toBe(0x9000);
    expect((await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 2 })).join()).toBe('1,2');
    expect(c.fileAt('3F00/6F99')!.access).toEqual({ read: 'ALW', update: 'ALW' });
    expect((await link.transmit({ cla: 0, ins: 0xe0, p1: 0, p2: 0, data: FCP })).sw).toBe(0x6a89);
    expect((await link.transmit({ cla: 0, ins: 0xe4, p1: 0, p2: 0, data: fromHex('6F99') })).sw).toBe(0x9000);
    expect(c.available).toBe(free);
    expect((await link.transmit({ cla: 0, ins: 0xe4, p1: 0, p2: 0, data: fromHex('6F99') })).sw).toBe(0x6a82);
  });

  it('ADF with an AID becomes selectable by AID; memory runs out with 6A84', async () => {
    const { link } = await setup(100);
    await verifyPin(link, 'ADM1', encodePinValue('88888888', 'adm'));
    const aid = fromHex('A000000063504B43532D3135');
    expect((await link.transmit({ cla: 0, ins: 0xe0, p1: 0, p2: 0, data: createFcp({ fid: 0x5015, df: true, aid, access: { create: 'ADM1' } }) })).sw).toBe(
      0x9000,
    );
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: aid })).sw).toBe(0x9000);
    expect(
      (await link.transmit({ cla: 0, ins: 0xe0, p1: 0, p2: 0, data: createFcp({ fid: 0x6440, size: 80, access: { read: 'ALW', update: 'ADM1' } }) })).sw,
    ).toBe(0x9000);
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: aid })).sw).toBe(0x9000);
    expect(
      (await link.transmit({ cla: 0, ins: 0xe0, p1: 0, p2: 0, data: createFcp({ fid: 0x6441, size: 80, access: { read: 'ALW', update: 'ADM1' } }) })).sw,
    ).toBe(0x6a84);
    expect((await link.transmit({ cla: 0, ins: 0xe0, p1: 0, p2: 0, data: fromHex('6203820141') })).sw).toBe(0x6a80);
  });
});
