import { connect as netConnect } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CardLink } from '../../../src/apdu/link.js';
import { BridgeClient, RemoteTransport } from '../../../src/bridge/client.js';
import { BridgeError } from '../../../src/bridge/errors.js';
import { encodeClientRequest } from '../../../src/bridge/protocol.js';
import { TransportError } from '../../../src/transport/errors.js';
import { fromHex, toHex } from '../../../src/util/hex.js';
import { pki, startBridge, type TestBridge } from './helpers/server.js';

let b: TestBridge;
beforeEach(async () => {
  b = await startBridge();
});
afterEach(async () => {
  await b.stop();
});
afterAll(() => pki().cleanup());

const SELECT_ICCID = fromHex('00A4000C022FE2');
const READ_BINARY = fromHex('00B000000A');
const UPDATE_BINARY = fromHex('00D6000002AABB');

function open(reader: string, token: string | undefined, extra: object = {}): Promise<RemoteTransport> {
  return RemoteTransport.open('127.0.0.1', b.port, reader, { ...(token ? { token } : {}), ca: b.pki.caCert, ...extra });
}

describe('bridge authentication', () => {
  it('refuses a connection without a token', async () => {
    await expect(open('simA', undefined)).rejects.toMatchObject({ code: 'bridge.auth' });
    expect(b.audit.some((r) => r.event === 'auth-failed' && r.detail === 'no credentials')).toBe(true);
  });

  it('refuses a wrong token', async () => {
    await expect(open('simA', 'x'.repeat(43))).rejects.toMatchObject({ code: 'bridge.auth' });
    expect(b.audit.some((r) => r.event === 'auth-failed' && r.detail === 'bad credentials')).toBe(true);
    // the presented token is in no audit line
    expect(JSON.stringify(b.audit)).not.toContain('x'.repeat(43));
  });

  it('refuses a token for another reader, and lists only the allowed ones', async () => {
    await expect(open('simA', b.tokens.onlyB)).rejects.toMatchObject({ code: 'bridge.forbidden' });
    const c = await BridgeClient.connect('127.0.0.1', b.port, { token: b.tokens.onlyB, ca: b.pki.caCert });
    expect((await c.list()).map((r) => r.name)).toEqual(['simB']);
    await expect(c.request({ op: 'acquire', reader: 'simA', waitMs: 0 })).rejects.toMatchObject({ code: 'bridge.forbidden' });
    c.close();
  });

  it('throttles failures from a peer (429) without locking out a valid token from the same address', async () => {
    await b.stop();
    b = await startBridge({ maxAuthFailures: 3, authWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) await expect(open('simA', 'wrong-token-' + i)).rejects.toThrow(/401/);
    await expect(open('simA', 'wrong-token-x')).rejects.toThrow(/429/);
    const t = await open('simA', b.tokens.rw);
    await t.close();
    expect(b.audit.filter((r) => r.event === 'auth-failed')).toHaveLength(3);
  });

  it('revoking a principal (setTokens) closes its sessions and refuses its token', async () => {
    const t = await open('simA', b.tokens.rw);
    await t.connect();
    const ro = await open('simB', b.tokens.ro);
    const { TokenStore, hashToken } = await import('../../../src/bridge/tokens.js');
    b.server.setTokens(
      TokenStore.parse({ principals: [{ id: 'ro', sha256: Buffer.from(hashToken(b.tokens.ro)).toString('hex'), readers: ['*'], readOnly: true }] }),
    );
    await expect(t.transmit(SELECT_ICCID)).rejects.toMatchObject({ code: 'transport.transport-broken' });
    await expect(open('simA', b.tokens.rw)).rejects.toMatchObject({ code: 'bridge.auth' });
    // the unchanged principal keeps its session
    expect((await ro.client.list()).length).toBe(2);
    await ro.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(b.server.holders().simA).toBeUndefined();
  });

  it('refuses plain TCP / plain WebSocket without TLS', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${b.port}/`, { headers: { authorization: `Bearer ${b.tokens.rw}` } });
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('error'));
      ws.once('unexpected-response', () => resolve('http'));
    });
    expect(outcome).toBe('error');
    ws.terminate();
    // raw bytes of an HTTP request: the TLS server drops the connection without an HTTP answer
    const got = await new Promise<string>((resolve) => {
      const s = netConnect(b.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      let data = '';
      s.on('data', (d) => (data += d.toString('latin1')));
      s.on('close', () => resolve(data));
      s.on('error', () => undefined);
      setTimeout(() => s.destroy(), 3000);
    });
    expect(got).not.toMatch(/^HTTP\/1\.1 (101|200)/);
  });

  it('refuses a server certificate from an unknown CA (client side)', async () => {
    await expect(RemoteTransport.open('127.0.0.1', b.port, 'simA', { token: b.tokens.rw })).rejects.toMatchObject({ code: 'bridge.tls' });
  });

  it('accepts a client certificate of the client CA (mTLS) and refuses one of another CA', async () => {
    const t = await open('simA', undefined, { cert: b.pki.clientCert, key: b.pki.clientKey });
    expect(t.client.who).toBe('cert-client');
    await t.close();
    await expect(open('simA', undefined, { cert: b.pki.otherClientCert, key: b.pki.otherClientKey })).rejects.toMatchObject({
      code: expect.stringMatching(/bridge\.(auth|tls)/),
    });
  });
});

describe('bridge sessions', () => {
  it('carries APDUs (binary and JSON frames) to the card through a CardLink', async () => {
    for (const binary of [true, false]) {
      const t = await open('simA', b.tokens.rw, { binary });
      const atr = await t.connect();
      expect(toHex(atr)).toBe(toHex(b.backend.transports.get('simA')!.card.atr));
      const link = new CardLink(t);
      await link.send({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('2FE2') });
      const iccid = await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 10 });
      expect(toHex(iccid)).toBe('984401000000000010F5');
      await t.close();
    }
  });

  it('read-only: refuses UPDATE BINARY and VERIFY with data, allows reads and the PIN status query', async () => {
    const t = await open('simA', b.tokens.ro);
    await t.connect();
    expect(toHex(await t.transmit(SELECT_ICCID))).toBe('9000');
    await expect(t.transmit(UPDATE_BINARY)).rejects.toMatchObject({ code: 'bridge.forbidden' });
    await expect(t.transmit(fromHex('0020000108313233344646464646'))).rejects.toMatchObject({ code: 'bridge.forbidden' });
    await expect(t.transmit(fromHex('00E4000002AAAA'))).rejects.toMatchObject({ code: 'bridge.forbidden' });
    expect(toHex(await t.transmit(fromHex('00200001'))).slice(0, 2)).toBe('63');
    expect(toHex(await t.transmit(READ_BINARY))).toBe('984401000000000010F59000');
    await t.close();
    const refused = b.audit.filter((r) => r.event === 'refused');
    expect(refused.map((r) => r.ins)).toEqual(['UPDATE BINARY', 'VERIFY PIN', 'DELETE FILE']);
    expect(refused.every((r) => r.cmdData === undefined)).toBe(true);
  });

  it('refuses a replayed and an out-of-order frame without executing it', async () => {
    const t = await open('simA', b.tokens.rw);
    await t.connect();
    await t.transmit(SELECT_ICCID);
    const c = t.client;
    const last = c.lastSeq;
    // replay the previous frame exactly
    c.sendRaw(encodeClientRequest({ op: 'apdu', seq: last, apdu: UPDATE_BINARY, binary: true }));
    await expect(c.expect(last, 2000)).rejects.toMatchObject({ code: 'bridge.replay' });
    // skip ahead
    c.sendRaw(encodeClientRequest({ op: 'apdu', seq: last + 5, apdu: UPDATE_BINARY, binary: true }));
    await expect(c.expect(last + 5, 2000)).rejects.toMatchObject({ code: 'bridge.replay' });
    // the session goes on with the right number, and the card was not written
    expect(toHex(await t.transmit(READ_BINARY))).toBe('984401000000000010F59000');
    expect(b.audit.filter((r) => r.code === 'bridge.replay')).toHaveLength(2);
    await t.close();
  });

  it('bounds the requests pending in a session; every frame is answered (ok, busy, or out of order)', async () => {
    const t = await open('simA', b.tokens.rw);
    await t.connect();
    const c = t.client;
    const first = c.lastSeq + 1;
    const answers = Array.from({ length: 200 }, (_, i) =>
      c.expect(first + i, 5000).then(
        (f) => f.kind,
        (e: { code: string }) => e.code,
      ),
    );
    for (let i = 0; i < 200; i++) c.sendRaw(encodeClientRequest({ op: 'apdu', seq: first + i, apdu: READ_BINARY, binary: true }));
    const got = await Promise.all(answers);
    expect(got.length).toBe(200);
    expect(got.every((k) => ['rapdu', 'bridge.busy', 'bridge.replay'].includes(k))).toBe(true);
    expect(got.filter((k) => k === 'rapdu').length).toBeGreaterThanOrEqual(64);
    (t.client as unknown as { ws: WebSocket }).ws.terminate();
  });

  it('answers malformed frames with bridge.frame and keeps the session', async () => {
    const t = await open('simA', b.tokens.rw);
    const notices: string[] = [];
    t.client.onNotice((code) => notices.push(code));
    t.client.sendRaw('{"op":"apdu","seq":"x"}');
    t.client.sendRaw(Uint8Array.of(1, 2));
    await t.connect();
    expect(notices).toEqual(['bridge.frame', 'bridge.frame']);
    await t.close();
  });

  it('gives a reader to one session at a time; a waiter gets it on release', async () => {
    const t1 = await open('simA', b.tokens.rw);
    await t1.connect();
    const t2 = await open('simA', b.tokens.rw, { acquireWaitMs: 0 });
    await expect(t2.connect()).rejects.toMatchObject({ code: 'bridge.busy' });
    const t3 = await open('simA', b.tokens.rw, { acquireWaitMs: 5000 });
    const p3 = t3.connect();
    await new Promise((r) => setTimeout(r, 50));
    expect(b.server.holders().simA).toBe('rw');
    await t1.disconnect();
    await p3;
    expect(toHex(await t3.transmit(SELECT_ICCID))).toBe('9000');
    await Promise.all([t1.close(), t2.close(), t3.close()]);
  });

  it('a dead client frees the reader (connection dropped; heartbeat)', async () => {
    await b.stop();
    b = await startBridge({ heartbeatMs: 100 });
    const t1 = await open('simA', b.tokens.rw);
    await t1.connect();
    // simulate a dead peer: stop answering pings by pausing the socket
    (t1.client as unknown as { ws: WebSocket }).ws.pause();
    const t2 = await open('simA', b.tokens.rw, { acquireWaitMs: 3000 });
    const start = Date.now();
    await t2.connect();
    expect(Date.now() - start).toBeLessThan(3000);
    await t2.close();
    (t1.client as unknown as { ws: WebSocket }).ws.terminate();
  });

  it('releases an idle session after idleMs and re-acquires on the next connect()', async () => {
    await b.stop();
    b = await startBridge({ idleMs: 100 });
    const t1 = await open('simA', b.tokens.rw);
    await t1.connect();
    await new Promise((r) => setTimeout(r, 250));
    expect(b.server.holders().simA).toBeUndefined();
    await expect(t1.transmit(SELECT_ICCID)).rejects.toMatchObject({ code: 'bridge.state' });
    await t1.connect();
    expect(toHex(await t1.transmit(SELECT_ICCID))).toBe('9000');
    await t1.close();
  });

  it('resets the card between sessions (no inherited PIN verification)', async () => {
    const t1 = await open('simA', b.tokens.rw);
    await t1.connect();
    expect(toHex(await t1.transmit(fromHex('002000010831323334FFFFFFFF')))).toBe('9000');
    await t1.close();
    const t2 = await open('simA', b.tokens.ro);
    await t2.connect();
    // retry counter query: 63Cx means "not verified" after the reset
    expect(toHex(await t2.transmit(fromHex('00200001'))).slice(0, 3)).toBe('63C');
    await t2.close();
  });

  it('pushes card removal and insertion to watchers', async () => {
    const t = await open('simB', b.tokens.onlyB);
    const events: string[] = [];
    t.on('removed', () => events.push('removed'));
    t.on('inserted', () => events.push('inserted'));
    b.backend.transports.get('simB')!.remove();
    b.backend.transports.get('simB')!.insert();
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(['removed', 'inserted']);
    await t.close();
  });

  it('maps card faults to TransportError on the client', async () => {
    const t = await open('simA', b.tokens.rw);
    await t.connect();
    b.backend.transports.get('simA')!.remove();
    const e = await t.transmit(SELECT_ICCID).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).kind).toBe('card-removed');
    await t.close();
  });

  it('audit: who/reader/INS/SW/time, never the data of secret-bearing commands', async () => {
    const t = await open('simA', b.tokens.rw);
    await t.connect();
    await t.transmit(fromHex('002000010831323334FFFFFFFF'));
    await t.transmit(SELECT_ICCID);
    await t.transmit(READ_BINARY);
    await t.close();
    const apdus = b.audit.filter((r) => r.event === 'apdu');
    expect(apdus.map((r) => [r.who, r.reader, r.ins, r.sw])).toEqual([
      ['rw', 'simA', 'VERIFY PIN', '9000'],
      ['rw', 'simA', 'SELECT', '9000'],
      ['rw', 'simA', 'READ BINARY', '9000'],
    ]);
    expect(apdus[0]!.cmdData).toBeUndefined();
    expect(apdus[1]!.cmdData).toBe('2FE2');
    // file contents are never logged, only their length
    expect(apdus[2]!.rspLen).toBe(10);
    expect(JSON.stringify(b.audit)).not.toContain('984401000000000010F5');
    expect(JSON.stringify(b.audit)).not.toContain('31323334');
    expect(apdus.every((r) => typeof r.time === 'string' && typeof r.ms === 'number')).toBe(true);
  });
});

describe('bridge errors', () => {
  it('BridgeError carries its code', () => {
    const e = new BridgeError('bridge.replay', 'x');
    expect(e.code).toBe('bridge.replay');
    expect(e.name).toBe('BridgeError');
  });
});
