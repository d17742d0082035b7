/**
 * What an operator sees (issue #15's friction list): `pin verify adm1` names the key as a word,
 * the trace calls the retry-counter query what it is, `select` prints a short summary (the
 * decoded FCP only with --json). Run as a user would, on the built-in virtual card.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceResponse } from '../../../src/apdu/trace.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import { runSimdm } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'simdm-operator-'));
const image = join(dir, 'card.json');
writeFileSync(image, JSON.stringify(defaultImage()));

describe('operator output', () => {
  it('trace: VERIFY without data is the retry-counter query (TS 102 221 11.1.9), not a failed verification', () => {
    const query = { cla: 0, ins: 0x20, p1: 0, p2: 0x0a };
    expect(traceResponse(new Uint8Array(0), 0x63c3, 0, 0x20, false, query).note).toBe('retry counter: 3 tries left');
    expect(traceResponse(new Uint8Array(0), 0x63c1, 0, 0x20, false, query).note).toBe('retry counter: 1 try left');
    expect(traceResponse(new Uint8Array(0), 0x9000, 0, 0x20, false, query).note).toMatch(/no verification needed/);
    // a VERIFY with a value that the card refuses is a failed verification
    const verify = { ...query, data: new Uint8Array(8) };
    expect(traceResponse(new Uint8Array(0), 0x63c2, 0, 0x20, false, verify).note).toMatch(/verification failed, 2 retries left/);
  });

  it('pin verify adm1 (the key as a word) with --trace: counter query named, ADM1 never shown', async () => {
    const r = await runSimdm(['--trace', 'pin', 'verify', 'adm1', '--reader', `sim:${image}`], { env: { SIMDM_ADM1: '88888888' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ADM1: verify done \(verified\)/);
    expect(r.stderr).toContain('<< 63C3  (retry counter: 3 tries left)');
    expect(r.stderr).not.toMatch(/verification failed/);
    expect(r.stderr + r.stdout).not.toMatch(/3838383838383838/);
  });

  it('select prints a summary; --json the decoded FCP', async () => {
    const text = await runSimdm(['select', 'ADF.USIM/EF.IMSI', '--reader', `sim:${image}`]);
    expect(text.code, text.stderr).toBe(0);
    // EF.IMSI in the default image: 6F07, transparent, 9 bytes, SFI 07, read PIN1 / update ADM1
    expect(text.stdout.split('\n')[0]).toBe('MF/ADF.USIM/EF.IMSI  6F07  IMSI (3GPP TS 31.102 4.2.2)');
    expect(text.stdout).toContain('type        EF, transparent, 9 bytes, SFI 07');
    expect(text.stdout).toMatch(/access +update ADM1, read PIN1/);
    expect(text.stdout.split('\n').length).toBeLessThan(10);
    const json = await runSimdm(['--json', 'select', 'ADF.USIM/EF.IMSI', '--reader', `sim:${image}`]);
    expect(JSON.parse(json.stdout)).toMatchObject({ fid: '6F07', fcp: { fileSize: 9, sfi: 7 } });
  });
});
