/**
 * Benchmark: write and read each example profile through pcscd (vpcd slot 35969) and compare the
 * APDU counts with the minimum for those bytes:
 *
 *   write (first, blank card): per created file 1 CREATE; per written file 1 SELECT +
 *     ceil(size/255) UPDATE BINARY; per DODF/ODF/TokenInfo 1 SELECT + 1 UPDATE; 1 UPDATE RECORD
 *     for EF.DIR; 1 VERIFY per ADM key (the reads before and after a write are counted apart);
 *   read: SELECT AID + (SELECT + ceil(len/256) READ BINARY) for EF.ODF, each DODF, each file.
 *
 * Needs pcscd with the vpcd readers (started here if absent, as the e2e tests do).
 *
 *   npx tsx bench/bootstrap.ts [--runs N] [--port 35969]
 */
import { CardLink } from '../src/apdu/link.js';
import { compileProfile } from '../src/bootstrap/profile/compile.js';
import { loadProfile } from '../src/bootstrap/profile/load.js';
import { readBootstrap } from '../src/bootstrap/reader.js';
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
    await host.plug(PORT);
    for (const name of EXAMPLES) {
      const lp = loadProfile(`card-profiles/${name}.yaml`, { vars: () => ICCID, secrets: (n) => secrets.get(n) });
      const plan = compileProfile(lp, { iccid: ICCID });
      const image = defaultImage();
      image.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('87654321'), retries: 3, maxRetries: 3, enabled: true });
      const w: number[] = [];
      const r: number[] = [];
      let wApdus = 0;
      let rApdus = 0;
      let readBefore = 0;
      let readAfter = 0;
      for (let i = 0; i < RUNS; i++) {
        await host.swap(PORT, structuredClone(image));
        await host.insert(PORT);
        const { t, link } = await connect(ctx);
        // the reads the writer does before and after, measured alone on the blank and on the written card
        const blank = await readBootstrap(link, { details: true });
        readBefore = blank.apdus ?? 0;
        const t0 = performance.now();
        const rep = await writePlan(link, plan, { secrets, backupDir: false });
        w.push(performance.now() - t0);
        wApdus = rep.apdus ?? 0;
        const t1 = performance.now();
        const st = await readBootstrap(link);
        r.push(performance.now() - t1);
        rApdus = st.apdus ?? 0;
        readAfter = rApdus;
        await t.close();
      }
      const keys = new Set(plan.authorities.map((a) => a.key)).size;
      const fileUpdates = plan.files.reduce((n, f) => n + 1 + Math.ceil(f.bytes.length / 255), 0);
      const dirs = plan.authorities.length + 2; // DODFs, ODF, TokenInfo
      const creates = 1 + plan.files.length + dirs; // ADF, files, directory files
      const minWrite = keys + creates + fileUpdates + dirs * 2 + 1;
      const minRead = 1 + 2 + plan.authorities.length * 2 + plan.files.reduce((n, f) => n + 1 + Math.ceil(f.bytes.length / 256), 0);
      const writeOnly = wApdus - readBefore - readAfter;
      const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
      const bytes = plan.files.reduce((n, f) => n + f.bytes.length, 0);
      rows.push(
        `${name.padEnd(14)} ${String(plan.files.length).padStart(2)} files ${String(bytes).padStart(5)} B | write ${String(wApdus).padStart(3)} APDUs (${writeOnly} without its read/read-back; minimum ${minWrite}) ${med(w).toFixed(0).padStart(5)} ms | read ${String(rApdus).padStart(3)} APDUs (minimum ${minRead}) ${med(r).toFixed(0).padStart(4)} ms`,
      );
    }
  } finally {
    ctx.close();
    await host.stop();
    await pcscd.stop();
  }
  console.log(`bootstrap through pcscd (${vpcdReaderName(PORT)}), median of ${RUNS} runs on a blank virtual UICC`);
  for (const r of rows) console.log(r);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
