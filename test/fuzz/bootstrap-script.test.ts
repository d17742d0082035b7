/** The APDU script parser on arbitrary text: a Script or a ScriptError with a line, nothing else. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScript, ScriptError } from '../../src/script/parse.js';
import { FUZZ_RUNS } from '../helpers/fuzz.js';

const piece = fc.constantFrom(
  '00A4000C023F00',
  '#> SW=9000',
  '#> SW=61xx DATA=9?',
  '#@ block a',
  '#@ end',
  'reset',
  '${ADM1}',
  '${hex:K}',
  '# c',
  'exit',
  'G',
  ' ',
  '\n',
  '0',
  '#>',
  '#@',
  '${',
);

describe('APDU script parser (fuzz)', () => {
  it('returns a script or a ScriptError naming a line', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(piece, { maxLength: 30 }).map((a) => a.join('')),
        ),
        (text) => {
          try {
            parseScript(text);
          } catch (e) {
            expect(e).toBeInstanceOf(ScriptError);
            expect((e as Error).message).toMatch(/^(line \d+: |block )/);
          }
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
