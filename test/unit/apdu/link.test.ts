import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { memorySink } from '../../../src/apdu/trace.js';
import { SwError } from '../../../src/apdu/sw.js';
import type { Transport } from '../../../src/transport/types.js';
import { fromHex, toHex } from '../../../src/util/hex.js';
import { decodeAtr } from '../../../src/apdu/atr.js';

/** A scripted card: answers each C-APDU with the next canned R-APDU and records what it got. */
function scripted(answers: string[]): Transport & { got: string[] } {
  const got: string[] = [];
  return {
    name: 'scripted',
    atr: undefined,
    got,
    connect: async () => new Uint8Array(),
    transmit: async (c) => {
      got.push(toHex(c));
      const a = answers.shift();
      if (a === undefined) throw new Error('no more answers');
      return fromHex(a);
    },
    reset: async () => new Uint8Array(),
    disconnect: async () => undefined,
    close: async () => undefined,
    transaction: (fn) => fn(),
  };
}

describe('T=0 procedures in the APDU layer', () => {
  it('61xx: fetches the data with GET RESPONSE, visible in the trace', async () => {
    const t = scripted(['6104', 'A1B2C3D49000']);
    const trace = memorySink();
    const link = new CardLink(t, { trace });
    const r = await link.transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 4, data: fromHex('3F00') });
    expect(toHex(r.data)).toBe('A1B2C3D4');
    expect(r.sw).toBe(0x9000);
    expect(t.got).toEqual(['00A40004023F00', '00C0000004']);
    expect(trace.entries.map((e) => e.auto).filter(Boolean)).toEqual(['after 6104']);
    expect(link.apduCount).toBe(2);
  });
  it('chained 61xx concatenates', async () => {
    const t = scripted(['6102', 'AAAA6102', 'BBBB9000']);
    const r = await new CardLink(t).transmit({ cla: 0, ins: 0xf2, p1: 0, p2: 0 });
    expect(toHex(r.data)).toBe('AAAABBBB');
  });
  it('6Cxx: re-issues the command with the right Le', async () => {
    const t = scripted(['6C0A', '000102030405060708099000']);
    const r = await new CardLink(t).transmit({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256 });
    expect(t.got).toEqual(['00B0000000', '00B000000A']);
    expect(r.data.length).toBe(10);
  });
  it('GET RESPONSE on logical channel 5 uses that channel', async () => {
    const t = scripted(['6102', 'AAAA9000']);
    await new CardLink(t).on(5).transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 4, data: fromHex('3F00') });
    expect(t.got).toEqual(['41A40004023F00', '41C0000002']);
  });
  it('send() throws a typed SwError; raw mode leaves 61xx to the caller', async () => {
    await expect(new CardLink(scripted(['6A82'])).send({ cla: 0, ins: 0xa4, p1: 0, p2: 4, data: fromHex('6F99') }, 'SELECT 6F99')).rejects.toThrow(SwError);
    const r = await new CardLink(scripted(['6104']), { autoGetResponse: false }).transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 4, data: fromHex('3F00') });
    expect(r.sw).toBe(0x6104);
  });
  it('redacts VERIFY PIN data in the trace', async () => {
    const trace = memorySink();
    await new CardLink(scripted(['9000']), { trace }).transmit({ cla: 0, ins: 0x20, p1: 0, p2: 1, data: fromHex('31323334FFFFFFFF') });
    expect(trace.entries[0]!.text).toBe('00200001 08 **');
    expect(JSON.stringify(trace.entries)).not.toContain('3132');
  });
  it('keeps AUTHENTICATE results (RES, CK, IK) out of the trace when GET RESPONSE fetches them', async () => {
    const trace = memorySink();
    await new CardLink(scripted(['6104', 'DB02AABB9000']), { trace }).transmit({ cla: 0, ins: 0x88, p1: 0, p2: 0x81, data: fromHex('10' + '00'.repeat(16)) });
    expect(trace.entries.map((e) => e.text).join(' ')).not.toContain('DB02AABB');
    expect(trace.entries[3]!.text).toBe('** (4 bytes) 9000');
  });
  it('serialises concurrent callers so GET RESPONSE follows its command', async () => {
    const t = scripted(['6101', 'AA9000', '6101', 'BB9000']);
    const link = new CardLink(t);
    const [a, b] = await Promise.all([
      link.transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 4, data: fromHex('3F00') }),
      link.transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 4, data: fromHex('2FE2') }),
    ]);
    expect(toHex(a.data)).toBe('AA');
    expect(toHex(b.data)).toBe('BB');
    expect(t.got[1]).toBe('00C0000001');
  });
});

describe('ATR (ISO 7816-3 8.2)', () => {
  it('decodes a T=0/T=15 UICC ATR and checks TCK', () => {
    const a = decodeAtr(fromHex('3B9F96801FC78031E073FE211B633A204E8300900093'));
    expect(a.protocols).toEqual([0]);
    expect(a.fi).toBe(512);
    expect(a.di).toBe(32);
    expect(a.historical.length).toBe(15);
    expect(a.tckValid).toBe(true);
  });
  it('decodes a plain T=1 ATR (3B 8x 80 01 ...)', () => {
    // ISO 7816-3: TD1=80 (T=0, TD2 present), TD2=01 (T=1)
    const a = decodeAtr(fromHex('3B8880010000000000000000' + '09'));
    expect(a.protocols).toEqual([0, 1]);
  });
  it('refuses truncated ATRs with the offset', () => {
    expect(() => decodeAtr(fromHex('3B9F96'))).toThrow(/offset/);
    expect(() => decodeAtr(fromHex('12'))).toThrow(/too short/);
  });
});
