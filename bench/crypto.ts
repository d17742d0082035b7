/**
 * Crypto throughput, run with `npx tsx bench/crypto.ts [ms]` (ms per measuring round, default 500):
 * - MILENAGE authentication vectors per second, simdm against libosmocore's C code in the same
 *   run: bench/osmo-milenage.c (osmo_auth_gen_vec in a loop) is built with the system compiler
 *   against libosmocore-dev (scripts/setup.sh installs it), first checked to give the same vector
 *   as simdm on TS 35.208 test set 1, then both are timed in alternating rounds and the best round
 *   of each is kept. Rates are per CPU-second of the measuring process (process.cpuUsage here,
 *   CLOCK_PROCESS_CPUTIME_ID in C), so other load on the machine does not skew the ratio;
 * - TUAK vectors per second (libosmocore 1.7, Debian 12, has no TUAK: no peer figure);
 * - complete AKA runs against the virtual UICC through the APDU layer;
 * - SCP03 wrapped APDUs and OTA packets per CPU-second from ./crypto-gp.js (benchGpDetail).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Milenage } from '../src/secure/aka/milenage.js';
import { Tuak } from '../src/secure/aka/tuak.js';
import { generateVector } from '../src/secure/aka/auc.js';
import type { AkaAlgorithm } from '../src/secure/aka/algorithm.js';
import { authenticate } from '../src/secure/aka/device.js';
import { provisionUsimAuth } from '../src/sim/applets/usim-auth.js';
import { defaultImage, pinHex, USIM_AID } from '../src/sim/default-image.js';
import { VirtualUicc } from '../src/sim/uicc.js';
import { InProcessTransport } from '../src/sim/inproc.js';
import { CardLink } from '../src/apdu/link.js';
import { fromHex, toHex } from '../src/util/hex.js';
import { callsPerSecond } from './lib.js';

const ROUND_MS = Number(process.argv[2] ?? 500);
const ROUNDS = 5;
const AMF = Uint8Array.of(0x80, 0x00);
const RANDS = Array.from({ length: 1024 }, () => new Uint8Array(randomBytes(16)));
const TOPS = Array.from({ length: 1024 }, () => new Uint8Array(randomBytes(32)));

const fmt = (r: number): string => `${Math.round(r).toLocaleString('en-US')}/s`;

function simdmVectorRate(make: (i: number) => AkaAlgorithm, fresh: boolean, ms: number): number {
  const alg = make(0);
  let i = 0;
  return callsPerSecond(
    () => {
      i++;
      return generateVector(fresh ? make(i) : alg, { sqn: 32 + i, amf: AMF, rand: RANDS[i & 1023]! });
    },
    ms,
    2000,
  );
}

/** Builds bench/osmo-milenage.c once per source version; null (with the reason printed) when it cannot. */
function buildOsmoBench(): string | null {
  const src = fileURLToPath(new URL('./osmo-milenage.c', import.meta.url));
  const id = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'simdm-bench');
  const bin = join(dir, `osmo-milenage-${id}`);
  if (existsSync(bin)) return bin;
  let flags: string[];
  try {
    flags = execFileSync('pkg-config', ['--cflags', '--libs', 'libosmogsm', 'libosmocore'], { encoding: 'utf8' }).trim().split(/\s+/);
  } catch {
    console.log('libosmocore                 not found by pkg-config (apt install libosmocore-dev pkg-config): skipped');
    return null;
  }
  mkdirSync(dir, { recursive: true });
  execFileSync('cc', ['-O2', '-o', bin, src, ...flags], { stdio: ['ignore', 'ignore', 'inherit'] });
  return bin;
}

/** TS 35.208 test set 1 (K, OPc, RAND, SQN, AMF 8000 as the C program sets it). */
const SET1 = { k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf', rand: '23553cbe9637a89d218ae64dae47bf35' };

function osmoRun(bin: string, ms: number): { vector: string[]; rate: number } {
  const out = execFileSync(bin, [SET1.k, SET1.opc, SET1.rand, '31', String(ms)], { encoding: 'utf8' });
  const vector = /^vector (.*)$/m.exec(out)![1]!.split(' ');
  const [, n, s] = /^rate (\d+) ([\d.]+)$/m.exec(out)!;
  return { vector, rate: Number(n) / Number(s) };
}

function benchMilenage(): void {
  const make = (i: number) => new Milenage(RANDS[i & 1023]!, RANDS[(i + 1) & 1023]!);
  const bin = buildOsmoBench();
  let osmo = 0;
  let simdm = 0;
  if (bin) {
    // same vector first: SQN 32 (the C program increments the 31 it is given), AMF 8000
    const { vector } = osmoRun(bin, 0);
    const v = generateVector(new Milenage(fromHex(SET1.k), fromHex(SET1.opc)), { sqn: 32, amf: AMF, rand: fromHex(SET1.rand) });
    const mine = ['32', ...[v.autn, v.xres, v.ck, v.ik].map((b) => toHex(b).toLowerCase())];
    if (mine.join(' ') !== vector.join(' ')) throw new Error(`simdm and libosmocore disagree on TS 35.208 set 1: ${mine.join(' ')} / ${vector.join(' ')}`);
    console.log('libosmocore agreement       TS 35.208 set 1 at SQN 32: same AUTN, RES, CK, IK');
  }
  for (let r = 0; r < ROUNDS; r++) {
    if (bin) osmo = Math.max(osmo, osmoRun(bin, ROUND_MS).rate);
    simdm = Math.max(simdm, simdmVectorRate(make, false, ROUND_MS));
  }
  const fresh = simdmVectorRate(make, true, ROUND_MS);
  console.log(`${'MILENAGE simdm'.padEnd(27)} ${fmt(simdm).padStart(12)} one subscriber, ${fmt(fresh)} with a new subscriber (key schedule) each`);
  if (bin) {
    console.log(`${'MILENAGE libosmocore (C)'.padEnd(27)} ${fmt(osmo).padStart(12)} osmo_auth_gen_vec loop`);
    console.log(
      `${'MILENAGE ratio simdm/C'.padEnd(27)} ${(simdm / osmo).toFixed(2).padStart(12)}  (goal >= 0.5; best of ${ROUNDS} rounds of ${ROUND_MS} ms CPU each)`,
    );
  }
}

function benchTuak(): void {
  const make = (i: number) => new Tuak(RANDS[i & 1023]!, TOPS[i & 1023]!);
  const one = simdmVectorRate(make, false, ROUND_MS);
  const fresh = simdmVectorRate(make, true, ROUND_MS);
  console.log(`${'TUAK simdm (1 Keccak)'.padEnd(27)} ${fmt(one).padStart(12)} one subscriber, ${fmt(fresh)} with a new subscriber each`);
  console.log(`${''.padEnd(27)} ${''.padStart(12)} (four Keccak-f[1600] per vector; libosmocore 1.7 has no TUAK to compare with)`);
}

/** AuC vector + AUTHENTICATE through the APDU layer to the virtual UICC (T=0, GET RESPONSE) + RES check. */
async function benchCardAka(n: number): Promise<void> {
  const k = randomBytes(16);
  const opc = randomBytes(16);
  const card = new VirtualUicc(defaultImage());
  provisionUsimAuth(card, { alg: 'milenage', k: k.toString('hex'), opc: opc.toString('hex') });
  const t = new InProcessTransport(card);
  await t.connect();
  const link = new CardLink(t);
  await link.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: Buffer.from(USIM_AID, 'hex') });
  await link.send({ cla: 0x00, ins: 0x20, p1: 0x00, p2: 0x01, data: Buffer.from(pinHex('1234'), 'hex') }, 'VERIFY PIN1'); // AUTHENTICATE needs PIN1
  const alg = new Milenage(k, opc);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const v = generateVector(alg, { sqn: (i + 1) * 32, amf: AMF });
    const r = await authenticate(link, v.rand, v.autn);
    if (r.kind !== 'success') throw new Error(`AKA run ${i}: ${r.kind}`);
  }
  const ms = performance.now() - start;
  console.log(`${'AKA via virtual UICC'.padEnd(27)} ${fmt((n * 1000) / ms).padStart(12)} (vector + AUTHENTICATE + GET RESPONSE, in-process, wall clock)`);
}

async function benchGp(): Promise<void> {
  const { benchGpDetail } = await import('./crypto-gp.js');
  const d = await benchGpDetail(ROUND_MS);
  console.log(`${'SCP03 wrapped APDUs'.padEnd(27)} ${fmt(d.wrapPerSecond).padStart(12)} (C-MAC + C-DECRYPTION, 200-byte UPDATE BINARY)`);
  console.log(`${'SCP03 wrap + card unwrap'.padEnd(27)} ${fmt(d.wrapAndUnwrapPerSecond).padStart(12)}`);
  console.log(`${'OTA AES command packets'.padEnd(27)} ${fmt(d.otaAesPacketsPerSecond).padStart(12)} (AES-CBC + AES-CMAC, 200 bytes)`);
}

async function main(): Promise<void> {
  console.log(`simdm crypto bench, node ${process.version}, ${ROUNDS} rounds of ${ROUND_MS} ms`);
  benchMilenage();
  benchTuak();
  await benchCardAka(2000);
  await benchGp();
}

await main();
