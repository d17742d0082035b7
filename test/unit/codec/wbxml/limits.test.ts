/**
 * Issue 12 item 9: string-table references let a small WBXML document expand without bound (a
 * 62 KB input decoded to 480 MB of XML). The decoder stops at its output limit with a CodecError
 * naming the offset, quickly and without the memory.
 */
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../src/codec/errors.js';
import { decodeWbxml } from '../../../../src/codec/wbxml/decode.js';

/** mb_u_int32 (WBXML 5.1) */
function mb(v: number): number[] {
  const out = [v & 0x7f];
  for (v >>>= 7; v > 0; v >>>= 7) out.unshift((v & 0x7f) | 0x80);
  return out;
}

/** <r> with `refs` STR_T references to one string of `len` characters in the string table */
function bomb(len: number, refs: number): Uint8Array {
  const table = [...Buffer.from('r\0', 'ascii'), ...Buffer.alloc(len, 0x41), 0];
  const body: number[] = [0x44, 0x00]; // LITERAL_C, name at table index 0
  for (let i = 0; i < refs; i++) body.push(0x83, ...mb(2)); // STR_T index 2
  body.push(0x01); // END
  return Uint8Array.from([0x03, 0x01, 0x6a, ...mb(table.length), ...table, ...body]);
}

describe('WBXML expansion limits', () => {
  it('a 62 KB document of string-table references is refused at the limit, fast', () => {
    const doc = bomb(1000, 20_000); // ~60 KB in, 20 MB of text out
    expect(doc.length).toBeLessThan(64_000);
    const t0 = performance.now();
    const e = (() => {
      try {
        decodeWbxml(doc);
        return undefined;
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(CodecError);
    expect((e as CodecError).code).toBe('codec.wbxml');
    expect((e as CodecError).message).toMatch(/decoded size exceeds the limit of \d+ characters .*expansion/);
    expect((e as CodecError).offset).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('the ratio limit holds below the absolute one; ordinary expansion passes', () => {
    // 10 references to a 1000-character string: 10 KB of text from ~1 KB, within the 64 Ki floor
    expect(decodeWbxml(bomb(1000, 10)).root.children).toHaveLength(1);
    // ratio 4 on a ~1 KB input: refused
    expect(() => decodeWbxml(bomb(1000, 10), { maxExpansion: 4, maxOutput: 1000 })).toThrow(CodecError);
    // an absolute limit of 5000 characters
    expect(() => decodeWbxml(bomb(1000, 6), { maxOutput: 5000 })).toThrow(/limit of 5000 characters/);
  });
});
