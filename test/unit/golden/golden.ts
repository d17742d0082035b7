/**
 * Golden files: bytes that go onto a card, pinned. A refactoring must leave them untouched; a
 * change that means to alter what is written (a layout, the default image, the APDU sequence)
 * regenerates them on purpose and commits the diff beside the code:
 *   SIMDM_UPDATE_GOLDEN=1 npx vitest run test/unit/golden
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

export const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'golden');
export const REGENERATE = 'SIMDM_UPDATE_GOLDEN=1 npx vitest run test/unit/golden';

export function expectGolden(name: string, text: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.SIMDM_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file test/golden/${name} is missing: create it with ${REGENERATE}`);
  const want = readFileSync(path, 'utf8');
  expect(
    text,
    `test/golden/${name} no longer matches: the bytes on the card changed. If that is intended, regenerate with ${REGENERATE} and commit the golden diff with the change`,
  ).toBe(want);
}

/** hex in lines of 32 bytes, so a golden diff points at the bytes that moved */
export function hexLines(hex: string, indent = '  '): string {
  const out: string[] = [];
  for (let i = 0; i < hex.length; i += 64) out.push(indent + hex.slice(i, i + 64));
  return out.join('\n');
}
