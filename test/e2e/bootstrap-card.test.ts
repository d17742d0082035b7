/**
 * Bootstrap on the card end to end: virtual UICCs in vpcd slots 35968/35969 -> pcscd -> pcsclite
 * -> `simdm` (from the sources) (and the library over the same PC/SC path for the pull campaign).
 * Peers: libwbxml's wbxml2xml decodes what simdm wrote; OpenSC's pkcs15-tool lists the data
 * objects.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../src/apdu/link.js';
import { compileProfile } from '../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../src/bootstrap/profile/load.js';
import { readBootstrap } from '../../src/bootstrap/reader.js';
import { writePlan } from '../../src/bootstrap/writer.js';
import { runTargets } from '../../src/bootstrap/targets/index.js';
import { defaultImage, pinHex } from '../../src/sim/default-image.js';
import type { CardImage } from '../../src/sim/image.js';
import { SecretStore } from '../../src/util/secrets.js';
import { connectedCard, E2E, readerFor, useCardRig, vpcdReaderName } from '../helpers/vcards.js';
import { simdmArgv } from '../helpers/cli.js';

const run = promisify(execFile);

/** `p`, or an error naming `what` once `ms` pass (a pull campaign step that hangs says where). */
function step<T>(what: string, p: Promise<T>, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
const P = 35968;
const Q = 35969;
const dir = mkdtempSync(join(tmpdir(), 'simdm-bootstrap-e2e-'));
const ICCID = '8944100000000000015';
const ENV = { SIMDM_ADM1: '88888888', SIMDM_ADM2: '87654321', SIMDM_LWM2M_PSK: '000102030405060708090A0B0C0D0E0F', SIMDM_ENT_DM_SECRET: 'corp-hmac-secret' };

const cli = (port: number, args: string[], env: NodeJS.ProcessEnv = ENV) =>
  run(process.execPath, simdmArgv(['--reader', vpcdReaderName(port), ...args]), { env: { ...process.env, ...env }, timeout: 120_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

/** The default image plus an enterprise ADM key (ADM2, key reference 0B: TS 102 221 9.5.1). */
function twoAuthorityImage(): CardImage {
  const img = defaultImage();
  img.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('87654321'), retries: 3, maxRetries: 3, enabled: true });
  return img;
}

/** `apdus`: issue #16's bound on `profile write` (first on a blank card, then a repeat) where one is set */
const EXAMPLES: { profile: string; image: () => CardImage; files: number; apdus?: [number, number] }[] = [
  { profile: 'card-profiles/operator-dm.yaml', image: defaultImage, files: 2, apdus: [45, 24] },
  { profile: 'card-profiles/lwm2m-iot.yaml', image: defaultImage, files: 1 },
  { profile: 'card-profiles/enterprise-dm.yaml', image: twoAuthorityImage, files: 3 },
  { profile: 'card-profiles/cp-import.yaml', image: defaultImage, files: 1 },
];

function plan(profile: string) {
  const secrets = new SecretStore(ENV as unknown as NodeJS.ProcessEnv);
  return compileProfile(loadProfile(profile, { vars: (n) => (n === 'ICCID' ? ICCID : undefined), secrets: (n) => secrets.get(n) }), { iccid: ICCID });
}

describe.skipIf(!E2E)('bootstrap on the card over pcscd + vpcd', () => {
  const rig = useCardRig([P, Q]);
  const { fresh } = rig;

  for (const ex of EXAMPLES) {
    it(`${ex.profile}: written, detected, read back equal; a second write sends no UPDATE`, async () => {
      await fresh(P, ex.image());
      const w = await cli(P, ['profile', 'write', ex.profile, '--json', '--backup-dir', join(dir, 'b')]);
      expect(w.code, w.stderr).toBe(0);
      const rep = JSON.parse(w.stdout);
      expect(rep.changed).toBe(true);
      expect(rep.atomic).toBe(true);
      expect(rep.files.filter((f: { action: string }) => f.action === 'write')).toHaveLength(ex.files);
      if (ex.apdus) expect(rep.apdus).toBeLessThanOrEqual(ex.apdus[0]);
      const d = await cli(P, ['bootstrap', 'detect', '--json']);
      expect(d.code, d.stderr).toBe(0);
      const det = JSON.parse(d.stdout);
      expect(det.present).toBe(true);
      expect(det.via).toBe('aid');
      expect(det.issues).toEqual([]);
      expect(det.files).toHaveLength(ex.files);
      const diff = await cli(P, ['profile', 'diff', ex.profile, '--json', '--exit-code']);
      expect(diff.code, diff.stdout + diff.stderr).toBe(0);
      expect(JSON.parse(diff.stdout).files.every((f: { status: string }) => f.status === 'same')).toBe(true);
      const img = JSON.stringify(await rig.host.image(P));
      const w2 = await cli(P, ['profile', 'write', ex.profile, '--json', '--backup-dir', join(dir, 'b')]);
      expect(w2.code, w2.stderr).toBe(0);
      const rep2 = JSON.parse(w2.stdout);
      expect(rep2.changed).toBe(false);
      expect(rep2.updates).toBe(0);
      expect(rep2.keysVerified).toEqual([]);
      if (ex.apdus) expect(rep2.apdus).toBeLessThanOrEqual(ex.apdus[1]);
      expect(JSON.stringify(await rig.host.image(P))).toBe(img);
    });
  }

  it('bootstrap read: fields, with credentials only as fingerprints', async () => {
    await fresh(P);
    expect((await cli(P, ['profile', 'write', 'card-profiles/operator-dm.yaml', '--no-backup'])).code).toBe(0);
    const r = await cli(P, ['bootstrap', 'read', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    const dm = v.files.find((f: { kind: string }) => f.kind === 'dm');
    expect(dm.oid).toBe('2.23.43.7.1');
    expect(dm.fields['./DMAcc/OperatorDM/AppAddr/srv/Addr']).toBe('https://dm.operator.example/oma-dm');
    expect(dm.fields['./DMAcc/OperatorDM/AppAuth/cli/AAuthName']).toBe(ICCID);
    expect(r.stdout).not.toContain('demo-client-secret');
    const x = await cli(P, ['bootstrap', 'read', '--format', 'xml']);
    expect(x.stdout).toContain('<parm name="NAP-ADDRESS" value="internet.operator.example"/>');
    expect(x.stdout).not.toContain('demo-server-secret');
  });

  it('rollback restores the previous bootstrap', async () => {
    await fresh(P);
    const v2 = join(dir, 'operator-dm-v2.yaml');
    writeFileSync(
      v2,
      readFileSync('card-profiles/operator-dm.yaml', 'utf8')
        .replace(/extends: defaults\/operator.yaml/, `extends: ${join(process.cwd(), 'card-profiles/defaults/operator.yaml')}`)
        .replaceAll('https://dm.operator.example/oma-dm', 'https://dm2.operator.example/dm'),
    );
    const bdir = join(dir, 'rb');
    expect((await cli(P, ['profile', 'write', 'card-profiles/operator-dm.yaml', '--backup-dir', bdir])).code).toBe(0);
    const w = await cli(P, ['profile', 'write', v2, '--json', '--backup-dir', bdir]);
    expect(w.code, w.stderr).toBe(0);
    const backup = JSON.parse(w.stdout).backup as string;
    expect((await cli(P, ['profile', 'diff', 'card-profiles/operator-dm.yaml', '--exit-code'])).code).toBe(1);
    const rb = await cli(P, ['profile', 'rollback', backup, '--json', '--backup-dir', bdir]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(JSON.parse(rb.stdout).atomic).toBe(true);
    const diff = await cli(P, ['profile', 'diff', 'card-profiles/operator-dm.yaml', '--exit-code']);
    expect(diff.code, diff.stdout).toBe(0);
    // backup names carry the ICCID and a time, never a key
    for (const f of readdirSync(bdir)) expect(f).toMatch(/^bootstrap-8944100000000000015-\d{8}T\d{6}-\d+\.json$/);
  });

  it('interop: wbxml2xml decodes the files simdm wrote; pkcs15-tool lists its data objects', async () => {
    await fresh(Q);
    expect((await cli(Q, ['profile', 'write', 'card-profiles/operator-dm.yaml', '--no-backup'])).code).toBe(0);
    const out = join(dir, 'raw');
    const r = await cli(Q, ['bootstrap', 'read', '--format', 'raw', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const cp = join(out, 'cpBootstrap-6460.bin');
    const x = await run('wbxml2xml', ['-o', join(dir, 'cp.xml'), cp]);
    expect(x.stdout + x.stderr).toContain('succeeded');
    const xml = readFileSync(join(dir, 'cp.xml'), 'utf8');
    expect(xml).toContain('<parm name="APPID" value="w7"/>');
    expect(xml).toContain('<parm name="PXADDR" value="192.0.2.10"/>');
    const y = await run('wbxml2xml', ['-o', join(dir, 'dm.xml'), join(out, 'dm-6450.bin')]);
    expect(y.stdout + y.stderr).toContain('succeeded');
    expect(readFileSync(join(dir, 'dm.xml'), 'utf8')).toContain('./DMAcc/OperatorDM/AppAddr/srv/Addr');
    // OpenSC binds unknown cards (the virtual UICC's ATR is in no driver's table) only with the
    // default driver enabled (opensc.conf enable_default_driver); it then finds the application in EF.DIR
    const conf = join(dir, 'opensc.conf');
    writeFileSync(conf, 'app default {\n  enable_default_driver = true;\n  framework pkcs15 {\n    use_file_caching = false;\n  }\n}\n');
    const p = await run('pkcs15-tool', ['--reader', vpcdReaderName(Q), '--list-data-objects'], {
      timeout: 60_000,
      env: { ...process.env, OPENSC_CONF: conf },
    }).catch((e: { stdout: string; stderr: string }) => e);
    expect(p.stdout).toContain('DM Bootstrap');
    expect(p.stdout).toContain('CP Bootstrap');
    expect(p.stdout).toContain('2.23.43.7.1');
    // the opensc target model (src/bootstrap/targets/opensc.ts) finds what the real pkcs15-tool lists
    const t = await readerFor(rig.ctx, Q);
    await t.connect();
    const [model] = await runTargets(new CardLink(t), ['opensc']);
    await t.disconnect();
    const oids = (text: string) => [...new Set(text.match(/2\.23\.43\.\d+\.\d+/g))].sort();
    expect(model!.files.map((f) => f.oid).sort()).toEqual(oids(p.stdout));
  });

  // Pull-at-every-APDU campaigns, about a minute together: each fresh card is loaded in place (card
  // host `reload`: no removal for pcscd to notice, no 400 ms presence poll to wait for), the pulled
  // card is put back at once, and every step has its own deadline, so a hang fails with the APDU
  // index and the step instead of stalling until the test's timeout.
  it('pulled at every APDU of a write: the card reads old or new, never a mix, and the write then completes', async () => {
    const v1 = plan('card-profiles/operator-dm.yaml');
    const v2p = join(dir, 'operator-dm-pull.yaml');
    writeFileSync(
      v2p,
      readFileSync('card-profiles/operator-dm.yaml', 'utf8')
        .replace(/extends: defaults\/operator.yaml/, `extends: ${join(process.cwd(), 'card-profiles/defaults/operator.yaml')}`)
        .replaceAll('dm.operator.example', 'dm-new.operator.example'),
    );
    const v2 = plan(v2p);
    const secrets = new SecretStore(ENV as unknown as NodeJS.ProcessEnv);
    const fieldsOf = (st: Awaited<ReturnType<typeof readBootstrap>>) => Object.fromEntries(st.files.map((f) => [f.label, f.content?.fields]));
    const want = (p: typeof v1) => Object.fromEntries(p.files.map((f) => [f.label, f.fields]));
    // the card holding v1, and the APDU count of the v1 -> v2 write
    await fresh(P);
    const c = await connectedCard(rig.ctx, P);
    await writePlan(c.link, v1, { secrets, backupDir: false });
    const image1 = await rig.host.image(P);
    const full = await writePlan(c.link, v2, { secrets, backupDir: false });
    const n = full.apdus!;
    expect(n).toBeGreaterThan(20);
    await c.t.disconnect();
    const seen = { old: 0, new: 0 };
    /** every APDU index on one reader, the pulled APDU executed (`apply`) or not */
    const campaign = async (port: number, apply: boolean) => {
      for (let k = 0; k < n; k++) {
        const at = `pulled at APDU ${k} (${apply ? 'applied' : 'not applied'})`;
        await step(`${at}: fresh card`, rig.host.reload(port, structuredClone(image1)));
        let c = await step(`${at}: connect`, connectedCard(rig.ctx, port));
        await rig.host.pull(port, { at: k, apply });
        const err = await step(
          `${at}: write`,
          writePlan(c.link, v2, { secrets, backupDir: false }).then(
            () => undefined,
            (e: Error) => e,
          ),
        );
        expect(err, `${at}: the write must fail`).toBeInstanceOf(Error);
        // put back at once: pcscd may not even see the removal, the next session must not need it
        await rig.host.insert(port);
        c = await step(`${at}: connect again`, connectedCard(rig.ctx, port));
        const st = await step(`${at}: read`, readBootstrap(c.link));
        const got = fieldsOf(st);
        const isOld = JSON.stringify(got) === JSON.stringify(want(v1));
        const isNew = JSON.stringify(got) === JSON.stringify(want(v2));
        expect(isOld || isNew, `${at}: ${JSON.stringify(st.issues)}`).toBe(true);
        seen[isOld ? 'old' : 'new']++;
        const again = await step(`${at}: completing write`, writePlan(c.link, v2, { secrets, backupDir: false }));
        expect(again.atomic).toBe(true);
        expect(JSON.stringify(fieldsOf(await step(`${at}: read after`, readBootstrap(c.link))))).toBe(JSON.stringify(want(v2)));
        await step(`${at}: disconnect`, c.t.disconnect());
      }
    };
    // the two halves on two readers at once: the time is pcscd's presence polls, not CPU
    await Promise.all([campaign(P, true), campaign(Q, false)]);
    expect(seen.old).toBeGreaterThan(0);
    expect(seen.new).toBeGreaterThan(0);
  }, 300_000);

  it('first write on a blank card, pulled at every other APDU: nothing or all of it, and the write then completes', async () => {
    const v1 = plan('card-profiles/operator-dm.yaml');
    const secrets = new SecretStore(ENV as unknown as NodeJS.ProcessEnv);
    const fieldsOf = (st: Awaited<ReturnType<typeof readBootstrap>>) => JSON.stringify(Object.fromEntries(st.files.map((f) => [f.label, f.content?.fields])));
    const want = JSON.stringify(Object.fromEntries(v1.files.map((f) => [f.label, f.fields])));
    await fresh(Q);
    const c0 = await connectedCard(rig.ctx, Q);
    const n = (await writePlan(c0.link, v1, { secrets, backupDir: false })).apdus!;
    await c0.t.disconnect();
    const ks = Array.from({ length: Math.ceil(n / 2) }, (_, i) => 2 * i);
    /** the APDU indexes `ks` on one reader */
    const campaign = async (port: number, ks: number[]) => {
      for (const k of ks) {
        const apply = k % 4 === 0;
        const at = `pulled at APDU ${k} (${apply ? 'applied' : 'not applied'})`;
        await step(`${at}: fresh card`, rig.host.reload(port, defaultImage()));
        let c = await step(`${at}: connect`, connectedCard(rig.ctx, port));
        await rig.host.pull(port, { at: k, apply });
        const err = await step(
          `${at}: write`,
          writePlan(c.link, v1, { secrets, backupDir: false }).then(
            () => undefined,
            (e: Error) => e,
          ),
        );
        expect(err, `${at}: the write must fail`).toBeInstanceOf(Error);
        // here the removal is seen before the card goes back (the other campaign puts it back at once)
        await step(`${at}: removal seen`, c.t.waitForRemoval(5000));
        await rig.host.insert(port);
        c = await step(`${at}: connect again`, connectedCard(rig.ctx, port));
        const got = fieldsOf(await step(`${at}: read`, readBootstrap(c.link)));
        expect(got === '{}' || got === want, `${at}: ${got.slice(0, 200)}`).toBe(true);
        await step(`${at}: completing write`, writePlan(c.link, v1, { secrets, backupDir: false }));
        expect(fieldsOf(await step(`${at}: read after`, readBootstrap(c.link)))).toBe(want);
        await step(`${at}: disconnect`, c.t.disconnect());
      }
    };
    await Promise.all([
      campaign(
        P,
        ks.filter((_, i) => i % 2 === 0),
      ),
      campaign(
        Q,
        ks.filter((_, i) => i % 2 === 1),
      ),
    ]);
  }, 300_000);

  it('bad input: profile errors name file, line and field; a file too small says by how many bytes', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'name: bad\nauthorities:\n  operator: ADM1\nfiles:\n  - id: dm\n    kind: dm\n    dm:\n      target: x\n      source: y\n      accounts:\n        - nodeName: A\n          serverId: s\n          addr: https://a\n          port: 99999\n',
    );
    const v = await cli(P, ['profile', 'validate', bad]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(new RegExp(`bad\\.yaml:14: files\\[0\\]\\.dm\\.accounts\\[0\\]\\.port: `));
    // a real card: the application and files pre-created, no CREATE/DELETE allowed, DM slots of 100 bytes
    const img = defaultImage();
    const ef = (fid: string, size: number) => ({
      fid,
      type: 'EF' as const,
      structure: 'transparent' as const,
      size,
      access: { read: 'ALW' as const, update: 'ADM1' as const, delete: 'NEV' as const },
    });
    img.mf.children!.push({
      fid: '5015',
      type: 'ADF',
      aid: 'A000000063504B43532D3135',
      access: { create: 'NEV', delete: 'NEV' },
      children: [ef('5031', 64), ef('5032', 128), ef('6430', 255), ef('6630', 255), ef('6450', 100), ef('6451', 100), ef('6460', 1024), ef('6461', 1024)],
    });
    await fresh(P, img);
    const w = await cli(P, ['profile', 'write', 'card-profiles/operator-dm.yaml', '--no-backup']);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/DM Bootstrap: 1991 bytes do not fit the 100-byte file 6450: 1891 bytes too many/);
    expect(w.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a malformed DODF is reported and what is valid is still read', async () => {
    // DODF by hand (PKCS #15 v1.1 6.7): an oidDO whose OID carries its own tag (the LwM2M example's
    // error), an opaqueDO with an unknown OID, an entry that is not a DataType, then FF padding
    const dodf =
      // [1] oidDO { common { label "LwM2M" }, class {}, [1] { OidDO { OID (06 06 06 04 67 2B 09 01), Path { 04 02 6440 } } } }
      'A11B' +
      '3007' +
      '0C054C774D324D' +
      '3000' +
      'A10E' +
      '300C' +
      '0606' +
      '0604672B0901' +
      '3004' +
      '04026440' +
      // opaqueDO { common { label "X" }, class { OID 1.2.3 }, [1] { Path { 04 02 6441 } } }
      '3012' +
      '3003' +
      '0C0158' +
      '3004' +
      '06022A03' +
      'A105' +
      '3003' +
      '040164' +
      // an OCTET STRING where a DataType belongs
      '0403010203' +
      'FF'.repeat(40);
    // EF LwM2M_Bootstrap (LwM2M Core 1.1.1 Appendix G.3.4): 1 object, 25 bytes; object 0, implicit version, 20 bytes of TLV:
    // instance 0 { /0/0/0 "coap://a", /0/0/1 false, /0/0/2 3 (NoSec) } (Core 7.4.3 TLV)
    const lwm2m = '0001' + '0019' + '0000' + '00' + '0014' + '080011' + 'C80008' + Buffer.from('coap://a').toString('hex') + 'C10100' + 'C10203';
    const img = defaultImage();
    const ef = (fid: string, content: string, size: number) => ({
      fid,
      type: 'EF' as const,
      structure: 'transparent' as const,
      size,
      content: (content + 'FF'.repeat(size)).slice(0, size * 2),
      access: { read: 'ALW' as const, update: 'ADM1' as const },
    });
    img.mf.children!.push({
      fid: '5015',
      type: 'ADF',
      aid: 'A000000063504B43532D3135',
      access: {},
      // ODF: dataObjects [7] { Path { 04 02 6430 } }
      children: [ef('5031', 'A706300404026430', 32), ef('6430', dodf, 128), ef('6440', lwm2m, 64)],
    });
    await fresh(P, img);
    const r = await cli(P, ['bootstrap', 'read', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.files).toHaveLength(1);
    expect(v.files[0].fields['/0/0/0']).toBe('coap://a');
    expect(v.files[0].fields['/0/0/2']).toBe('3');
    expect(v.warnings.join('\n')).toMatch(/OID value carries its own tag and length/);
    expect(v.issues.join('\n')).toMatch(/unknown OID 1\.2\.3/);
    expect(v.issues.join('\n')).toMatch(/EF\.DODF 6430 entry 3 at offset \d+: tag 04 is not a DataType; skipped/);
  });

  it('scripts: compile, dry run with secrets redacted, run on a blank card; a syntax error names its line', async () => {
    const script = join(dir, 'op.apdu');
    const c = await cli(P, ['profile', 'compile', 'card-profiles/lwm2m-iot.yaml', '--vars', join(dir, 'vars.env'), '-o', script]).catch(() => undefined);
    void c;
    writeFileSync(join(dir, 'vars.env'), `ICCID=${ICCID}\n`);
    const comp = await cli(P, ['profile', 'compile', 'card-profiles/lwm2m-iot.yaml', '--vars', join(dir, 'vars.env'), '-o', script]);
    expect(comp.code, comp.stderr).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text).not.toContain('000102030405060708090A0B0C0D0E0F');
    expect(text).toContain('${hex:LWM2M_PSK}');
    const dry = await cli(P, ['script', 'run', script, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).not.toContain('000102030405060708090A0B0C0D0E0F');
    expect(dry.stdout).not.toContain(Buffer.from('88888888').toString('hex').toUpperCase());
    await fresh(P);
    const runr = await cli(P, ['script', 'run', script]);
    expect(runr.code, runr.stdout + runr.stderr).toBe(0);
    const diff = await cli(P, ['profile', 'diff', 'card-profiles/lwm2m-iot.yaml', '--exit-code']);
    expect(diff.code, diff.stdout).toBe(0);
    const bad = join(dir, 'bad.apdu');
    writeFileSync(bad, '# a script\n00A4000C023F00\n#> SW=9000\n00A4 0G\n');
    const b = await cli(P, ['script', 'run', bad]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/line 4: 'G' is not a hex digit/);
  });
});
