import { describe, expect, it } from 'vitest';
import { berEquals, canonicalBer, canonicalComprehension, canonicalSimple, compareBytes, lwm2mBytesEqual } from '../../../../src/codec/tlv/canonical.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

describe('canonical forms (OMA DM 6.3.4.16: new vs current configuration)', () => {
  it('BER-TLV: non-minimal lengths and padding do not make a difference, values do', () => {
    // EF.IMSI FCP (pySim test data) with the 62 length in the long form and FF padding after it
    const der = fromHex('62178202412183026F078A01058B036F060A80020009880138');
    const ber = fromHex('628118820241218381026F078A01058B036F060A80020009880138FFFF');
    expect(toHex(canonicalBer(ber))).toBe(toHex(der));
    expect(berEquals(der, ber)).toBe(true);
    expect(berEquals(der, fromHex('62178202412183026F078A01058B036F060A80020009880140'))).toBe(false);
  });

  it('LwM2M: Server lifetime 86400 in 4 or 8 bytes, short server id 1 in 1 or 2 bytes, compare equal', () => {
    // Server object example of LwM2M 1.0 6.4.3.2
    const spec = fromHex('08000FC10001C40100015180C10601C10755');
    const wide = fromHex('080015C2000001C8010800000000000151 80C10601C10755'.replace(/ /g, ''));
    expect(lwm2mBytesEqual(spec, wide, 1)).toBe(true);
    const other = fromHex('08000FC10001C40100015181C10601C10755');
    expect(lwm2mBytesEqual(spec, other, 1)).toBe(false);
  });

  it('COMPREHENSION-TLV and SIMPLE-TLV', () => {
    expect(toHex(canonicalComprehension(fromHex('7F0001020102')))).toBe('01020102');
    expect(toHex(canonicalComprehension(fromHex('8103012180')))).toBe('8103012180');
    expect(toHex(canonicalSimple(fromHex('01FF0002AABB')))).toBe('0102AABB');
    expect(compareBytes(fromHex('01'), fromHex('0100'))).toBeLessThan(0);
    expect(compareBytes(fromHex('02'), fromHex('0100'))).toBeGreaterThan(0);
  });
});
