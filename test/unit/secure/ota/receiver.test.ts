import { describe, expect, it } from 'vitest';
import { decodeCommand } from '../../../../src/apdu/command.js';
import { checkCounter, MemoryCounterStore } from '../../../../src/secure/ota/counter.js';
import { OtaReceiver } from '../../../../src/secure/ota/receiver.js';
import { unwrapPor, wrapScript } from '../../../../src/secure/ota/sender.js';
import { buildSmsPpEnvelope, parseSmsPpEnvelope } from '../../../../src/secure/ota/smspp.js';
import { decodeSpi } from '../../../../src/secure/ota/spi.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const KEYS = { kic: fromHex('200102030405060708090a0b0c0d0e0f'), kid: fromHex('201102030405060708090a0b0c0d0e0f') };
const TAR = fromHex('B00011');

function receiver() {
  const seen: string[] = [];
  const r = new OtaReceiver({
    keys: (i, j) => (i === 2 && j === 2 ? KEYS : {}),
    application: (tar) =>
      tar === 'B00011'
        ? {
            execute: (c) => {
              seen.push(c.ins.toString(16));
              return c.ins === 0xb0 ? { data: fromHex('98881201'), sw: 0x9000 } : { data: new Uint8Array(0), sw: 0x9000 };
            },
          }
        : undefined,
  });
  return { r, seen };
}

describe('counter policies (TS 102 225 SPI1 b5b4)', () => {
  it('higher: refuses replays with ota.counter-replay (status 02)', () => {
    const s = new MemoryCounterStore();
    checkCounter(s, 'k', 'higher', 5);
    expect(() => checkCounter(s, 'k', 'higher', 5)).toThrow(expect.objectContaining({ code: 'ota.counter-replay', status: 2 }));
    expect(() => checkCounter(s, 'k', 'higher', 4)).toThrow(expect.objectContaining({ code: 'ota.counter-replay' }));
    checkCounter(s, 'k', 'higher', 9);
  });
  it('one-higher: refuses gaps with status 03', () => {
    const s = new MemoryCounterStore();
    checkCounter(s, 'k', 'one-higher', 1);
    expect(() => checkCounter(s, 'k', 'one-higher', 3)).toThrow(expect.objectContaining({ code: 'ota.counter-high', status: 3 }));
    checkCounter(s, 'k', 'one-higher', 2);
  });
  it('none / available: no check, the same counter is accepted again', () => {
    const s = new MemoryCounterStore();
    expect(() => checkCounter(s, 'k', 'none', 0)).not.toThrow();
    expect(() => checkCounter(s, 'k', 'available', 0)).not.toThrow();
    expect(() => checkCounter(s, 'k', 'available', 0)).not.toThrow();
    // and a lower one after a higher one
    expect(() => checkCounter(s, 'k', 'available', 7)).not.toThrow();
    expect(() => checkCounter(s, 'k', 'available', 3)).not.toThrow();
  });
  it('blocked at the maximum', () => {
    const s = new MemoryCounterStore();
    checkCounter(s, 'k', 'higher', 0xffffffffff);
    expect(() => checkCounter(s, 'k', 'higher', 1)).toThrow(expect.objectContaining({ code: 'ota.counter-blocked', status: 4 }));
  });
});

describe('receiving entity', () => {
  const spi = decodeSpi(fromHex('1E39')); // CC + ciphering, one-higher counter, PoR with CC + ciphering
  it('runs a compact script and answers a secured PoR; a replay gets CNTR low', async () => {
    const { r, seen } = receiver();
    const pkt = wrapScript(
      { spi, kic: 0x22, kid: 0x22, tar: TAR, counter: 1, commands: [decodeCommand(fromHex('00a40004023f00')), decodeCommand(fromHex('00b0000004'))] },
      KEYS,
    );
    const out = await r.process(pkt);
    expect(out.status).toBe(0);
    expect(seen).toEqual(['a4', 'b0']);
    const por = unwrapPor(out.por!, { spi, kic: 0x22, kid: 0x22 }, KEYS);
    expect(por.status).toBe(0);
    expect(por.verified).toBe(true);
    expect(por.result!.executed).toBe(2);
    expect(toHex(por.result!.responses[0]!.data)).toBe('98881201');
    const again = await r.process(pkt);
    expect(again.status).toBe(2);
    expect(again.error!.code).toBe('ota.counter-replay');
    expect(unwrapPor(again.por!, { spi, kic: 0x22, kid: 0x22 }, KEYS).status).toBe(2);
  });
  it('expanded scripts get expanded PoRs', async () => {
    const { r } = receiver();
    const pkt = wrapScript({ spi, kic: 0x22, kid: 0x22, tar: TAR, counter: 1, commands: [decodeCommand(fromHex('00b0000004'))], format: 'expanded' }, KEYS);
    const out = await r.process(pkt);
    const por = unwrapPor(out.por!, { spi, kic: 0x22, kid: 0x22, format: 'expanded' }, KEYS);
    expect(toHex(por.result!.responses[0]!.data)).toBe('98881201');
  });
  it('wrong keys: unsecured PoR with status 01, TAR unknown: 09', async () => {
    const { r, seen } = receiver();
    const bad = { kic: KEYS.kic, kid: new Uint8Array(16) };
    const out = await r.process(wrapScript({ spi, kic: 0x22, kid: 0x22, tar: TAR, counter: 1, commands: [decodeCommand(fromHex('00b0000004'))] }, bad));
    expect(out.status).toBe(1);
    expect(seen).toEqual([]);
    expect(unwrapPor(out.por!, { spi, kic: 0x22, kid: 0x22 }, KEYS).status).toBe(1);
    const unknown = await r.process(wrapScript({ spi, kic: 0x22, kid: 0x22, tar: fromHex('000001'), counter: 1, commands: [] }, KEYS));
    expect(unknown.status).toBe(9);
  });
  it('refuses packets without CC (status 0A)', async () => {
    const { r } = receiver();
    const out = await r.process(wrapScript({ spi: decodeSpi(fromHex('0001')), kic: 0x22, kid: 0x22, tar: TAR, counter: 0, commands: [] }, KEYS));
    expect(out.status).toBe(0x0a);
  });
});

describe('SMS-PP download envelope (TS 31.111 7.1.1.2)', () => {
  it('round-trips a packet through ENVELOPE D1', () => {
    const pkt = fromHex('00201506193535b00011ae733256918d050b87c94fbfe12e4dc402f262c41cf67f2f');
    const env = buildSmsPpEnvelope(pkt, { originator: '12345678' });
    expect(env.ins).toBe(0xc2);
    // TPDU as in pySim's SmsOtaTestCase, apart from TP-MMS and a correct TP-UDL
    expect(toHex(env.data!)).toContain('0881214365877FF6');
    expect(toHex(parseSmsPpEnvelope(env.data!).packet)).toBe(toHex(pkt));
  });
  it('rejects a TPDU whose UDL lies', () => {
    const env = buildSmsPpEnvelope(fromHex('0d00193535b0000000000000000000a40000023f00'));
    const d = env.data!.slice();
    const udlAt = d.length - 21 - 3 - 1;
    d[udlAt]! += 1;
    expect(() => parseSmsPpEnvelope(d)).toThrow(expect.objectContaining({ code: 'ota.format' }));
  });
});

describe('SMS concatenation', () => {
  it('splits at 132 + 134 bytes and reassembles in any order', async () => {
    const { buildSmsPpEnvelopes, parseSmsPpSegment, SmsReassembler } = await import('../../../../src/secure/ota/smspp.js');
    const pkt = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const envs = buildSmsPpEnvelopes(pkt, { reference: 3 });
    expect(envs.length).toBe(3);
    const segs = envs.map((e) => parseSmsPpSegment(e.data!));
    expect(segs.map((s) => s.payload.length)).toEqual([132, 134, 34]);
    expect(segs[0]!.commandPacket).toBe(true);
    const r = new SmsReassembler();
    expect(r.add(segs[2]!)).toBeUndefined();
    expect(r.add(segs[0]!)).toBeUndefined();
    expect(toHex(r.add(segs[1]!)!)).toBe(toHex(pkt));
  });
});
