/**
 * The one encoder of access rules (card/access.ts expandedSecurity, TS 102 221 11.1.1.4.7.2): the
 * writer's CREATE FILE (card/lean.ts createFcp) and the virtual card's FCP (sim/fcp.ts) both go
 * through it, and it is the inverse of the decoder every reader uses (accessFromExpanded).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccessMap, accessFromExpanded, expandedBytes, expandedSecurity } from '../../../src/card/access.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { createFcp } from '../../../src/card/lean.js';
import { decodeFcp, encodeFcp } from '../../../src/codec/tlv/fcp.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import { toHex } from '../../../src/util/hex.js';
import { virtualCard } from './helpers.js';

const bytesOf = (access: AccessMap, isDf: boolean, childDelete = false): Uint8Array =>
  expandedBytes(
    decodeFcp(
      encodeFcp({
        fileDescriptor: { shareable: true, fileType: isDf ? 'DF' : 'workingEF', dataCoding: 0x21 },
        securityExpanded: expandedSecurity(access, isDf, { childDelete }),
      }),
    ),
  ) ?? new Uint8Array(0);

describe('access rules, encoded', () => {
  it("codes a bootstrap EF's rules as the writer has always sent them (golden first-write trace)", () => {
    // AM 01 (read) always; AM 5A (delete, activate, deactivate, update) CRT key 0A (ADM1), usage qualifier 08
    expect(toHex(bytesOf({ read: 'ALW', update: 'ADM1', delete: 'ADM1', activate: 'ADM1', deactivate: 'ADM1' }, false))).toBe(
      '800101900080015AA40683010A950108',
    );
    // a DF: delete (b7), activate, deactivate, create (b3 b2) = 5E; with childDelete also b1 = 5F
    expect(toHex(bytesOf({ create: 'ADM1', delete: 'ADM1', activate: 'ADM1', deactivate: 'ADM1' }, true))).toBe('80015EA40683010A950108');
    expect(toHex(bytesOf({ create: 'ADM1', delete: 'ADM1', activate: 'ADM1', deactivate: 'ADM1' }, true, true))).toBe('80015FA40683010A950108');
    // several keys: an OR template A0; never: 97
    expect(toHex(bytesOf({ read: 'PIN1|ADM1', update: 'NEV' }, false))).toBe('800101A010A406830101950108A40683010A9501088001029700');
  });

  it('decodes back to the same rules (any map of EF or DF operations)', () => {
    const rule = fc.constantFrom('ALW', 'NEV', 'PIN1', 'ADM1', 'PIN1|ADM1', 'ADM2|PIN2');
    const efOps = fc.record({ read: rule, update: rule, write: rule, activate: rule, deactivate: rule, terminate: rule, delete: rule }, { requiredKeys: [] });
    const dfOps = fc.record({ create: rule, activate: rule, deactivate: rule, terminate: rule, delete: rule }, { requiredKeys: [] });
    fc.assert(
      fc.property(efOps, (m) => {
        expect(accessFromExpanded(bytesOf(m, false), false)).toEqual(m);
      }),
    );
    fc.assert(
      fc.property(dfOps, fc.boolean(), (m, child) => {
        expect(accessFromExpanded(bytesOf(m, true, child), true)).toEqual(m);
      }),
    );
  });

  it('a file the writer creates on the virtual card reads back with the rules it was created with', async () => {
    const { link, fs } = await virtualCard(defaultImage());
    const access = { read: 'ALW', update: 'ADM1', delete: 'ADM1', activate: 'ADM1', deactivate: 'ADM1' };
    await verifyPin(link, 'ADM1', encodePinValue('88888888', 'adm'));
    await fs.select('MF');
    const r = await link.transmit({ cla: 0x00, ins: 0xe0, p1: 0x00, p2: 0x00, data: createFcp({ fid: 0x6f99, size: 8, access, sfi: null }) });
    expect(r.sw).toBe(0x9000);
    expect((await fs.select('MF/6F99')).access).toEqual(access);
  });
});
