import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/bridge/errors.js';
import { type ClientRequest, decodeClientFrame, decodeServerFrame, encodeClientRequest, encodeServerFrame } from '../../src/bridge/protocol.js';
import { parseRemoteSpec } from '../../src/bridge/client.js';
import { FUZZ_RUNS } from '../helpers/fuzz.js';

function onlyBridgeErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof BridgeError)) throw e;
    expect(e.code).toMatch(/^bridge\./);
  }
}

const seq = fc.integer({ min: 1, max: 0xffffffff });
const apdu = fc.uint8Array({ minLength: 4, maxLength: 300 });
const reader = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));
const request: fc.Arbitrary<ClientRequest> = fc.oneof(
  fc.record({ op: fc.constant('list' as const), seq }),
  fc.record({ op: fc.constant('connect' as const), seq }),
  fc.record({ op: fc.constant('release' as const), seq }),
  fc.record({ op: fc.constant('watch' as const), seq, reader }),
  fc.record({ op: fc.constant('acquire' as const), seq, reader, waitMs: fc.integer({ min: 0, max: 600_000 }) }),
  fc.record({ op: fc.constant('apdu' as const), seq, apdu, binary: fc.boolean() }),
);

// JSON-ish text built from the protocol's own vocabulary, to get past JSON.parse often
const jsonish = fc
  .dictionary(
    fc.constantFrom(
      'op',
      'seq',
      'reader',
      'waitMs',
      'apdu',
      're',
      'ok',
      'code',
      'message',
      'ev',
      'v',
      'who',
      'readOnly',
      'idleMs',
      'atr',
      'present',
      'readers',
      'rapdu',
    ),
    fc.oneof(fc.jsonValue(), fc.constantFrom('apdu', 'list', 'acquire', 'hello', 'inserted', '00A4', 1, 0, -1, 2 ** 32, true, false, null)),
  )
  .map((o) => JSON.stringify(o));

describe('bridge frame decoders (fuzz)', () => {
  it('client frame decoder throws only BridgeError on random bytes, text and JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 64 }), jsonish), fc.boolean(), (data, binary) => {
        onlyBridgeErrors(() => decodeClientFrame(data, binary));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('server frame decoder throws only BridgeError on random bytes, text and JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 64 }), jsonish), fc.boolean(), (data, binary) => {
        onlyBridgeErrors(() => decodeServerFrame(data, binary));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('client requests round-trip, and every mutation of an encoded one decodes or throws BridgeError', () => {
    fc.assert(
      fc.property(request, fc.nat(), fc.integer({ min: 0, max: 255 }), (r, pos, byte) => {
        const enc = encodeClientRequest(r);
        const binary = typeof enc !== 'string';
        const back = decodeClientFrame(enc, binary);
        expect(back).toEqual(r.op === 'apdu' ? { ...r, binary } : r);
        const bytes = typeof enc === 'string' ? new TextEncoder().encode(enc) : enc.slice();
        bytes[pos % bytes.length] = byte;
        onlyBridgeErrors(() => decodeClientFrame(binary ? bytes : bytes, binary));
        onlyBridgeErrors(() => decodeClientFrame(bytes.subarray(0, pos % bytes.length), binary));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('server frames round-trip', () => {
    fc.assert(
      fc.property(seq, fc.uint8Array({ minLength: 2, maxLength: 300 }), fc.boolean(), (re, rapdu, binary) => {
        const enc = encodeServerFrame({ kind: 'rapdu', re, rapdu, binary });
        expect(decodeServerFrame(enc, typeof enc !== 'string')).toEqual({ kind: 'rapdu', re, rapdu, binary });
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('remote:// address parser throws only BridgeError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.string({ maxLength: 60 }).map((s) => `remote://${s}`),
        ),
        (s) => {
          onlyBridgeErrors(() => parseRemoteSpec(s));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});
