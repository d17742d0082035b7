/**
 * One generic test over every declared EF codec: each vector (bytes from the standards or public
 * real-card dumps, with the meaning given there) decodes to its value, and the value encodes back
 * to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../src/codec/errors.js';
import { CODECS } from '../../../src/card/codecs/index.js';
import { standardCatalogue } from '../../../src/card/catalogue.js';
import { fromHex, toHex } from '../../../src/util/hex.js';

describe.each(CODECS.map((c) => [c.name, c] as const))('%s', (_name, codec) => {
  it('has vectors', () => {
    expect(codec.vectors.length).toBeGreaterThan(0);
  });
  it.each(codec.vectors.map((v, i) => [i, v] as const))('vector %i decodes and encodes back', (_i, v) => {
    const bytes = fromHex(v.hex);
    expect(codec.decode(bytes)).toEqual(v.value);
    if (v.roundTrip !== false) expect(toHex(codec.encode(v.value, bytes.length))).toBe(v.hex.toUpperCase());
  });
});

describe('EF codecs', () => {
  it('every codec is reachable from the catalogue', () => {
    const withCodec = new Set([...standardCatalogue().all()].filter((e) => e.codec).map((e) => e.codec!.name));
    for (const c of CODECS) expect(withCodec.has(c.name), c.name).toBe(true);
  });

  it('encoding errors name the field and the reason', () => {
    const spn = CODECS.find((c) => c.name === 'EF.SPN')!;
    expect(() => spn.encode({ name: 'a name that is far too long', showPlmnNameAtHome: true }, 17)).toThrow(/field 'name': 27 characters need 27 bytes, the field has 16/);
    expect(() => spn.encode({ name: 'x', colour: 'red' }, 17)).toThrow(/field 'colour': unknown field/);
    const imsi = CODECS.find((c) => c.name === 'EF.IMSI')!;
    expect(() => imsi.encode({ imsi: '12345X' }, 9)).toThrow(CodecError);
    expect(() => imsi.encode({ imsi: '12345X' }, 9)).toThrow(/field 'imsi': 6 to 15 digits expected/);
    const plmn = CODECS.find((c) => c.name === 'EF.PLMNwAcT')!;
    expect(() => plmn.encode({ entries: [{ plmn: { mcc: '1', mnc: '01' }, act: [] }] }, 40)).toThrow(/field 'entries.0.plmn.mcc': 3 digits expected/);
  });

  it('encodes IMSI with even and odd digit counts (TS 24.008 10.5.1.4)', () => {
    const imsi = CODECS.find((c) => c.name === 'EF.IMSI')!;
    expect(toHex(imsi.encode({ imsi: '001010123456789' }, 9))).toBe('080910101032547698');
    expect(toHex(imsi.encode({ imsi: '00101012345678' }, 9))).toBe('0801101010325476F8');
  });
});
