/**
 * Every row of the fidelity table (fidelity-rows.ts, listed in docs/virtual-card.md) on an
 * in-process virtual UICC: the card answers each C-APDU with the status word (and data) the spec
 * clause of the row gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { provisionUsimAuth } from '../../../src/sim/applets/usim-auth.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { fromHex, toHex } from '../../../src/util/hex.js';
import { FIDELITY, type FidelityRow } from './fidelity-rows.js';

function fidelityCard(row: FidelityRow): VirtualUicc {
  const card = new VirtualUicc(defaultImage(), { t0: !row.t1, ...(row.dualMode ? { personality: 'dual-mode' as const } : {}) });
  if (row.akaKey) provisionUsimAuth(card, { alg: 'milenage', k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' });
  return card;
}

describe('fidelity table (docs/virtual-card.md)', () => {
  for (const row of FIDELITY) {
    it(row.name, () => {
      const card = fidelityCard(row);
      for (const [i, step] of row.steps.entries()) {
        const r = card.process(fromHex(step.c.replace(/\s+/g, '')));
        const what = `step ${i + 1}: ${step.c}`;
        expect(toHex(r.subarray(r.length - 2)), what).toBe(step.sw);
        if (step.data !== undefined) expect(toHex(r.subarray(0, r.length - 2)), what).toBe(step.data);
      }
    });
  }

  it('docs/virtual-card.md lists every row', () => {
    const doc = readFileSync(new URL('../../../docs/virtual-card.md', import.meta.url), 'utf8');
    for (const row of FIDELITY) expect(doc, row.name).toContain(`| ${row.name} |`);
  });
});
