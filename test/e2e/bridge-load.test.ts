/**
 * Load: 50 concurrent clients over the 16 vpcd readers (ports 35963..35978), through pcscd and one
 * bridge, for a bounded time. Each card has its own ICCID; every response must carry the ICCID of
 * the reader its client asked for (no misrouting), every request must be answered (no loss), and
 * the APDUs each card answered must equal the APDUs its clients sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscBackend } from '../../src/bridge/backend.js';
import { RemoteTransport } from '../../src/bridge/client.js';
import { BridgeServer } from '../../src/bridge/server.js';
import { generateToken, hashToken, TokenStore } from '../../src/bridge/tokens.js';
import { defaultImage } from '../../src/sim/default-image.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { makePki, type TestPki } from '../helpers/certs.js';
import { CardHostClient, E2E, vpcdReaderName } from '../helpers/vcards.js';

const PORTS = Array.from({ length: 16 }, (_, i) => 35963 + i);
const CLIENTS = 50;
const DURATION_MS = Number(process.env.SIMDM_LOAD_MS ?? 5000);
const MAX_SESSIONS_PER_CLIENT = 400;

/** ICCID of card i: 89 44 10 00 00 00 00 00 0i i (BCD nibble-swapped, as on the card) */
function iccidHex(i: number): string {
  const d = i.toString().padStart(2, '0');
  return `9844010000000000${d[1]}${d[0]}F5`.toUpperCase();
}

describe.skipIf(!E2E)('bridge under load', () => {
  let host: CardHostClient;
  let pki: TestPki;
  let server: BridgeServer;
  let backend: PcscBackend;
  let port: number;
  const token = generateToken();

  beforeAll(async () => {
    host = await CardHostClient.start();
    for (const [i, p] of PORTS.entries()) {
      const img = defaultImage();
      img.mf.children![0]!.content = iccidHex(i);
      await host.plug(p, img);
    }
    pki = makePki();
    backend = new PcscBackend();
    server = new BridgeServer({
      backend,
      tokens: TokenStore.parse({ principals: [{ id: 'load', sha256: Buffer.from(hashToken(token)).toString('hex'), readers: ['Virtual PCD*'] }] }),
      tls: { cert: pki.serverCert, key: pki.serverKey },
      heartbeatMs: 2000,
      maxConnections: 128,
    });
    port = (await server.listen()).port;
  });
  afterAll(async () => {
    await server?.close();
    await backend?.close();
    await host?.stop();
    pki?.cleanup();
  });

  it(`${CLIENTS} clients, 16 readers, ${DURATION_MS} ms: no lost or misrouted response`, async () => {
    const before = await Promise.all(PORTS.map((p) => host.stats(p)));
    const sent = new Array<number>(PORTS.length).fill(0);
    const misrouted: string[] = [];
    let sessions = 0;
    let apdus = 0;
    const end = Date.now() + DURATION_MS;
    const latencies: number[] = [];

    const client = async (c: number): Promise<void> => {
      const idx = c % PORTS.length;
      const reader = vpcdReaderName(PORTS[idx]!);
      const t = await RemoteTransport.open('127.0.0.1', port, reader, { token, ca: pki.caCert, acquireWaitMs: 30_000 });
      try {
        await t.waitForCard(10_000);
        for (let s = 0; s < MAX_SESSIONS_PER_CLIENT && Date.now() < end; s++) {
          await t.connect();
          for (let k = 0; k < 5; k++) {
            const t0 = performance.now();
            const r1 = await t.transmit(fromHex('00A4000C022FE2'));
            sent[idx]!++;
            const r2 = await t.transmit(fromHex('00B000000A'));
            sent[idx]!++;
            latencies.push((performance.now() - t0) / 2);
            apdus += 2;
            if (toHex(r1) !== '9000') misrouted.push(`client ${c}: SELECT answered ${toHex(r1)}`);
            if (toHex(r2) !== `${iccidHex(idx)}9000`) misrouted.push(`client ${c} on ${reader}: got ${toHex(r2)}`);
          }
          await t.disconnect();
          sessions++;
        }
      } finally {
        await t.close();
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    const elapsed = Date.now() - started;
    const after = await Promise.all(PORTS.map((p) => host.stats(p)));
    const answered = after.map((a, i) => a.apdus - before[i]!.apdus);
    latencies.sort((a, b) => a - b);
    console.log(
      `bridge load: ${CLIENTS} clients, ${PORTS.length} readers, ${elapsed} ms, ${sessions} sessions, ${apdus} APDUs ` +
        `(${Math.round((apdus * 1000) / elapsed)}/s), per-APDU median ${latencies[latencies.length >> 1]!.toFixed(2)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]!.toFixed(2)} ms`,
    );
    expect(misrouted).toEqual([]);
    expect(answered).toEqual(sent);
    expect(sessions).toBeGreaterThan(CLIENTS);
    expect(elapsed).toBeLessThan(DURATION_MS + 30_000);
  }, 120_000);
});
