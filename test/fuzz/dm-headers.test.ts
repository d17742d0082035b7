/** Fuzz properties for the OMA DM auth parsers: x-syncml-hmac header, package #0, basic credential. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS } from '../helpers/fuzz.js';
import { formatHmacHeader, parseHmacHeader } from '../../src/secure/dm/hmac-header.js';
import { encodeTrigger, parseNotification } from '../../src/secure/dm/notification.js';
import { parseBasic } from '../../src/secure/dm/auth.js';
import { DmError } from '../../src/secure/dm/errors.js';

function onlyDmErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DmError)) throw e;
  }
}

const headerish = fc
  .array(
    fc.oneof(fc.constantFrom('algorithm', 'username', 'mac', 'MAC', '=', ',', '"', '\\', ' ', 'MD5', 'AAAAAAAAAAAAAAAAAAAAAA=='), fc.string({ maxLength: 6 })),
    { maxLength: 14 },
  )
  .map((parts) => parts.join(''));

describe('x-syncml-hmac parser under fuzzing', () => {
  it('any string: a header or DmError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), headerish), (s) => onlyDmErrors(() => parseHmacHeader(s))),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('format → parse round-trips', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((u) => !/["\\\r\n]/.test(u)),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (username, d) => {
          const mac = Buffer.from(d).toString('base64');
          expect(parseHmacHeader(formatHmacHeader({ username, mac }))).toEqual({ algorithm: 'MD5', username, mac });
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('package #0 parser under fuzzing', () => {
  it('any bytes: a notification or DmError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => onlyDmErrors(() => parseNotification(b))),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('encode → parse round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1023 }),
        fc.constantFrom('not-specified', 'background', 'informative', 'user-interaction' as const),
        fc.boolean(),
        fc.integer({ min: 0, max: 0xffff }),
        fc.string({ maxLength: 60 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (version, uiMode, serverInitiated, sessionId, serverId, body, digest) => {
          const h = { version, uiMode, serverInitiated, sessionId, serverId };
          const n = parseNotification(Uint8Array.of(...digest, ...encodeTrigger(h, body)));
          expect({ ...n, trigger: undefined }).toEqual({ ...h, digest, body, trigger: undefined });
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
  it('basic credential parser never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => void parseBasic(s)),
      { numRuns: FUZZ_RUNS },
    );
  });
});
