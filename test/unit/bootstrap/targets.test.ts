/**
 * Device targets as oracles (src/bootstrap/targets): every shipped example, written to the
 * virtual UICC by the writer, loads on every target that supports its kinds; the three cards of
 * issue #11 load on the nRF91 model; cards as the previous simdm wrote them are written over and
 * rolled back; the models refuse what the devices refuse, for the reasons the devices have.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { backupToPlan, loadBackup } from '../../../src/bootstrap/backup.js';
import { compileProfile } from '../../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../../src/bootstrap/profile/load.js';
import { readBootstrap } from '../../../src/bootstrap/reader.js';
import { checkPlan, judge, TARGETS, runTargets } from '../../../src/bootstrap/targets/index.js';
import { nrfBootstrapObjects, nrfDodfPath } from '../../../src/bootstrap/targets/nrf91.js';
import { searchOid } from '../../../src/bootstrap/targets/omapi.js';
import { strictDodf } from '../../../src/bootstrap/targets/strict.js';
import { TargetRefusal } from '../../../src/bootstrap/targets/types.js';
import { writePlan } from '../../../src/bootstrap/writer.js';
import { defaultImage, pinHex } from '../../../src/sim/default-image.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { fromHex } from '../../../src/util/hex.js';
import { SecretStore } from '../../../src/util/secrets.js';
import { legacyWrite } from './legacy-card.js';

const ICCID = '89441000000000000156';
const secrets = new SecretStore({
  SIMDM_ADM1: '88888888',
  SIMDM_ADM2: '87654321',
  SIMDM_LWM2M_PSK: '000102030405060708090A0B0C0D0E0F',
  SIMDM_ENT_DM_SECRET: 'corp',
} as unknown as NodeJS.ProcessEnv);
const plan = (p: string) => compileProfile(loadProfile(p, { vars: () => ICCID, secrets: (n) => secrets.get(n) }), { iccid: ICCID });

async function card() {
  const img = defaultImage();
  img.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('87654321'), retries: 3, maxRetries: 3, enabled: true });
  const t = new InProcessTransport(new VirtualUicc(img), 'targets');
  await t.connect();
  return new CardLink(t);
}

function profileFile(text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'simdm-tgt-')), 'p.yaml');
  writeFileSync(p, text);
  return p;
}

const lwm2mFile = (id: string, authority: string, uri: string) =>
  `  - id: ${id}\n    kind: lwm2m\n    authority: ${authority}\n    lwm2m:\n      servers:\n        - { uri: "${uri}", securityMode: nosec, shortServerId: 1 }\n`;
const dmFile = (id: string, authority: string, addr: string) =>
  `  - id: ${id}\n    kind: dm\n    authority: ${authority}\n    dm:\n      target: IMEI:1\n      source: ${addr}\n      accounts:\n        - { nodeName: ${id}, serverId: ${id}.example, name: ${id}, addr: "${addr}", appAuth: [] }\n`;
const cpFile = (id: string, kind: string, name: string) => `  - id: ${id}\n    kind: ${kind}\n    cp:\n      bootstrap: { name: ${name} }\n`;

describe('device targets read what the writer wrote', () => {
  for (const f of readdirSync('card-profiles').filter((x) => x.endsWith('.yaml'))) {
    it(`card-profiles/${f} loads on every target that supports its kinds`, async () => {
      const p = plan(`card-profiles/${f}`);
      const link = await card();
      await writePlan(link, p, { secrets, backupDir: false });
      for (const r of await runTargets(link)) {
        const v = judge(p, r);
        if (!v.applies) continue;
        expect(v, `${f} on ${r.target}`).toMatchObject({ loads: true, reasons: [] });
      }
    });
  }

  it("the issue's three cards load on nrf91 with the objects `bootstrap read` shows", async () => {
    const cards = [
      profileFile(
        `name: a\nauthorities:\n  operator: ADM1\n  enterprise: { key: ADM2 }\nfiles:\n${lwm2mFile('lw', 'operator', 'coap://op.example:5683')}${dmFile('ent', 'enterprise', 'https://corp.example/dm')}`,
      ),
      profileFile(
        `name: b\nauthorities:\n  operator: ADM1\nfiles:\n${cpFile('b', 'cpBootstrap', 'B')}${cpFile('c1', 'cpConfig1', 'C1')}${cpFile('c2', 'cpConfig2', 'C2')}${lwm2mFile('lw', 'operator', 'coap://op.example:5683')}${dmFile('dm', 'operator', 'https://dm.example/dm')}`,
      ),
      'card-profiles/lwm2m-iot.yaml',
    ];
    for (const c of cards) {
      const p = plan(c);
      const link = await card();
      await writePlan(link, p, { secrets, backupDir: false });
      const [r] = await runTargets(link, ['nrf91']);
      const st = await readBootstrap(link);
      expect(r!.reasons, c).toEqual([]);
      expect(r!.files[0]!.fields).toEqual(st.files.find((x) => x.kind === 'lwm2m')!.content!.fields);
    }
  });

  it('checkPlan reports a LwM2M file over 256 bytes as refused by nrf91, with the sizes', async () => {
    const servers = Array.from(
      { length: 4 },
      (_, i) =>
        `        - { uri: "coaps://server-number-${i}.iot.example.com:5684", securityMode: psk, identity: "device-identity-${i}", secretKey: "00112233445566778899AABBCCDDEEFF", shortServerId: ${i + 1} }\n`,
    ).join('');
    const p = plan(profileFile(`name: big\nauthorities:\n  operator: ADM1\nfiles:\n  - id: lw\n    kind: lwm2m\n    lwm2m:\n      servers:\n${servers}`));
    expect(p.files[0]!.bytes.length).toBeGreaterThan(256);
    const [v] = await checkPlan(p, ['nrf91']);
    expect(v).toMatchObject({ applies: true, loads: false });
    expect(v!.reasons[0]).toMatch(new RegExp(`announces ${p.files[0]!.bytes.length - 4} \\+ 4 bytes; nrf91 reads one 256-byte block`));
  });
});

describe('cards written by the previous simdm', () => {
  for (const big of [false, true]) {
    it(`${big ? 'five files (one 300+-byte DODF at 6530)' : 'lwm2m-iot (oidDO with 30 00)'}: nrf91 and strict refuse them; profile write moves them to the new layout; rollback restores the old bytes`, async () => {
      const src = big
        ? profileFile(
            `name: b\nauthorities:\n  operator: ADM1\nfiles:\n${cpFile('b', 'cpBootstrap', 'B')}${cpFile('c1', 'cpConfig1', 'C1')}${cpFile('c2', 'cpConfig2', 'C2')}${lwm2mFile('lw', 'operator', 'coap://op.example:5683')}${dmFile('dm', 'operator', 'https://dm.example/dm')}`,
          )
        : 'card-profiles/lwm2m-iot.yaml';
      const p = plan(src);
      const link = await card();
      await legacyWrite(link, p);
      const old = await readBootstrap(link);
      expect(old.files).toHaveLength(p.files.length);
      const before = await runTargets(link, ['nrf91', 'strict']);
      // nrf91 cannot cut the 300+-byte DODF; the single-file card it reads (its file fits)
      expect(before[0]!.files).toHaveLength(big ? 0 : 1);
      expect(before[1]!.reasons.join(' ')).toMatch(/neither applicationName nor applicationOID/);
      const dir = mkdtempSync(join(tmpdir(), 'simdm-legacy-'));
      const w = await writePlan(link, p, { secrets, backupDir: dir });
      expect(w.atomic).toBe(true);
      for (const r of await runTargets(link)) {
        const v = judge(p, r);
        // omapi reads only the searchOID form, which this profile does not ask for (layout.omapi)
        if (v.applies) expect(v, `${r.target}: ${JSON.stringify(r.reasons)}`).toMatchObject({ loads: r.target !== 'omapi' || !!p.layout?.omapi });
      }
      const rb = await writePlan(link, backupToPlan(loadBackup(w.backup!)), { secrets, backupDir: false });
      expect(rb.atomic).toBe(true);
      const back = await readBootstrap(link);
      const view = (st: typeof old) => st.files.map((f) => [f.label, f.content!.fields] as const).sort((a, b) => a[0]!.localeCompare(b[0]!));
      expect(view(back)).toEqual(view(old));
    });
  }
});

/** DER by hand, for the vectors below (short lengths only). */
const tlv = (tag: number, ...parts: (Uint8Array | number[])[]): Uint8Array => {
  const body = parts.flatMap((x) => [...x]);
  return Uint8Array.from([tag, body.length, ...body]);
};
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const LABEL = tlv(0x0c, utf8('LwM2M Bootstrap'));
const path = (fid: string) => tlv(0x30, tlv(0x04, fromHex(fid)));
const LWM2M_OID = tlv(0x06, [0x67, 0x2b, 0x09, 0x01]);

describe('target models refuse what the devices refuse', () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof TargetRefusal) return e.message;
      throw e;
    }
    return undefined;
  };
  // the DODF of the nRF Connect SDK's own uicc_lwm2m unit test: label empty, applicationName
  // "LwM2M Bootstrap", the OID mis-encoded as 06 06 06 04 67 2B 09 01
  const sdkDodf = tlv(0xa1, tlv(0x30), tlv(0x30, LABEL), tlv(0xa1, tlv(0x30, tlv(0x06, [0x06, 0x04, 0x67, 0x2b, 0x09, 0x01]), path('6432'))));

  it('nrf91: the SDK test DODF gives 6432; a DODF cut off by the 256-byte read is rejected whole; FF padding is fine', () => {
    expect(nrfDodfPath(sdkDodf)).toBe('6432');
    expect(nrfDodfPath(Uint8Array.from([...sdkDodf, 0xff, 0xff, 0xff]))).toBe('6432');
    expect(refusal(() => nrfDodfPath(Uint8Array.from([...sdkDodf, 0x30, 0x40, 0x30, 0x00])))).toMatch(/rejected whole/);
  });

  it('nrf91: the bootstrap file of the SDK test loads; a header announcing more than was read does not', () => {
    const uri = utf8('coap://leshan.eclipseprojects.io:5783');
    const inst = [0xc8, 0x00, uri.length, ...uri, 0xc1, 0x01, 0x01, 0xc1, 0x02, 0x03];
    const obj = [0x08, 0x00, inst.length, ...inst];
    const file = Uint8Array.from([0x00, 0x01, 0x00, obj.length + 5, 0x00, 0x00, 0x00, 0x00, obj.length, ...obj, 0xff, 0xff]);
    expect(file.length).toBe(60); // the SDK test's lwm2m_tlv[] is 60 bytes
    const objs = nrfBootstrapObjects(file);
    expect(objs[0]!.instances[0]!.resources[0]).toEqual({ type: 'string', value: 'coap://leshan.eclipseprojects.io:5783' });
    const big = new Uint8Array(256).fill(0xff);
    big.set([0x00, 0x01, 0x01, 0x00]);
    expect(refusal(() => nrfBootstrapObjects(big))).toMatch(/announces 256 \+ 4 bytes; nrf91 reads one 256-byte block/);
  });

  it('omapi: searchOID finds nothing in a PKCS#15 DODF, and the Path in the A7 form', () => {
    const dmOid = tlv(0x06, [0x67, 0x2b, 0x07, 0x01]);
    const pkcs15 = tlv(0xa1, tlv(0x30, LABEL), tlv(0x30, LABEL), tlv(0xa1, tlv(0x30, dmOid, path('6450'))));
    expect(searchOid(pkcs15, '2.23.43.7.1')).toBeUndefined();
    expect(searchOid(tlv(0xa7, tlv(0x30, dmOid, path('6450'))), '2.23.43.7.1')).toEqual(fromHex('04026450'));
  });

  it('strict: an oidDO whose CommonDataObjectAttributes is 30 00 is refused; with applicationName it passes', () => {
    const empty = tlv(0xa1, tlv(0x30, LABEL), tlv(0x30), tlv(0xa1, tlv(0x30, LWM2M_OID, path('6440'))));
    expect(refusal(() => strictDodf(empty, 'EF.DODF 6430'))).toMatch(/is empty \(30 00\), neither applicationName nor applicationOID/);
    const named = tlv(0xa1, tlv(0x30, LABEL), tlv(0x30, LABEL), tlv(0xa1, tlv(0x30, LWM2M_OID, path('6440'))));
    expect(strictDodf(named, 'EF.DODF').map((e) => e.oid)).toEqual(['2.23.43.9.1']);
    expect(TARGETS.strict.kinds).toContain('lwm2m');
  });
});
