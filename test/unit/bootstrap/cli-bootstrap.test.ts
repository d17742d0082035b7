/**
 * The bootstrap commands as a user runs them (`simdm` from the sources, the virtual UICC saved in
 * an image file): a card without bootstrap is an error for `bootstrap read`; `profile validate
 * --target` refuses what a required target would not load and says why; `bootstrap detect
 * --targets` runs every target and lists each file once; a misspelt key is reported at its line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serialText } from '../../../src/cli/commands/bootstrap.js';
import { loadProfile } from '../../../src/bootstrap/profile/load.js';
import { fromHex } from '../../../src/util/hex.js';
import { runSimdm } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'simdm-cli-bs-'));
const env = { SIMDM_ADM1: '88888888', SIMDM_LWM2M_PSK: '000102030405060708090A0B0C0D0E0F' };

describe('bootstrap and profile commands', () => {
  it('read on a blank card exits 1; write, then detect --targets finds the file on every target, each file listed once', async () => {
    const img = join(dir, 'card.json');
    expect((await runSimdm(['vcard', 'init', '--out', img])).code).toBe(0);
    const blank = await runSimdm(['--reader', `sim:${img}`, 'bootstrap', 'read']);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toMatch(/no bootstrap on this card: PKCS#15 application A000000063504B43532D3135 not found/);
    const w = await runSimdm(['--reader', `sim:${img}`, 'profile', 'write', 'card-profiles/lwm2m-iot.yaml', '--no-backup', '--target', 'all'], { env });
    expect(w.code, w.stderr).toBe(0);
    const d = await runSimdm(['--reader', `sim:${img}`, 'bootstrap', 'detect', '--targets']);
    expect(d.code, d.stderr).toBe(0);
    for (const t of ['nrf91', 'omapi', 'opensc', 'strict']) expect(d.stdout).toMatch(new RegExp(`${t} +found LwM2M Bootstrap \\(6440`));
    expect(d.stdout.match(/LwM2M Bootstrap +2\.23\.43\.9\.1 -> 6440/g)).toHaveLength(1);
    expect(d.stdout).toMatch(/opaqueDO \+ oidDO: one file, both entry forms/);
    expect(d.stdout).toMatch(/serial \d+\n/);
  }, 120_000);

  it('validate --target nrf91 refuses a LwM2M file over 256 bytes, naming the sizes; without --target it is a warning', async () => {
    const servers = Array.from(
      { length: 4 },
      (_, i) =>
        `        - { uri: "coaps://server-number-${i}.iot.example.com:5684", securityMode: psk, identity: "device-identity-${i}", secretKey: "00112233445566778899AABBCCDDEEFF", shortServerId: ${i + 1} }\n`,
    ).join('');
    const p = join(dir, 'big.yaml');
    writeFileSync(p, `name: big\nauthorities:\n  operator: ADM1\nfiles:\n  - id: lw\n    kind: lwm2m\n    lwm2m:\n      servers:\n${servers}`);
    const strict = await runSimdm(['profile', 'validate', p, '--target', 'nrf91']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/nrf91: will NOT load this card: the LwM2M bootstrap file announces \d+ \+ 4 bytes; nrf91 reads one 256-byte block/);
    const loose = await runSimdm(['profile', 'validate', p]);
    expect(loose.code, loose.stderr).toBe(0);
    expect(loose.stdout).toMatch(/target nrf91: will NOT load this card/);
  }, 120_000);
});

describe('small user-facing fixes', () => {
  it('the TokenInfo serial of an odd-length ICCID prints without its F filler', () => {
    expect(serialText(fromHex('8944100000000000015F'))).toBe('8944100000000000015');
    expect(serialText(fromHex('0A0B'))).toBe('0A0B');
  });

  it("a misspelt key is reported at its own line, with the index in the user's own file", () => {
    writeFileSync(
      join(dir, 'base.yaml'),
      'name: base\nauthorities:\n  operator: ADM1\nfiles:\n  - id: cp1\n    kind: cpBootstrap\n    cp:\n      bootstrap: { name: A }\n',
    );
    writeFileSync(
      join(dir, 'child.yaml'),
      'name: child\nextends: base.yaml\nfiles:\n  - id: cp2\n    kind: cpConfig1\n    lable: oops\n    cp:\n      bootstrap: { name: B }\n',
    );
    expect(() => loadProfile(join(dir, 'child.yaml'), {})).toThrow(/child\.yaml:6: files\[0\]\.lable: Unrecognized key/);
  });
});
