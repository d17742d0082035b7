import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProfile } from '../../../src/bootstrap/profile/compile.js';
import { loadProfile, ProfileError } from '../../../src/bootstrap/profile/load.js';

const dir = mkdtempSync(join(tmpdir(), 'simdm-profile-'));
const put = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function err(f: () => unknown): ProfileError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProfileError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('profiles', () => {
  it('the shipped examples validate and compile', () => {
    for (const p of ['operator-dm', 'lwm2m-iot', 'enterprise-dm', 'cp-import']) {
      const lp = loadProfile(`card-profiles/${p}.yaml`, { placeholders: true });
      const plan = compileProfile(lp);
      expect(plan.files.length).toBeGreaterThan(0);
      for (const f of plan.files) expect(f.bytes.length).toBeGreaterThan(20);
    }
  });

  it('extends and includes: inherited authorities and files, replaced by id', () => {
    const lp = loadProfile('card-profiles/enterprise-dm.yaml', { placeholders: true });
    expect(Object.keys(lp.profile.authorities)).toEqual(['operator', 'enterprise']);
    expect(lp.profile.files.map((f) => f.id)).toEqual(['operator-cp', 'operator-dm', 'enterprise-dm']);
    expect(lp.secretNames).toEqual(['ENT_DM_SECRET']);
    const plan = compileProfile(lp);
    expect(plan.authorities.map((a) => [a.name, a.key, a.dodf])).toEqual([
      ['operator', 'ADM1', 0x6430],
      ['enterprise', 'ADM2', 0x6431],
    ]);
    // a second DM file takes the next slot pair
    expect(plan.files.find((f) => f.id === 'enterprise-dm')!.slots).toEqual([0x6452, 0x6453]);
  });

  it('a validation error names file, line and field', () => {
    const p = put(
      'a.yaml',
      'name: a\nauthorities:\n  operator: ADM1\nfiles:\n  - id: l\n    kind: lwm2m\n    lwm2m:\n      servers:\n        - uri: http://x\n          securityMode: nosec\n          shortServerId: 1\n',
    );
    const e = err(() => loadProfile(p, { placeholders: true }));
    expect(e.message).toBe(`${p}:9: files[0].lwm2m.servers[0].uri: a coap://, coaps:// or sms: URI`);
    expect(e.line).toBe(9);
  });

  it('an error in an inherited file points into the base profile', () => {
    const base = put(
      'base.yaml',
      'name: base\nauthorities:\n  operator: ADM1\nfiles:\n  - id: cp\n    kind: cpBootstrap\n    cp:\n      napdef:\n        - napid: N\n          apn: ""\n',
    );
    const child = put('child.yaml', `name: child\nextends: base.yaml\n`);
    void child;
    const e = err(() => loadProfile(join(dir, 'child.yaml'), { placeholders: true }));
    expect(e.file).toBe(base);
    expect(e.line).toBe(10);
    expect(e.field).toBe('files[0].cp.napdef[0].apn');
  });

  it('cross-field rules: content matching the kind, PSK needs a key, one ADM key per authority', () => {
    const p1 = put('k.yaml', 'name: k\nauthorities:\n  operator: ADM1\nfiles:\n  - id: x\n    kind: dm\n    cp: {}\n');
    expect(err(() => loadProfile(p1, { placeholders: true })).message).toMatch(/k\.yaml:7: files\[0\]\.cp: a dm file takes 'dm:' content, not 'cp:'/);
    const p2 = put(
      'psk.yaml',
      'name: p\nauthorities:\n  operator: ADM1\nfiles:\n  - id: x\n    kind: lwm2m\n    lwm2m:\n      servers:\n        - uri: coaps://a\n          bootstrap: true\n          securityMode: psk\n          identity: me\n',
    );
    expect(err(() => loadProfile(p2, { placeholders: true })).message).toMatch(
      /psk\.yaml:9: files\[0\]\.lwm2m\.servers\[0\]: PSK mode needs identity \(or identityHex\) and secretKey/,
    );
    const p3 = put('seg.yaml', 'name: s\nauthorities:\n  operator: ADM1\n  corp: ADM1\nfiles:\n  - id: x\n    kind: cpBootstrap\n    cp: {}\n');
    expect(err(() => loadProfile(p3, { placeholders: true })).message).toMatch(
      /seg\.yaml:3: authorities\.operator: authorities 'operator' and 'corp' use the same key ADM1/,
    );
  });

  it('variables and secrets: per-card values substituted, a missing secret named without its value', () => {
    const p = put(
      'v.yaml',
      'name: v\nauthorities:\n  operator: ADM1\nfiles:\n  - id: d\n    kind: dm\n    dm:\n      target: "ICCID:${ICCID}"\n      source: s\n      accounts:\n        - nodeName: N\n          serverId: s\n          addr: https://a\n          appAuth:\n            - { level: CLCRED, type: DIGEST, name: "${IMSI}", secret: "${SECRET:PW}" }\n',
    );
    const e = err(() => loadProfile(p, { vars: (n) => ({ ICCID: '123', IMSI: '001' })[n] }));
    expect(e.message).toMatch(/v\.yaml:15: files\[0\]\.dm\.accounts\[0\]\.appAuth\[0\]\.secret: secret PW is not set: export SIMDM_PW=/);
    const lp = loadProfile(p, { vars: (n) => ({ ICCID: '123', IMSI: '001' })[n], secrets: () => 'hunter2' });
    const plan = compileProfile(lp);
    expect(plan.files[0]!.fields['hdr/Target']).toBe('ICCID:123');
    expect(plan.files[0]!.fields['./DMAcc/N/AppAuth/cli/AAuthName']).toBe('001');
    expect(plan.files[0]!.fields['./DMAcc/N/AppAuth/cli/AAuthSecret']).toBe('hunter2');
    expect(e.message).not.toContain('hunter2');
  });
});
