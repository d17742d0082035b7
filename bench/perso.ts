/**
 * Bulk personalisation throughput: cards per minute on 1, 4, 8 and 16 vpcd readers in one
 * process, the scaling ratio against 1 reader ((cpm_N / N) / cpm_1, target >= 0.9), the write
 * time per card (card seen -> verified) and the APDUs per card against the minimum.
 *
 * Starts pcscd with the 16 vpcd readers when none runs:   npx tsx bench/perso.ts
 * The "operator" takes a verified card out and puts a blank one in after 450 ms (pcscd polls the
 * vpcd driver every 400 ms, so a faster swap goes unseen); that gap is part of cards/min, as it
 * is at a real station. PERSO_BENCH_CARDS sets the cards per reader (default 10),
 * PERSO_BENCH_LATENCY_MS the virtual card's delay per APDU (default 15, a real card's 5-50 ms),
 * PERSO_BENCH_READERS the reader counts (default 1,4,8,16). Beside cards/min: the APDU-bound
 * ideal, readers x 60000 / (APDUs x latency), which no swap gap or host work is in.
 */
import { TransportKey } from '../src/perso/keystore.js';
import { runBatch } from '../src/perso/run.js';
import { VPCD_BASE_PORT, vpcdReaderName } from '../src/sim/vpcd.js';
import { PcscContext } from '../src/transport/pcsc.js';
import { checkCards, Feeder, KEY_HEX, makeBatch } from '../test/fixtures/perso/harness.js';
import { CardHostClient } from '../src/sim/host-client.js';
import { ensurePcscd } from '../test/helpers/pcscd.js';

const PER_READER = Number(process.env.PERSO_BENCH_CARDS ?? 10);
const LATENCY = Number(process.env.PERSO_BENCH_LATENCY_MS ?? 15);
const READERS = (process.env.PERSO_BENCH_READERS ?? '1,4,8,16').split(',').map(Number);
// identify: SELECT 2FE2 (P2=0C) + READ BINARY; ADM: counter + VERIFY; PIN1: counter + VERIFY
// (the counter reads are the never-block rule); per file: SELECT + UPDATE + READ (read-back);
// SELECT of the USIM ADF once. 3 files + EF.ICCID of a blank card (simdm sends one more: the
// K/OPc file is not a spec file, its size comes from its FCP, a GET RESPONSE under T=0):
const FILES = 4;
const MINIMUM = 2 + 2 + 2 + 1 + 3 * FILES;

interface Row {
  readers: number;
  cards: number;
  seconds: number;
  cpm: number;
  writeMsMedian: number;
  apdusPerCard: number;
  /** CPU time of this process (the runner: simdm, pcsclite, SQLite) per card */
  cpuMsPerCard: number;
}

async function one(host: CardHostClient, ctx: PcscContext, n: number): Promise<Row> {
  const ports = Array.from({ length: n }, (_, i) => VPCD_BASE_PORT + i);
  const cards = PER_READER * n;
  const b = makeBatch(cards, `bench${n}`);
  const feeder = new Feeder(host, ports, b.journalPath, cards);
  await feeder.start();
  for (const p of ports) await host.latency(p, LATENCY);
  const started = new Map<string, number>();
  const writeMs: number[] = [];
  const cpu0 = process.cpuUsage();
  const sum = await runBatch({
    batchFile: b.batchFile,
    key: new TransportKey(Buffer.from(KEY_HEX, 'hex')),
    readers: ports.map(vpcdReaderName).join(','),
    context: ctx,
    signal: AbortSignal.timeout(600_000),
    onEvent: (e) => {
      if (e.type === 'card') started.set(e.reader, performance.now());
      if (e.type === 'verified') writeMs.push(performance.now() - (started.get(e.reader) ?? performance.now()));
    },
  });
  const cpu = process.cpuUsage(cpu0);
  const left = await feeder.stop();
  const c = checkCards([...feeder.finished, ...left], b.rows);
  if (c.problems.length || sum.verified !== cards)
    throw new Error(`bench run with ${n} readers: ${sum.verified}/${cards} verified, ${c.problems.slice(0, 3).join('; ')}`);
  for (const p of ports) await host.remove(p);
  writeMs.sort((a, b) => a - b);
  return {
    readers: n,
    cards,
    seconds: sum.elapsedMs / 1000,
    cpm: sum.cardsPerMinute,
    writeMsMedian: writeMs[Math.floor(writeMs.length / 2)] ?? 0,
    apdusPerCard: sum.apdusVerified / sum.verified,
    cpuMsPerCard: (cpu.user + cpu.system) / 1000 / cards,
  };
}

const pcscd = await ensurePcscd();
const host = await CardHostClient.start();
const ctx = new PcscContext();
const rows: Row[] = [];
try {
  for (const n of READERS) {
    rows.push(await one(host, ctx, n));
    process.stderr.write(`${n} reader(s) done\n`);
  }
} finally {
  ctx.close();
  await host.stop();
  await pcscd.stop();
}
const base = rows[0]!.cpm;
console.log(
  `perso bench: ${PER_READER} blank cards per reader, 4 files per card (EF.IMSI, EF.SPN, K/OPc EF, EF.ICCID), ${LATENCY} ms per APDU, operator swap gap 450 ms`,
);
console.log('readers  cards  seconds  cards/min  ideal cards/min  scaling (cpm/N)/cpm1  write ms/card (median)  APDUs/card  minimum  runner CPU ms/card');
for (const r of rows) {
  console.log(
    `${String(r.readers).padStart(7)}  ${String(r.cards).padStart(5)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.cpm.toFixed(0).padStart(9)}  ${((r.readers * 60_000) / (r.apdusPerCard * LATENCY)).toFixed(0).padStart(15)}  ${(r.cpm / r.readers / base).toFixed(2).padStart(20)}  ${r.writeMsMedian.toFixed(0).padStart(22)}  ${r.apdusPerCard.toFixed(1).padStart(10)}  ${String(MINIMUM).padStart(7)}  ${r.cpuMsPerCard.toFixed(1).padStart(18)}`,
  );
}
console.log('ideal cards/min: readers x 60000 / (APDUs/card x latency), the APDU-bound limit without the swap gap');
console.log('runner CPU ms/card: the work simdm itself does per card (the feeder in this process adds a little); the virtual');
console.log('cards and pcscd run in other processes on the same 2 cores, which real readers would not share');
process.exit(0);
