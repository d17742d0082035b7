/**
 * One generic test over every declared EF codec: each vector (bytes from the standards or public
 * real-card dumps, with the meaning given there) decodes to its value, and the value encodes back
 * to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../src/codec/errors.js';
import { CODECS } from '../../../src/card/spec/index.js';
import { standardCatalogue, type CatalogueEntry } from '../../../src/card/catalogue.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import type { FileImage } from '../../../src/sim/image.js';
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
  it('the card model attaches each codec to the EF it is named for, and to no other', () => {
    for (const e of standardCatalogue().all()) if (e.codec) expect(e.codec.name, standardCatalogue().pathOf(e)).toBe(e.name);
    expect(new Set(CODECS.map((c) => c.name)).size).toBe(CODECS.length);
  });

  it('the card model: FIDs and SFIs unique within each DF, SFIs 1..30 (TS 102 221 8.4.2), size ranges sane', () => {
    const check = (d: CatalogueEntry): void => {
      const fids = d.children.filter((c) => c.kind !== 'ADF').map((c) => c.fid);
      expect(new Set(fids).size, `${d.name} FIDs`).toBe(fids.length);
      const sfis = d.children.flatMap((c) => (c.sfi !== undefined ? [c.sfi] : []));
      expect(new Set(sfis).size, `${d.name} SFIs`).toBe(sfis.length);
      for (const s of sfis) expect(s >= 1 && s <= 30, `${d.name} SFI ${s}`).toBe(true);
      for (const c of d.children) {
        if (c.size) expect(c.size.min <= (c.size.max ?? Infinity) && c.size.min > 0, c.name).toBe(true);
        check(c);
      }
    };
    check(standardCatalogue().root);
  });

  it("the default virtual card's EFs are the model's: FID, SFI, structure, and a size within the spec's range", () => {
    const cat = standardCatalogue();
    const visit = (f: FileImage, at: CatalogueEntry): void => {
      for (const c of f.children ?? []) {
        const e = c.type === 'EF' ? cat.child(at, c.name!) : cat.child(at, c.name!.replace(/^ADF\./, 'ADF.'));
        expect(e, `${f.name}/${c.name}`).toBeDefined();
        if (c.type !== 'EF') {
          visit(c, e!);
          continue;
        }
        expect(c.fid).toBe(e!.fid.toString(16).toUpperCase().padStart(4, '0'));
        expect(c.sfi ?? undefined, c.name).toBe(e!.sfi);
        expect(c.structure, c.name).toBe(e!.structure);
        const n = c.structure === 'transparent' ? c.size! : c.recordLength!;
        if (e!.size) expect(n >= e!.size.min && n <= (e!.size.max ?? Infinity), `${c.name} size ${n}`).toBe(true);
      }
    };
    visit(defaultImage().mf, cat.root);
  });

  it('encoding errors name the field and the reason', () => {
    const spn = CODECS.find((c) => c.name === 'EF.SPN')!;
    expect(() => spn.encode({ name: 'a name that is far too long', showPlmnNameAtHome: true }, 17)).toThrow(
      /field 'name': 27 characters need 27 bytes, the field has 16/,
    );
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
