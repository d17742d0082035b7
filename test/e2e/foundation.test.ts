/**
 * The foundation through real PC/SC: virtual UICCs in vpcd slots 35963/35964 -> pcscd ->
 * pcsclite -> simdm's transport and APDU layer. Also the CLI's error paths.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardLink } from '../../src/apdu/link.js';
import { memorySink } from '../../src/apdu/trace.js';
import { decodeBer, findBer } from '../../src/codec/tlv/ber.js';
import { defaultImage } from '../../src/sim/default-image.js';
import { TransportError } from '../../src/transport/errors.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { CardHostClient, E2E, PcscContext, readerFor, vpcdReaderName } from '../helpers/vcards.js';
import { simdmArgv } from '../helpers/cli.js';

const run = promisify(execFile);
const P1 = 35963;
const P2 = 35964;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, simdmArgv(args), { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe.skipIf(!E2E)('foundation over pcscd + vpcd', () => {
  let host: CardHostClient;
  let ctx: PcscContext;
  beforeAll(async () => {
    host = await CardHostClient.start();
    const second = defaultImage();
    second.mf.children![0]!.content = '98440100000000002006'; // another ICCID
    await host.plug(P1);
    await host.plug(P2, second);
    ctx = new PcscContext();
  });
  afterAll(async () => {
    ctx?.close();
    await host?.stop();
  });

  it('connects, reads the ATR, and gets the MF FCP through 61xx + GET RESPONSE', async () => {
    const t = await readerFor(ctx, P1);
    const atr = await t.connect();
    expect(toHex(atr)).toBe(defaultImage().atr);
    const trace = memorySink();
    const link = new CardLink(t, { trace });
    const fcp = await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 4, data: fromHex('3F00') });
    expect(toHex(findBer(decodeBer(fcp)[0]!.children, 0x83)!.value)).toBe('3F00');
    // pcscd does not issue GET RESPONSE itself: simdm did, and the trace shows it
    expect(trace.entries.some((e) => e.auto?.startsWith('after 61'))).toBe(true);
    await t.disconnect();
  });

  it('re-issues on 6Cxx', async () => {
    const t = await readerFor(ctx, P1);
    await t.connect();
    const trace = memorySink();
    const link = new CardLink(t, { trace });
    await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') });
    const iccid = await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 });
    expect(toHex(iccid)).toBe('984401000000000010F5');
    expect(trace.entries.some((e) => e.auto?.includes('6C0A'))).toBe(true);
    await t.disconnect();
  });

  it('two cards in two readers at once', async () => {
    const [a, b] = await Promise.all([readerFor(ctx, P1), readerFor(ctx, P2)]);
    await Promise.all([a.connect(), b.connect()]);
    const read = async (t: typeof a) => {
      const l = new CardLink(t);
      await l.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') });
      return toHex(await l.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 10 }));
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => read(i % 2 ? b : a)));
    expect(new Set(results.filter((_, i) => i % 2 === 0))).toEqual(new Set(['984401000000000010F5']));
    expect(new Set(results.filter((_, i) => i % 2 === 1))).toEqual(new Set(['98440100000000002006']));
    await Promise.all([a.disconnect(), b.disconnect()]);
  });

  it('card removed mid-session: typed error; reinserted: reconnect works and content kept', async () => {
    const t = await readerFor(ctx, P1);
    await t.connect();
    const link = new CardLink(t);
    await link.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x0a, data: fromHex('3838383838383838') });
    await link.send({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('7FF06F46') });
    await link.send({ cla: 0, ins: 0xd6, p1: 0, p2: 1, data: fromHex('4E4557') });
    await host.remove(P1);
    const err = await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toMatch(/card-removed|no-card|unresponsive-card/);
    await t.waitForRemoval(3000);
    await host.insert(P1);
    await t.waitForCard(5000);
    await t.connect();
    // the power cycle dropped ADM1, the written content survived
    await link.send({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('7FF06F46') });
    expect(toHex(await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 }))).toBe('014E4557');
    expect((await link.transmit({ cla: 0, ins: 0xd6, p1: 0, p2: 1, data: fromHex('00') })).sw).toBe(0x6982);
    await t.disconnect();
  });

  it('a card pulled during an APDU is a typed error, never a crash', async () => {
    const t = await readerFor(ctx, P2);
    await t.connect();
    const link = new CardLink(t);
    await host.pull(P2, { at: 1, apply: false });
    await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('3F00') });
    await expect(link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') })).rejects.toBeInstanceOf(TransportError);
    await t.waitForRemoval(3000);
    await host.insert(P2);
    await t.waitForCard(5000);
    await t.connect();
    expect((await link.transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('3F00') })).sw).toBe(0x9000);
    await t.disconnect();
  });

  it('CLI: atr and a decoded SELECT of the MF through pcscd', async () => {
    const atr = await cli(['atr', '--reader', vpcdReaderName(P1)]);
    expect(atr.code).toBe(0);
    expect(atr.stdout).toContain('protocols: T=0');
    expect(atr.stdout).toContain('TCK: 93 (valid)');
    const sel = await cli(['apdu', '00A40004023F00', '--reader', vpcdReaderName(P1), '--json']);
    expect(sel.code).toBe(0);
    expect(JSON.parse(sel.stdout)[0].sw).toBe('9000');
  });

  it('CLI: unknown reader, malformed hex: one line, non-zero exit, no stack trace', async () => {
    const r = await cli(['atr', '--reader', 'No Such Reader']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown reader "No Such Reader"; readers: /);
    const h = await cli(['apdu', '00A4000402 3FZZ', '--reader', vpcdReaderName(P1)]);
    expect(h.code).toBe(1);
    expect(h.stderr).toMatch(/APDU 1: 'Z' is not a hex digit/);
    expect(h.stderr).not.toMatch(/\n\s+at /);
  });

  it('CLI: pcscd not running is one clear line', async () => {
    // pcsc-lite's client library finds the daemon through this socket path
    const r = await cli(['readers'], { PCSCLITE_CSOCK_NAME: '/tmp/simdm-no-pcscd.sock' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^simdm: .*pcscd\) is not running \(0x8010001D\)$/);
  });
});
