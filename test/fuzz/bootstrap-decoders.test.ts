/**
 * Bootstrap decoders on generated and mutated bytes: the directory parser never throws (it
 * reports), the DER codecs and the LwM2M file decoder throw only CodecError, and generated
 * values round-trip through encode/decode.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDer, encodeDer } from '../../src/codec/asn1/codec.js';
import { type DataType, DataTypeType } from '../../src/bootstrap/asn1/data-type.js';
import { OdfEntryType } from '../../src/bootstrap/asn1/odf.js';
import { TokenInfoType } from '../../src/bootstrap/asn1/token-info.js';
import { decodeContent } from '../../src/bootstrap/content/index.js';
import { decodeLwm2mBootstrapFile } from '../../src/bootstrap/content/lwm2m-file.js';
import { parseDirectory } from '../../src/bootstrap/directory.js';
import { dodfBytes } from '../../src/bootstrap/plan.js';
import { CodecError } from '../../src/codec/errors.js';
import { fromHex } from '../../src/util/hex.js';
import { FUZZ_RUNS, FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';

const onlyCodecErrors = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
  }
};

const SAMPLE_DODF = dodfBytes([
  { label: 'DM Bootstrap', oid: '2.23.43.7.1', fid: 0x6450 },
  { label: 'LwM2M Bootstrap', oid: '2.23.43.9.1', fid: 0x6440 },
]);

const mutate = (base: Uint8Array) =>
  fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }).map((edits) => {
    const b = base.slice();
    for (const [i, v] of edits) b[i] = v;
    return b;
  });

describe('bootstrap decoders (fuzz)', () => {
  it('directory parsing reports, never throws, on random and mutated DODFs', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutate(SAMPLE_DODF)), (b) => {
        const r = parseDirectory(b, DataTypeType, 'EF.DODF');
        expect(r.usedLength).toBeLessThanOrEqual(b.length);
        parseDirectory(b, OdfEntryType, 'EF.ODF');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('DER decoders and the LwM2M file decoder throw only CodecError', () => {
    const lwm2m = fromHex('0001001900000000140800' + '11C80008' + Buffer.from('coap://a').toString('hex') + 'C10100C10203');
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutate(lwm2m), mutate(SAMPLE_DODF.subarray(0, 34))), (b) => {
        onlyCodecErrors(() => decodeDer(DataTypeType, b));
        onlyCodecErrors(() => decodeDer(TokenInfoType, b));
        onlyCodecErrors(() => decodeLwm2mBootstrapFile(b));
        onlyCodecErrors(() => decodeContent('wap-provisioningdoc', b, 'f'));
        onlyCodecErrors(() => decodeContent('syncml-dm', b, 'f'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('generated DODF entries round-trip', () => {
    const oid = fc
      .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(fc.integer({ min: 0, max: 100000 }), { maxLength: 5 }))
      .map(([a, b, r]) => [a, b, ...r].join('.'));
    const path = fc.uint8Array({ minLength: 2, maxLength: 8 });
    const label = fc.string({ maxLength: 20 });
    const entry: fc.Arbitrary<DataType> = fc.oneof(
      fc.record({ label, oid, path }).map(({ label, oid, path }) => ({
        kind: 'opaqueDO' as const,
        value: {
          commonObjectAttributes: { label },
          classAttributes: { applicationOID: oid },
          typeAttributes: { kind: 'indirect' as const, value: { path } },
        },
      })),
      fc.record({ label, oid, path }).map(({ label, oid, path }) => ({
        kind: 'oidDO' as const,
        value: { commonObjectAttributes: { label }, classAttributes: {}, typeAttributes: { id: oid, value: { kind: 'indirect' as const, value: { path } } } },
      })),
    );
    fc.assert(
      fc.property(entry, (e) => {
        expect(decodeDer(DataTypeType, encodeDer(DataTypeType, e))).toEqual(e);
      }),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
});
