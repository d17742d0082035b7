/**
 * EF LwM2M_Bootstrap (LwM2M Core V1.1 Appendix G.3.3) on bytes assembled by hand: header
 * (object count, size), per object ID, version byte 00 (implicit) or major/minor, length, TLV
 * (Core 7.4.3: 08 = object instance with 8-bit length; C8 = resource with 8-bit length; C1 =
 * resource, 1-byte value).
 */
import { describe, expect, it } from 'vitest';
import { decodeLwm2mBootstrapFile, encodeLwm2mBootstrapFile } from '../../../src/bootstrap/content/lwm2m-file.js';
import { CodecError } from '../../../src/codec/errors.js';
import { fromHex, toHex } from '../../../src/util/hex.js';

const TLV = '080011' + 'C80008' + Buffer.from('coap://a').toString('hex').toUpperCase() + 'C10100' + 'C10203';
const FILE = '0001' + '0019' + '0000' + '00' + '0014' + TLV;

describe('LwM2M bootstrap file', () => {
  it('decodes the hand-made file, FF padding after it', () => {
    const d = decodeLwm2mBootstrapFile(fromHex(FILE + 'FF'.repeat(30)));
    expect(d.length).toBe(29);
    expect(d.issues).toEqual([]);
    expect(d.objects).toHaveLength(1);
    const r = d.objects[0]!.instances[0]!.resources;
    expect(r[0]).toEqual({ type: 'string', value: 'coap://a' });
    expect(r[1]).toEqual({ type: 'boolean', value: false });
    expect(r[2]).toEqual({ type: 'integer', value: 3 });
    expect(toHex(encodeLwm2mBootstrapFile(d.objects))).toBe(FILE);
  });

  it('an explicit object version takes two bytes (%x0102 = 1.2)', () => {
    const f = '0001' + '001A' + '0000' + '0102' + '0014' + TLV;
    const d = decodeLwm2mBootstrapFile(fromHex(f));
    expect(d.objects[0]!.version).toEqual({ major: 1, minor: 2 });
    expect(toHex(encodeLwm2mBootstrapFile(d.objects))).toBe(f);
  });

  it('errors name the offset: size past the end, empty file, wrong object count', () => {
    expect(() => decodeLwm2mBootstrapFile(fromHex('00010040' + '00'))).toThrow(/size 64 runs past the end/);
    expect(() => decodeLwm2mBootstrapFile(fromHex('FFFFFFFF'))).toThrow(CodecError);
    const d = decodeLwm2mBootstrapFile(fromHex('0002' + FILE.slice(4)));
    expect(d.issues[0]).toMatch(/header says 2 objects, found 1/);
  });
});
