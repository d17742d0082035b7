import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DmsError } from '../../src/dms/errors.js';
import { decodeCredential, decodeDmRequest } from '../../src/dms/request.js';
import { FUZZ_RUNS } from '../helpers/fuzz.js';

function only(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DmsError)) throw e;
    expect(e.code).toBe('dms.request');
  }
}

const jsonish = fc
  .dictionary(fc.constantFrom('v', 'serverId', 'clientName', 'devId', 'challenge'), fc.oneof(fc.jsonValue(), fc.constantFrom(1, 'AAAAAAAAAAA=', 'x', '', 2)))
  .map((o) => new TextEncoder().encode(JSON.stringify(o)));

describe('DMS request decoders (fuzz)', () => {
  it('body decoder throws only DmsError', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), jsonish), (b) => only(() => decodeDmRequest(b))), { numRuns: FUZZ_RUNS });
  });
  it('credential header decoder throws only DmsError', () => {
    const hdr = fc.oneof(fc.string({ maxLength: 120 }), fc.string({ maxLength: 40 }).map((s) => `algorithm=MD5, username="${s}", mac=${s}`), fc.string({ maxLength: 40 }).map((s) => `syncml:auth-md5 ${s}`));
    fc.assert(fc.property(fc.option(hdr), fc.option(hdr), (a, h) => only(() => decodeCredential(a ?? undefined, h ?? undefined))), { numRuns: FUZZ_RUNS });
  });
});

describe('GBA request decoders (fuzz)', () => {
  it('Ub bootstrap body and gba-mac authorization decoders throw only DmsError / never', async () => {
    const { decodeGbaBootstrap } = await import('../../src/dms/server.js');
    const { parseGbaAuthorization } = await import('../../src/dms/gba.js');
    const body = fc
      .dictionary(fc.constantFrom('impi', 'rand', 'res'), fc.oneof(fc.jsonValue(), fc.constantFrom('AAAA', 'x@y', '')))
      .map((o) => new TextEncoder().encode(JSON.stringify(o)));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), body), (b) => only(() => decodeGbaBootstrap(b))), { numRuns: FUZZ_RUNS });
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (h) => void parseGbaAuthorization(h)), { numRuns: FUZZ_RUNS });
  });
});
