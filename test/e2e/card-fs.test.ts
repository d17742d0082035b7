/**
 * The card file system, EF codecs, PIN/ADM safety and the explorer CLI end to end: virtual UICCs
 * in vpcd slots 35966/35967 -> pcscd -> pcsclite -> `simdm` (from the sources).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { CardLink } from '../../src/apdu/link.js';
import type { Dump } from '../../src/card/dump.js';
import { CardFs } from '../../src/card/fs.js';
import { encodePinValue, verifyPin } from '../../src/card/pin.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { defaultImage } from '../../src/sim/default-image.js';
import type { CardImage } from '../../src/sim/image.js';
import { E2E, readerFor, useCardRig, vpcdReaderName } from '../helpers/vcards.js';
import { simdmArgv } from '../helpers/cli.js';

const run = promisify(execFile);
const P = 35966;
const Q = 35967;
const dir = mkdtempSync(join(tmpdir(), 'simdm-card-e2e-'));

const cli = (port: number, args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, simdmArgv(['--reader', vpcdReaderName(port), ...args]), { env: { ...process.env, ...env }, timeout: 60_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const file = (img: CardImage, path: string) => {
  let cur = img.mf;
  for (const fid of path.split('/').slice(1)) cur = cur.children!.find((c) => c.fid === fid)!;
  return cur;
};

const DEFAULT_EFS = [
  'MF/EF.ICCID',
  'MF/EF.DIR',
  'MF/EF.PL',
  'MF/EF.ARR',
  ...[
    'LI',
    'IMSI',
    'Keys',
    'KeysPS',
    'PLMNwAcT',
    'HPPLMN',
    'UST',
    'SPN',
    'ACC',
    'FPLMN',
    'LOCI',
    'AD',
    'ECC',
    'PSLOCI',
    'MSISDN',
    'SMSP',
    'EST',
    'OPLMNwAcT',
    'ARR',
  ].map((n) => `MF/ADF.USIM/EF.${n}`),
];
const PIN = { SIMDM_PIN1: '1234' };
const ADM = { SIMDM_ADM1: '88888888' };

describe.skipIf(!E2E)('card file system over pcscd + vpcd', () => {
  const rig = useCardRig([P, Q]);
  const { fresh } = rig;
  beforeEach(async () => {
    await fresh(P);
  });

  it('lists the whole tree without knowing it', async () => {
    const r = await cli(P, ['ls', '-R', '--json']);
    expect(r.stderr).toBe('');
    const paths = (JSON.parse(r.stdout) as { path: string }[]).map((f) => f.path);
    expect(paths.sort()).toEqual(['MF', 'MF/ADF.USIM', ...DEFAULT_EFS].sort());
    const text = await cli(P, ['ls', 'ADF.USIM']);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/EF\.IMSI\s+6F07\s+EF\s+transparent\s+9\s+sfi 07\s+read PIN1, update ADM1/);
  });

  it('reads and decodes every EF of the default image', async () => {
    const out = join(dir, 'all.json');
    const r = await cli(P, ['dump', '-o', out, '--verify', 'pin1', '--json'], PIN);
    expect(r.code, r.stderr).toBe(0);
    const dump = JSON.parse(readFileSync(out, 'utf8')) as Dump;
    for (const p of DEFAULT_EFS) {
      const f = dump.files.find((x) => x.path === p)!;
      expect(f, p).toBeDefined();
      expect(f.readError, p).toBeUndefined();
      expect(f.decodeError, p).toBeUndefined();
      expect(f.decoded, p).toBeDefined();
    }
    const get = (p: string) => dump.files.find((x) => x.path === p)!.decoded;
    expect(get('MF/EF.ICCID')).toEqual({ iccid: '8944100000000000015' });
    expect(get('MF/ADF.USIM/EF.IMSI')).toEqual({ imsi: '001010123456789' });
    expect(get('MF/ADF.USIM/EF.SMSP')).toMatchObject([{ serviceCentreAddress: { tonNpi: '91', number: '447785016005' } }, null]);
    expect((get('MF/ADF.USIM/EF.ECC') as unknown[])[0]).toEqual({ code: '112', alphaId: '', categories: [] });
  });

  it('updates IMSI and SPN and reads them back', async () => {
    let r = await cli(P, ['write', 'MF/ADF.USIM/EF.IMSI', '--value', '{"imsi":"001019876543210"}', '--verify', 'adm1'], ADM);
    expect(r.code, r.stderr).toBe(0);
    r = await cli(P, ['write', 'EF.SPN', '--value', '{"name":"Test Net","showPlmnNameAtHome":false,"hideSpnWhenRoaming":true}', '--verify', 'adm1'], ADM);
    expect(r.code, r.stderr).toBe(0);
    r = await cli(P, ['cat', 'EF.IMSI', '--decode', '--verify', 'pin1'], PIN);
    expect(JSON.parse(r.stdout)).toEqual({ imsi: '001019876543210' });
    r = await cli(P, ['cat', 'EF.SPN', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({
      path: 'MF/ADF.USIM/EF.SPN',
      raw: '0254657374204E6574FFFFFFFFFFFFFFFF',
      decoded: { showPlmnNameAtHome: false, hideSpnWhenRoaming: true, name: 'Test Net' },
    });
    const img = await rig.host.image(P);
    // TS 24.008 10.5.1.4: length 08, odd parity nibble 9 with digit 0, then swapped BCD
    expect(file(img, '3F00/7FF0/6F07').content).toBe('080910108967452301');
  });

  it('a PIN-protected EF without the PIN is a clear error naming the key', async () => {
    const r = await cli(P, ['cat', 'MF/ADF.USIM/EF.IMSI']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/READ BINARY MF\/ADF\.USIM\/EF\.IMSI at offset 0: security status not satisfied \(6982\): verify PIN1 first/);
    const w = await cli(P, ['write', 'EF.SPN', '--hex', '00']);
    expect(w.stderr).toMatch(/security status not satisfied \(6982\): verify ADM1 first/);
  });

  it('an ADM-protected update works after `pin verify --pin-ref adm1`', async () => {
    // one PC/SC session through the API: refused before, accepted after VERIFY ADM1
    const t = await readerFor(rig.ctx, P);
    let link: CardLink | undefined;
    // the card was just swapped in: the first connection may see its power-on reset
    for (let i = 0; !link; i++) {
      try {
        await t.connect();
        const l = new CardLink(t);
        await l.transmit({ cla: 0, ins: 0xa4, p1: 0, p2: 0x0c, data: fromHex('3F00') });
        link = l;
      } catch (e) {
        if (i >= 4) throw e;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    const fs = new CardFs(link);
    await expect(fs.updateBinary('ADF.USIM/EF.SPN', fromHex('01414243'))).rejects.toThrow(/verify ADM1 first \(--verify adm1/);
    await verifyPin(link, 'ADM1', encodePinValue('88888888', 'adm'));
    await fs.updateBinary('ADF.USIM/EF.SPN', fromHex('01414243'));
    expect(toHex(await fs.readBinary(undefined, 0, 4))).toBe('01414243');
    await t.disconnect();
    // the CLI: pcscd may power the card down when the last connection closes, so the security state
    // need not outlive a command; `pin verify` works on its own and --verify does it in the same session
    const v = await cli(P, ['pin', 'verify', '--pin-ref', 'adm1'], ADM);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/ADM1: verify done \(verified\)/);
    const w = await cli(P, ['write', 'EF.SPN', '--value', '{"name":"after verify"}', '--verify', 'adm1'], ADM);
    expect(w.code, w.stderr).toBe(0);
    // 00 = display flags, then "after verify" in the GSM default alphabet (= ASCII for these letters)
    expect(file(await rig.host.image(P), '3F00/7FF0/6F46').content).toBe('00' + Buffer.from('after verify').toString('hex').toUpperCase() + 'FFFFFFFF');
  });

  it('dump and restore give identical content', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect((await cli(P, ['dump', '-o', a, '--verify', 'pin1'], PIN)).code).toBe(0);
    await cli(P, ['write', 'EF.SPN', '--value', '{"name":"changed"}', '--verify', 'adm1'], ADM);
    await cli(P, ['write', 'EF.IMSI', '--value', '{"imsi":"999990000000001"}', '--verify', 'adm1'], ADM);
    await cli(P, ['write', 'EF.ECC', '--record', '2', '--value', '{"code":"999","alphaId":"","categories":["police"]}', '--verify', 'adm1'], ADM);
    // without ADM1 it refuses, says why, and writes nothing
    const before = JSON.stringify(await rig.host.image(P));
    const refused = await cli(P, ['restore', a, '--verify', 'pin1'], PIN);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to restore .*MF\/ADF\.USIM\/EF\.IMSI: needs ADM1.*nothing written/);
    expect(JSON.stringify(await rig.host.image(P))).toBe(before);
    const r = await cli(P, ['restore', a, '--verify', 'pin1', '--verify', 'adm1', '--json'], { ...PIN, ...ADM });
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { written: number; plan: { path: string; action: string }[] };
    expect(res.written).toBe(3);
    expect(
      res.plan
        .filter((p) => p.action === 'write')
        .map((p) => p.path)
        .sort(),
    ).toEqual(['MF/ADF.USIM/EF.ECC', 'MF/ADF.USIM/EF.IMSI', 'MF/ADF.USIM/EF.SPN']);
    expect((await cli(P, ['dump', '-o', b, '--verify', 'pin1'], PIN)).code).toBe(0);
    const strip = (p: string) => (JSON.parse(readFileSync(p, 'utf8')) as Dump).files.map(({ path, content, records }) => ({ path, content, records }));
    expect(strip(b)).toEqual(strip(a));
    // a dump the card cannot take is refused with the reason
    const bad = JSON.parse(readFileSync(a, 'utf8')) as Dump;
    bad.files.find((f) => f.path === 'MF/ADF.USIM/EF.SPN')!.content = '00';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const rb = await cli(P, ['restore', join(dir, 'bad.json'), '--verify', 'adm1'], ADM);
    expect(rb.stderr).toMatch(/EF\.SPN: the dump has 1 bytes, the card's file has 17/);
  });

  it('bad input: clear errors, card unchanged', async () => {
    const before = JSON.stringify(await rig.host.image(P));
    let r = await cli(P, ['cat', 'MF/ADF.USIM/EF.IMS']);
    expect(r.stderr).toMatch(/no such file .*did you mean MF\/ADF\.USIM\/EF\.IMSI/);
    r = await cli(P, ['cat', 'EF.SPM']);
    expect(r.stderr).toMatch(/did you mean .*EF\.SPN/);
    writeFileSync(join(dir, 'imsi.json'), '{"imsi":"00101ABC"}');
    r = await cli(P, ['write', 'EF.IMSI', '--json-file', join(dir, 'imsi.json'), '--verify', 'adm1'], ADM);
    expect(r.stderr).toMatch(/EF\.IMSI: field 'imsi': 6 to 15 digits expected/);
    r = await cli(P, ['write', 'EF.PLMNwAcT', '--value', '{"entries":[{"plmn":{"mcc":"1","mnc":"01"},"act":[]}]}', '--verify', 'pin1'], PIN);
    expect(r.stderr).toMatch(/field 'entries\.0\.plmn\.mcc': 3 digits expected/);
    r = await cli(P, ['cat', 'EF.DIR', '--record', '7']);
    expect(r.stderr).toMatch(/MF\/EF\.DIR: record 7 out of range \(the file has 4 records/);
    r = await cli(P, ['write', 'EF.ECC', '--record', '6', '--hex', '11F2FF00', '--verify', 'adm1'], ADM);
    expect(r.stderr).toMatch(/record 6 out of range 1\.\.5/);
    r = await cli(P, ['write', 'EF.SPN', '--hex', '00'.repeat(18), '--verify', 'adm1'], ADM);
    expect(r.stderr).toMatch(/18 bytes at offset 0 do not fit in the file of 17 bytes; nothing written/);
    // the ADM verifications above changed no file
    expect(JSON.stringify(await rig.host.image(P))).toBe(before);
  });

  it('with one try left every verifying command refuses without --force; no key gets blocked', async () => {
    const img = defaultImage();
    for (const p of img.pins) p.retries = 1;
    img.pins[0]!.puk!.retries = 1;
    await fresh(Q, img);
    const wrong = { SIMDM_PIN1: '0000', SIMDM_PIN2: '0000', SIMDM_ADM1: '00000000', SIMDM_NEW_PIN1: '1111', SIMDM_PUK1: '00000000' };
    const out = join(dir, 'q.json');
    writeFileSync(out, JSON.stringify({ format: 'simdm-dump/1', created: '', files: [] }));
    const commands: string[][] = [
      ['pin', 'verify'],
      ['pin', 'verify', '--pin-ref', 'adm1'],
      ['pin', 'verify', '--pin-ref', 'PIN2'],
      ['pin', 'change'],
      ['pin', 'disable'],
      ['pin', 'unblock'],
      ['cat', 'EF.IMSI', '--verify', 'pin1'],
      ['write', 'EF.SPN', '--hex', '00', '--verify', 'adm1'],
      ['dump', '-o', join(dir, 'never.json'), '--verify', 'pin1'],
      ['restore', out, '--verify', 'adm1'],
    ];
    for (const c of commands) {
      const r = await cli(Q, c, wrong);
      expect(r.code, c.join(' ')).toBe(1);
      expect(r.stderr, c.join(' ')).toMatch(/has 1 try left: refusing to .*--force/);
    }
    const after = await rig.host.image(Q);
    expect(after.pins.map((p) => p.retries)).toEqual([1, 1, 1]);
    expect(after.pins[0]!.puk!.retries).toBe(1);
    // status shows it
    const st = await cli(Q, ['pin', 'status']);
    expect(st.stdout).toMatch(/PIN1\s+1 try left\s+\(PUK: 1 left\)/);
  });
});
