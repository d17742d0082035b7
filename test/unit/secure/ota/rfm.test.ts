/** TS 102 226 scripts, with the golden bytes of pySim's test_ota.py (Expanded*TestCase). */
import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand } from '../../../../src/apdu/command.js';
import {
  decodeCompactResult,
  decodeCompactScript,
  decodeExpandedResult,
  decodeExpandedScript,
  encodeCompactResult,
  encodeCompactScript,
  encodeExpandedResult,
  encodeExpandedScript,
} from '../../../../src/secure/ota/rfm.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

const c = (h: string) => decodeCommand(fromHex(h));

describe('expanded format (TS 102 226 5.2)', () => {
  it('single C-APDU, definite length', () => {
    expect(toHex(encodeExpandedScript([c('80f24002024f0000')]))).toBe('AA0A220880F24002024F0000');
  });
  it('two C-APDUs', () => {
    expect(toHex(encodeExpandedScript([c('80f24002024f0000'), c('00a40004023f0000')]))).toBe('AA14220880F24002024F0000220800A40004023F0000');
  });
  it('long-form lengths for a 200-byte C-APDU', () => {
    const capdu = new Uint8Array([0x80, 0xf2, 0x40, 0x00, 195, ...Array.from({ length: 195 }, (_, i) => i)]);
    const out = encodeExpandedScript([decodeCommand(capdu)]);
    expect(toHex(out.subarray(0, 6))).toBe('AA81CB2281C8');
    expect(toHex(out.subarray(6))).toBe(toHex(capdu));
  });
  it('indefinite length (AE)', () => {
    expect(toHex(encodeExpandedScript([c('80ca00e000')], { indefinite: true }))).toBe('AE80220580CA00E0000000');
    const s = 'ae80220700a4000c023f00220700a4000c022fe2220500b000000a0000';
    expect(toHex(encodeExpandedScript([c('00a4000c023f00'), c('00a4000c022fe2'), c('00b000000a')], { indefinite: true }))).toBe(s.toUpperCase());
    expect(decodeExpandedScript(fromHex(s)).map((x) => toHex(encodeCommand(x)))).toEqual(['00A4000C023F00', '00A4000C022FE2', '00B000000A']);
  });
  it('responses: AB with number executed, AF indefinite', () => {
    expect(toHex(encodeExpandedResult({ executed: 1, responses: [{ data: new Uint8Array(0), sw: 0x6132 }] }))).toBe('AB0780010123026132');
    const d = decodeExpandedResult(fromHex('af80' + '23029000' + '23029000' + '230c988812010000408608149000' + '0000'));
    expect(d.responses.length).toBe(3);
    expect(toHex(d.responses[2]!.data)).toBe('98881201000040860814');
    expect(d.responses[2]!.sw).toBe(0x9000);
    expect(() => decodeExpandedResult(fromHex('af8023029000'))).toThrow(expect.objectContaining({ code: 'ota.format' }));
  });
});

describe('compact format (TS 102 226 5.1)', () => {
  it('T=0 form: SELECT (Lc) then READ BINARY (Le)', () => {
    const s = encodeCompactScript([c('00a40004023f00'), c('00b000000a')]);
    expect(toHex(s)).toBe('00A40004023F0000B000000A');
    expect(decodeCompactScript(s).map((x) => toHex(encodeCommand(x)))).toEqual(['00A40004023F00', '00B000000A']);
  });
  it('PoR data: number executed, last SW, last data (pySim 01 612F)', () => {
    const r = decodeCompactResult(fromHex('01612f'));
    expect(r.executed).toBe(1);
    expect(r.responses[0]!.sw).toBe(0x612f);
    expect(toHex(encodeCompactResult(r))).toBe('01612F');
  });
  it('truncated scripts are format errors', () => {
    expect(() => decodeCompactScript(fromHex('00a4000402'))).toThrow(expect.objectContaining({ code: 'ota.format' }));
  });
});
