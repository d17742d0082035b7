/** simdm wbxml decode / encode / languages, run as a user would (from the sources, test/helpers/cli.ts). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalTree, decodeWbxml, parseXml } from '../../../../src/codec/wbxml/index.js';
import { simdmArgv } from '../../../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../../../..');
const FIX = join(ROOT, 'test/fixtures/wbxml');
const simdm = (args: string[], input?: Buffer | string) => spawnSync(process.execPath, simdmArgv(args), { input, cwd: ROOT });

describe('simdm wbxml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simdm-wbxml-cli-'));
  const canonFile = (f: string) => canonicalTree(parseXml(readFileSync(f, 'utf8')).root);

  it('encode -o FILE, then decode -o FILE gives the same tree', () => {
    const wb = join(dir, 'a.wbxml');
    const xml = join(dir, 'a.xml');
    expect(simdm(['wbxml', 'encode', join(FIX, 'prov-dm-account.xml'), '-o', wb]).status).toBe(0);
    expect(decodeWbxml(new Uint8Array(readFileSync(wb))).publicId).toBe(0x0b);
    expect(simdm(['wbxml', 'decode', wb, '-o', xml]).status).toBe(0);
    expect(canonFile(xml)).toEqual(canonFile(join(FIX, 'prov-dm-account.xml')));
  }, 60_000);

  it('stdin/stdout: hex by default, binary with -o -, decode reads hex text too', () => {
    const xml = readFileSync(join(FIX, 'syncml-dm-bootstrap.xml'));
    const hex = simdm(['wbxml', 'encode', '-'], xml);
    expect(hex.status).toBe(0);
    expect(hex.stdout.toString().trim()).toMatch(/^03A4016A[0-9A-F]+$/);
    const bin = simdm(['wbxml', 'encode', '-', '-o', '-'], xml);
    expect(Buffer.from(bin.stdout).toString('hex').toUpperCase()).toBe(hex.stdout.toString().trim());
    const back = simdm(['wbxml', 'decode', '-'], hex.stdout);
    expect(back.status).toBe(0);
    expect(canonicalTree(parseXml(back.stdout.toString()).root)).toEqual(canonicalTree(parseXml(xml.toString()).root));
  }, 60_000);

  it('bad bytes: one line on stderr naming offset and token, exit 1', () => {
    const r = simdm(['wbxml', 'decode', '-'], Buffer.from('030B6A0008', 'hex'));
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toBe(
      'simdm: wbxml: unknown tag token 0x08 on page 0 of public id 0x0B (OMA Client Provisioning 1.0/1.1 (wap-provisioningdoc)) (tag 0x08, offset 4)\n',
    );
  }, 60_000);

  it('languages lists the tables', () => {
    const out = execFileSync(process.execPath, simdmArgv(['wbxml', 'languages']), { cwd: ROOT }).toString();
    expect(out).toMatch(/prov10\s+0x0B\s+-\/\/WAPFORUM\/\/DTD PROV 1.0\/\/EN/);
    expect(out).toMatch(/syncml12\s+0x1201/);
  }, 60_000);
});
