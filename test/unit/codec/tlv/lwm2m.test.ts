import { describe, expect, it } from 'vitest';
import { codecError } from '../../../helpers/errors.js';
import { decodeLwm2mTlv, encodeLwm2mTlv, lwm2mTlvToInput } from '../../../../src/codec/tlv/lwm2m.js';
import {
  compareLwm2mObjects,
  decodeLwm2mInstance,
  decodeLwm2mObject,
  encodeLwm2mInstance,
  encodeLwm2mObject,
  lwm2mObjectsEqual,
} from '../../../../src/codec/tlv/lwm2m-model.js';
import { decodeLwm2mValue, encodeLwm2mValue, lwm2mValueEquals } from '../../../../src/codec/tlv/lwm2m-values.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';

// OMA-TS-LightweightM2M-V1_0 6.4.3.1 / Core V1_1 7.4.3.1: Device object instance /3/0 (121 bytes)
const DEVICE_3_0 =
  'C800144F70656E204D6F62696C6520416C6C69616E6365' +
  'C801164C69676874776569676874204D324D20436C69656E74' +
  'C80209333435303030313233' +
  'C303312E30' +
  '860641000141 0105'.replace(/ /g, '') +
  '88070842000ED842011388' +
  '870841007D42010384' +
  'C10964' +
  'C10A0F' +
  '830B410000' +
  'C40D5182428F' +
  'C60E2B30323A3030' +
  'C11055';

// 6.4.3.2 example: Access Control object, two instances
const ACCESS_CONTROL = '08000EC10001C101008302417F07C1037F' + '080212C10003C101008702417F07610136 01C1037F'.replace(/ /g, '');
// 6.4.3.2 example: Server object instance 0
const SERVER_1 = '08000FC10001C40100015180C10601C10755';
// 6.4.3.3 object link examples
const OBJLNK_1 = '88000C440000420000440100420001C8010D38363133383030373535353030C40212345678';
const OBJLNK_2 =
  '080026C8000B6D7953657276696365203 1C8010F496E7465726E65742E31352E323334C40200430000'.replace(/ /g, '') +
  '080126C8000B6D79536572766963652032C8010F496E7465726E65742E31352E323335C402FFFFFFFF';

describe('LwM2M TLV (OMA LwM2M 1.0 6.4.3 / 1.1 Core 7.4.3)', () => {
  it('the spec example is 121 bytes', () => {
    expect(fromHex(DEVICE_3_0).length).toBe(121);
  });

  it('decodes the Device object example with types from the model', () => {
    const r = decodeLwm2mInstance(fromHex(DEVICE_3_0), 3);
    expect(r[0]).toEqual({ type: 'string', value: 'Open Mobile Alliance' });
    expect(r[1]).toEqual({ type: 'string', value: 'Lightweight M2M Client' });
    expect(r[2]).toEqual({ type: 'string', value: '345000123' });
    expect(r[3]).toEqual({ type: 'string', value: '1.0' });
    expect(r[6]).toEqual({ type: 'multiple', instances: { 0: { type: 'integer', value: 1 }, 1: { type: 'integer', value: 5 } } });
    expect(r[7]).toEqual({ type: 'multiple', instances: { 0: { type: 'integer', value: 3800 }, 1: { type: 'integer', value: 5000 } } });
    expect(r[8]).toEqual({ type: 'multiple', instances: { 0: { type: 'integer', value: 125 }, 1: { type: 'integer', value: 900 } } });
    expect(r[9]).toEqual({ type: 'integer', value: 100 });
    expect(r[10]).toEqual({ type: 'integer', value: 15 });
    expect(r[11]).toEqual({ type: 'multiple', instances: { 0: { type: 'integer', value: 0 } } });
    expect(r[13]).toEqual({ type: 'time', value: 1367491215 });
    expect(r[14]).toEqual({ type: 'string', value: '+02:00' });
    expect(r[16]).toEqual({ type: 'string', value: 'U' });
    expect(toHex(encodeLwm2mInstance(r))).toBe(DEVICE_3_0);
  });

  it('decodes the raw tree of the Device example and re-encodes it byte for byte', () => {
    const tree = decodeLwm2mTlv(fromHex(DEVICE_3_0));
    expect(tree).toHaveLength(13);
    expect(tree[4]).toMatchObject({ kind: 'multipleResource', id: 6 });
    expect(tree[4]!.children!.map((c) => [c.kind, c.id, toHex(c.value)])).toEqual([
      ['resourceInstance', 0, '01'],
      ['resourceInstance', 1, '05'],
    ]);
    expect(toHex(encodeLwm2mTlv(tree.map(lwm2mTlvToInput)))).toBe(DEVICE_3_0);
    // the same instance wrapped in an object instance header (08 00 79)
    const wrapped = '080079' + DEVICE_3_0;
    const objs = decodeLwm2mObject(fromHex(wrapped), 3);
    expect(objs).toHaveLength(1);
    expect(objs[0]!.instanceId).toBe(0);
    expect(toHex(encodeLwm2mObject(objs))).toBe(wrapped);
  });

  it('decodes the Access Control example with 16-bit resource instance ids', () => {
    const tree = decodeLwm2mTlv(fromHex(ACCESS_CONTROL));
    expect(tree.map((t) => [t.kind, t.id])).toEqual([
      ['objectInstance', 0],
      ['objectInstance', 2],
    ]);
    const acl = tree[1]!.children![2]!;
    expect(acl.kind).toBe('multipleResource');
    expect(acl.children!.map((c) => [c.id, toHex(c.value)])).toEqual([
      [127, '07'],
      [310, '01'],
    ]);
    expect(toHex(encodeLwm2mTlv(tree.map(lwm2mTlvToInput)))).toBe(ACCESS_CONTROL);
  });

  it('decodes the Server object example (object 1)', () => {
    const objs = decodeLwm2mObject(fromHex(SERVER_1), 1);
    expect(objs).toEqual([
      {
        instanceId: 0,
        resources: {
          0: { type: 'integer', value: 1 },
          1: { type: 'integer', value: 86400 },
          6: { type: 'boolean', value: true },
          7: { type: 'string', value: 'U' },
        },
      },
    ]);
    expect(toHex(encodeLwm2mObject(objs))).toBe(SERVER_1);
  });

  it('decodes the object link examples', () => {
    const tree = decodeLwm2mTlv(fromHex(OBJLNK_1));
    const links = tree[0]!.children!.map((c) => decodeLwm2mValue('objlnk', c.value, { offset: 0, tag: 'x' }));
    expect(links).toEqual([
      { type: 'objlnk', value: { objectId: 0x42, instanceId: 0 } },
      { type: 'objlnk', value: { objectId: 0x42, instanceId: 1 } },
    ]);
    expect(decodeLwm2mValue('string', tree[1]!.value, { offset: 0, tag: 'x' })).toEqual({ type: 'string', value: '8613800755500' });
    expect(decodeLwm2mValue('integer', tree[2]!.value, { offset: 0, tag: 'x' })).toEqual({ type: 'integer', value: 0x12345678 });
    expect(toHex(encodeLwm2mTlv(tree.map(lwm2mTlvToInput)))).toBe(OBJLNK_1);
    const two = decodeLwm2mTlv(fromHex(OBJLNK_2));
    expect(decodeLwm2mValue('objlnk', two[1]!.children![2]!.value, { offset: 0, tag: 'x' })).toEqual({
      type: 'objlnk',
      value: { objectId: 0xffff, instanceId: 0xffff },
    });
    expect(toHex(encodeLwm2mTlv(two.map(lwm2mTlvToInput)))).toBe(OBJLNK_2);
  });

  it('decodes a Security object instance written by Leshan (empty opaque/string resources)', () => {
    // Security instance as sent by the Leshan bootstrap server (public test data)
    const hex = 'C8001E636F61703A2F2F6C657368616E2E65636C697073652E6F72673A35363833C10101C10203C003C004C005C10603C007C008C009C10A6FC10B01C10C00';
    const r = decodeLwm2mInstance(fromHex(hex), 0);
    expect(r[0]).toEqual({ type: 'string', value: 'coap://leshan.eclipse.org:5683' });
    expect(r[1]).toEqual({ type: 'boolean', value: true });
    expect(r[2]).toEqual({ type: 'integer', value: 3 }); // NoSec
    expect(r[3]).toEqual({ type: 'opaque', value: new Uint8Array(0) });
    expect(r[9]).toEqual({ type: 'string', value: '' });
    expect(r[10]).toEqual({ type: 'integer', value: 111 });
    expect(toHex(encodeLwm2mInstance(r))).toBe(hex);
  });

  it('codes integers of every width and compares them canonically', () => {
    const w = { offset: 0, tag: 't' };
    expect(decodeLwm2mValue('integer', fromHex('FF'), w)).toEqual({ type: 'integer', value: -1 });
    expect(decodeLwm2mValue('integer', fromHex('FFFE'), w)).toEqual({ type: 'integer', value: -2 });
    expect(decodeLwm2mValue('integer', fromHex('80000000'), w)).toEqual({ type: 'integer', value: -2147483648 });
    expect(decodeLwm2mValue('integer', fromHex('7FFFFFFFFFFFFFFF'), w)).toEqual({ type: 'integer', value: 9223372036854775807n });
    expect(decodeLwm2mValue('unsigned', fromHex('FFFFFFFF'), w)).toEqual({ type: 'unsigned', value: 4294967295 });
    const five1 = decodeLwm2mValue('integer', fromHex('05'), w);
    const five8 = decodeLwm2mValue('integer', fromHex('0000000000000005'), w);
    expect(lwm2mValueEquals(five1, five8)).toBe(true);
    expect(toHex(encodeLwm2mValue(five8))).toBe('05');
    expect(toHex(encodeLwm2mValue({ type: 'integer', value: 128 }))).toBe('0080');
    expect(toHex(encodeLwm2mValue({ type: 'integer', value: -129 }))).toBe('FF7F');
    expect(toHex(encodeLwm2mValue({ type: 'integer', value: 86400 }))).toBe('00015180');
    expect(toHex(encodeLwm2mValue({ type: 'integer', value: -(2n ** 63n) }))).toBe('8000000000000000');
    // IEEE 754: 1.5 is 3FC00000 as float32; 0.1 needs 8 bytes (3FB999999999999A)
    expect(toHex(encodeLwm2mValue({ type: 'float', value: 1.5 }))).toBe('3FC00000');
    expect(toHex(encodeLwm2mValue({ type: 'float', value: 0.1 }))).toBe('3FB999999999999A');
    expect(decodeLwm2mValue('float', fromHex('3FF8000000000000'), w)).toEqual({ type: 'float', value: 1.5 });
    // the same configuration with wide integers compares equal to the canonical one
    const a = decodeLwm2mObject(fromHex(SERVER_1), 1);
    const b = decodeLwm2mObject(fromHex('080017C8000800000000000000 01C40100015180C10601C10755'.replace(/ /g, '')), 1);
    expect(lwm2mObjectsEqual(a, b)).toBe(true);
    const c = decodeLwm2mObject(fromHex('08000FC10002C40100015180C10601C10755'), 1);
    expect(compareLwm2mObjects(a, c)).toBeLessThan(0);
  });

  it('rejects bad input with offset and element', () => {
    let e = codecError(() => decodeLwm2mInstance(fromHex('C80003FFFEFD'), 3));
    expect(e.message).toMatch(/UTF-8/);
    expect(e.tag).toBe('resource 0');
    expect(e.offset).toBe(0);
    e = codecError(() => decodeLwm2mInstance(fromHex('C10101C3090102 03'.replace(/ /g, '')), 3));
    expect(e.message).toMatch(/integer of 3 bytes/);
    expect(e.offset).toBe(3);
    e = codecError(() => decodeLwm2mTlv(fromHex('C8')));
    expect(e.message).toMatch(/identifier truncated/);
    e = codecError(() => decodeLwm2mTlv(fromHex('C800')));
    expect(e.message).toMatch(/length truncated/);
    e = codecError(() => decodeLwm2mTlv(fromHex('C80005AA')));
    expect(e.message).toMatch(/runs past/);
    e = codecError(() => decodeLwm2mTlv(fromHex('830003C10001')));
    expect(e.message).toMatch(/not allowed inside a multipleResource/);
    e = codecError(() => decodeLwm2mInstance(fromHex('C10602'), 1));
    expect(e.message).toMatch(/boolean/);
    e = codecError(() => decodeLwm2mObject(fromHex('C10001'), 1));
    expect(e.message).toMatch(/object instance was expected/);
    e = codecError(() => decodeLwm2mObject(fromHex('0300C1000103 00C10002'.replace(/ /g, '')), 1));
    expect(e.message).toMatch(/appears twice/);
  });
});
