/**
 * A dump layout is a JSON file (an earlier dump, possibly hand-edited): whatever its metadata say,
 * the known-layout dump (src/card/dump-layout.ts) ends with a dump or one of simdm's own errors,
 * and every entry it prints holds as many bytes as it says.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../src/apdu/link.js';
import { dumpCard, parseDump, type Dump } from '../../src/card/dump.js';
import { CardFs } from '../../src/card/fs.js';
import { encodePinValue, verifyPin } from '../../src/card/pin.js';
import { SimdmError } from '../../src/errors.js';
import { defaultImage } from '../../src/sim/default-image.js';
import { InProcessTransport } from '../../src/sim/inproc.js';
import { VirtualUicc } from '../../src/sim/uicc.js';
import { FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';

async function card(): Promise<CardFs> {
  const transport = new InProcessTransport(new VirtualUicc(defaultImage()));
  await transport.connect();
  const link = new CardLink(transport);
  await verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'));
  return new CardFs(link);
}

const FIELDS = ['path', 'fid', 'type', 'aid', 'structure', 'size', 'recordLength', 'recordCount', 'sfi'] as const;
const value = fc.oneof(
  fc.jsonValue(),
  fc.integer({ min: -2, max: 0x10000 }),
  fc.constantFrom('MF', 'DF', 'ADF', 'EF', 'transparent', 'linear-fixed', 'cyclic', 'ber-tlv', '6F07', '7FFF', '3F00', 'MF/ADF.USIM', 'A0000000871002', ''),
);

describe('known-layout dump under fuzzing', () => {
  it('any layout metadata: a consistent dump or a SimdmError', async () => {
    const base: Dump = (await dumpCard(await card())).dump;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(base.files.length - 1), fc.constantFrom(...FIELDS), value), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (edits, shuffle) => {
          const files = structuredClone(base.files) as unknown as Record<string, unknown>[];
          for (const [i, k, v] of edits) files[i]![k] = v;
          if (shuffle) files.reverse();
          try {
            // as the CLI takes it: the file through parseDump first
            const layout = parseDump(JSON.parse(JSON.stringify({ ...base, files })), 'layout').files;
            const { dump } = await dumpCard(await card(), { layout });
            for (const f of dump.files) {
              if (f.content !== undefined && typeof f.size === 'number') expect(f.content.length / 2, f.path).toBe(f.size);
              if (f.records) for (const r of f.records) expect(r.length / 2, f.path).toBe(f.recordLength);
            }
          } catch (e) {
            if (!(e instanceof SimdmError)) throw e;
          }
        },
      ),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  }, 120_000);
});
