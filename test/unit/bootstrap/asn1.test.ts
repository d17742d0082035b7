/**
 * PKCS#15 types against DER assembled by hand from the ASN.1 of PKCS #15 v1.1 and X.690
 * (tags: 30 SEQUENCE, 04 OCTET STRING, 06 OID, 0C UTF8String, 03 BIT STRING, A1/A7 context
 * constructed). OID 2.23.43.9.1 = 67 2B 09 01 (X.690 8.19: 2*40+23 = 103 = 0x67).
 */
import { describe, expect, it } from 'vitest';
import { decodeDer, encodeDer } from '../../../src/codec/asn1/codec.js';
import { DataTypeType } from '../../../src/bootstrap/asn1/data-type.js';
import { OdfEntryType } from '../../../src/bootstrap/asn1/odf.js';
import { PathType } from '../../../src/bootstrap/asn1/path.js';
import { TokenInfoType } from '../../../src/bootstrap/asn1/token-info.js';
import { CodecError } from '../../../src/codec/errors.js';
import { fromHex, toHex } from '../../../src/util/hex.js';

describe('PKCS#15 ASN.1', () => {
  it('Path with and without index/length', () => {
    expect(toHex(encodeDer(PathType, { path: fromHex('6430') }))).toBe('300404026430');
    const full = '300C' + '04043F005015' + '020100' + '800120';
    expect(decodeDer(PathType, fromHex(full))).toEqual({ path: fromHex('3F005015'), index: 0, length: 32 });
    expect(toHex(encodeDer(PathType, { path: fromHex('3F005015'), index: 0, length: 32 }))).toBe(full);
  });

  it('ODF dataObjects entry: [7] explicit around the Path (LwM2M Core G.3.1)', () => {
    const bytes = 'A706300404026430';
    const v = decodeDer(OdfEntryType, fromHex(bytes));
    expect(v).toEqual({ kind: 'dataObjects', value: { kind: 'path', value: { path: fromHex('6430') } } });
    expect(toHex(encodeDer(OdfEntryType, v))).toBe(bytes);
    expect(decodeDer(OdfEntryType, fromHex('A806300404024401')).kind).toBe('authObjects');
  });

  it('DODF oidDO for LwM2M (2.23.43.9.1) pointing at 6440', () => {
    // [1] { common { label "LwM2M Bootstrap" }, class {}, [1] { OidDO { 06 04 672B0901, Path { 04 02 6440 } } } }
    const bytes =
      'A125' + '3011' + '0C0F' + Buffer.from('LwM2M Bootstrap').toString('hex').toUpperCase() + '3000' + 'A10E' + '300C' + '0604672B0901' + '3004' + '04026440';
    const v = decodeDer(DataTypeType, fromHex(bytes));
    expect(v.kind).toBe('oidDO');
    if (v.kind !== 'oidDO') return;
    expect(v.value.commonObjectAttributes.label).toBe('LwM2M Bootstrap');
    expect(v.value.typeAttributes.id).toBe('2.23.43.9.1');
    expect(v.value.typeAttributes.value).toEqual({ kind: 'indirect', value: { path: fromHex('6440') } });
    expect(toHex(encodeDer(DataTypeType, v))).toBe(bytes);
  });

  it('DODF opaqueDO with applicationOID (the form OpenSC lists)', () => {
    // { common { label "DM", flags modifiable (03 02 06 40) }, class { OID 2.23.43.7.1 }, [1] { Path { 04 02 6450 } } }
    const bytes = '301A' + '3008' + '0C02444D' + '03020640' + '3006' + '0604672B0701' + 'A106' + '3004' + '04026450';
    const v = decodeDer(DataTypeType, fromHex(bytes));
    expect(v.kind).toBe('opaqueDO');
    if (v.kind !== 'opaqueDO') return;
    expect(v.value.commonObjectAttributes).toEqual({ label: 'DM', flags: [1] });
    expect(v.value.classAttributes.applicationOID).toBe('2.23.43.7.1');
    expect(toHex(encodeDer(DataTypeType, v))).toBe(bytes);
  });

  it('reads the mis-encoded LwM2M OID (06 04 ... inside the value) and says so', () => {
    const bytes = 'A11B' + '3007' + '0C054C774D324D' + '3000' + 'A10E' + '300C' + '0606' + '0604672B0901' + '3004' + '04026440';
    const warnings: string[] = [];
    const v = decodeDer(DataTypeType, fromHex(bytes), 'DODF entry 1', { warnings });
    expect(v.kind === 'oidDO' && v.value.typeAttributes.id).toBe('2.23.43.9.1');
    expect(warnings[0]).toMatch(/DODF entry 1 \/ oidDO \/ typeAttributes \/ id: OID value carries its own tag and length/);
  });

  it('TokenInfo (PKCS #15 6.9): version, serial, manufacturer, [0] label, readonly flag', () => {
    const bytes = '3017' + '020100' + '0402' + '1234' + '0C05' + '73696D646D' + '8003' + '4F5031' + '03020780';
    const v = decodeDer(TokenInfoType, fromHex(bytes));
    expect(v).toEqual({ version: 0, serialNumber: fromHex('1234'), manufacturerID: 'simdm', label: 'OP1', tokenflags: [0] });
    expect(toHex(encodeDer(TokenInfoType, v))).toBe(bytes);
  });

  it('malformed input: CodecError naming the element and offset', () => {
    expect(() => decodeDer(PathType, fromHex('3004040264'))).toThrow(CodecError);
    const e = (() => {
      try {
        decodeDer(DataTypeType, fromHex('3008' + '3000' + '3000' + 'A100' + '0000'), 'DODF entry 7');
      } catch (x) {
        return x as CodecError;
      }
    })();
    expect(e).toBeInstanceOf(CodecError);
    expect(e!.message).toMatch(/DODF entry 7/);
  });
});
