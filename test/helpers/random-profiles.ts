/**
 * Random bootstrap profiles for the device-target property test and its e2e sample: 1-6 files
 * of every kind (CP kinds once each: their slot pairs are adjacent), 1-3 authorities (ADM1-3),
 * LwM2M files from small to well over the 256 bytes a device reads at once, with or without the
 * OMA API layout option. Each case carries what every target must do with it, from the
 * devices' rules (docs/profiles.md "Device targets"), not from simdm's code.
 */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetName } from '../../src/bootstrap/targets/index.js';

export interface RandomProfile {
  yaml: string;
  authorities: number;
  omapi: boolean;
  kinds: string[];
}

const host = fc.stringMatching(/^[a-z][a-z0-9]{2,50}$/);
const server = (i: number) =>
  fc.record({ host, psk: fc.boolean(), identity: fc.stringMatching(/^[A-Za-z0-9]{1,40}$/), key: fc.uint8Array({ minLength: 16, maxLength: 32 }) }).map((s) => {
    const sec = s.psk ? `securityMode: psk, identity: "${s.identity}", secretKey: "${Buffer.from(s.key).toString('hex')}"` : 'securityMode: nosec';
    return `        - { uri: "coaps://${s.host}.example:5684", ${sec}, shortServerId: ${i + 1} }\n`;
  });
const lwm2m = fc
  .integer({ min: 1, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => server(i))))
  .map((ss) => `    lwm2m:\n      servers:\n${ss.join('')}`);
const dm = host.map(
  (h) =>
    `    dm:\n      target: IMEI:1\n      source: https://${h}.example/dm\n      accounts:\n        - { nodeName: A${h.slice(0, 8)}, serverId: ${h}, name: ${h}, addr: "https://${h}.example/dm", appAuth: [] }\n`,
);
const cp = host.map((h) => `    cp:\n      bootstrap: { name: ${h} }\n`);

export const randomProfile: fc.Arbitrary<RandomProfile> = fc
  .record({
    authorities: fc.integer({ min: 1, max: 3 }),
    omapi: fc.boolean(),
    files: fc.array(
      fc.record({
        kind: fc.constantFrom('lwm2m', 'dm', 'cpBootstrap', 'cpConfig1', 'cpConfig2'),
        owner: fc.integer({ min: 0, max: 2 }),
        label: fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,40}$/), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    lw: fc.array(lwm2m, { minLength: 6, maxLength: 6 }),
    dm: fc.array(dm, { minLength: 6, maxLength: 6 }),
    cp: fc.array(cp, { minLength: 6, maxLength: 6 }),
  })
  .map((r) => {
    const seen = new Set<string>();
    const files = r.files.filter((f) => !f.kind.startsWith('cp') || (!seen.has(f.kind) && seen.add(f.kind)));
    const auth = Array.from({ length: r.authorities }, (_, i) => `  a${i}: ADM${i + 1}\n`).join('');
    const body = files
      .map((f, i) => {
        const content = f.kind === 'lwm2m' ? r.lw[i]! : f.kind === 'dm' ? r.dm[i]! : r.cp[i]!;
        return `  - id: f${i}\n    kind: ${f.kind}\n    authority: a${f.owner % r.authorities}\n${f.label ? `    label: "${f.label} ${i}"\n` : ''}${content}`;
      })
      .join('');
    return {
      yaml: `name: random\n${r.omapi ? 'layout: { omapi: true }\n' : ''}authorities:\n${auth}files:\n${body}`,
      authorities: r.authorities,
      omapi: r.omapi,
      kinds: files.map((f) => f.kind),
    };
  });

export function writeProfile(p: RandomProfile): string {
  const f = join(mkdtempSync(join(tmpdir(), 'simdm-random-')), 'random.yaml');
  writeFileSync(f, p.yaml);
  return f;
}

/**
 * What a target must do with a card written from the profile: undefined = not applicable,
 * true = loads what it should, false = refuses. `firstLwm2mBytes`: the size of the profile's
 * first LwM2M file (header + objects).
 */
export function expectedOutcome(t: TargetName, p: RandomProfile, firstLwm2mBytes: number | undefined): boolean | undefined {
  const has = (k: string) => p.kinds.includes(k);
  switch (t) {
    case 'nrf91':
      // one READ BINARY of 256 bytes; the layout puts its entry in the last DODF
      return has('lwm2m') ? firstLwm2mBytes! <= 256 : undefined;
    case 'omapi':
      // searchOID reads only the A7 form, which the layout option adds
      return has('dm') || has('lwm2m') ? p.omapi : undefined;
    default:
      // every file: each DODF <= 255 bytes, applicationName in every oidDO, opaqueDOs first
      return true;
  }
}
