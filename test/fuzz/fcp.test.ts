/** Property tests of the FCP schema: round trips of generated FCPs, and hostile bytes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFcp, encodeFcp, encodeFcpCanonical, fcpEquals, type Fcp, type FileDescriptor } from '../../src/codec/tlv/fcp.js';
import { toHex } from '../../src/util/hex.js';
import { FUZZ_RUNS } from '../helpers/fuzz.js';
import { mutated, onlyCodecErrors } from './tlv-helpers.js';

const hexOf = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => toHex(b));

const descriptor: fc.Arbitrary<FileDescriptor> = fc.oneof(
  fc.record({ shareable: fc.boolean(), fileType: fc.constant('DF' as const), dataCoding: fc.constant(0x21) }),
  fc.record({
    shareable: fc.boolean(),
    fileType: fc.constantFrom('workingEF' as const, 'internalEF' as const),
    structure: fc.constantFrom('transparent' as const, 'noInfo' as const),
    dataCoding: fc.constant(0x21),
  }),
  fc.record({
    shareable: fc.boolean(),
    fileType: fc.constant('workingEF' as const),
    structure: fc.constantFrom('linearFixed' as const, 'cyclic' as const),
    dataCoding: fc.constant(0x21),
    recordLength: fc.integer({ min: 1, max: 0xffff }),
    numberOfRecords: fc.integer({ min: 0, max: 255 }),
  }),
);

const fcpArb: fc.Arbitrary<Fcp> = fc.record(
  {
    fileDescriptor: descriptor,
    fileId: hexOf(2, 2),
    dfName: hexOf(5, 16),
    proprietary: fc.record(
      {
        uiccCharacteristics: fc.integer({ min: 0, max: 255 }),
        applicationPowerConsumption: fc.record({ voltageClass: fc.nat(255), consumptionMa: fc.nat(255), referenceFrequency: fc.nat(255) }),
        minimumApplicationClock: fc.nat(255),
        availableMemory: fc.nat(0xffffffff),
        supportedSystemCommands: fc.nat(255),
      },
      { requiredKeys: [] },
    ),
    lifeCycle: fc.constantFrom('creation', 'initialisation', 'operational activated', 'operational deactivated', 'termination').map((state) => ({ state })),
    securityReferenced: fc.oneof(
      fc.record({ arrFid: hexOf(2, 2), record: fc.nat(255) }),
      fc.record({ arrFid: hexOf(2, 2), seRecords: fc.array(fc.record({ seid: fc.nat(255), record: fc.nat(255) }), { minLength: 1, maxLength: 3 }) }),
    ),
    securityCompact: fc.record({ accessMode: fc.nat(255), conditions: fc.array(fc.nat(255), { maxLength: 7 }) }),
    securityExpanded: fc.array(
      fc.oneof(
        fc.record({ tag: fc.constantFrom('80', '90', '97', '84', '9E'), value: hexOf(0, 6) }),
        fc.record({
          tag: fc.constantFrom('A4', 'A0', 'AF'),
          value: fc.constant(''),
          children: fc.array(fc.record({ tag: fc.constantFrom('83', '95'), value: hexOf(1, 1) }), { maxLength: 3 }),
        }),
      ),
      { maxLength: 4 },
    ),
    pinStatus: fc.record({
      psDo: hexOf(1, 2),
      keys: fc.array(fc.record({ keyReference: fc.nat(255), usageQualifier: fc.nat(255) }, { requiredKeys: ['keyReference'] }), { maxLength: 5 }),
    }),
    fileSize: fc.nat(0xffffff),
    totalFileSize: fc.nat(0xffff),
    sfi: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 30 })),
  },
  { requiredKeys: ['fileDescriptor'] },
);

describe('FCP properties', () => {
  it('encode, decode, encode gives the same bytes; decoded equals the original canonically', () => {
    fc.assert(
      fc.property(fcpArb, (fcp) => {
        const bytes = encodeFcp(fcp);
        const back = decodeFcp(bytes);
        expect(toHex(encodeFcp(back))).toBe(toHex(bytes));
        expect(toHex(encodeFcpCanonical(back))).toBe(toHex(bytes));
        expect(fcpEquals(back, fcp)).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('random and mutated bytes give only CodecErrors', () => {
    fc.assert(
      fc.property(mutated(fcpArb.map(encodeFcp)), (bytes) => onlyCodecErrors(() => decodeFcp(bytes))),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('decoded FCPs of mutated bytes re-encode to bytes that decode the same', () => {
    fc.assert(
      fc.property(mutated(fcpArb.map(encodeFcp)), (bytes) => {
        let fcp: Fcp;
        try {
          fcp = decodeFcp(bytes);
        } catch {
          return;
        }
        const again = decodeFcp(encodeFcp(fcp));
        expect(fcpEquals(again, fcp)).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
