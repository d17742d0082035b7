/**
 * Fuzz of the perso file parsers: the CSV reader and the key store loader throw (or report) only
 * PersoError / PersoInputError naming row and column, whatever the input; encryption round-trips.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iterateCsv, formatCsv, parseCsv } from '../../src/perso/csv.js';
import { decryptData, encryptData, loadData } from '../../src/perso/data.js';
import { PersoError, PersoInputError } from '../../src/perso/errors.js';
import { TransportKey } from '../../src/perso/keystore.js';
import { FUZZ_RUNS, FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';

const KEY = new TransportKey(Buffer.alloc(32, 9));
const csvChars = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', 'é', 'F') });

describe('perso parsers (fuzz)', () => {
  it('iterateCsv yields records or PersoInputError with a row and column, never throws', () => {
    fc.assert(
      fc.property(csvChars, (t) => {
        for (const r of iterateCsv(t)) {
          if (r instanceof PersoInputError) {
            expect(r.row).toBeGreaterThanOrEqual(1);
            expect(r.column).toMatch(/^\d+$/);
          } else expect(r.fields.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('formatCsv then parseCsv is the identity on non-empty records', () => {
    const field = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', '\n', ' ', 'x') });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (rows) => {
        expect(parseCsv(formatCsv(rows)).map((r) => r.fields)).toEqual(rows);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('loadData on arbitrary text throws only PersoError and reports rows with row/column', () => {
    const text = fc.oneof(
      csvChars,
      fc.string().map((s) => `ICCID,IMSI,KI\n${s}`),
      fc.string().map((s) => `#simdm-keystore,v1,aes-256-gcm,${s}\nICCID,IMSI\n1,2`),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          const d = loadData(t, { key: KEY });
          for (const e of d.errors) expect(e).toBeInstanceOf(PersoInputError);
        } catch (e) {
          expect(e).toBeInstanceOf(PersoError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('import then export gives back every valid row', () => {
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        digits(10),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.string({ maxLength: 16, unit: fc.constantFrom('a', 'Z', ' ', ',', '"') }),
        (serial, k, spn) => {
          const body = '89882' + serial + '000';
          let sum = 0;
          for (let i = 0; i < body.length; i++) {
            let d = Number(body[body.length - 1 - i]);
            if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            sum += d;
          }
          const iccid = body + ((10 - (sum % 10)) % 10);
          const kh = Buffer.from(k).toString('hex').toUpperCase();
          const plain = formatCsv([
            ['ICCID', 'IMSI', 'KI', 'SPN'],
            [iccid, '00101' + serial, kh, spn.trim()],
          ]);
          const back = decryptData(encryptData(plain, KEY).text, KEY);
          expect(back.errors).toEqual([]);
          expect(parseCsv(back.text).map((r) => r.fields)).toEqual(parseCsv(plain).map((r) => r.fields));
        },
      ),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
});
