/**
 * Benchmark: dump the default virtual UICC through pcscd (vpcd slot 35967), the card answering each
 * APDU after a real card's latency (default 15 ms, #13's card host latency), three ways:
 *
 *   walk          the card not known in advance: SELECT with FCP (T=0: + GET RESPONSE) of every
 *                 catalogue file, most of them absent (6A82);
 *   paths         the paths of an earlier dump: SELECT with FCP of each, then its reads;
 *   known layout  an earlier dump's files with their metadata (dump-layout.ts): the minimum below.
 *
 * The minimum for a known layout: one SELECT (P2 = 0C) per DF/ADF/MF entry, none for an EF with an
 * SFI (READ BINARY / READ RECORD by SFI, TS 102 221 11.1.3.2 / 11.1.5.2), one SELECT (P2 = 0C) per
 * other EF; ceil(size/256) READ BINARY per transparent EF (exact Le), one READ RECORD per record
 * (TS 102 221 has no multi-record read). No FCP is needed: the layout says what it would say.
 * Each line prints the APDUs beside that minimum, the time, cards/min and the APDU-bound ideal
 * (APDUs x latency, and the minimum x latency). VERIFY PIN1 before each dump is not counted.
 * Starts pcscd with the vpcd readers if none runs (as the e2e tests do).
 *
 *   bash scripts/isolated.sh npx tsx bench/dump.ts [--runs N] [--trace] [--port 35967] [--latency-ms 15]
 */
import { CardLink } from '../src/apdu/link.js';
import { dumpCard, type Dump, type DumpFile, type DumpOptions } from '../src/card/dump.js';
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
const RUNS = opt('--runs', 3);
const LATENCY = opt('--latency-ms', 15);
const TRACE = args.includes('--trace');

/** The fewest APDUs that read `files` when their layout is known (see the header). */
export function layoutMinimum(files: readonly DumpFile[]): { selects: number; reads: number } {
  let selects = 0;
  let reads = 0;
  for (const f of files) {
    if (f.type !== 'EF') {
      selects++;
      continue;
    }
    const readable = (f.structure === 'transparent' && (f.size ?? 0) > 0) || !!f.recordCount;
    if (!(readable && typeof f.sfi === 'number')) selects++;
    if (f.structure === 'transparent') reads += Math.ceil((f.size ?? 0) / 256);
    else if (f.recordCount) reads += f.recordCount;
  }
  return { selects, reads };
}

async function main(): Promise<void> {
  const pcscd = await ensurePcscd();
  // the cards in a child process, so pcsclite never waits on itself
  const host = await CardHostClient.start();
  const ctx = new PcscContext();
  try {
    await host.plug(PORT, undefined, true, { latencyMs: LATENCY });
    const t = await ctx.transport(vpcdReaderName(PORT));
    await t.waitForCard(10_000);
    const measure = async (label: string, dumpOpts: DumpOptions = {}): Promise<Dump> => {
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
        const { dump } = await dumpCard(new CardFs(link), dumpOpts);
        const ms = performance.now() - t0;
        rows.push({ ms, apdus: link.apduCount - n0, byIns });
        last = dump;
        await t.disconnect();
      }
      const m = layoutMinimum(last!.files);
      const min = m.selects + m.reads;
      const efs = last!.files.filter((f) => f.type === 'EF').length;
      const best = rows.reduce((a, b) => (a.ms < b.ms ? a : b));
      const median = [...rows].sort((a, b) => a.ms - b.ms)[Math.floor(rows.length / 2)]!;
      const cpm = (ms: number) => (60_000 / ms).toFixed(0);
      console.log(`${label}: ${RUNS} runs`);
      console.log(
        `  files: ${last!.files.length} (${efs} EFs), ${last!.files.reduce((n, f) => n + (f.content?.length ?? 0) / 2 + (f.records ?? []).reduce((x, rr) => x + rr.length / 2, 0), 0)} bytes`,
      );
      console.log(`  APDUs: ${best.apdus} (minimum ${min}: ${m.selects} SELECT + ${m.reads} READ; ratio ${(best.apdus / min).toFixed(2)})`);
      console.log(
        `  time: median ${median.ms.toFixed(0)} ms, best ${best.ms.toFixed(0)} ms; ${cpm(median.ms)} cards/min (ideal ${cpm(best.apdus * LATENCY)} at ${LATENCY} ms x ${best.apdus} APDUs; at the minimum ${cpm(min * LATENCY)})`,
      );
      for (const [k, v] of Object.entries(best.byIns).sort((a, b) => b[1] - a[1])) console.log(`    ${k.padEnd(26)} ${v}`);
      return last!;
    };
    console.log(`dump of the default virtual UICC through pcscd, reader "${vpcdReaderName(PORT)}", ${LATENCY} ms per APDU (T=0)`);
    const blind = await measure('walk (card not known in advance)');
    const paths = await measure('paths of the first dump (SELECT with FCP each)', { paths: blind.files.map((f) => f.path) });
    const known = await measure('known layout (the first dump)', { layout: blind.files });
    const same = (d: Dump) => JSON.stringify(d.files) === JSON.stringify(blind.files);
    console.log(`same files as the walk's dump: paths ${same(paths) ? 'yes' : 'NO'}, known layout ${same(known) ? 'yes' : 'NO'}`);
    console.log('walk: the FCPs (T=0: a GET RESPONSE each) and the SELECTs of catalogue files this card does not have (6A82);');
    console.log('paths: the FCPs; known layout: nothing beyond the minimum when the layout is right.');
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
