/**
 * Card image validation (src/sim/image-check.ts): duplicate FIDs/SFIs in one DF, SFI 0 or > 30,
 * depth, and JSON errors that never quote the file's text. Each error names the JSON path.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultImage } from '../../../src/sim/default-image.js';
import { type CardImage, type FileImage, loadImage, parseImage } from '../../../src/sim/image.js';
import { MAX_DF_DEPTH } from '../../../src/sim/image-check.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';

const usimOf = (img: CardImage): FileImage => img.mf.children!.find((c) => c.type === 'ADF')!;
const ef = (fid: string, extra: Partial<FileImage> = {}): FileImage => ({ fid, type: 'EF', structure: 'transparent', size: 1, ...extra });

describe('card image validation', () => {
  it('refuses two files of one FID in a DF (the second would hide the first)', () => {
    const img = defaultImage();
    img.mf.children!.push(ef('2FE2', { sfi: null }));
    expect(() => parseImage(img)).toThrow(/mf\.children\.5\.fid: duplicate FID 2FE2 in MF \(also mf\.children\.0\)/);
    // the case: an EF with the MF's own FID
    const img2 = defaultImage();
    img2.mf.children!.push(ef('3F00'));
    expect(() => parseImage(img2)).toThrow(/mf\.children\.5\.fid: FID 3F00 is the FID of its parent DF/);
    expect(() => new VirtualUicc(img2)).toThrow(/duplicate|FID 3F00/);
  });

  it('refuses duplicate SFIs in a DF, explicit or against the FID-derived one', () => {
    const img = defaultImage();
    usimOf(img).children!.push(ef('6FC0', { sfi: 6 }));
    expect(() => parseImage(img)).toThrow(/mf\.children\.4\.children\.19\.sfi: duplicate SFI 6 in ADF\.USIM/);
    const img2 = defaultImage();
    usimOf(img2).children!.push(ef('6FC6')); // no tag 88: answers to SFI 06, EF.ACC's
    expect(() => parseImage(img2)).toThrow(/children\.19\.sfi: duplicate SFI 6 in ADF\.USIM \(no "sfi"/);
    const ok = defaultImage();
    usimOf(ok).children!.push(ef('6FC6', { sfi: null }));
    expect(() => parseImage(ok)).not.toThrow();
  });

  it('refuses SFI 0 and SFIs above 30', () => {
    for (const sfi of [0, 31]) {
      const img = defaultImage();
      usimOf(img).children!.push(ef('6FC6', { sfi }));
      expect(() => parseImage(img)).toThrow(/mf\.children\.4\.children\.19\.sfi: SFI 1\.\.30/);
    }
  });

  it(`accepts ${MAX_DF_DEPTH} DF levels and refuses more; a 5,000-deep tree is an error, not a stack overflow`, () => {
    const nest = (levels: number): CardImage => {
      const img = defaultImage();
      let cur = img.mf;
      for (let i = 0; i < levels; i++) {
        const df: FileImage = { fid: (0x5f00 + (i % 2)).toString(16).toUpperCase(), type: 'DF', children: [] };
        cur.children = [...(cur.children ?? []), df];
        cur = df;
      }
      cur.children = [ef('6F01', { sfi: null })];
      return img;
    };
    expect(() => parseImage(nest(MAX_DF_DEPTH))).not.toThrow();
    expect(() => parseImage(nest(MAX_DF_DEPTH + 1))).toThrow(/mf\.children\.5(\.children\.0)+: deeper than 8 DF levels below the MF/);
    const t0 = performance.now();
    expect(() => parseImage(nest(5000))).toThrow(/deeper than 8 DF levels/);
    expect(() => new VirtualUicc(nest(5000))).toThrow(/deeper than 8 DF levels/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a file that is not JSON is reported by position, never quoting its text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdm-img-'));
    const path = join(dir, 'bad.json');
    const text = JSON.stringify(defaultImage(), null, 2).replace('"value": "31323334FFFFFFFF"', '"value": "31323334FFFFFFFF" oops');
    writeFileSync(path, text);
    let msg = '';
    try {
      loadImage(path);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/is not JSON \(syntax error at character \d+\)/);
    expect(msg).not.toContain('3132');
    expect(msg).not.toContain('oops');
  });

  it('personality and latencyMs are image fields that survive a save', () => {
    const card = new VirtualUicc({ ...defaultImage(), personality: 'dual-mode', latencyMs: 12 });
    expect(card.personality).toBe('dual-mode');
    expect(card.toImage()).toMatchObject({ personality: 'dual-mode', latencyMs: 12 });
    expect(() => parseImage({ ...defaultImage(), personality: 'gsm-only' })).toThrow(/personality/);
    // the default image answers class A0 with 6E00, dual-mode with 9Fxx
    expect(Buffer.from(new VirtualUicc(defaultImage()).process(Buffer.from('A0A40000023F00', 'hex'))).toString('hex')).toBe('6e00');
    expect(Buffer.from(card.process(Buffer.from('A0A40000023F00', 'hex'))).toString('hex')).toMatch(/^9f/);
  });
});
