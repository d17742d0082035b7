/**
 * Property tests of the TLV codecs: encode/decode round trips on generated values, and decoders
 * fed random or mutated bytes never throw anything but a CodecError that names offset and tag.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBer, encodeBerSeq, encodeBerTree, type BerTlvInput } from '../../src/codec/tlv/ber.js';
import { decodeCatTemplate, decodeComprehension, encodeComprehension, type ComprehensionTlv } from '../../src/codec/tlv/comprehension.js';
import { decodeSimple, encodeSimple, type SimpleTlv } from '../../src/codec/tlv/simple.js';
import { decodeLwm2mTlv, encodeLwm2mTlv, lwm2mTlvToInput, type Lwm2mTlvInput } from '../../src/codec/tlv/lwm2m.js';
import {
  LWM2M_OBJECTS,
  decodeLwm2mInstance,
  decodeLwm2mObject,
  encodeLwm2mObject,
  lwm2mObjectsEqual,
  type Lwm2mInstance,
  type Lwm2mResourceValue,
} from '../../src/codec/tlv/lwm2m-model.js';
import type { Lwm2mDataType, Lwm2mValue } from '../../src/codec/tlv/lwm2m-values.js';
import { toHex } from '../../src/util/hex.js';
import { FUZZ_RUNS } from '../helpers/fuzz.js';
import { mutated, onlyCodecErrors } from './tlv-helpers.js';

// ---- BER-TLV ---------------------------------------------------------------------------

function berTag(cls: number, constructed: boolean, num: number): number {
  const first = (cls << 6) | (constructed ? 0x20 : 0);
  if (num < 31) return first | num;
  if (num < 128) return ((first | 0x1f) << 8) | num;
  return (((first | 0x1f) << 16) | ((0x80 | (num >> 7)) << 8) | (num & 0x7f)) >>> 0;
}

const primTag = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 16383 }))
  .map(([c, n]) => berTag(c, false, n))
  .filter((t) => t !== 0x00);
const consTag = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 16383 }))
  .map(([c, n]) => berTag(c, true, n))
  .filter((t) => t >> (t > 0xffff ? 16 : t > 0xff ? 8 : 0) !== 0xff);

const berTree: fc.Arbitrary<BerTlvInput[]> = fc.letrec<{ node: BerTlvInput; list: BerTlvInput[] }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ tag: primTag, value: fc.uint8Array({ maxLength: 140 }) }),
    fc.record({ tag: consTag, value: tie('list') as fc.Arbitrary<BerTlvInput[]> }),
  ),
  list: fc.array(tie('node'), { maxLength: 4 }),
})).list;

describe('BER-TLV properties', () => {
  it('encode then decode gives the tree back, re-encoding gives the same bytes', () => {
    fc.assert(
      fc.property(berTree, (tree) => {
        const bytes = encodeBerSeq(tree);
        const back = decodeBer(bytes, { skipPadding: false });
        expect(toHex(encodeBerTree(back))).toBe(toHex(bytes));
        expect(back.map((t) => t.tag)).toEqual(tree.map((t) => t.tag));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('random and mutated bytes give only CodecErrors', () => {
    fc.assert(
      fc.property(mutated(berTree.map(encodeBerSeq)), (bytes) => {
        onlyCodecErrors(() => decodeBer(bytes));
        onlyCodecErrors(() => decodeBer(bytes, { skipPadding: false, maxDepth: 3 }));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

// ---- COMPREHENSION-TLV -------------------------------------------------------------------

const compItem: fc.Arbitrary<ComprehensionTlv> = fc.oneof(
  fc.record({ tag: fc.integer({ min: 1, max: 0x7e }), cr: fc.boolean(), value: fc.uint8Array({ maxLength: 255 }) }),
  fc.record({ tag: fc.integer({ min: 1, max: 0x7fff }), cr: fc.boolean(), threeByte: fc.constant(true), value: fc.uint8Array({ maxLength: 200 }) }),
);

describe('COMPREHENSION-TLV properties', () => {
  it('round trip', () => {
    fc.assert(
      fc.property(fc.array(compItem, { maxLength: 6 }), (items) => {
        const bytes = encodeComprehension(items);
        const back = decodeComprehension(bytes);
        expect(toHex(encodeComprehension(back))).toBe(toHex(bytes));
        expect(back.map((t) => [t.tag, t.cr, toHex(t.value)])).toEqual(items.map((t) => [t.tag, t.cr, toHex(t.value)]));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('random and mutated bytes give only CodecErrors', () => {
    const valid = fc.array(compItem, { maxLength: 4 }).map(encodeComprehension);
    fc.assert(
      fc.property(mutated(valid), (bytes) => {
        onlyCodecErrors(() => decodeComprehension(bytes));
        onlyCodecErrors(() => decodeCatTemplate(Uint8Array.from([0xd0, bytes.length & 0x7f, ...bytes])));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

// ---- SIMPLE-TLV --------------------------------------------------------------------------

const simpleItem: fc.Arbitrary<SimpleTlv> = fc
  .record(
    { tag: fc.integer({ min: 1, max: 0xfe }), value: fc.uint8Array({ maxLength: 400 }), longLength: fc.constant(true) },
    { requiredKeys: ['tag', 'value'] },
  )
  .map((t) => (t.longLength && t.value.length < 255 ? t : { tag: t.tag, value: t.value }));

describe('SIMPLE-TLV properties', () => {
  it('round trip', () => {
    fc.assert(
      fc.property(fc.array(simpleItem, { maxLength: 5 }), (items) => {
        const bytes = encodeSimple(items);
        expect(toHex(encodeSimple(decodeSimple(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('random and mutated bytes give only CodecErrors', () => {
    fc.assert(
      fc.property(mutated(fc.array(simpleItem, { maxLength: 3 }).map(encodeSimple)), (bytes) => onlyCodecErrors(() => decodeSimple(bytes))),
      { numRuns: FUZZ_RUNS },
    );
  });
});

// ---- LwM2M TLV ---------------------------------------------------------------------------

const id16 = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }));
const leafValue = fc.oneof(fc.uint8Array({ maxLength: 10 }), fc.uint8Array({ minLength: 250, maxLength: 300 }));
const resInst = fc.record({ kind: fc.constant('resourceInstance' as const), id: id16, value: leafValue });
const resource: fc.Arbitrary<Lwm2mTlvInput> = fc.oneof(
  fc.record({ kind: fc.constant('resource' as const), id: id16, value: leafValue }),
  fc.record({ kind: fc.constant('multipleResource' as const), id: id16, children: fc.array(resInst, { maxLength: 3 }) }),
);
const objInst: fc.Arbitrary<Lwm2mTlvInput> = fc.record({
  kind: fc.constant('objectInstance' as const),
  id: id16,
  children: fc.array(resource, { maxLength: 4 }),
});

function valueFor(type: Lwm2mDataType): fc.Arbitrary<Lwm2mValue> {
  switch (type) {
    case 'string':
    case 'corelnk':
      return fc.string({ unit: 'grapheme', maxLength: 20 }).map((value) => ({ type, value }));
    case 'integer':
    case 'time':
      return fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })).map((v) => ({ type, value: narrow(v) }));
    case 'unsigned':
      return fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map((v) => ({ type, value: narrow(v) }));
    case 'float':
      return fc.double({ noNaN: true }).map((value) => ({ type, value }));
    case 'boolean':
      return fc.boolean().map((value) => ({ type, value }));
    case 'objlnk':
      return fc.record({ objectId: fc.integer({ min: 0, max: 0xffff }), instanceId: fc.integer({ min: 0, max: 0xffff }) }).map((value) => ({ type, value }));
    case 'none':
      return fc.constant({ type });
    case 'opaque':
      return fc.uint8Array({ maxLength: 40 }).map((value) => ({ type, value }));
  }
}

function narrow(v: number | bigint): number | bigint {
  const b = BigInt(v);
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

function instancesFor(objectId: number): fc.Arbitrary<Lwm2mInstance[]> {
  const defs = LWM2M_OBJECTS[objectId]!.resources;
  const res: Record<string, fc.Arbitrary<Lwm2mResourceValue>> = {};
  for (const [id, d] of Object.entries(defs)) {
    res[id] = d.multiple
      ? fc
          .dictionary(fc.integer({ min: 0, max: 300 }).map(String), valueFor(d.type), { maxKeys: 3 })
          .map((m) => ({ type: 'multiple' as const, instances: m as unknown as Record<number, Lwm2mValue> }))
      : valueFor(d.type);
  }
  const resources = fc.record(res, { requiredKeys: [] }) as unknown as fc.Arbitrary<Record<number, Lwm2mResourceValue>>;
  return fc.uniqueArray(fc.record({ instanceId: fc.integer({ min: 0, max: 0xffff }), resources }), { selector: (i) => i.instanceId, maxLength: 3 });
}

describe('LwM2M TLV properties', () => {
  it('raw tree round trip in the canonical form', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(objInst, resource, resInst), { maxLength: 4 }), (items) => {
        const bytes = encodeLwm2mTlv(items);
        const back = decodeLwm2mTlv(bytes);
        expect(toHex(encodeLwm2mTlv(back.map(lwm2mTlvToInput)))).toBe(toHex(bytes));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  for (const objectId of [0, 1, 3, 11]) {
    it(`typed object ${objectId} (${LWM2M_OBJECTS[objectId]!.name}) round trip`, () => {
      fc.assert(
        fc.property(instancesFor(objectId), (instances) => {
          const bytes = encodeLwm2mObject(instances);
          const back = decodeLwm2mObject(bytes, objectId);
          expect(lwm2mObjectsEqual(back, instances)).toBe(true);
          expect(toHex(encodeLwm2mObject(back))).toBe(toHex(bytes));
        }),
        { numRuns: Math.max(200, Math.floor(FUZZ_RUNS / 4)) },
      );
    });
  }

  it('random and mutated bytes give only CodecErrors', () => {
    const valid = fc.array(objInst, { maxLength: 3 }).map(encodeLwm2mTlv);
    fc.assert(
      fc.property(mutated(valid), (bytes) => {
        onlyCodecErrors(() => decodeLwm2mTlv(bytes));
        for (const o of [0, 1, 3, 11]) {
          onlyCodecErrors(() => decodeLwm2mObject(bytes, o));
          onlyCodecErrors(() => decodeLwm2mInstance(bytes, o));
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
