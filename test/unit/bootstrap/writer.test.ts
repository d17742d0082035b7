import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { backupToPlan, loadBackup } from '../../../src/bootstrap/backup.js';
import { compileProfile } from '../../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../../src/bootstrap/profile/load.js';
import { readBootstrap } from '../../../src/bootstrap/reader.js';
import { writePlan } from '../../../src/bootstrap/writer.js';
import { slotSfis } from '../../../src/bootstrap/layout.js';
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
    // 6630: the Open Mobile API searchOID index of the example's `layout: { omapi: true }`; the
    // EF.DIR record goes in first, while EF.DIR is still selected from the read (blank card)
    expect(r1.directories).toEqual(['EF.DIR', 'EF.DODF 6630', 'EF.DODF 6430', 'EF.TokenInfo', 'EF.ODF']);
    const r2 = await writePlan(link, p, { secrets, backupDir: false });
    expect(r2).toMatchObject({ changed: false, updates: 0, creates: 0, keysVerified: [] });
    // issue #16: at most 45 APDUs for the first write with its read-back, 24 for a repeat, the
    // example's Open Mobile API index DODF (6630) included; see test/golden/first-write. The
    // savings: EF.DIR read first and only up to its first empty record (no SELECT by AID on a
    // blank card, none on a repeat: the record gives the path), the file slots read by SFI.
    expect(r1.apdus).toBeLessThanOrEqual(45);
    expect(r2.apdus).toBeLessThanOrEqual(24);
  });

  it('a repeat reads each file slot with one READ BINARY by SFI; a card written before SFIs, or a slot whose SFI names another file, is read by SELECT', async () => {
    const { c, link } = await card();
    const p = plan('card-profiles/operator-dm.yaml');
    await writePlan(link, p, { secrets, backupDir: false });
    const sfis = slotSfis(p);
    // the slots in use carry the SFI of the layout (FCP tag 88 on CREATE FILE)
    expect(c.fileAt('3F00/5015/6450')!.sfi).toBe(sfis.get(0x6450));
    expect(c.fileAt('3F00/5015/6460')!.sfi).toBe(sfis.get(0x6460));
    const bySfi = (await writePlan(link, p, { secrets, backupDir: false })).apdus!;
    // a card written by an earlier simdm: no SFI (empty tag 88); the first refusal ends SFI reads
    c.fileAt('3F00/5015/6450')!.sfi = null;
    c.fileAt('3F00/5015/6460')!.sfi = null;
    const old = await writePlan(link, p, { secrets, backupDir: false });
    expect(old).toMatchObject({ changed: false, updates: 0 });
    // a SELECT per file, and the one READ BINARY by SFI the card refused: as many as before SFIs
    expect(old.apdus).toBe(bySfi + 2 + 1);
    // another file answers to the DM slot's SFI: its bytes are not taken for the DM file
    c.fileAt('3F00/5015/6460')!.sfi = sfis.get(0x6450)!;
    const other = await writePlan(link, p, { secrets, backupDir: false });
    expect(other).toMatchObject({ changed: false, updates: 0 });
    const st = await readBootstrap(link);
    expect(st.files.map((f) => [f.label, f.path])).toEqual([
      ['CP Bootstrap', '6460'],
      ['DM Bootstrap', '6450'],
    ]);
  });

  it('a changed file goes to its other slot, the DODF switches in one command, the rest stays', async () => {
    const { link } = await card();
    await writePlan(link, plan('card-profiles/operator-dm.yaml'), { secrets, backupDir: false });
    const before = await readBootstrap(link);
    expect(fidOf(before, 'DM Bootstrap')).toBe('6450');
    const r = await writePlan(
      link,
      plan('card-profiles/operator-dm.yaml', (a) => a.replace('dm.', 'dm2.')),
      { secrets, backupDir: false },
    );
    expect(r.files.filter((f) => f.action === 'write').map((f) => [f.label, f.fid])).toEqual([['DM Bootstrap', 0x6451]]);
    // the PKCS#15 DODF switches in one command; the searchOID index follows in place
    expect(r.directories).toEqual(['EF.DODF 6430', 'EF.DODF 6630']);
    expect(r.atomic).toBe(true);
    const after = await readBootstrap(link);
    expect(fidOf(after, 'DM Bootstrap')).toBe('6451');
    expect(fidOf(after, 'CP Bootstrap')).toBe('6460');
  });

  it('EF.DIR announces the application but the card lacks it (pulled between the two), or lacks only EF.TokenInfo: the write completes', async () => {
    const p = plan('card-profiles/operator-dm.yaml');
    for (const cut of ['5015', '5015/5032']) {
      const { c, link } = await card();
      await writePlan(link, p, { secrets, backupDir: false });
      const parent = c.fileAt(cut === '5015' ? '3F00' : '3F00/5015')!;
      parent.children.splice(
        parent.children.findIndex((f) => f.fid === parseInt(cut.slice(-4), 16)),
        1,
      );
      const r = await writePlan(link, p, { secrets, backupDir: false });
      expect(r, cut).toMatchObject({ changed: true, atomic: true });
      const st = await readBootstrap(link, { details: true });
      expect(st.issues, cut).toEqual([]);
      for (const f of p.files) expect(st.files.find((x) => x.label === f.label)!.content!.fields, cut).toEqual(f.fields);
      expect(c.fileAt('3F00/2F00')!.records!.filter((x) => x[0] === 0x61 && Buffer.from(x).includes(Buffer.from(p.aid)))).toHaveLength(1);
    }
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
    const r = await writePlan(link, compileProfile(lp, { iccid: ICCID }), {
      secrets: new SecretStore({ SIMDM_ADM2: '87654321' } as unknown as NodeJS.ProcessEnv),
      backupDir: false,
    });
    expect(r.keysVerified).toEqual(['ADM2']);
    expect(r.directories).toEqual(['EF.DODF 6431', 'EF.DODF 6631']);
  });

  it('refuses to present an ADM key with one try left unless forced', async () => {
    const img = defaultImage();
    img.pins.find((p) => p.name === 'ADM1')!.retries = 1;
    const { link } = await card(img);
    await expect(writePlan(link, plan('card-profiles/lwm2m-iot.yaml'.replace('lwm2m-iot', 'operator-dm')), { secrets, backupDir: false })).rejects.toThrow(
      /ADM1 has 1 try left/,
    );
    const r = await writePlan(link, plan('card-profiles/operator-dm.yaml'), { secrets, backupDir: false, force: true });
    expect(r.changed).toBe(true);
  });

  it('a pre-created card with one file per kind and no CREATE: written in place, reported as not atomic', async () => {
    const img = defaultImage();
    const ef = (fid: string, size: number) => ({
      fid,
      type: 'EF' as const,
      structure: 'transparent' as const,
      size,
      access: { read: 'ALW' as const, update: 'ADM1' as const },
    });
    img.mf.children!.push({
      fid: '5015',
      type: 'ADF',
      aid: 'A000000063504B43532D3135',
      access: { create: 'NEV' },
      children: [ef('5031', 64), ef('5032', 128), ef('6430', 255), ef('6630', 255), ef('6450', 2048), ef('6460', 1024)],
    });
    const { c, link } = await card(img);
    const bk = mkdtempSync(join(tmpdir(), 'simdm-bk-'));
    const r1 = await writePlan(link, plan('card-profiles/operator-dm.yaml'), { secrets, backupDir: bk });
    expect(r1.atomic).toBe(true);
    // one backup, of the card as found by AID (the attempt that took it for blank left none)
    expect(readdirSync(bk)).toEqual([basename(r1.backup!)]);
    expect(loadBackup(r1.backup!).present).toBe(true);
    // EF.DIR had no record of the application: the write took the card for blank until CREATE
    // FILE refused the DF (6A89), gave the record it had filled its old bytes back, and found
    // the application by AID; EF.DIR ends with exactly one record for it
    const pkcs15 = c.fileAt('3F00/2F00')!.records!.filter((r) => Buffer.from(r).toString('hex').toUpperCase().includes('A000000063504B43532D3135'));
    expect(pkcs15).toHaveLength(1);
    expect(r1.files.map((f) => [f.label, f.fid])).toEqual([
      ['CP Bootstrap', 0x6460],
      ['DM Bootstrap', 0x6450],
    ]);
    const r2 = await writePlan(
      link,
      plan('card-profiles/operator-dm.yaml', (a) => a.replace('dm.', 'dm3.')),
      { secrets, backupDir: false },
    );
    expect(r2.atomic).toBe(false);
    expect(r2.warnings[0]).toMatch(/DM Bootstrap: no second file slot \(6451\) and CREATE FILE refused \(6982\): written in place, not atomic/);
    const st = await readBootstrap(link);
    expect(st.files.find((f) => f.label === 'DM Bootstrap')!.content!.fields['./DMAcc/OperatorDM/AppAddr/srv/Addr']).toBe(
      'https://dm3.operator.example/oma-dm',
    );
  });

  it('backup and rollback: the backed-up bootstrap comes back through the same switch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdm-bk-'));
    const { link } = await card();
    const v1 = plan('card-profiles/operator-dm.yaml');
    await writePlan(link, v1, { secrets, backupDir: dir });
    const r = await writePlan(
      link,
      plan('card-profiles/operator-dm.yaml', (a) => a.replace('dm.', 'dm4.')),
      { secrets, backupDir: dir },
    );
    const rb = await writePlan(link, backupToPlan(loadBackup(r.backup!)), { secrets, backupDir: dir });
    expect(rb.atomic).toBe(true);
    const st = await readBootstrap(link);
    for (const f of v1.files) expect(st.files.find((x) => x.label === f.label)!.content!.fields).toEqual(f.fields);
  });
});

describe('DODF layout: at most 255 bytes per DODF, the LwM2M DODF listed last', () => {
  const dodfList = (st: Awaited<ReturnType<typeof readBootstrap>>) => st.odf!.dodfPaths.map((x) => Buffer.from(x).toString('hex'));
  it('five files under one authority are split across DODFs; one changed file rewrites one DODF in place', async () => {
    const p = fiveFiles('Boot');
    const { link } = await card();
    const r1 = await writePlan(link, compileProfile(loadProfile(p, {})), { secrets, backupDir: false });
    expect(r1.atomic).toBe(true);
    let st = await readBootstrap(link);
    expect(st.files).toHaveLength(5);
    expect(st.issues).toEqual([]);
    for (const d of st.dodfs) expect(d.usedLength).toBeLessThanOrEqual(255);
    expect(st.dodfs.length).toBeGreaterThan(1);
    // the DODF listed last holds the LwM2M entry
    const last = st.dodfs[st.dodfs.length - 1]!;
    expect(last.objects.some((o) => o.form === 'oidDO' && o.oid === '2.23.43.9.1')).toBe(true);
    writeFileSync(p, readFileSync(p, 'utf8').replace('name: Boot', 'name: Boot2'));
    const r2 = await writePlan(link, compileProfile(loadProfile(p, {})), { secrets, backupDir: false });
    expect(r2).toMatchObject({ atomic: true, warnings: [] });
    expect(r2.directories).toHaveLength(1);
    expect(r2.directories[0]).toMatch(/^EF\.DODF 6[4-9A-F]30$/);
    st = await readBootstrap(link);
    expect(st.files.find((f) => f.kind === 'cpBootstrap')!.content!.fields['BOOTSTRAP[1]/NAME']).toBe('Boot2');
    expect(dodfList(st)).toEqual(dodfList(await readBootstrap(link)));
  });

  it('a file moving to a changed set of DODFs switches through the other bank and EF.ODF, both ways', async () => {
    const p = fiveFiles('Boot');
    const { link } = await card();
    await writePlan(link, compileProfile(loadProfile(p, {})), { secrets, backupDir: false });
    const first = dodfList(await readBootstrap(link));
    // two files change at once: two DODFs would change, so the set is written into bank 1
    writeFileSync(p, readFileSync(p, 'utf8').replace('name: Boot', 'name: Boot3').replace('dm.example/dm"', 'dm2.example/dm"'));
    const r = await writePlan(link, compileProfile(loadProfile(p, {})), { secrets, backupDir: false });
    expect(r).toMatchObject({ atomic: true, warnings: [] });
    expect(r.directories, JSON.stringify(r)).toContain('EF.ODF');
    const second = dodfList(await readBootstrap(link));
    expect(second.map((f) => parseInt(f, 16) - parseInt(first[second.indexOf(f)]!, 16))).toEqual(second.map(() => 0x100));
    expect((await writePlan(link, compileProfile(loadProfile(p, {})), { secrets, backupDir: false })).changed).toBe(false);
  });
});

/** A profile with five files under one authority (the issue's third failing card). */
function fiveFiles(boot: string): string {
  const d = mkdtempSync(join(tmpdir(), 'simdm-five-'));
  const cp = (id: string, kind: string, name: string) => `  - id: ${id}\n    kind: ${kind}\n    cp:\n      bootstrap: { name: ${name} }\n`;
  const lw = `  - id: lwm2m\n    kind: lwm2m\n    lwm2m:\n      servers:\n        - { uri: "coap://lwm2m.example:5683", securityMode: nosec, shortServerId: 1 }\n`;
  const dm = `  - id: dm\n    kind: dm\n    dm:\n      target: IMEI:1\n      source: https://dm.example/dm\n      accounts:\n        - { nodeName: Op, serverId: dm.example, name: Operator, addr: "https://dm.example/dm", appAuth: [] }\n`;
  const p = join(d, 'five.yaml');
  writeFileSync(
    p,
    `name: five\nauthorities:\n  operator: ADM1\nfiles:\n${cp('b', 'cpBootstrap', boot)}${cp('c1', 'cpConfig1', 'Config one')}${cp('c2', 'cpConfig2', 'Config two')}${lw}${dm}`,
  );
  return p;
}
