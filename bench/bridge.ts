/**
 * The bridge's added latency per APDU, against direct PC/SC in the same run.
 * Starts pcscd with the vpcd readers if none runs (scripts/pcsc.sh; the e2e global setup starts one).
 * Run: npx tsx bench/bridge.ts [--port 35963] [--n 2000]
 *
 * A virtual UICC is plugged into the vpcd slot (card host in a child process), then the same
 * READ BINARY is timed N times directly through pcsclite and N times through a TLS bridge on
 * loopback (binary frames, then JSON frames). The bridge runs in this process with its own
 * PC/SC context, so both paths share pcscd, vpcd and the card.
 */
import { PcscBackend } from '../src/bridge/backend.js';
import { RemoteTransport } from '../src/bridge/client.js';
import { BridgeServer } from '../src/bridge/server.js';
import { generateToken, hashToken, TokenStore } from '../src/bridge/tokens.js';
import { PcscContext } from '../src/transport/pcsc.js';
import type { Transport } from '../src/transport/types.js';
import { vpcdReaderName } from '../src/sim/vpcd.js';
import { fromHex } from '../src/util/hex.js';
import { makePki } from '../test/helpers/certs.js';
import { ensurePcscd } from '../test/helpers/pcscd.js';
import { CardHostClient } from '../src/sim/host-client.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PORT = arg('port', 35963);
const N = arg('n', 2000);
const READER = vpcdReaderName(PORT);
const SELECT = fromHex('00A4000C022FE2');
const READ = fromHex('00B000000A');

interface Stats {
  median: number;
  p95: number;
  mean: number;
}

async function time(t: Transport, n: number): Promise<Stats> {
  await t.transmit(SELECT);
  for (let i = 0; i < 50; i++) await t.transmit(READ); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await t.transmit(READ);
    xs.push(performance.now() - t0);
    if (r.length !== 12) throw new Error(`unexpected response length ${r.length}`);
  }
  xs.sort((a, b) => a - b);
  return { median: xs[n >> 1]!, p95: xs[Math.floor(n * 0.95)]!, mean: xs.reduce((a, b) => a + b, 0) / n };
}

const pcscd = await ensurePcscd();
const host = await CardHostClient.start();
await host.plug(PORT);
const pki = makePki();
try {
  // direct PC/SC
  const ctx = new PcscContext();
  const direct = await ctx.transport(READER);
  await direct.waitForCard(5000);
  await direct.connect();
  const d = await time(direct, N);
  await direct.disconnect();
  ctx.close();

  // through the bridge
  const token = generateToken();
  const backend = new PcscBackend();
  const server = new BridgeServer({
    backend,
    tokens: TokenStore.parse({ principals: [{ id: 'bench', sha256: Buffer.from(hashToken(token)).toString('hex'), readers: ['*'] }] }),
    tls: { cert: pki.serverCert, key: pki.serverKey },
  });
  const { port } = await server.listen();
  const results: [string, Stats][] = [['direct PC/SC', d]];
  for (const binary of [true, false]) {
    const t = await RemoteTransport.open('127.0.0.1', port, READER, { token, ca: pki.caCert, binary });
    await t.waitForCard(5000);
    await t.connect();
    results.push([`bridge (${binary ? 'binary' : 'JSON'} frames)`, await time(t, N)]);
    await t.close();
  }
  await server.close();
  await backend.close();

  console.log(`node ${process.version}, ${new Date().toISOString()}, reader "${READER}", ${N} x READ BINARY (10 bytes) each`);
  console.log(`${'path'.padEnd(26)}  ${'median ms'.padStart(9)}  ${'p95 ms'.padStart(8)}  ${'mean ms'.padStart(8)}  ${'added (median)'.padStart(14)}`);
  for (const [name, s] of results) {
    const added = name === 'direct PC/SC' ? '-' : `+${(s.median - d.median).toFixed(3)} ms`;
    console.log(
      `${name.padEnd(26)}  ${s.median.toFixed(3).padStart(9)}  ${s.p95.toFixed(3).padStart(8)}  ${s.mean.toFixed(3).padStart(8)}  ${added.padStart(14)}`,
    );
  }
} finally {
  await host.stop();
  pki.cleanup();
  await pcscd.stop();
  setTimeout(() => process.exit(0), 100).unref();
}
