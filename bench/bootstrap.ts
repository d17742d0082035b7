/**
 * Benchmark: write and read each example profile through pcscd (vpcd slot 35969) on a virtual
 * card that answers each APDU after a real card's latency (default 15 ms, #13's card host
 * latency), and compare with the APDU-bound ideal (APDUs x latency) and with the minimum APDUs:
 *
 *   write (first, blank card): per created file 1 CREATE; per written file ceil(size/255) UPDATE
 *     BINARY and ceil(size/256) READ BINARY (its read-back); per DODF/ODF/TokenInfo 1 CREATE +
 *     1 UPDATE + 1 READ; EF.DIR 1 UPDATE RECORD + 1 READ RECORD; 1 VERIFY + 1 retry-counter read per
 *     ADM key; detection: SELECT EF.DIR with its FCP (2 under T=0), 1 READ RECORD per record up to
 *     the first empty one (no SELECT by AID: CREATE FILE of the application would refuse one there);
 *   repeat (nothing to change): the same detection up to the application's record, then SELECT +
 *     ceil(len/256) READ BINARY per directory EF (EF.TokenInfo, EF.ODF, each DODF) and
 *     ceil(len/256) READ BINARY per file (the first by its SFI, no SELECT);
 *   read: SELECT AID + (SELECT + ceil(len/256) READ BINARY) for EF.ODF, each DODF, each file.
 *
 * Needs pcscd with the vpcd readers (started here if absent, as the e2e tests do).
 *
 *   npx tsx bench/bootstrap.ts [--runs N] [--port 35969] [--latency-ms 15]
 */
import { CardLink } from '../src/apdu/link.js';
import { compileProfile } from '../src/bootstrap/profile/compile.js';
import { loadProfile } from '../src/bootstrap/profile/load.js';
import { readBootstrap } from '../src/bootstrap/reader.js';
import { freshLayout } from '../src/bootstrap/layout.js';
import { writePlan } from '../src/bootstrap/writer.js';
import { defaultImage, pinHex } from '../src/sim/default-image.js';
import { vpcdReaderName } from '../src/sim/vpcd.js';
import { PcscContext } from '../src/transport/pcsc.js';
import { SecretStore } from '../src/util/secrets.js';
import { ensurePcscd } from '../test/helpers/pcscd.js';
import { CardHostClient } from '../src/sim/host-client.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const PORT = opt('--port', 35969);
const RUNS = opt('--runs', 3);
const LATENCY = opt('--latency-ms', 15);
const ICCID = '8944100000000000015';
const ENV = { SIMDM_ADM1: '88888888', SIMDM_ADM2: '87654321', SIMDM_LWM2M_PSK: '000102030405060708090A0B0C0D0E0F', SIMDM_ENT_DM_SECRET: 'corp-hmac-secret' };

/** A connection to a card that answers (a swap may still be settling in pcscd). */
async function connect(ctx: PcscContext) {
  for (let i = 0; ; i++) {
    const t = await ctx.transport(vpcdReaderName(PORT));
    try {
      await t.waitForCard(10_000);
      await t.connect();
      const link = new CardLink(t);
      if ((await link.transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: Uint8Array.of(0x3f, 0x00) })).sw === 0x9000) return { t, link: new CardLink(t) };
    } catch (e) {
      if (i >= 30) throw e;
    }
    await t.close();
    await new Promise((r) => setTimeout(r, 100));
  }
}

const EXAMPLES = ['operator-dm', 'lwm2m-iot', 'enterprise-dm', 'cp-import'];

async function main(): Promise<void> {
  const pcscd = await ensurePcscd();
  const host = await CardHostClient.start();
  const ctx = new PcscContext();
  const secrets = new SecretStore(ENV as unknown as NodeJS.ProcessEnv);
  const rows: string[] = [];
  try {
    await host.plug(PORT, undefined, true, { latencyMs: LATENCY });
    for (const name of EXAMPLES) {
      const lp = loadProfile(`card-profiles/${name}.yaml`, { vars: () => ICCID, secrets: (n) => secrets.get(n) });
      const plan = compileProfile(lp, { iccid: ICCID });
      const image = defaultImage();
      image.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('87654321'), retries: 3, maxRetries: 3, enabled: true });
      const w: number[] = [];
      const w2: number[] = [];
      const r: number[] = [];
      let wApdus = 0;
      let w2Apdus = 0;
      let rApdus = 0;
      // EF.DIR of the default image: USIM in record 1, record 2 the first empty one (the PKCS#15
      // record goes there)
      const firstFree = 2;
      for (let i = 0; i < RUNS; i++) {
        await host.swap(PORT, structuredClone(image));
        await host.insert(PORT);
        const { t, link } = await connect(ctx);
        const t0 = performance.now();
        const rep = await writePlan(link, plan, { secrets, backupDir: false });
        w.push(performance.now() - t0);
        wApdus = rep.apdus ?? 0;
        const t1 = performance.now();
        const again = await writePlan(link, plan, { secrets, backupDir: false });
        w2.push(performance.now() - t1);
        w2Apdus = again.apdus ?? 0;
        const t2 = performance.now();
        const st = await readBootstrap(link);
        r.push(performance.now() - t2);
        rApdus = st.apdus ?? 0;
        await t.close();
      }
      const keys = new Set(plan.authorities.map((a) => a.key)).size;
      const layout = freshLayout(plan);
      const dirs = layout.length + 2; // DODFs, ODF, TokenInfo
      const content = plan.files.reduce((n, f) => n + 1 + Math.ceil(f.bytes.length / 255) + Math.ceil(f.bytes.length / 256), 0);
      const minWrite = 2 + firstFree + 2 * keys + 2 + 1 + content + dirs * 3;
      const appRecord = 2;
      const minRepeat = 2 + appRecord + 2 * dirs + plan.files.reduce((n, f) => n + Math.ceil(f.bytes.length / 256), 0);
      const minRead = 1 + 2 + layout.length * 2 + plan.files.reduce((n, f) => n + 1 + Math.ceil(f.bytes.length / 256), 0);
      const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
      const cpm = (ms: number) => (60_000 / ms).toFixed(0);
      const bytes = plan.files.reduce((n, f) => n + f.bytes.length, 0);
      const cell = (apdus: number, min: number, ms: number) =>
        `${String(apdus).padStart(3)} (min ${String(min).padStart(2)}) ${med([ms]).toFixed(0).padStart(5)} ms ${cpm(ms).padStart(4)} cards/min (ideal ${cpm(apdus * LATENCY).padStart(4)})`;
      rows.push(
        `${name.padEnd(14)} ${String(plan.files.length).padStart(2)} files ${String(bytes).padStart(5)} B | first ${cell(wApdus, minWrite, med(w))} | repeat ${cell(w2Apdus, minRepeat, med(w2))} | read ${cell(rApdus, minRead, med(r))}`,
      );
    }
  } finally {
    ctx.close();
    await host.stop();
    await pcscd.stop();
  }
  console.log(`bootstrap through pcscd (${vpcdReaderName(PORT)}), ${LATENCY} ms per APDU, median of ${RUNS} runs on a blank virtual UICC`);
  console.log('each cell: APDUs (minimum, see the header of bench/bootstrap.ts), time, cards/min, and the APDU-bound ideal (APDUs x latency)');
  for (const r of rows) console.log(r);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
