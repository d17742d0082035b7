/**
 * The virtual card's ISD and OTA applets under fuzzing: random commands (with and without an open
 * secure channel) and random ENVELOPEs are answered with a status word, never an exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';
import type { CommandApdu } from '../../src/apdu/command.js';
import type { Applet } from '../../src/sim/applet.js';
import { defaultImage } from '../../src/sim/default-image.js';
import { provisionOta } from '../../src/sim/applets/ota.js';
import { VirtualUicc } from '../../src/sim/uicc.js';
import { Scp03Session } from '../../src/secure/gp/scp03.js';
import { buildSmsPpEnvelopes } from '../../src/secure/ota/smspp.js';

const K = new Uint8Array(16).fill(0x40).map((_, i) => 0x40 + i);

const cmd = fc.record({
  cla: fc.constantFrom(0x80, 0x84, 0x00, 0x04),
  ins: fc.constantFrom(0x50, 0x82, 0xf2, 0xca, 0xd8, 0xc2, 0xe6, 0x00),
  p1: fc.integer({ min: 0, max: 255 }),
  p2: fc.integer({ min: 0, max: 255 }),
  data: fc.uint8Array({ minLength: 0, maxLength: 120 }),
});

function applet(card: VirtualUicc, name: string): Applet {
  const a = card.applets.find((x) => x.name === name);
  if (!a) throw new Error(`no applet ${name}`);
  return a;
}

describe('ISD / OTA applets under fuzzing', () => {
  it('random commands to the selected ISD, before and after authentication: a status word, no exception', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(cmd, { minLength: 1, maxLength: 5 }), (auth, cmds) => {
        const card = new VirtualUicc(defaultImage());
        const isd = applet(card, 'isd');
        const ctx = { channel: 0, selectedApplet: 'isd' };
        if (auth) {
          const host = new Scp03Session({ enc: K, mac: K, dek: K }, { kvn: 0x30 });
          const r = isd.process(host.initializeUpdate(), ctx);
          host.processInitializeUpdate(r!.data!);
          expect(isd.process(host.externalAuthenticate(0x33), ctx)!.sw).toBe(0x9000);
        }
        for (const c of cmds) {
          const x: CommandApdu = { cla: c.cla, ins: c.ins, p1: c.p1, p2: c.p2, ...(c.data.length ? { data: c.data } : {}) };
          const r = isd.process(x, ctx);
          if (r) expect(r.sw).toBeGreaterThan(0);
        }
      }),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
  it('random ENVELOPE data: the OTA applet answers or declines, no exception', () => {
    const card = new VirtualUicc(defaultImage());
    provisionOta(card, { keySets: [{ index: 1, kic: '00112233445566778899AABBCCDDEEFF', kid: '00112233445566778899AABBCCDDEEFF' }] });
    const ota = applet(card, 'ota');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (d) => {
        const data = Uint8Array.of(0xd1, ...(d.length < 128 ? [d.length] : [0x81, d.length]), ...d);
        const r = ota.process({ cla: 0x80, ins: 0xc2, p1: 0, p2: 0, data }, { channel: 0, selectedApplet: undefined });
        if (r) expect(r.sw).toBeGreaterThan(0);
      }),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
  it('valid SMS-PP envelopes around random packets: the OTA applet answers, no exception', () => {
    const card = new VirtualUicc(defaultImage());
    provisionOta(card, { keySets: [{ index: 1, kic: '00112233445566778899AABBCCDDEEFF', kid: '00112233445566778899AABBCCDDEEFF' }] });
    const ota = applet(card, 'ota');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0x15, 0x11, 0x22, 0x00),
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        (s1, s2, k, body) => {
          const rest = Uint8Array.of(0x15, s1, s2, k, k, 0xb0, 0x00, 0x00, ...body);
          const pkt = Uint8Array.of(rest.length >> 8, rest.length & 0xff, ...rest);
          for (const env of buildSmsPpEnvelopes(pkt)) {
            const r = ota.process(env, { channel: 0, selectedApplet: undefined });
            expect(r).toBeDefined();
          }
        },
      ),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
});
