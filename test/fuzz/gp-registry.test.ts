/**
 * Fuzz properties for the GP decoders added for issue 17: GET STATUS responses in both formats and
 * GET STATUS commands (search criteria, tag lists), Card Data, the DF name of a SELECT answer, the
 * card-cryptogram diagnosis. Each throws only ScpError (or returns), and encode/decode round-trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS } from '../helpers/fuzz.js';
import { parseCardData, selectedAid, encodeCardData } from '../../src/secure/gp/commands.js';
import { explainCryptogramFailure } from '../../src/secure/gp/diagnose.js';
import { encodeLegacyEntry, encodeStatusEntry, getStatus, parseStatusCommand, parseStatusResponse, type StatusScope } from '../../src/secure/gp/registry.js';
import { onlyScp } from '../helpers/gp.js';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const scope = fc.constantFrom<StatusScope>('isd', 'apps', 'loadfiles', 'modules');

describe('GP registry and card data decoders under fuzzing', () => {
  it('GET STATUS responses (TLV and deprecated formats): entries or ScpError', () => {
    fc.assert(
      fc.property(bytes(0, 300), fc.constantFrom('tlv' as const, 'legacy' as const), scope, (b, f, s) => onlyScp(() => parseStatusResponse(b, f, s))),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('GET STATUS commands with random P1/P2/data: a request or ScpError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), bytes(0, 60), (p1, p2, data) =>
        onlyScp(() => parseStatusCommand({ cla: 0x80, ins: 0xf2, p1, p2, ...(data.length ? { data } : {}) })),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('Card Data and SELECT answers: a result or ScpError / undefined, never another exception', () => {
    fc.assert(
      fc.property(bytes(0, 120), (b) => {
        onlyScp(() => parseCardData(b));
        selectedAid(b);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('the cryptogram diagnosis of random INITIALIZE UPDATE answers never throws', () => {
    const k = new Uint8Array(16).fill(0x11);
    fc.assert(
      fc.property(bytes(13, 40), fc.constantFrom(2 as const, 3 as const), (r, scp) => {
        const out = explainCryptogramFailure({ scp, keys: { enc: k, mac: k, dek: k }, diversification: 'none', hostChallenge: new Uint8Array(8), response: r });
        expect(out.message).not.toContain('1111111111');
      }),
      { numRuns: 300 },
    );
  });
  it('round trips: registry entries in both formats, status commands, card data', () => {
    const aid = bytes(5, 16);
    fc.assert(
      fc.property(aid, fc.integer({ min: 0, max: 255 }), bytes(3, 3), fc.array(aid, { maxLength: 3 }), scope, (a, lc, priv, mods, s) => {
        const e = { aid: a, lifeCycle: lc, privileges: priv, ...(s === 'modules' ? { modules: mods } : {}) };
        const tlv = parseStatusResponse(encodeStatusEntry(e, s), 'tlv', s)[0]!;
        expect(tlv.aid).toEqual(a);
        expect(tlv.lifeCycle).toBe(lc);
        const legacy = parseStatusResponse(encodeLegacyEntry(e, s), 'legacy', s)[0]!;
        expect(legacy.aid).toEqual(a);
        if (s === 'modules') expect(legacy.modules).toEqual(mods);
        const cmd = getStatus({ scope: s, aid: a, tags: [0x4f, 0x9f70] });
        expect(parseStatusCommand(cmd)).toMatchObject({ scope: s, aid: a, tags: [0x4f, 0x9f70], format: 'tlv' });
      }),
      { numRuns: FUZZ_RUNS },
    );
    fc.assert(
      fc.property(fc.array(fc.record({ scp: fc.constantFrom(2, 3), i: fc.integer({ min: 0, max: 255 }) }), { maxLength: 3 }), (scps) => {
        expect(parseCardData(encodeCardData(scps))).toEqual(scps);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
