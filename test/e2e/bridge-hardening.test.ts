/**
 * Issue 12 regressions over real PC/SC: virtual UICCs in vpcd 35974/35975 -> pcscd -> bridge (TLS,
 * tokens) -> remote://. Each test reproduces what an adversarial review broke (card state leaking
 * between principals, connection floods, pre-auth sockets, NAT lock-out, the INS-only read-only
 * filter, counter read and VERIFY as two PC/SC transactions, leaked PcscTransports). Floods are
 * bounded (tens of sockets, small caps, sub-second deadlines) and stay on 127.0.0.x.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CardLink, type ApduSender } from '../../src/apdu/link.js';
import { AuditLog, type AuditRecord } from '../../src/bridge/audit.js';
import { PcscBackend } from '../../src/bridge/backend.js';
import { BridgeClient, RemoteTransport } from '../../src/bridge/client.js';
import { BridgeServer, type BridgeServerOptions } from '../../src/bridge/server.js';
import { generateToken, hashToken, TokenStore } from '../../src/bridge/tokens.js';
import { CardFs } from '../../src/card/fs.js';
import { encodePinValue, pinStatus, verifyPin } from '../../src/card/pin.js';
import type { Transport } from '../../src/transport/types.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { makePki, type TestPki } from '../helpers/certs.js';
import { E2E, PcscContext, readerFor, useCardRig, vpcdReaderName } from '../helpers/vcards.js';

const PA = 35974;
const PB = 35975;
const RA = vpcdReaderName(PA);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const VERIFY_PIN1 = fromHex('002000010831323334FFFFFFFF');
const VERIFY_ADM1 = fromHex('0020000A083838383838383838');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!E2E)('issue 12: bridge and PC/SC hardening over pcscd + vpcd', () => {
  const rig = useCardRig([PA, PB]);
  let pki: TestPki;
  let backend: PcscBackend;
  let server: BridgeServer | undefined;
  let port = 0;
  let audit: AuditRecord[] = [];
  const tok = { rw: generateToken(), ro: generateToken(), ro2g: generateToken() };

  beforeAll(() => {
    pki = makePki();
    backend = new PcscBackend();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(async () => {
    await backend?.close();
    pki?.cleanup();
  });

  async function start(over: Partial<BridgeServerOptions> = {}): Promise<void> {
    audit = [];
    server = new BridgeServer({
      backend,
      tokens: TokenStore.parse({
        principals: [
          { id: 'rw', sha256: hex(hashToken(tok.rw)), readers: ['*'] },
          { id: 'ro', sha256: hex(hashToken(tok.ro)), readers: ['*'], readOnly: true },
          { id: 'ro2g', sha256: hex(hashToken(tok.ro2g)), readers: ['*'], readOnly: true, allow: ['A0A4', 'A0B0'] },
        ],
      }),
      tls: { cert: pki.serverCert, key: pki.serverKey },
      audit: new AuditLog((r) => audit.push(r)),
      heartbeatMs: 0,
      ...over,
    });
    port = (await server.listen()).port;
  }
  /** a fresh default card in PA, once the bridge's own PC/SC context can connect to it */
  async function freshCard(): Promise<void> {
    await rig.fresh(PA);
    for (let i = 0; ; i++) {
      try {
        const bt = await backend.get(RA);
        await bt.connect();
        await bt.transmit(fromHex('00A4000C023F00'));
        await bt.disconnect();
        return;
      } catch (e) {
        if (i >= 30) throw e;
        await sleep(100);
      }
    }
  }
  /** connect() of a card just swapped in: pcscd may still report its removal for a moment */
  async function connected<T extends Transport>(t: T): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        await t.connect();
        await t.transmit(fromHex('00A4000C023F00'));
        return t;
      } catch (e) {
        if (i >= 30) throw e;
        await sleep(100);
      }
    }
  }
  const open = (token: string, reader = RA) => RemoteTransport.open('127.0.0.1', port, reader, { token, ca: pki.caCert });
  const client = (token: string) => BridgeClient.connect('127.0.0.1', port, { token, ca: pki.caCert });

  it('item 1: a session after `disconnect` + `release` still finds the card reset (no PIN1/ADM1 inherited)', async () => {
    await freshCard();
    await start();
    const w = await connected(await open(tok.rw));
    expect(toHex(await w.transmit(VERIFY_PIN1))).toBe('9000');
    expect(toHex(await w.transmit(VERIFY_ADM1))).toBe('9000');
    // the documented ops, raw: disconnect (SCARD_LEAVE_CARD) and then release
    await w.client.request({ op: 'disconnect' });
    await w.client.request({ op: 'release' });
    w.client.close();
    const r = await open(tok.ro);
    try {
      await r.connect();
      const link = new CardLink(r);
      expect((await pinStatus(link, 'PIN1')).verified).toBe(false);
      expect((await pinStatus(link, 'ADM1')).verified).toBe(false);
      await expect(new CardFs(link).readBinary('ADF.USIM/EF.IMSI')).rejects.toThrow(/6982|security/i);
    } finally {
      await r.close();
    }
  });

  it('item 2: per-principal connection cap; idle sessions without a reader close; others keep access', async () => {
    await freshCard();
    await start({ maxConnectionsPerPrincipal: 4, maxConnections: 8, sessionIdleMs: 600 });
    const flood: BridgeClient[] = [];
    const refused: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      try {
        flood.push(await client(tok.ro));
      } catch (e) {
        refused.push(e);
      }
    }
    expect(flood).toHaveLength(4);
    expect(refused).toHaveLength(6);
    expect(refused[0]).toMatchObject({ message: expect.stringMatching(/503/) });
    // the legitimate principal still gets in and works during the flood
    const w = await connected(await open(tok.rw));
    expect(toHex(await new CardLink(w).send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') }))).toBe('');
    await w.close();
    // the flood's sessions hold no reader: they are closed after sessionIdleMs
    const t0 = Date.now();
    while (flood.some((c) => c.isOpen) && Date.now() - t0 < 3000) await sleep(50);
    expect(flood.filter((c) => c.isOpen)).toHaveLength(0);
    expect(await client(tok.ro).then((c) => (c.close(), 'ok'))).toBe('ok');
  });

  it('item 3: pre-auth sockets are capped and closed after a short deadline; a client gets in afterwards', async () => {
    await start({ maxPreAuth: 8, authTimeoutMs: 1000 });
    const socks: Socket[] = [];
    const closedAt: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 24; i++) {
      const s = netConnect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.on('close', () => closedAt.push(Date.now() - t0));
      socks.push(s);
    }
    // beyond the cap the server closes at once, long before the deadline
    while (closedAt.length < 16 && Date.now() - t0 < 800) await sleep(10);
    expect(closedAt.length).toBeGreaterThanOrEqual(16);
    expect(server!.pendingAuth).toBeLessThanOrEqual(8);
    while (closedAt.length < 24 && Date.now() - t0 < 5000) await sleep(25);
    // the idle rest is gone at the deadline (not the TLS default of 120 s)
    expect(closedAt).toHaveLength(24);
    expect(Math.max(...closedAt)).toBeGreaterThanOrEqual(900);
    expect(Math.max(...closedAt)).toBeLessThan(4000);
    expect(server!.pendingAuth).toBe(0);
    const c = await client(tok.rw);
    expect((await c.list()).some((r) => r.name === RA)).toBe(true);
    c.close();
  });

  /** a WebSocket upgrade from a given local address: resolves with the HTTP status (101 = accepted) */
  function attempt(token: string, localAddress = '127.0.0.1'): Promise<number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`wss://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` }, ca: pki.caCert, localAddress });
      ws.once('open', () => {
        ws.close();
        resolve(101);
      });
      ws.once('unexpected-response', (_q, res) => {
        res.resume();
        ws.terminate();
        resolve(res.statusCode ?? 0);
      });
      ws.once('error', () => resolve(-1));
    });
  }

  it('item 4: failures throttled per address and globally, a valid token from the same address still accepted, audit aggregated', async () => {
    await start({ maxAuthFailures: 3, maxGlobalAuthFailures: 6, authWindowMs: 60_000 });
    const st: number[] = [];
    for (let i = 0; i < 10; i++) st.push(await attempt('bad-' + i));
    expect(st).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    // same address (a NAT): the valid token is not locked out
    expect(await attempt(tok.rw)).toBe(101);
    // the global limit: other addresses with no failure of their own are throttled too
    expect(await attempt('bad-x', '127.0.0.2')).toBe(429);
    expect(await attempt(tok.ro, '127.0.0.2')).toBe(101);
    // 3 lines for the attempts answered 401; the 429s are not one line each
    expect(audit.filter((r) => r.event === 'auth-failed')).toHaveLength(3);
    await server!.close();
    server = undefined;
    const summary = audit.filter((r) => r.event === 'auth-failed');
    expect(summary).toHaveLength(4);
    expect(summary[3]!.detail).toMatch(/8 further failed authentications from 2 addresses/);
  });

  it('item 5: read-only refuses proprietary classes, secure messaging and CLA FF; allows listed (CLA, INS) pairs', async () => {
    await freshCard();
    await start();
    const r = await connected(await open(tok.ro));
    try {
      expect(toHex(await r.transmit(fromHex('00A4000C022FE2')))).toBe('9000');
      for (const h of ['80B000000A', 'A0B000000A', '0CB000000A', '84F2000000', 'FFCA000000', 'FF70000000', 'A0A40000022FE2', '10B000000A']) {
        await expect(r.transmit(fromHex(h)), h).rejects.toMatchObject({ code: 'bridge.forbidden' });
      }
      expect(toHex(await r.transmit(fromHex('00B000000A')))).toBe('984401000000000010F59000');
      // STATUS in the UICC class (TS 102 221 11.1.2) is a read
      expect(toHex(await r.transmit(fromHex('80F2000000'))).slice(-4)).toMatch(/^(9000|61..|6C..)$/);
    } finally {
      await r.close();
    }
    const g = await open(tok.ro2g);
    try {
      await g.connect();
      // explicitly allowed for this principal: the 2G class A0 SELECT/READ BINARY reach the card
      const sw = toHex(await g.transmit(fromHex('A0A40000022FE2'))).slice(-4);
      expect(sw).not.toBe('');
      await expect(g.transmit(fromHex('A0D6000002AAAA'))).rejects.toMatchObject({ code: 'bridge.forbidden' });
    } finally {
      await g.close();
    }
  });

  /**
   * verifyPin through `sender`; right after its counter read, another PC/SC client (its own
   * context, as another process would be) tries a wrong VERIFY on the same card.
   */
  async function interleave(link: CardLink): Promise<unknown> {
    let outcome: unknown = 'not tried';
    const other = new PcscContext();
    const spy: ApduSender = {
      channel: 0,
      transmit: async (cmd) => {
        const res = await link.transmit(cmd);
        if (cmd.ins === 0x20 && !cmd.data && outcome === 'not tried') {
          outcome = await (async () => {
            const t = await other.transport(RA);
            try {
              await t.connect();
              return toHex(await t.transmit(fromHex('002000010839393939FFFFFFFF')));
            } finally {
              await t.close();
            }
          })().catch((e: unknown) => e);
        }
        return res;
      },
      send: (cmd, what) => link.send(cmd, what),
      transaction: (fn) => link.transaction(fn),
    };
    try {
      await verifyPin(spy, 'PIN1', encodePinValue('1234', 'pin'));
    } finally {
      other.close();
    }
    return outcome;
  }

  it('item 12: counter read + VERIFY are one PC/SC transaction (local transport): another client cannot spend a try in between', async () => {
    await rig.fresh(PA);
    const t = await connected(await readerFor(rig.ctx, PA));
    try {
      const outcome = await interleave(new CardLink(t));
      expect(outcome).toMatchObject({ kind: 'sharing-violation' });
      // back in shared mode afterwards: PIN1 verified, counter untouched, others may connect again
      expect((await pinStatus(new CardLink(t), 'PIN1')).verified).toBe(true);
      const o = new PcscContext();
      try {
        const x = await o.transport(RA);
        await x.connect();
        await x.close();
      } finally {
        o.close();
      }
    } finally {
      await t.disconnect({ reset: true });
    }
  });

  it('item 12: the same through the bridge (begin/end ops hold the server reader exclusively)', async () => {
    await freshCard();
    await start();
    const r: Transport = await connected(await open(tok.rw));
    try {
      const outcome = await interleave(new CardLink(r));
      expect(outcome).toMatchObject({ kind: 'sharing-violation' });
      expect(toHex(await r.transmit(fromHex('00200001')))).toBe('9000');
    } finally {
      await r.close();
    }
  });

  it('item 13: repeated fresh()/readerFor() add no status listener (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      await readerFor(rig.ctx, PB);
      const reader = rig.ctx.readers.get(vpcdReaderName(PB)) as unknown as NodeJS.EventEmitter;
      const before = reader.listenerCount('status');
      for (let i = 0; i < 12; i++) {
        await rig.fresh(PB);
        await readerFor(rig.ctx, PB);
      }
      expect(reader.listenerCount('status')).toBe(before);
      await sleep(10);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
