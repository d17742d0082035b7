import { describe, expect, it } from 'vitest';
import { PinError } from '../../../src/card/errors.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { keyOverview } from '../../../src/card/pin-overview.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import { virtualCard } from './helpers.js';

describe('keyOverview (simdm pin status)', () => {
  it('counters of PIN1, PIN2 and ADM1, the PUK counter of PINs, enabled from the C6 template; costs no try', async () => {
    const { link, card } = await virtualCard();
    const rows = await keyOverview(link);
    expect(rows.map((r) => r.name)).toEqual(['PIN1', 'PIN2', 'ADM1']);
    const pin1 = rows[0]!;
    expect(pin1).toMatchObject({ ref: 0x01, retries: 3, verified: false, blocked: false, enabled: true, pukRetries: 10 });
    expect(rows[2]).toMatchObject({ ref: 0x0a, retries: 3 });
    expect(rows[2]!.pukRetries).toBeUndefined();
    // a second look sees the same counters: the overview never presents a value
    expect(await keyOverview(link)).toEqual(rows);
    expect(card.toImage().pins.find((p) => p.name === 'PIN1')!.retries).toBe(3);
  });

  it('shows a failed try and a verified key', async () => {
    const { link } = await virtualCard();
    await expect(verifyPin(link, 'PIN1', encodePinValue('0000', 'pin'))).rejects.toThrow();
    await verifyPin(link, 'ADM1', encodePinValue('88888888', 'adm'));
    const rows = await keyOverview(link, [0x01, 0x0a]);
    expect(rows[0]).toMatchObject({ name: 'PIN1', retries: 2 });
    expect(rows[1]).toMatchObject({ name: 'ADM1', verified: true });
  });

  it('leaves out a key the card lacks, unless it was named', async () => {
    const img = defaultImage();
    img.pins = img.pins.filter((p) => p.name !== 'PIN2');
    const { link } = await virtualCard(img);
    expect((await keyOverview(link)).map((r) => r.name)).toEqual(['PIN1', 'ADM1']);
    await expect(keyOverview(link, [0x81], true)).rejects.toThrow(PinError);
  });
});
