/**
 * An independent GP host against the virtual card: pySim's recorded SCP03 sessions
 * (test_globalplatform.py, AES-128/192/256 at levels 11, 03 and 33) replayed byte for byte into a
 * VirtualUicc whose ISD has the eUICC's AID, keys and sequence counters. The card must produce
 * pySim's INITIALIZE UPDATE answer exactly (pseudo-random challenge, cryptogram, counter), accept
 * pySim's EXTERNAL AUTHENTICATE and every one of pySim's wrapped commands (C-MAC chain, C-DEC with
 * the counter ICV), and its protected answers must open with the host session that pySim's own
 * challenge drives (R-MAC, R-ENC).
 */
import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand } from '../../../../src/apdu/command.js';
import { decodeResponse } from '../../../../src/apdu/response.js';
import { parseCardData } from '../../../../src/secure/gp/commands.js';
import { parseStatusResponse } from '../../../../src/secure/gp/registry.js';
import { Scp03Session } from '../../../../src/secure/gp/scp03.js';
import { defaultIsdState, provisionIsd } from '../../../../src/sim/applets/isd.js';
import { defaultImage } from '../../../../src/sim/default-image.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';
import { ISD_R, PLAIN, V } from './pysim-scp03-vectors.js';

describe('pySim SCP03 sessions replayed against the virtual card', () => {
  for (const v of V) {
    it(v.name, () => {
      const rsp = fromHex(v.iuRsp);
      const kvn = rsp[10]!;
      const seq = (rsp[29]! << 16) | (rsp[30]! << 8) | rsp[31]!;
      const card = new VirtualUicc(defaultImage(), { t0: false });
      provisionIsd(card, {
        ...defaultIsdState(),
        aid: ISD_R,
        keySets: [{ kvn, scp: 3, i: 0x70, enc: toHex(v.keys.enc), mac: toHex(v.keys.mac), dek: toHex(v.keys.dek) }],
        sequenceCounters: { [String(kvn)]: seq - 1 },
      });
      const send = (h: string) => decodeResponse(card.process(encodeCommand(decodeCommand(fromHex(h)))));
      expect(send('00A4040410' + ISD_R).sw).toBe(0x9000);
      const iu = send(v.iu);
      expect(iu.sw).toBe(0x9000);
      expect(toHex(iu.data)).toBe(v.iuRsp.toUpperCase());
      expect(send(v.ea).sw).toBe(0x9000);
      // the same session on the host side, driven by pySim's host challenge, to open the card's answers
      const host = new Scp03Session(v.keys, { kvn, hostChallenge: fromHex(v.iu).slice(5, 13), aid: fromHex(ISD_R) });
      host.processInitializeUpdate(rsp);
      expect(toHex(encodeCommand(host.externalAuthenticate(fromHex(v.ea)[2]!)))).toBe(v.ea.toUpperCase());
      host.processExternalAuthenticate(0x9000);
      const step = (wrapped: string, plain: string) => {
        expect(toHex(encodeCommand(host.wrap(decodeCommand(fromHex(plain)))))).toBe(wrapped.toUpperCase());
        return host.unwrap(send(wrapped));
      };
      // STORE DATA (GET EID) is an eUICC command: the ISD verifies its C-MAC and answers 6D00
      expect(step(v.eid, PLAIN.eid).sw).toBe(0x6d00);
      const loadFiles = step(v.c1, PLAIN.c1);
      expect(loadFiles.sw).toBe(0x9000);
      expect(toHex(parseStatusResponse(loadFiles.data)[0]!.aid)).toBe('A0000001515350');
      expect(parseCardData(step(v.c2, PLAIN.c2).data)).toEqual([{ scp: 3, i: 0x70 }]);
      // pySim's tag list says 5C 05 but carries 4 bytes (4F 9F70 C5): the card answers 6A80 (wrong data)
      expect(step(v.c3, PLAIN.c3).sw).toBe(0x6a80);
      const isd = step(v.c4, PLAIN.c4);
      expect(isd.sw).toBe(0x9000);
      expect(toHex(parseStatusResponse(isd.data)[0]!.aid)).toBe(ISD_R);
    });
  }
});
