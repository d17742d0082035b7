/** Fuzz properties for OTA secured packets and TS 102 226 scripts: decoders throw only OtaError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';
import { OtaError } from '../../src/secure/ota/errors.js';
import { buildCommandPacket, buildResponsePacket, openCommandPacket, openResponsePacket } from '../../src/secure/ota/packet.js';
import { decodeCompactResult, decodeCompactScript, decodeExpandedResult, decodeExpandedScript } from '../../src/secure/ota/rfm.js';
import { buildSmsPpEnvelopes, parseSmsPpEnvelope, parseSmsPpSegment, SmsReassembler } from '../../src/secure/ota/smspp.js';
import { decodeSpi, type Spi } from '../../src/secure/ota/spi.js';
import { OtaReceiver } from '../../src/secure/ota/receiver.js';

function onlyOta(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof OtaError)) throw e;
  }
}

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const KEYS = { kic: new Uint8Array(16).fill(0x11), kid: new Uint8Array(16).fill(0x22) };
const validSpi = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).filter(([, b]) => (b & 3) !== 3);

describe('OTA decoders under fuzzing', () => {
  it('random bytes: packets, scripts, envelopes give a result or OtaError', () => {
    fc.assert(
      fc.property(bytes(0, 120), fc.constantFrom(0x22, 0x35, 0x15, 0x12, 0x00), (b, k) => {
        onlyOta(() => openCommandPacket(b, KEYS));
        onlyOta(() => openResponsePacket(b, { spi: decodeSpi(Uint8Array.of(0x06, 0x39)), kic: k, kid: k }, KEYS));
        onlyOta(() => decodeCompactScript(b));
        onlyOta(() => decodeExpandedScript(b));
        onlyOta(() => decodeExpandedResult(b));
        onlyOta(() => decodeCompactResult(b));
        onlyOta(() => parseSmsPpEnvelope(b));
        onlyOta(() => new SmsReassembler().add(parseSmsPpSegment(b)));
        onlyOta(() => decodeSpi(b));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('packets with a plausible header and random body: OtaError only; the receiver never throws past its header', () => {
    const rx = new OtaReceiver({ keys: () => KEYS, application: () => ({ execute: () => ({ data: new Uint8Array(0), sw: 0x9000 }) }) });
    fc.assert(
      fc.property(validSpi, fc.constantFrom(0x22, 0x35, 0x12, 0x11), bytes(0, 60), ([s1, s2], k, body) => {
        const chl = 13 + ((s1 & 3) === 2 ? 8 : 0);
        const rest = Uint8Array.of(chl, s1, s2, k, k, 0xb0, 0x00, 0x00, ...body);
        const pkt = Uint8Array.of(rest.length >> 8, rest.length & 0xff, ...rest);
        onlyOta(() => openCommandPacket(pkt, KEYS));
        onlyOta(() => rx.process(pkt));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('SMS-PP envelopes under fuzzing', () => {
  it('built envelopes reassemble to the packet; mutated ones give a result or OtaError', () => {
    fc.assert(
      fc.property(bytes(1, 600), fc.integer({ min: 0, max: 255 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (pkt, ref, at, x) => {
        const envs = buildSmsPpEnvelopes(pkt, { reference: ref }).map((e) => e.data!);
        const r = new SmsReassembler();
        let out: Uint8Array | undefined;
        for (const e of envs) out = r.add(parseSmsPpSegment(e));
        expect(out).toEqual(pkt);
        const m = envs[at % envs.length]!.slice();
        m[at % m.length]! ^= x;
        onlyOta(() => new SmsReassembler().add(parseSmsPpSegment(m)));
      }),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
});

describe('OTA round trips under fuzzing', () => {
  it('any SPI/algorithm/counter/data: build then open returns the data; one flipped bit is refused', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('00', '02', '06', '04'),
        fc.constantFrom(0x22, 0x35, 0x11),
        fc.integer({ min: 0, max: 0xffffffffff }),
        bytes(0, 100),
        fc.nat(),
        (s1, k, counter, data, flip) => {
          const spi: Spi = decodeSpi(Uint8Array.of(parseInt(s1, 16) | 0x10, 0x39));
          const kic = k;
          const keys = k === 0x11 ? { kic: KEYS.kic.subarray(0, 8), kid: KEYS.kid.subarray(0, 8) } : KEYS;
          const pkt = buildCommandPacket({ spi, kic, kid: k, tar: Uint8Array.of(0xb0, 0, 0), counter, data }, keys);
          const o = openCommandPacket(pkt, keys);
          expect(o.data).toEqual(data);
          expect(o.counter).toBe(counter);
          if (spi.integrity === 'cc') {
            const bad = pkt.slice();
            const at = 10 + (flip % (bad.length - 10));
            bad[at]! ^= 1 << (flip % 8);
            expect(() => openCommandPacket(bad, keys)).toThrow(OtaError);
          }
          const por = buildResponsePacket({ spi, kic, kid: k, tar: Uint8Array.of(0xb0, 0, 0), counter, status: 0, data }, keys);
          expect(openResponsePacket(por, { spi, kic, kid: k }, keys).data).toEqual(data);
        },
      ),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
});
