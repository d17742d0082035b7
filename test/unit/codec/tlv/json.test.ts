import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeTlvText, encodeTlvJson } from '../../../../src/codec/tlv/json.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';
import { simdmArgv } from '../../../helpers/cli.js';

// vectors: pySim MF FCP; TS 31.124 DISPLAY TEXT 1.1; ISO 7816-4 SIMPLE-TLV; LwM2M 1.0 6.4.3.2 Server object
const CASES: Array<['ber' | 'comprehension' | 'simple' | 'lwm2m', string, number?]> = [
  ['ber', '622C8202782183023F00A50C80017183040003A7388701018A01058B032F0601C60C90016083010183010A83010B'],
  ['comprehension', 'D01A8103012180820281028D0F04546F6F6C6B697420546573742031'],
  ['comprehension', '8103012180820281028D0F04546F6F6C6B697420546573742031'],
  ['simple', '0102AABB42FF00020102'],
  ['lwm2m', '08000EC10001C101008302417F07C1037F080212C10003C101008702417F07610136 01C1037F'.replace(/ /g, '')],
  ['lwm2m', '08000FC10001C40100015180C10601C10755', 1],
];

describe('simdm tlv: decode --json output encodes back to the same bytes', () => {
  for (const [format, hex, object] of CASES) {
    it(`${format}${object !== undefined ? ` object ${object}` : ''}: ${hex.slice(0, 24)}...`, () => {
      const { json, text } = decodeTlvText(format, fromHex(hex), object);
      expect(text.length).toBeGreaterThan(0);
      // through a JSON string, as the CLI does
      const doc = JSON.parse(JSON.stringify(json)) as unknown;
      expect(toHex(encodeTlvJson(format, doc))).toBe(hex);
    });
  }

  it('names FCP tags and shows offsets', () => {
    const { text } = decodeTlvText('ber', fromHex(CASES[0]![1]));
    expect(text[0]).toBe('00000  62 (FCP template)');
    expect(text).toContain('00015      83 (availableMemory): 0003A738');
  });

  it('runs as a command: decode, then encode from stdin', () => {
    const json = execFileSync(process.execPath, simdmArgv(['--json', 'tlv', 'decode', '-f', 'lwm2m', '--object', '1', CASES[5]![1]]), { encoding: 'utf8' });
    const hex = execFileSync(process.execPath, simdmArgv(['tlv', 'encode', '-f', 'lwm2m', '-']), { input: json, encoding: 'utf8' });
    expect(hex.trim()).toBe(CASES[5]![1]);
    let stderr = '';
    try {
      execFileSync(process.execPath, simdmArgv(['tlv', 'decode', '-f', 'ber', '6203820241']), { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(stderr).toMatch(/tag 82, offset 2/);
  }, 60_000);
});
