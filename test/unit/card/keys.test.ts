/** Key references, ETSI TS 102 221 9.5.1 table 9.3. */
import { describe, expect, it } from 'vitest';
import { isAdm, keyName, keyRefOf, pukName } from '../../../src/card/keys.js';

describe('key references (TS 102 221 9.5.1)', () => {
  it.each([
    ['PIN1', 0x01],
    ['pin1', 0x01],
    ['PIN2', 0x81],
    ['UPIN', 0x11],
    ['ADM1', 0x0a],
    ['ADM5', 0x0e],
    ['ADM6', 0x8a],
    ['ADM10', 0x8e],
    ['0A', 0x0a],
    ['0x81', 0x81],
    ['81', 0x81],
    ['1', 0x01],
  ] as const)('%s -> %i', (name, ref) => {
    expect(keyRefOf(name)).toBe(ref);
  });
  it('names and kinds', () => {
    expect(keyName(0x0a)).toBe('ADM1');
    expect(keyName(0x8e)).toBe('ADM10');
    expect(keyName(0x81)).toBe('PIN2');
    expect(isAdm(0x0a) && isAdm(0x8a) && !isAdm(0x01) && !isAdm(0x81)).toBe(true);
    expect(pukName(0x01)).toBe('PUK1');
    expect(pukName(0x81)).toBe('PUK2');
    expect(() => keyRefOf('ADM11')).toThrow(/unknown key 'ADM11'/);
  });
});
