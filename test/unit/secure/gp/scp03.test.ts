/**
 * SCP03 against the numbers of pySim's tests/unittests/test_globalplatform.py (SCP03_Test_*):
 * real INITIALIZE UPDATE / EXTERNAL AUTHENTICATE exchanges and wrapped APDUs for AES-128/192/256
 * at security levels 11 (C-MAC+R-MAC), 03 (C-MAC+C-DEC) and 33 (all four).
 */
import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand } from '../../../../src/apdu/command.js';
import { Scp03CardSession, Scp03Session } from '../../../../src/secure/gp/scp03.js';
import { ScpError } from '../../../../src/secure/gp/errors.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';
import { KS128, KS192, KS256, PLAIN, V } from './pysim-scp03-vectors.js';

const enc = (h: string) => toHex(encodeCommand(decodeCommand(fromHex(h))));

describe('SCP03 host session (pySim test_globalplatform vectors)', () => {
  for (const v of V) {
    it(v.name, () => {
      const iu = fromHex(v.iu);
      const s = new Scp03Session(v.keys, { kvn: iu[2]!, hostChallenge: iu.slice(5, 13) });
      expect(toHex(encodeCommand(s.initializeUpdate()))).toBe(v.iu.toUpperCase());
      s.processInitializeUpdate(fromHex(v.iuRsp));
      const level = fromHex(v.ea)[2]!;
      expect(toHex(encodeCommand(s.externalAuthenticate(level)))).toBe(v.ea.toUpperCase());
      s.processExternalAuthenticate(0x9000);
      expect(toHex(encodeCommand(s.wrap(decodeCommand(fromHex(PLAIN.eid)))))).toBe(v.eid.toUpperCase());
      expect(toHex(s.unwrap({ data: fromHex(v.eidRsp), sw: 0x9000 }).data)).toBe(PLAIN.eidRsp);
      for (const c of ['c1', 'c2', 'c3', 'c4'] as const) {
        expect(toHex(encodeCommand(s.wrap(decodeCommand(fromHex(PLAIN[c])))))).toBe(enc(v[c]));
      }
    });
  }

  it('rejects a card cryptogram that does not verify (scp.cryptogram)', () => {
    const v = V[0]!;
    const iu = fromHex(v.iu);
    const s = new Scp03Session(v.keys, { kvn: iu[2]!, hostChallenge: iu.slice(5, 13) });
    const bad = fromHex(v.iuRsp);
    bad[25]! ^= 1;
    try {
      s.processInitializeUpdate(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScpError);
      expect((e as ScpError).code).toBe('scp.cryptogram');
    }
  });

  it('rejects a tampered R-MAC (scp.mac)', () => {
    const v = V[0]!;
    const iu = fromHex(v.iu);
    const s = new Scp03Session(v.keys, { kvn: iu[2]!, hostChallenge: iu.slice(5, 13) });
    s.processInitializeUpdate(fromHex(v.iuRsp));
    s.externalAuthenticate(0x11);
    s.wrap(decodeCommand(fromHex(PLAIN.eid)));
    const r = fromHex(v.eidRsp);
    r[r.length - 1]! ^= 0x80;
    expect(() => s.unwrap({ data: r, sw: 0x9000 })).toThrow(expect.objectContaining({ code: 'scp.mac' }));
  });
});

describe('SCP03 card side against the same vectors', () => {
  for (const v of V) {
    it(v.name, () => {
      const rsp = fromHex(v.iuRsp);
      // these cards run i=70 (pseudo-random challenge); replay the published challenge as a fixed one
      const card = new Scp03CardSession(v.keys, { kvn: rsp[10]!, i: rsp[12]! & ~0x10, cardChallenge: rsp.slice(13, 21) });
      const out = card.initializeUpdate(fromHex(v.iu).slice(5, 13));
      expect(toHex(out.slice(13, 29))).toBe(toHex(rsp.slice(13, 29)));
      card.externalAuthenticate(decodeCommand(fromHex(v.ea)));
      const plain = card.unwrapCommand(decodeCommand(fromHex(v.eid)));
      expect(toHex(encodeCommand(plain))).toBe(PLAIN.eid);
      const w = card.wrapResponse({ data: fromHex(PLAIN.eidRsp), sw: 0x9000 });
      expect(toHex(w.data)).toBe(v.eidRsp.toUpperCase());
      for (const c of ['c1', 'c2', 'c3', 'c4'] as const) {
        expect(toHex(encodeCommand(card.unwrapCommand(decodeCommand(fromHex(v[c])))))).toBe(enc(PLAIN[c]));
      }
    });
  }

  it('closes the channel on a bad C-MAC', () => {
    const v = V[1]!;
    const rsp = fromHex(v.iuRsp);
    const card = new Scp03CardSession(v.keys, { kvn: 0x30, i: 0x60, cardChallenge: rsp.slice(13, 21) });
    card.initializeUpdate(fromHex(v.iu).slice(5, 13));
    card.externalAuthenticate(decodeCommand(fromHex(v.ea)));
    const bad = fromHex(v.eid);
    bad[bad.length - 2]! ^= 1;
    expect(() => card.unwrapCommand(decodeCommand(bad))).toThrow(expect.objectContaining({ code: 'scp.mac' }));
    expect(card.authenticated).toBe(false);
  });
});

describe('SCP03 host and card together', () => {
  for (const [name, i, keys] of [
    ['S8 pseudo-random AES-128', 0x70, KS128],
    ['S16 AES-256', 0x61, KS256],
    ['S16 pseudo-random AES-192', 0x71, KS192],
  ] as const) {
    it(`${name}: all levels round-trip`, () => {
      for (const level of [0x01, 0x03, 0x11, 0x13, 0x33]) {
        const aid = fromHex('A000000151000000');
        const card = new Scp03CardSession(keys, { kvn: 0x30, i, aid, sequenceCounter: 41 });
        const host = new Scp03Session(keys, { kvn: 0x30, aid, hostChallenge: new Uint8Array(i & 1 ? 16 : 8).fill(7) });
        const iu = host.initializeUpdate();
        host.processInitializeUpdate(card.initializeUpdate(iu.data!));
        card.externalAuthenticate(host.externalAuthenticate(level));
        for (const cmd of [PLAIN.eid, PLAIN.c1, PLAIN.c3, PLAIN.c4]) {
          const plain = decodeCommand(fromHex(cmd));
          const got = card.unwrapCommand(decodeCommand(encodeCommand(host.wrap(plain))));
          expect(toHex(encodeCommand(got))).toBe(toHex(encodeCommand(plain)));
          const r = card.wrapResponse({ data: fromHex('0102030405'), sw: 0x9000 });
          expect(toHex(host.unwrap(r).data)).toBe('0102030405');
        }
      }
    });
  }
  it('refuses a wrong host cryptogram', () => {
    const card = new Scp03CardSession(KS128, { kvn: 0x30, i: 0x60 });
    const host = new Scp03Session({ ...KS128, mac: new Uint8Array(16).fill(0x55) }, { kvn: 0x30 });
    const resp = card.initializeUpdate(host.initializeUpdate().data!);
    expect(() => host.processInitializeUpdate(resp)).toThrow(expect.objectContaining({ code: 'scp.cryptogram' }));
  });
});

describe('SCP03 pseudo-random card challenge (Amd D 6.2.2.1)', () => {
  // The pySim vectors come from an eUICC: their challenges derive from the sequence counter and the
  // ISD-R AID of GSMA SGP.22 (A0000005591010FFFFFFFF8900000100).
  const ISD_R = fromHex('A0000005591010FFFFFFFF8900000100');
  for (const v of V) {
    it(`${v.name}: the card side reproduces the whole INITIALIZE UPDATE response`, () => {
      const rsp = fromHex(v.iuRsp);
      const seq = (rsp[29]! << 16) | (rsp[30]! << 8) | rsp[31]!;
      const card = new Scp03CardSession(v.keys, { kvn: rsp[10]!, i: 0x70, aid: ISD_R, sequenceCounter: seq - 1 });
      expect(toHex(card.initializeUpdate(fromHex(v.iu).slice(5, 13)))).toBe(v.iuRsp.toUpperCase());
      const iu = fromHex(v.iu);
      const host = new Scp03Session(v.keys, { kvn: iu[2]!, hostChallenge: iu.slice(5, 13), aid: ISD_R });
      host.processInitializeUpdate(rsp);
      const wrongAid = new Scp03Session(v.keys, { kvn: iu[2]!, hostChallenge: iu.slice(5, 13), aid: fromHex('A000000151000000') });
      expect(() => wrongAid.processInitializeUpdate(rsp)).toThrow(expect.objectContaining({ code: 'scp.cryptogram' }));
    });
  }
});

describe('maxCommandData: the largest plain data field that wraps into a short APDU', () => {
  for (const [level, i, want] of [
    [0x01, 0x60, 247],
    [0x03, 0x60, 239],
    [0x01, 0x61, 239],
    [0x03, 0x61, 223],
  ] as const) {
    it(`level ${level.toString(16)} ${i & 1 ? 'S16' : 'S8'}: ${want} bytes wrap, ${want + 1} do not`, () => {
      const K = KS128;
      const card = new Scp03CardSession(K, { kvn: 0x30, i });
      const host = new Scp03Session(K, { kvn: 0x30, hostChallenge: new Uint8Array(i & 1 ? 16 : 8) });
      host.processInitializeUpdate(card.initializeUpdate(host.initializeUpdate().data!));
      card.externalAuthenticate(host.externalAuthenticate(level));
      expect(host.maxCommandData).toBe(want);
      const w = host.wrap({ cla: 0x00, ins: 0xd6, p1: 0, p2: 0, data: new Uint8Array(want) });
      expect(w.data!.length).toBeLessThanOrEqual(255);
      expect(card.unwrapCommand(w).data!.length).toBe(want);
      expect(() => host.wrap({ cla: 0x00, ins: 0xd6, p1: 0, p2: 0, data: new Uint8Array(want + 1) })).toThrow(expect.objectContaining({ code: 'scp.format' }));
      // the refused command left the session in step with the card
      expect(card.unwrapCommand(host.wrap({ cla: 0x80, ins: 0xf2, p1: 0x80, p2: 0x02, data: Uint8Array.of(0x4f, 0) })).ins).toBe(0xf2);
    });
  }
});
