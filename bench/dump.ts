/**
 * Benchmark: dump the default virtual UICC through pcscd (vpcd slot 35967) and compare the APDU
 * count with the minimum (one SELECT per file plus ceil(size/255) READ BINARY per transparent EF,
 * one READ RECORD per record). Starts pcscd with the vpcd readers if none runs
 * (`bash -c 'source scripts/pcsc.sh; pcsc_start'`, or the one the e2e tests start).
 *
 *   npx tsx bench/dump.ts [--runs N] [--trace] [--port 35967]
 */
import { CardLink } from '../src/apdu/link.js';
import { dumpCard, type Dump } from '../src/card/dump.js';
import { CardFs } from '../src/card/fs.js';
import { encodePinValue, verifyPin } from '../src/card/pin.js';
import { PcscContext } from '../src/transport/pcsc.js';
import { vpcdReaderName } from '../src/sim/vpcd.js';
import { ensurePcscd } from '../test/helpers/pcscd.js';
import { CardHostClient } from '../src/sim/host-client.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const PORT = opt('--port', 35967);
const RUNS = opt('--runs', 5);
const TRACE = args.includes('--trace');

/** One SELECT per file, ceil(size/255) READ BINARY per transparent EF, one READ RECORD per record. */
function minimum(d: Dump): { selects: number; reads: number } {
  let reads = 0;
  for (const f of d.files) {
    if (f.content !== undefined) reads += Math.max(1, Math.ceil(f.content.length / 2 / 255));
    if (f.records) reads += f.records.length;
  }
  return { selects: d.files.length, reads };
}

async function main(): Promise<void> {
  const pcscd = await ensurePcscd();
  // the cards in a child process, so pcsclite never waits on itself
  const host = await CardHostClient.start();
  const ctx = new PcscContext();
  try {
    await host.plug(PORT);
    const t = await ctx.transport(vpcdReaderName(PORT));
    await t.waitForCard(10_000);
    const measure = async (label: string, paths?: string[]): Promise<Dump> => {
      const rows: { ms: number; apdus: number; byIns: Record<string, number> }[] = [];
      let last: Dump | undefined;
      for (let r = 0; r < RUNS; r++) {
        await t.connect();
        const byIns: Record<string, number> = {};
        let counting = false;
        const link = new CardLink(t, {
          trace: (e) => {
            if (e.dir !== 'C' || !counting) return;
            const key = e.auto ? 'GET RESPONSE / re-issue' : e.note;
            byIns[key] = (byIns[key] ?? 0) + 1;
            if (TRACE && r === 0) process.stdout.write(`  ${e.text}  (${e.note}${e.auto ? `, ${e.auto}` : ''})\n`);
          },
        });
        // PIN1 so that every EF of the default image is readable (VERIFY is not counted)
        await verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'));
        counting = true;
        const n0 = link.apduCount;
        const t0 = performance.now();
        const { dump } = await dumpCard(new CardFs(link), paths ? { paths } : {});
        const ms = performance.now() - t0;
        rows.push({ ms, apdus: link.apduCount - n0, byIns });
        last = dump;
        await t.disconnect();
      }
      const m = minimum(last!);
      const efs = last!.files.filter((f) => f.type === 'EF').length;
      const best = rows.reduce((a, b) => (a.ms < b.ms ? a : b));
      const median = [...rows].sort((a, b) => a.ms - b.ms)[Math.floor(rows.length / 2)]!;
      console.log(`${label}: ${RUNS} runs`);
      console.log(
        `  files: ${last!.files.length} (${efs} EFs), ${last!.files.reduce((n, f) => n + (f.content?.length ?? 0) / 2 + (f.records ?? []).reduce((x, rr) => x + rr.length / 2, 0), 0)} bytes`,
      );
      console.log(`  time: median ${median.ms.toFixed(0)} ms, best ${best.ms.toFixed(0)} ms`);
      console.log(
        `  APDUs: ${best.apdus} (minimum ${m.selects + m.reads}: ${m.selects} SELECT + ${m.reads} READ; ratio ${(best.apdus / (m.selects + m.reads)).toFixed(2)})`,
      );
      for (const [k, v] of Object.entries(best.byIns).sort((a, b) => b[1] - a[1])) console.log(`    ${k.padEnd(26)} ${v}`);
      return last!;
    };
    console.log(`dump of the default virtual UICC through pcscd, reader "${vpcdReaderName(PORT)}"`);
    const blind = await measure('walk (card not known in advance)');
    await measure(
      'known layout (paths of the first dump)',
      blind.files.map((f) => f.path),
    );
    console.log('extra APDUs: T=0 GET RESPONSE after each SELECT (the FCP gives size and structure); in the walk,');
    console.log('also the SELECTs of catalogue files this card does not have (6A82).');
  } finally {
    ctx.close();
    await host.stop();
    await pcscd.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
