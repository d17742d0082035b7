/** Fuzz properties for the GlobalPlatform secure channel code: decoders throw only ScpError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';
import { decodeCommand, encodeCommand, type CommandApdu } from '../../src/apdu/command.js';
import { ScpError } from '../../src/secure/gp/errors.js';
import { parseScp03InitUpdateResponse, Scp03CardSession, Scp03Session } from '../../src/secure/gp/scp03.js';
import { parseScp02InitUpdateResponse, Scp02CardSession, Scp02Session } from '../../src/secure/gp/scp02.js';
import { parsePutKey } from '../../src/secure/gp/putkey.js';
import { parseKeyInformation, parseStatusResponse } from '../../src/secure/gp/commands.js';
import { aesCbcDecrypt } from '../../src/secure/primitives/aes.js';
import { desEcbDecrypt } from '../../src/secure/primitives/des.js';
import { onlyScp } from '../helpers/gp.js';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const K16 = new Uint8Array(16).fill(0x40);

const plainCommand = fc.record({
  cla: fc.constantFrom(0x80, 0x00, 0x81),
  ins: fc.integer({ min: 0, max: 255 }).filter((i) => i !== 0x50 && i !== 0x82),
  p1: fc.integer({ min: 0, max: 255 }),
  p2: fc.integer({ min: 0, max: 255 }),
  data: bytes(0, 200),
  le: fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
});

function toCmd(c: { cla: number; ins: number; p1: number; p2: number; data: Uint8Array; le: number | undefined }): CommandApdu {
  const out: CommandApdu = { cla: c.cla, ins: c.ins, p1: c.p1, p2: c.p2 };
  if (c.data.length) out.data = c.data;
  if (c.le !== undefined) out.le = c.le;
  return out;
}

describe('GP decoders under fuzzing', () => {
  it('INITIALIZE UPDATE responses, PUT KEY data, GET STATUS and key information: a result or ScpError', () => {
    fc.assert(
      fc.property(bytes(0, 64), (b) => {
        onlyScp(() => parseScp03InitUpdateResponse(b));
        onlyScp(() => parseScp02InitUpdateResponse(b));
        onlyScp(() => parseStatusResponse(b));
        onlyScp(() => parseKeyInformation(b));
        onlyScp(() =>
          parsePutKey({ cla: 0x80, ins: 0xd8, p1: 0, p2: 1, data: b }, (e) => (e.length % 16 === 0 ? aesCbcDecrypt(K16, e) : desEcbDecrypt(K16, e))),
        );
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('SCP03 INITIALIZE UPDATE responses with a valid header: ScpError only', () => {
    fc.assert(
      fc.property(bytes(10, 10), fc.integer({ min: 0, max: 255 }), bytes(0, 40), (div, i, rest) => {
        const r = Uint8Array.of(...div, 0x30, 0x03, i, ...rest);
        onlyScp(() => new Scp03Session({ enc: K16, mac: K16, dek: K16 }, { hostChallenge: new Uint8Array(8) }).processInitializeUpdate(r));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('secure channels under fuzzing', () => {
  it('SCP03: any command round-trips host -> card at every level, and any mutation is caught', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x01, 0x03, 0x13, 0x33), fc.array(plainCommand, { minLength: 1, maxLength: 4 }), fc.nat(), (level, cmds, flip) => {
        const card = new Scp03CardSession({ enc: K16, mac: K16, dek: K16 }, { kvn: 0x30, i: 0x60 });
        const host = new Scp03Session({ enc: K16, mac: K16, dek: K16 }, { kvn: 0x30 });
        host.processInitializeUpdate(card.initializeUpdate(host.initializeUpdate().data!));
        card.externalAuthenticate(host.externalAuthenticate(level));
        for (const c of cmds) {
          const plain = toCmd({ ...c, data: c.data.subarray(0, 200) });
          let wire: Uint8Array;
          try {
            wire = encodeCommand(host.wrap(plain));
          } catch (e) {
            expect(e).toBeInstanceOf(ScpError); // too long for a short APDU once wrapped
            return;
          }
          expect(encodeCommand(card.unwrapCommand(decodeCommand(wire)))).toEqual(encodeCommand(plain));
        }
        const last = encodeCommand(host.wrap(toCmd(cmds[0]!)));
        // the data field (and its MAC); Le is not covered by the C-MAC (Amd D 6.2.4)
        const lc = last[4]!;
        const at = 5 + (flip % lc);
        {
          last[at]! ^= 1 << (flip % 8);
          onlyScp(() => card.unwrapCommand(decodeCommand(last)));
          expect(card.authenticated).toBe(false);
        }
      }),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
  it('SCP02: card-side unwrap of random bytes after authentication throws only ScpError', () => {
    fc.assert(
      fc.property(bytes(4, 80), (raw) => {
        const card = new Scp02CardSession({ enc: K16, mac: K16, dek: K16 }, { kvn: 0x20 });
        const host = new Scp02Session({ enc: K16, mac: K16, dek: K16 }, { kvn: 0x20 });
        host.processInitializeUpdate(card.initializeUpdate(host.initializeUpdate().data!));
        card.externalAuthenticate(host.externalAuthenticate(0x03));
        let cmd: CommandApdu;
        try {
          cmd = decodeCommand(raw);
        } catch {
          return;
        }
        onlyScp(() => card.unwrapCommand({ ...cmd, cla: 0x84 }));
      }),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
});
