/**
 * Turns one block declaration into an EfCodec: decode = the block's decode over the whole content
 * (or one record), encode = the block's encode padded with FF to the file size / record length.
 */
import { CodecError } from '../../codec/errors.js';
import type { Block } from './fields.js';
import type { CodecVector, EfCodec, Json } from './types.js';

export interface CodecDef {
  name: string;
  spec: string;
  unit?: 'content' | 'record';
  block: Block;
  vectors: CodecVector[];
}

export function defineCodec(def: CodecDef): EfCodec {
  const { name, block } = def;
  return {
    name,
    spec: def.spec,
    unit: def.unit ?? 'content',
    vectors: def.vectors,
    decode(bytes: Uint8Array): Json {
      const b =
        block.size !== undefined && bytes.length > block.size && bytes.subarray(block.size).every((x) => x === 0xff) ? bytes.subarray(0, block.size) : bytes;
      return block.decode(b, { codec: name, path: '', offset: 0 });
    },
    encode(value: Json, size: number): Uint8Array {
      const n = block.size ?? size;
      if (n > size) throw new CodecError(name, `the value needs ${n} bytes, the ${def.unit === 'record' ? 'record' : 'file'} has ${size}`);
      const out = block.encode(value, n, { codec: name, path: '', offset: 0 });
      if (out.length === size) return out;
      const padded = new Uint8Array(size).fill(0xff);
      padded.set(out);
      return padded;
    },
  };
}
