/** Fuzz properties for the AUTHENTICATE (TS 31.102 7.1.2) command-data and answer parsers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS } from '../helpers/fuzz.js';
import {
  authenticate3gData,
  encodeAuthenticate3gAnswer,
  parseAuthenticate3gAnswer,
  parseAuthenticate3gData,
  parseAuthenticateGsmAnswer,
} from '../../src/secure/aka/authenticate-apdu.js';
import { AkaError } from '../../src/secure/aka/errors.js';

function onlyAkaErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof AkaError) || e.code !== 'aka.format') throw e;
  }
}

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

describe('AUTHENTICATE parsers under fuzzing', () => {
  it('arbitrary answer bytes: a result or AkaError aka.format, nothing else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          bytes(0, 80),
          fc.tuple(fc.constantFrom(0xdb, 0xdc), bytes(0, 70)).map(([t, b]) => Uint8Array.of(t, ...b)),
        ),
        (b) => {
          onlyAkaErrors(() => parseAuthenticate3gAnswer(b));
          onlyAkaErrors(() => parseAuthenticateGsmAnswer(b));
          onlyAkaErrors(() => parseAuthenticate3gData(b));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('success answers round-trip', () => {
    fc.assert(
      fc.property(bytes(4, 16), bytes(16, 16), bytes(16, 16), fc.option(bytes(8, 8), { nil: undefined }), (res, ck, ik, kc) => {
        const a = { kind: 'success' as const, res, ck, ik, ...(kc ? { kc } : {}) };
        expect(parseAuthenticate3gAnswer(encodeAuthenticate3gAnswer(a))).toEqual(a);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('sync-failure answers round-trip; any truncation is refused', () => {
    fc.assert(
      fc.property(bytes(14, 14), fc.nat(15), (auts, cut) => {
        const enc = encodeAuthenticate3gAnswer({ kind: 'sync-failure', auts });
        expect(parseAuthenticate3gAnswer(enc)).toEqual({ kind: 'sync-failure', auts });
        expect(() => parseAuthenticate3gAnswer(enc.subarray(0, cut))).toThrow(AkaError);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('command data round-trips; trailing bytes are refused', () => {
    fc.assert(
      fc.property(bytes(16, 16), bytes(16, 16), bytes(1, 4), (rand, autn, extra) => {
        const d = authenticate3gData(rand, autn);
        expect(parseAuthenticate3gData(d)).toEqual({ rand, autn });
        expect(() => parseAuthenticate3gData(Uint8Array.of(...d, ...extra))).toThrow(AkaError);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
