/**
 * The explorer CLI on a saved virtual card image (`--reader sim:FILE.json`, changes and PIN
 * counters saved back): the same flows as the pcscd e2e test, runnable without pcscd.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Dump } from '../../../src/card/dump.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import type { CardImage } from '../../../src/sim/image.js';
import { simdmArgv } from '../../helpers/cli.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'simdm-card-cli-'));
let image = '';
let n = 0;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, simdmArgv(['--reader', `sim:${image}`, ...args]), { env: { ...process.env, ...env }, timeout: 30_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const load = (): CardImage => JSON.parse(readFileSync(image, 'utf8')) as CardImage;
const ADM = { SIMDM_ADM1: '88888888' };
const PIN = { SIMDM_PIN1: '1234' };

describe('card explorer CLI on sim:FILE.json', () => {
  beforeEach(() => {
    image = join(dir, `card-${n++}.json`);
    writeFileSync(image, JSON.stringify(defaultImage()));
  });

  it('ls, cat, select', async () => {
    const ls = await cli(['ls', 'ADF.USIM']);
    expect(ls.stdout).toMatch(/EF\.SPN\s+6F46\s+EF\s+transparent\s+17/);
    const cat = await cli(['cat', 'EF.SPN', '--decode']);
    expect(JSON.parse(cat.stdout)).toEqual({ showPlmnNameAtHome: true, hideSpnWhenRoaming: false, name: 'simdm' });
    const raw = await cli(['cat', 'EF.ECC', '--record', '1', '--raw']);
    expect(raw.stdout.trim()).toBe('1: 11F2FF00');
    const sel = await cli(['select', 'EF.IMSI', '--json']);
    expect(JSON.parse(sel.stdout)).toMatchObject({
      path: 'MF/ADF.USIM/EF.IMSI',
      fid: '6F07',
      size: 9,
      sfi: 7,
      access: { read: 'PIN1', update: 'ADM1' },
      codec: 'EF.IMSI',
    });
  }, 60_000);

  it('write through the codec, read back; bad JSON names the field; nothing written', async () => {
    const w = await cli(['write', 'EF.IMSI', '--value', '{"imsi":"001019876543210"}', '--verify', 'adm1'], ADM);
    expect(w.code, w.stderr).toBe(0);
    expect(load().mf.children![4]!.children!.find((c) => c.fid === '6F07')!.content).toBe('080910108967452301');
    const r = await cli(['cat', 'EF.IMSI', '--decode', '--verify', 'pin1'], PIN);
    expect(JSON.parse(r.stdout)).toEqual({ imsi: '001019876543210' });
    const before = readFileSync(image, 'utf8');
    const bad = await cli(['write', 'EF.LOCI', '--value', '{"tmsi":"XYZ"}', '--verify', 'pin1'], PIN);
    expect(bad.stderr).toMatch(/EF\.LOCI: field 'tmsi': hex string expected/);
    const long = await cli(['write', 'EF.PL', '--hex', '00'.repeat(11)]);
    expect(long.stderr).toMatch(/11 bytes at offset 0 do not fit in the file of 10 bytes/);
    // PIN1's counter was reset by the good verification, no content changed
    expect(readFileSync(image, 'utf8')).toBe(before);
  }, 60_000);

  it('dump and restore round trip', async () => {
    const a = join(dir, `a-${n}.json`);
    expect((await cli(['dump', '-o', a, '--verify', 'pin1'], PIN)).code).toBe(0);
    await cli(['write', 'EF.SPN', '--value', '{"name":"other"}', '--verify', 'adm1'], ADM);
    const dry = await cli(['restore', a, '--dry-run', '--verify', 'adm1', '--verify', 'pin1'], { ...ADM, ...PIN });
    expect(dry.stdout).toMatch(/write\s+MF\/ADF\.USIM\/EF\.SPN/);
    const r = await cli(['restore', a, '--verify', 'adm1', '--verify', 'pin1'], { ...ADM, ...PIN });
    expect(r.stdout).toMatch(/wrote 1 files/);
    const b = join(dir, `b-${n}.json`);
    await cli(['dump', '-o', b, '--verify', 'pin1'], PIN);
    const strip = (p: string) => (JSON.parse(readFileSync(p, 'utf8')) as Dump).files.map(({ path, content, records }) => ({ path, content, records }));
    expect(strip(b)).toEqual(strip(a));
  }, 60_000);

  it('dump --layout: the same files as the earlier dump in the fewest APDUs; a changed file is noticed', async () => {
    const a = join(dir, `a-${n}.json`);
    expect((await cli(['dump', '-o', a, '--verify', 'pin1'], PIN)).code).toBe(0);
    const b = join(dir, `b-${n}.json`);
    const r = await cli(['dump', '-o', b, '--layout', a, '--verify', 'pin1', '--json'], PIN);
    expect(r.code, r.stderr).toBe(0);
    // 5 SELECT (MF, ADF.USIM, the three EFs without SFI) + 46 READ: see test/unit/card/dump-layout.test.ts
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 25, apdus: 51, stale: 0 });
    const files = (p: string) => JSON.stringify((JSON.parse(readFileSync(p, 'utf8')) as Dump).files);
    expect(files(b)).toBe(files(a));
    // EF.SPN shortened on the card: the layout's 17 bytes are not printed, the card's 16 are
    const img = load();
    const spn = img.mf.children!.find((c) => c.type === 'ADF')!.children!.find((c) => c.fid === '6F46')!;
    spn.size = 16;
    spn.content = spn.content!.slice(0, 32);
    writeFileSync(image, JSON.stringify(img));
    const c = join(dir, `c-${n}.json`);
    const r2 = await cli(['dump', '-o', c, '--layout', a, '--verify', 'pin1'], PIN);
    expect(r2.stdout).toMatch(/1 files differed from the layout and were probed/);
    const got = (JSON.parse(readFileSync(c, 'utf8')) as Dump).files.find((f) => f.path.endsWith('EF.SPN'))!;
    expect({ size: got.size, content: got.content }).toEqual({ size: 16, content: spn.content });
  }, 60_000);

  it('one try left: every verifying command refuses; counters unchanged', async () => {
    const img = defaultImage();
    for (const p of img.pins) p.retries = 1;
    writeFileSync(image, JSON.stringify(img));
    const wrong = { SIMDM_PIN1: '0000', SIMDM_ADM1: '00000000', SIMDM_NEW_PIN1: '1111' };
    for (const c of [
      ['pin', 'verify'],
      ['pin', 'change'],
      ['pin', 'verify', '--pin-ref', 'adm1'],
      ['write', 'EF.SPN', '--hex', '00', '--verify', 'adm1'],
      ['cat', 'EF.IMSI', '--verify', 'pin1'],
    ]) {
      const r = await cli(c, wrong);
      expect(r.stderr, c.join(' ')).toMatch(/1 try left: refusing/);
    }
    expect(load().pins.map((p) => p.retries)).toEqual([1, 1, 1]);
    // secrets never appear in any output
    const all = await cli(['pin', 'verify', '--force', '--pin-ref', 'pin1'], { SIMDM_PIN1: '9876' });
    expect(all.stderr + all.stdout).not.toMatch(/9876|39383736/);
  }, 60_000);
});
