/** Shared by the TLV and FCP property tests. */
import fc from 'fast-check';
import { CodecError } from '../../src/codec/errors.js';

/** Runs `f`; any exception must be a CodecError naming a numeric offset and a tag. */
export function onlyCodecErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof CodecError)) throw new Error(`not a CodecError: ${String(e)}`, { cause: e });
    if (typeof e.offset !== 'number' || !Number.isInteger(e.offset) || e.offset < 0) throw new Error(`no offset: ${e.message}`);
    if (typeof e.tag !== 'string' || e.tag.length === 0) throw new Error(`no tag: ${e.message}`);
  }
}

/** Random bytes, and valid encodings with a few bytes flipped, inserted or cut. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc
      .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 4 }))
      .map(([b, muts]) => {
        let out = Array.from(b);
        for (const [pos, val, op] of muts) {
          const p = out.length ? pos % out.length : 0;
          if (op === 0 && out.length) out[p] = val;
          else if (op === 1) out.splice(p, 0, val);
          else out = out.slice(0, p);
        }
        return Uint8Array.from(out);
      }),
  );
}
