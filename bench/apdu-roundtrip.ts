/**
 * APDUs per second through real pcscd + vpcd + the virtual UICC: simdm's transmit (CardLink:
 * encode, T=0 procedures, decode) against the raw `pcsclite` binding on the same card in the
 * same run, alternating rounds so both see the same machine load. Target: simdm within 1.10x.
 *
 *   npx tsx bench/apdu-roundtrip.ts [--n 2000] [--rounds 5]
 * Starts pcscd itself if none is running (as root, with the packages from scripts/setup.sh).
 */
import { CardLink } from '../src/apdu/link.js';
import { vpcdReaderName } from '../src/sim/vpcd.js';
import { PcscContext } from '../src/transport/pcsc.js';
import { ensurePcscd } from '../test/helpers/pcscd.js';
import { CardHostClient } from '../src/sim/host-client.js';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('n', 2000);
const ROUNDS = arg('rounds', 5);
const PORT = 35978;

const pcscd = await ensurePcscd();
const host = await CardHostClient.start();
await host.plug(PORT);
const ctx = new PcscContext();
try {
  const t = await ctx.transport(vpcdReaderName(PORT));
  await t.waitForCard(5000);
  await t.connect();
  const link = new CardLink(t);
  // a typical short exchange: READ BINARY of 10 bytes of EF.ICCID (case 2, answered directly)
  await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: Uint8Array.of(0x2f, 0xe2) });
  const capdu = Buffer.from('00B000000A', 'hex');
  const reader = t.reader;
  const protocol = (t as unknown as { protocol: number }).protocol;
  const rawOnce = () =>
    new Promise<void>((resolve, reject) =>
      reader.transmit(capdu, 258, protocol, (err, data) => (err || data.length < 2 ? reject(err ?? new Error('short')) : resolve())),
    );
  const cmd = { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 10 };
  const simdmOnce = async () => {
    const r = await link.transmit(cmd);
    if (r.sw !== 0x9000) throw new Error(`SW ${r.sw.toString(16)}`);
  };
  const measure = async (f: () => Promise<void>): Promise<number> => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await f();
    return N / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  for (let i = 0; i < 200; i++) await rawOnce(); // warm-up
  for (let i = 0; i < 200; i++) await simdmOnce();
  const raw: number[] = [];
  const ours: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    raw.push(await measure(rawOnce));
    ours.push(await measure(simdmOnce));
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const mr = median(raw);
  const ms = median(ours);
  console.log(`apdu-roundtrip: ${N} APDUs x ${ROUNDS} rounds, READ BINARY 10 bytes, reader "${t.name}"`);
  console.log(`  raw pcsclite : ${mr.toFixed(0)} APDU/s (median; rounds ${raw.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`  simdm        : ${ms.toFixed(0)} APDU/s (median; rounds ${ours.map((x) => x.toFixed(0)).join(' ')})`);
  console.log(`  ratio raw/simdm: ${(mr / ms).toFixed(3)}x (target <= 1.10x)`);
  await t.disconnect();
} finally {
  ctx.close();
  await host.stop();
  await pcscd.stop();
}
setTimeout(() => process.exit(0), 50).unref();
