/**
 * Crypto throughput, run with `npx tsx bench/crypto.ts [N]`:
 * - MILENAGE and TUAK authentication vectors per second (simdm, in-process);
 * - complete AKA runs against the virtual UICC through the APDU layer;
 * - osmo-auc-gen invocations per second in the same run (the peer is a process per vector: the
 *   figure is what a shell script around it achieves, not its algorithm speed);
 * - SCP03 wrapped APDUs per second from ./crypto-gp.js (benchGp), when that module exists.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Milenage } from '../src/secure/aka/milenage.js';
import { Tuak } from '../src/secure/aka/tuak.js';
import { generateVector } from '../src/secure/aka/auc.js';
import type { AkaAlgorithm } from '../src/secure/aka/algorithm.js';
import { authenticate } from '../src/secure/aka/device.js';
import { provisionUsimAuth } from '../src/sim/applets/usim-auth.js';
import { defaultImage, USIM_AID } from '../src/sim/default-image.js';
import { VirtualUicc } from '../src/sim/uicc.js';
import { InProcessTransport } from '../src/sim/inproc.js';
import { CardLink } from '../src/apdu/link.js';

const N = Number(process.argv[2] ?? 20000);
const OSMO_N = Math.max(20, Math.floor(N / 100));

function rate(n: number, ms: number): string {
  return `${Math.round((n * 1000) / ms).toLocaleString('en-US')}/s`;
}

function benchVectors(name: string, make: () => AkaAlgorithm, n: number): void {
  const amf = Uint8Array.of(0x80, 0x00);
  const alg = make();
  // warm-up
  for (let i = 0; i < 200; i++) generateVector(alg, { sqn: 32 + i, amf });
  let t = performance.now();
  for (let i = 0; i < n; i++) generateVector(alg, { sqn: 32 + i, amf });
  const same = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < n; i++) generateVector(make(), { sqn: 32 + i, amf });
  const fresh = performance.now() - t;
  console.log(`${name.padEnd(26)} ${rate(n, same).padStart(12)} one subscriber   ${rate(n, fresh).padStart(12)} new subscriber each`);
}

function benchOsmo(n: number): void {
  try {
    execFileSync('osmo-auc-gen', ['--help'], { stdio: 'ignore' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      console.log('osmo-auc-gen               not installed (apt install libosmocore-utils): skipped');
      return;
    }
  }
  const k = randomBytes(16).toString('hex');
  const opc = randomBytes(16).toString('hex');
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    execFileSync('osmo-auc-gen', ['-3', '-a', 'milenage', '-k', k, '-o', opc, '-r', randomBytes(16).toString('hex'), '-s', String(32 + i), '-f', '8000'], { stdio: ['ignore', 'ignore', 'ignore'] });
  }
  const ms = performance.now() - t;
  console.log(`${'osmo-auc-gen (spawned)'.padEnd(26)} ${rate(n, ms).padStart(12)} (${n} processes, MILENAGE)`);
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
  const alg = new Milenage(k, opc);
  const amf = Uint8Array.of(0x80, 0x00);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const v = generateVector(alg, { sqn: (i + 1) * 32, amf });
    const r = await authenticate(link, v.rand, v.autn);
    if (r.kind !== 'success') throw new Error(`AKA run ${i}: ${r.kind}`);
  }
  const ms = performance.now() - start;
  console.log(`${'AKA via virtual UICC'.padEnd(26)} ${rate(n, ms).padStart(12)} (vector + AUTHENTICATE + GET RESPONSE, in-process)`);
}

async function benchScp03(): Promise<void> {
  let mod: { benchGp?: () => Promise<unknown> };
  // the module path is built at run time so that the bench type-checks without it
  try {
    mod = (await import('./crypto-gp.js' as string)) as { benchGp?: () => Promise<unknown> };
  } catch {
    console.log('SCP03 wrapped APDUs        bench/crypto-gp.ts not present: skipped');
    return;
  }
  if (typeof mod.benchGp !== 'function') {
    console.log('SCP03 wrapped APDUs        bench/crypto-gp.ts has no benchGp(): skipped');
    return;
  }
  const r = await mod.benchGp();
  if (typeof r === 'number') console.log(`${'SCP03 wrapped APDUs'.padEnd(26)} ${`${Math.round(r).toLocaleString('en-US')}/s`.padStart(12)} (C-MAC + C-DECRYPTION, 200-byte UPDATE BINARY, benchGp)`);
  else if (r !== undefined) console.log(`${'SCP03 (benchGp)'.padEnd(26)} ${JSON.stringify(r)}`);
}

async function main(): Promise<void> {
  console.log(`simdm crypto bench, node ${process.version}, N = ${N}`);
  benchVectors('MILENAGE vectors', () => new Milenage(randomBytes(16), randomBytes(16)), N);
  benchVectors('TUAK vectors (1 Keccak)', () => new Tuak(randomBytes(16), randomBytes(32)), Math.max(1000, Math.floor(N / 4)));
  await benchCardAka(Math.max(500, Math.floor(N / 10)));
  benchOsmo(OSMO_N);
  await benchScp03();
}

void main();
