import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALERT, decodeDmMessage, dmMessageTree, encodeDmMessage, type DmMessage } from '../../src/dm/message.js';
import { DmsError } from '../../src/dms/errors.js';
import { DmError } from '../../src/secure/dm/errors.js';
import { encodeWbxml } from '../../src/codec/wbxml/encode.js';
import { SYNCML12 } from '../../src/codec/wbxml/codepages/syncml.js';
import { FUZZ_RUNS, FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';

function only(f: () => unknown, cls: typeof DmsError | typeof DmError, codes: string[]): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof cls)) throw e;
    expect(codes).toContain((e as DmError).code);
  }
}

const seed: DmMessage = {
  header: {
    sessionId: '1',
    msgId: 1,
    target: 'https://dm.example/dm',
    source: 'IMEI:1',
    sourceName: 'c',
    cred: { type: 'syncml:auth-md5', format: 'b64', data: 'Zz6EivR3yeaaENcRN6lpAQ==' },
  },
  body: [
    { kind: 'Alert', cmdId: 1, data: ALERT.clientInitiated, items: [] },
    // a chunk of a large object: Meta Size, MoreData
    { kind: 'Replace', cmdId: 2, items: [{ target: './DMAcc/X/Name', meta: { format: 'chr', size: 2 }, data: 'x', moreData: true }] },
    { kind: 'Status', cmdId: 3, msgRef: 1, cmdRef: 0, cmd: 'SyncHdr', chal: { type: 'syncml:auth-md5', nextNonce: 'AAAA' }, data: 401 },
    // groups (RepPro 6.6.3/6.6.13), nested: the decoder recurses into them
    { kind: 'Atomic', cmdId: 4, body: [{ kind: 'Sequence', cmdId: 5, body: [{ kind: 'Get', cmdId: 6, items: [{ target: './x' }] }] }] },
  ],
  final: true,
};

describe('DM message decoder (fuzz)', () => {
  it('throws only DmError (dm.message / dm.unsupported) on random bytes, mutated WBXML and mutated XML', () => {
    const wb = encodeDmMessage(seed, 'wbxml');
    const xml = encodeDmMessage(seed, 'xml');
    const mutate = (base: Uint8Array) =>
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }).map((ms) => {
        const b = Uint8Array.from(base);
        for (const [i, v] of ms) b[i] = v;
        return b;
      });
    const cut = (base: Uint8Array) => fc.nat(base.length).map((n) => base.subarray(0, n));
    const codes = ['dm.message', 'dm.unsupported'];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => only(() => decodeDmMessage(b), DmError, codes)),
      { numRuns: FUZZ_RUNS },
    );
    fc.assert(
      fc.property(fc.oneof(mutate(wb), cut(wb)), (b) => only(() => decodeDmMessage(b, 'application/vnd.syncml.dm+wbxml'), DmError, codes)),
      { numRuns: FUZZ_RUNS },
    );
    fc.assert(
      fc.property(fc.oneof(mutate(xml), cut(xml)), (b) => only(() => decodeDmMessage(b, 'application/vnd.syncml.dm+xml'), DmError, codes)),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });

  it('random element trees in the SyncML code pages decode or fail with DmError', () => {
    const names = [
      'SyncML',
      'SyncHdr',
      'SyncBody',
      'VerDTD',
      'VerProto',
      'SessionID',
      'MsgID',
      'Target',
      'Source',
      'LocURI',
      'LocName',
      'Cred',
      'Meta',
      'Data',
      'Status',
      'CmdID',
      'MsgRef',
      'CmdRef',
      'Cmd',
      'Chal',
      'Item',
      'Get',
      'Replace',
      'Alert',
      'Final',
      'Results',
      'Atomic',
    ];
    type T = { name: string; attrs: Record<string, string>; children: (T | { kind: 'text'; text: string })[] };
    const tree: fc.Arbitrary<T> = fc.letrec<{ t: T }>((tie) => ({
      t: fc.record({
        name: fc.constantFrom(...names),
        attrs: fc.constant({}),
        children: fc.array(
          fc.oneof(
            { maxDepth: 5, depthIdentifier: 'el' },
            fc.string({ maxLength: 8 }).map((text) => ({ kind: 'text' as const, text: text || '1' })),
            tie('t'),
          ),
          { maxLength: 4, depthIdentifier: 'el' },
        ),
      }),
    })).t;
    const base = dmMessageTree(seed);
    fc.assert(
      fc.property(tree, (t) => {
        const root = { ...base, children: [base.children[0]!, { name: 'SyncBody', attrs: {}, children: [t] }] };
        only(() => decodeDmMessage(encodeWbxml(root as never, { language: SYNCML12 }), 'application/vnd.syncml.dm+wbxml'), DmError, [
          'dm.message',
          'dm.unsupported',
        ]);
      }),
      { numRuns: FUZZ_RUNS_SLOW },
    );
  });
});

describe('GBA request decoders (fuzz)', () => {
  it('Ub bootstrap body and gba-mac authorization decoders throw only DmsError / never', async () => {
    const { decodeGbaBootstrap } = await import('../../src/dms/server.js');
    const { parseGbaAuthorization } = await import('../../src/dms/gba.js');
    const body = fc
      .dictionary(fc.constantFrom('impi', 'rand', 'res'), fc.oneof(fc.jsonValue(), fc.constantFrom('AAAA', 'x@y', '')))
      .map((o) => new TextEncoder().encode(JSON.stringify(o)));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), body), (b) => only(() => decodeGbaBootstrap(b), DmsError, ['dms.request'])),
      { numRuns: FUZZ_RUNS },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (h) => void parseGbaAuthorization(h)),
      { numRuns: FUZZ_RUNS },
    );
  });
});
