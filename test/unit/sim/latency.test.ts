/**
 * `latencyMs`: the vpcd link delays each R-APDU, so benchmarks can model a real card's 5-50 ms per
 * APDU. A fake vpcd (TCP server speaking vpcd's 2-byte length framing) times the answers.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultImage } from '../../../src/sim/default-image.js';
import { CardHost } from '../../../src/sim/host.js';
import { parseImage } from '../../../src/sim/image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { VpcdCard, vpcdUnreachableHint } from '../../../src/sim/vpcd.js';

const frame = (b: Uint8Array) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);

/** A fake vpcd on a free port: resolves with the card's socket once it connects. */
async function fakeVpcd(): Promise<{ server: Server; port: number; card: Promise<Socket> }> {
  let accept!: (s: Socket) => void;
  const card = new Promise<Socket>((r) => (accept = r));
  const server = createServer((s) => accept(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, card };
}

/** Sends one C-APDU, returns the R-APDU and the elapsed ms. */
async function timed(s: Socket, capdu: string): Promise<{ rapdu: string; ms: number }> {
  const t0 = performance.now();
  const reply = new Promise<Buffer>((resolve) => {
    let buf = Buffer.alloc(0);
    const on = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.off('data', on);
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    };
    s.on('data', on);
  });
  s.write(frame(Buffer.from(capdu, 'hex')));
  const r = await reply;
  return { rapdu: r.toString('hex').toUpperCase(), ms: performance.now() - t0 };
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

describe('per-APDU latency', () => {
  it('an image field delays every answer; 0 answers at once; a host override wins', async () => {
    const v = await fakeVpcd();
    const host = new CardHost();
    const img = { ...defaultImage(), latencyMs: 40 };
    const vc = host.plug(v.port, parseImage(img));
    cleanup.push(
      () => host.stopAll(),
      () => v.server.close(),
    );
    const s = await v.card;
    const slow = await timed(s, '00A4000C023F00');
    expect(slow.rapdu).toBe('9000');
    expect(slow.ms).toBeGreaterThanOrEqual(38);
    expect(vc.effectiveLatencyMs).toBe(40);
    host.handle({ id: 1, op: 'latency', port: v.port, ms: 0 });
    const fast = await timed(s, '00A4000C023F00');
    expect(fast.rapdu).toBe('9000');
    expect(fast.ms).toBeLessThan(38);
    expect(host.handle({ id: 2, op: 'stats', port: v.port })).toMatchObject({ latencyMs: 0 });
    // the image keeps its latency through a save
    expect(vc.card.toImage().latencyMs).toBe(40);
  });

  it('the plug option overrides the image; out-of-range values are refused', async () => {
    const v = await fakeVpcd();
    const host = new CardHost();
    const vc = host.plug(v.port, defaultImage(), undefined, true, { latencyMs: 25 });
    cleanup.push(
      () => host.stopAll(),
      () => v.server.close(),
    );
    const s = await v.card;
    expect((await timed(s, '00A4000C023F00')).ms).toBeGreaterThanOrEqual(23);
    expect(vc.effectiveLatencyMs).toBe(25);
    expect(() => host.handle({ id: 1, op: 'latency', port: v.port, ms: -1 })).toThrow(/latency/);
    expect(() => parseImage({ ...defaultImage(), latencyMs: 1e9 })).toThrow(/latencyMs/);
  });

  it('a card with no vpcd listening says why', async () => {
    const v = await fakeVpcd();
    const port = v.port;
    await new Promise((r) => v.server.close(r)); // nothing listens there now
    const vc = new VpcdCard(new VirtualUicc(defaultImage()), { port, retryMs: 20 });
    vc.insert();
    cleanup.push(() => vc.remove());
    await new Promise((r) => setTimeout(r, 150));
    expect(vc.isConnected).toBe(false);
    expect(vc.lastError).toBe('ECONNREFUSED');
    expect(vpcdUnreachableHint(vc)).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): pcscd is not running`));
  });
});
