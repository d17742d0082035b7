/**
 * The ACL values a DM server sends (`Replace URI?prop=ACL`, OMA-TS-DM_TND 7.7.1.5) are network
 * input: parseAcl never throws, answers undefined for what the grammar refuses, and reads back
 * every value the grammar allows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACL_COMMANDS, parseAcl } from '../../src/agent/acl.js';
import { FUZZ_RUNS } from '../helpers/fuzz.js';

const serverId = fc.stringMatching(/^[A-Za-z0-9._:/-]{1,20}$/);
const entry = fc.tuple(fc.constantFrom(...ACL_COMMANDS), fc.oneof(fc.constant(['*']), fc.array(serverId, { minLength: 1, maxLength: 3 })));

describe('ACL parser (fuzz)', () => {
  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const r = parseAcl(s);
        expect(r === undefined || r instanceof Map).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('reads back every value the grammar allows', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), (entries) => {
        const text = entries.map(([c, ids]) => `${c}=${ids.join('+')}`).join('&');
        const acl = parseAcl(text);
        expect(acl).toBeDefined();
        for (const [c, ids] of entries) for (const id of ids) expect(acl!.get(c)!.has(id)).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
