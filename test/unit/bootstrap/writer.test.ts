import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { backupToPlan, loadBackup } from '../../../src/bootstrap/backup.js';
import { compileProfile } from '../../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../../src/bootstrap/profile/load.js';
import { readBootstrap } from '../../../src/bootstrap/reader.js';
import { writePlan } from '../../../src/bootstrap/writer.js';
import { defaultImage, pinHex } from '../../../src/sim/default-image.js';
import type { CardImage } from '../../../src/sim/image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { SecretStore } from '../../../src/util/secrets.js';

const ICCID = '8944100000000000015';
const secrets = new SecretStore({ SIMDM_ADM1: '88888888', SIMDM_ADM2: '87654321', SIMDM_ENT_DM_SECRET: 'corp' } as unknown as NodeJS.ProcessEnv);
const plan = (p: string, edit?: (s: string) => string) => {
  const lp = loadProfile(p, { vars: () => ICCID, secrets: (n) => secrets.get(n) });
  if (edit) for (const f of lp.profile.files) if (f.dm) f.dm.accounts[0]!.addr = edit(f.dm.accounts[0]!.addr);
  return compileProfile(lp, { iccid: ICCID });
};

async function card(image: CardImage = defaultImage()) {
  const c = new VirtualUicc(image);
  const t = new InProcessTransport(c, 'test');
  await t.connect();
  return { c, t, link: new CardLink(t) };
}

const fidOf = (st: Awaited<ReturnType<typeof readBootstrap>>, label: string) => st.files.find((f) => f.label === label)!.path;

describe('writing the bootstrap', () => {
  it('first write creates the structure; an unchanged profile sends nothing after the read', async () => {
    const { link } = await card();
    const p = plan('card-profiles/operator-dm.yaml');
    const r1 = await writePlan(link, p, { secrets, backupDir: false });
    expect(r1).toMatchObject({ changed: true, atomic: true, keysVerified: ['ADM1'] });
    expect(r1.directories).toEqual(['EF.DODF 6430', 'EF.TokenInfo', 'EF.DIR', 'EF.ODF']);
    const r2 = await writePlan(link, p, { secrets, backupDir: false });
    expect(r2).toMatchObject({ changed: false, updates: 0, creates: 0, keysVerified: [] });
  });

  it('a changed file goes to its other slot, the DODF switches in one command, the rest stays', async () => {
    const { link } = await card();
    await writePlan(link, plan('card-profiles/operator-dm.yaml'), { secrets, backupDir: false });
    const before = await readBootstrap(link);
    expect(fidOf(before, 'DM Bootstrap')).toBe('6450');
    const r = await writePlan(link, plan('card-profiles/operator-dm.yaml', (a) => a.replace('dm.', 'dm2.')), { secrets, backupDir: false });
    expect(r.files.filter((f) => f.action === 'write').map((f) => [f.label, f.fid])).toEqual([['DM Bootstrap', 0x6451]]);
    expect(r.directories).toEqual(['EF.DODF 6430']);
    expect(r.atomic).toBe(true);
    const after = await readBootstrap(link);
    expect(fidOf(after, 'DM Bootstrap')).toBe('6451');
    expect(fidOf(after, 'CP Bootstrap')).toBe('6460');
  });

  it('management authority segregation: the enterprise file needs ADM2 only and is updatable only with it', async () => {
    const img = defaultImage();
    img.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('87654321'), retries: 3, maxRetries: 3, enabled: true });
    const { c, link } = await card(img);
    await writePlan(link, plan('card-profiles/enterprise-dm.yaml'), { secrets, backupDir: false });
    const ent = c.fileAt('3F00/5015/6452')!;
    expect(ent.access).toMatchObject({ read: 'ALW', update: 'ADM2' });
    expect(c.fileAt('3F00/5015/6431')!.access).toMatchObject({ read: 'ALW', update: 'ADM2' });
    expect(c.fileAt('3F00/5015/6430')!.access).toMatchObject({ read: 'ALW', update: 'ADM1' });
    const lp = loadProfile('card-profiles/enterprise-dm.yaml', { vars: () => ICCID, secrets: (n) => secrets.get(n) });
    lp.profile.files.find((f) => f.id === 'enterprise-dm')!.dm!.accounts[0]!.name = 'Corp MDM 2';
    const r = await writePlan(link, compileProfile(lp, { iccid: ICCID }), { secrets: new SecretStore({ SIMDM_ADM2: '87654321' } as unknown as NodeJS.ProcessEnv), backupDir: false });
    expect(r.keysVerified).toEqual(['ADM2']);
    expect(r.directories).toEqual(['EF.DODF 6431']);
  });

  it('refuses to present an ADM key with one try left unless forced', async () => {
    const img = defaultImage();
    img.pins.find((p) => p.name === 'ADM1')!.retries = 1;
    const { link } = await card(img);
    await expect(writePlan(link, plan('card-profiles/lwm2m-iot.yaml'.replace('lwm2m-iot', 'operator-dm')), { secrets, backupDir: false })).rejects.toThrow(/ADM1 has 1 try left/);
    const r = await writePlan(link, plan('card-profiles/operator-dm.yaml'), { secrets, backupDir: false, force: true });
    expect(r.changed).toBe(true);
  });

  it('a pre-created card with one file per kind and no CREATE: written in place, reported as not atomic', async () => {
    const img = defaultImage();
    const ef = (fid: string, size: number) => ({ fid, type: 'EF' as const, structure: 'transparent' as const, size, access: { read: 'ALW' as const, update: 'ADM1' as const } });
    img.mf.children!.push({ fid: '5015', type: 'ADF', aid: 'A000000063504B43532D3135', access: { create: 'NEV' }, children: [ef('5031', 64), ef('5032', 128), ef('6430', 255), ef('6450', 2048), ef('6460', 1024)] });
    const { link } = await card(img);
    const r1 = await writePlan(link, plan('card-profiles/operator-dm.yaml'), { secrets, backupDir: false });
    expect(r1.atomic).toBe(true);
    const r2 = await writePlan(link, plan('card-profiles/operator-dm.yaml', (a) => a.replace('dm.', 'dm3.')), { secrets, backupDir: false });
    expect(r2.atomic).toBe(false);
    expect(r2.warnings[0]).toMatch(/DM Bootstrap: no second file slot \(6451\) and CREATE FILE refused \(6982\): written in place, not atomic/);
    const st = await readBootstrap(link);
    expect(st.files.find((f) => f.label === 'DM Bootstrap')!.content!.fields['./DMAcc/OperatorDM/AppAddr/srv/Addr']).toBe('https://dm3.operator.example/oma-dm');
  });

  it('backup and rollback: the backed-up bootstrap comes back through the same switch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdm-bk-'));
    const { link } = await card();
    const v1 = plan('card-profiles/operator-dm.yaml');
    await writePlan(link, v1, { secrets, backupDir: dir });
    const r = await writePlan(link, plan('card-profiles/operator-dm.yaml', (a) => a.replace('dm.', 'dm4.')), { secrets, backupDir: dir });
    const rb = await writePlan(link, backupToPlan(loadBackup(r.backup!)), { secrets, backupDir: dir });
    expect(rb.atomic).toBe(true);
    const st = await readBootstrap(link);
    for (const f of v1.files) expect(st.files.find((x) => x.label === f.label)!.content!.fields).toEqual(f.fields);
  });
});

describe('a DODF longer than one command', () => {
  it('is written whole into its other FID and EF.ODF switches to it, both ways', async () => {
    const { mkdtempSync: mk, writeFileSync: wf } = await import('node:fs');
    const d = mk(join(tmpdir(), 'simdm-big-'));
    const cp = (id: string, kind: string, name: string) => `  - id: ${id}\n    kind: ${kind}\n    label: ${name} provisioning document\n    cp:\n      bootstrap: { name: ${name} }\n`;
    const p = join(d, 'big.yaml');
    const text = (n: string) => `name: big\nauthorities:\n  operator: ADM1\nfiles:\n${cp('b', 'cpBootstrap', n)}${cp('c1', 'cpConfig1', 'Config one')}${cp('c2', 'cpConfig2', 'Config two')}`;
    wf(p, text('Boot'));
    const { link } = await card();
    const v1 = compileProfile(loadProfile(p, {}));
    const r1 = await writePlan(link, v1, { secrets, backupDir: false });
    expect(r1.atomic).toBe(true);
    expect(r1.directories).toContain('EF.DODF 6530');
    let st = await readBootstrap(link);
    expect(st.odf!.dodfPaths.map((x) => Buffer.from(x).toString('hex'))).toEqual(['6530']);
    expect(st.files).toHaveLength(3);
    wf(p, text('Boot2'));
    const v2 = compileProfile(loadProfile(p, {}));
    const r2 = await writePlan(link, v2, { secrets, backupDir: false });
    expect(r2).toMatchObject({ atomic: true, warnings: [] });
    expect(r2.directories).toEqual(['EF.DODF 6430', 'EF.ODF']);
    st = await readBootstrap(link);
    expect(st.odf!.dodfPaths.map((x) => Buffer.from(x).toString('hex'))).toEqual(['6430']);
    expect(st.files.find((f) => f.kind === 'cpBootstrap')!.content!.fields['BOOTSTRAP[1]/NAME']).toBe('Boot2');
    expect((await writePlan(link, v2, { secrets, backupDir: false })).changed).toBe(false);
  });
});
