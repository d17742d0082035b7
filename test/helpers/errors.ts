import { expect } from 'vitest';
import { CodecError } from '../../src/codec/errors.js';

/** Runs `f`, which must throw a CodecError, and returns it for further checks (offset, tag). */
export function codecError(f: () => unknown): CodecError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error('expected a CodecError');
}
