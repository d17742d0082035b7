/**
 * End to end over the in-process transport: the device-side authenticate() sends AUTHENTICATE
 * through the APDU layer (T=0 61xx + GET RESPONSE) to the virtual UICC's usim-auth applet, and the
 * answers are checked against the AuC side and the published TS 35.208 / TS 55.205 values.
 */
import { describe, expect, it } from 'vitest';
import { provisionUsimAuth } from '../../../../src/sim/applets/usim-auth.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { defaultImage, pinHex, USIM_AID } from '../../../../src/sim/default-image.js';
import { InProcessTransport } from '../../../../src/sim/inproc.js';
import { CardLink } from '../../../../src/apdu/link.js';
import { authenticate, authenticateGsm } from '../../../../src/secure/aka/device.js';
import { generateVector, nextSqnAfterResync, verifyAuts } from '../../../../src/secure/aka/auc.js';
import { Milenage } from '../../../../src/secure/aka/milenage.js';
import { fromHex } from '../../../../src/util/hex.js';
import { MILENAGE_SETS } from './milenage-vectors.js';

const h = (s: string) => fromHex(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const set1 = MILENAGE_SETS[0]!;

async function openCard(card: VirtualUicc): Promise<CardLink> {
  const t = new InProcessTransport(card);
  await t.connect();
  const link = new CardLink(t);
  await link.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x04, data: h(USIM_AID), le: 256 }, 'SELECT ADF.USIM');
  // AUTHENTICATE needs PIN1 (TS 31.102 7.1.2)
  await link.send({ cla: 0x00, ins: 0x20, p1: 0x00, p2: 0x01, data: h(pinHex('1234')) }, 'VERIFY PIN1');
  return link;
}

function newCard(delta: number | null = 2 ** 28): VirtualUicc {
  const card = new VirtualUicc(defaultImage());
  provisionUsimAuth(card, { alg: 'milenage', k: set1.k, opc: set1.opc, sqnPolicy: { delta } });
  return card;
}

describe('AUTHENTICATE on the virtual UICC', () => {
  const alg = new Milenage(h(set1.k), h(set1.opc));

  it('TS 35.208 set 1: the card answers the published RES, CK, IK and Kc (via 61xx/GET RESPONSE)', async () => {
    const link = await openCard(newCard(null));
    const before = link.apduCount;
    const v = generateVector(alg, { rand: h(set1.rand), sqn: h(set1.sqn), amf: h(set1.amf) });
    const r = await authenticate(link, v.rand, v.autn);
    expect(link.apduCount - before).toBe(2); // AUTHENTICATE + GET RESPONSE
    expect(r.kind).toBe('success');
    if (r.kind !== 'success') return;
    expect(hex(r.res)).toBe(set1.f2);
    expect(hex(r.ck)).toBe(set1.f3);
    expect(hex(r.ik)).toBe(set1.f4);
    expect(hex(r.kc!)).toBe(set1.kc);
  });

  it('GSM context: SRES#1 and Kc of TS 55.205 set 1', async () => {
    const link = await openCard(newCard());
    const r = await authenticateGsm(link, h(set1.rand));
    expect(hex(r.sres)).toBe(set1.sres1);
    expect(hex(r.kc)).toBe(set1.kc);
  });

  it('replay → AUTS; the AuC resynchronises and the next vector is accepted', async () => {
    const card = newCard();
    const link = await openCard(card);
    const v1 = generateVector(alg, { sqn: 32 * 10 + 2, amf: h('8000') });
    expect((await authenticate(link, v1.rand, v1.autn)).kind).toBe('success');
    const again = await authenticate(link, v1.rand, v1.autn);
    expect(again.kind).toBe('sync-failure');
    if (again.kind !== 'sync-failure') return;
    const { sqnMsValue } = verifyAuts(alg, v1.rand, again.auts);
    expect(sqnMsValue).toBe(32 * 10 + 2);
    const v2 = generateVector(alg, { sqn: nextSqnAfterResync(sqnMsValue, 5, 3), amf: h('8000') });
    expect((await authenticate(link, v2.rand, v2.autn)).kind).toBe('success');
  });

  it('wrong key on the network side → SW 9862 MAC failure', async () => {
    const link = await openCard(newCard());
    const other = new Milenage(h(MILENAGE_SETS[1]!.k), h(set1.opc));
    const v = generateVector(other, { sqn: 64, amf: h('8000') });
    expect(await authenticate(link, v.rand, v.autn)).toEqual({ kind: 'mac-failure' });
  });

  it('the SQN array is saved in the card image: a reloaded card still refuses the replay', async () => {
    const card = newCard();
    const v = generateVector(alg, { sqn: 96, amf: h('8000') });
    expect((await authenticate(await openCard(card), v.rand, v.autn)).kind).toBe('success');
    const image = JSON.parse(JSON.stringify(card.toImage()));
    expect(image.applets['usim-auth'].sqn.sqnMs).toBe(96);
    const reloaded = new VirtualUicc(image);
    expect((await authenticate(await openCard(reloaded), v.rand, v.autn)).kind).toBe('sync-failure');
  });

  it('without a provisioned K the card answers 6985', async () => {
    const link = await openCard(new VirtualUicc(defaultImage()));
    const v = generateVector(alg, { sqn: 64, amf: h('8000') });
    await expect(authenticate(link, v.rand, v.autn)).rejects.toMatchObject({ sw: 0x6985 });
  });
});

describe('expectAuthSuccess', () => {
  it('maps card outcomes to AkaError codes', async () => {
    const { expectAuthSuccess, SyncFailureError } = await import('../../../../src/secure/aka/device.js');
    expect(() => expectAuthSuccess({ kind: 'mac-failure' })).toThrow(expect.objectContaining({ code: 'aka.mac-failure' }));
    const auts = new Uint8Array(14).fill(7);
    try {
      expectAuthSuccess({ kind: 'sync-failure', auts });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SyncFailureError);
      expect((e as InstanceType<typeof SyncFailureError>).code).toBe('aka.sync-failure');
      expect((e as InstanceType<typeof SyncFailureError>).auts).toEqual(auts);
    }
  });
});

describe('provisionUsimAuth', () => {
  it('refuses malformed keys with aka.param and without echoing them', () => {
    const card = new VirtualUicc(defaultImage());
    try {
      provisionUsimAuth(card, { alg: 'milenage', k: 'ZZ' + set1.k.slice(2), opc: set1.opc });
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('aka.param');
      expect((e as Error).message).not.toContain(set1.k.slice(2));
    }
  });
});

describe('AUTHENTICATE with TUAK on the virtual UICC', () => {
  it('TS 35.233 set 4 keys (128-bit K, TOPc): RES/CK/IK as published for RES 128', async () => {
    const { Tuak } = await import('../../../../src/secure/aka/tuak.js');
    const k = 'b8da837a50652d6ac7c97da14f6acc61';
    const topc = '2bc16eb657a68e1f446f08f57c0efb1d493527a2e652ce281eb6ca0e4487760a';
    const card = new VirtualUicc(defaultImage());
    provisionUsimAuth(card, { alg: 'tuak', k, opc: topc, tuak: { resLength: 16 }, sqnPolicy: { delta: null } });
    const link = await openCard(card);
    const net = new Tuak(h(k), h(topc), { resLength: 16 });
    const v = generateVector(net, { rand: h('6887e55425a966bd86c9661a5fa72be8'), sqn: h('0dea2ee2c5af'), amf: h('df1e') });
    const r = await authenticate(link, v.rand, v.autn);
    expect(r.kind).toBe('success');
    if (r.kind !== 'success') return;
    expect(hex(r.res)).toBe('4041ce438e3e38e8aa96562eed83ac43');
    expect(hex(r.ck)).toBe('3e3bc01bea0cd914c4c2c83ce2d92757');
    expect(hex(r.ik)).toBe('666a8e6f577b1aa77b7fd53cebb8a3d6');
  });
});
