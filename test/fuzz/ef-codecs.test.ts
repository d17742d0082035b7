/**
 * Every EF decoder under random bytes: a value or CodecError, never anything else; and what
 * decodes re-encodes to bytes of the same size that decode to the same value (encode is the
 * inverse of decode on its own output).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS } from '../helpers/fuzz.js';
import { CodecError } from '../../src/codec/errors.js';
import { CODECS } from '../../src/card/spec/index.js';
import { fromHex } from '../../src/util/hex.js';

const perCodec = Math.max(100, Math.floor(FUZZ_RUNS / 4));

describe.each(CODECS.map((c) => [c.name, c] as const))('%s under fuzzing', (_n, codec) => {
  const sizes = [...new Set(codec.vectors.map((v) => fromHex(v.hex).length))];
  // random bytes, and mutations of the vectors (closer to valid input)
  const input = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 64 }),
    fc.tuple(fc.constantFrom(...codec.vectors.map((v) => fromHex(v.hex))), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([b, i, x]) => {
      const c = b.slice();
      if (c.length) c[i % c.length] = x;
      return c;
    }),
  );
  it('decodes to a value or throws CodecError only', () => {
    fc.assert(
      fc.property(input, (b) => {
        let v: unknown;
        try {
          v = codec.decode(b);
        } catch (e) {
          if (!(e instanceof CodecError)) throw e;
          return;
        }
        // the value is JSON
        expect(JSON.parse(JSON.stringify(v))).toEqual(v);
      }),
      { numRuns: perCodec },
    );
  });
  it('re-encodes what it decoded (same value after a second decode)', () => {
    fc.assert(
      fc.property(input, (b) => {
        let v: ReturnType<typeof codec.decode>;
        try {
          v = codec.decode(b);
        } catch (e) {
          if (!(e instanceof CodecError)) throw e;
          return;
        }
        const size = Math.max(b.length, sizes[0] ?? 0);
        let again: Uint8Array;
        try {
          again = codec.encode(v, size);
        } catch (e) {
          // a value the decoder accepted but the encoder refuses must at least say why, as a CodecError
          if (!(e instanceof CodecError)) throw e;
          return;
        }
        expect(again.length).toBe(size);
        expect(codec.decode(again)).toEqual(v);
      }),
      { numRuns: perCodec },
    );
  });
});
