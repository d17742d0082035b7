/**
 * Every declared EF codec, by catalogue name. The generic test (test/unit/card/ef-codecs.test.ts)
 * and the fuzz test run over this list.
 */
import type { EfCodec } from './types.js';

export const CODECS: EfCodec[] = [];

export function codecFor(name: string): EfCodec | undefined {
  return CODECS.find((c) => c.name === name);
}
