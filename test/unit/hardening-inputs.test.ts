/**
 * Issue 12 items 8, 10 and 11: every file input has a size limit with a clear error (sparse files
 * here: the limit is checked before a byte is read); secret-bearing files are mode 600 also when
 * they existed with a wider mode, and a readable --keys file is warned about; errors never echo
 * file content and carry stable codes (no "internal error" for a YAML alias bomb).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadProfile } from '../../src/bootstrap/profile/load.js';
import { loadVarsFile } from '../../src/bootstrap/profile/vars.js';
import { readTokenFile } from '../../src/bridge/scheme.js';
import { TokenStore } from '../../src/bridge/tokens.js';
import { loadBatch } from '../../src/perso/batch.js';
import { defaultImage } from '../../src/sim/default-image.js';
import { loadImage, saveImage } from '../../src/sim/image.js';
import { INPUT_LIMITS } from '../../src/util/input-file.js';
import { writeSecretFile } from '../../src/util/secret-file.js';
import { SecretStore } from '../../src/util/secrets.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'simdm-inputs-'));
const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

/** a sparse file one byte over `limit` */
function oversize(name: string, limit: number): string {
  const p = join(dir, name);
  writeFileSync(p, '');
  truncateSync(p, limit + 1);
  return p;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('input size limits (item 8)', () => {
  it('each file input refuses a file over its limit with input.too-large, naming file and limit', () => {
    const cases: [string, number, (p: string) => unknown][] = [
      ['p.yaml', INPUT_LIMITS.profile, (p) => loadProfile(p)],
      ['v.yaml', INPUT_LIMITS.vars, (p) => loadVarsFile(p)],
      ['img.json', INPUT_LIMITS.image, (p) => loadImage(p)],
      ['b.yaml', INPUT_LIMITS.batch, (p) => loadBatch(p)],
      ['tokens.json', INPUT_LIMITS.tokens, (p) => TokenStore.load(p)],
      ['token', INPUT_LIMITS.token, (p) => readTokenFile(p)],
      ['k.keys', INPUT_LIMITS.keys, (p) => new SecretStore({}, p)],
    ];
    for (const [name, limit, load] of cases) {
      const p = oversize(name, limit);
      chmodSync(p, 0o600);
      const t0 = performance.now();
      expect(() => load(p), name).toThrow(
        expect.objectContaining({ code: 'input.too-large', message: expect.stringContaining(`more than the ${limit} bytes`) }),
      );
      expect(performance.now() - t0).toBeLessThan(500);
    }
  });

  it('an include over the limit is refused too', () => {
    const inc = oversize('big-include.yaml', INPUT_LIMITS.profile);
    const p = join(dir, 'with-include.yaml');
    writeFileSync(p, `name: x\nincludes: [${inc}]\n`);
    expect(() => loadProfile(p)).toThrow(expect.objectContaining({ code: 'input.too-large' }));
  });
});

describe('error text (item 11)', () => {
  it('a corrupt card image names the position, not the surrounding text (PIN bytes)', () => {
    const p = join(dir, 'corrupt.json');
    const text = JSON.stringify(defaultImage()).replace('"value":"31323334FFFFFFFF"', '"value":"31323334FFFFFFFF" oops');
    expect(text).toContain('oops');
    writeFileSync(p, text);
    const e = (() => {
      try {
        loadImage(p);
      } catch (x) {
        return x as Error & { code: string };
      }
    })();
    expect(e?.code).toBe('sim.image');
    expect(e?.message).toMatch(/is not JSON \(syntax error at character \d+\)$/);
    expect(e?.message).not.toContain('3132');
  });

  it('a YAML alias bomb in a profile is a profile error, not an internal error', () => {
    const p = join(dir, 'bomb.yaml');
    const lines = ['name: bomb', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    writeFileSync(p, lines.join('\n') + '\n');
    const t0 = performance.now();
    expect(() => loadProfile(p)).toThrow(expect.objectContaining({ code: 'bootstrap.profile', message: expect.stringMatching(/YAML: .*alias/i) }));
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('secret-bearing files (item 10)', () => {
  it('writeSecretFile and card images narrow an existing 644 file to 600', () => {
    const p = join(dir, 'secret');
    writeFileSync(p, 'old', { mode: 0o644 });
    chmodSync(p, 0o644);
    writeSecretFile(p, 'new');
    expect(mode(p)).toBe('600');
    expect(readFileSync(p, 'utf8')).toBe('new');
    const img = join(dir, 'card.json');
    writeFileSync(img, '{}');
    chmodSync(img, 0o644);
    saveImage(img, defaultImage());
    expect(mode(img)).toBe('600');
  });

  it('a --keys file readable by group or others is warned about (as ssh does), a 600 one is not', () => {
    const p = join(dir, 'loose.keys');
    writeFileSync(p, 'PIN1=1234\n');
    chmodSync(p, 0o644);
    const w = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    new SecretStore({}, p);
    expect(w.mock.calls.map((c) => String(c[0])).join('')).toMatch(/loose\.keys is readable by group and others \(mode 644\).*chmod 600/);
    expect(w.mock.calls.map((c) => String(c[0])).join('')).not.toContain('1234');
    w.mockClear();
    chmodSync(p, 0o600);
    new SecretStore({}, p);
    expect(w).not.toHaveBeenCalled();
  });

  it('bridge token --out and perso keygen (to --out and to a redirected stdout) leave mode 600 on existing 644 files', () => {
    const tok = join(dir, 'tok');
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tok, 'old');
    writeFileSync(tokens, '{"principals":[]}');
    chmodSync(tok, 0o644);
    chmodSync(tokens, 0o644);
    const run = (args: string[], stdout: 'pipe' | number = 'pipe') =>
      spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', stdio: ['ignore', stdout, 'pipe'], timeout: 60_000 });
    const t = run(['bridge', 'token', '--tokens', tokens, '--id', 'a', '--out', tok]);
    expect(t.status, t.stderr).toBe(0);
    expect(mode(tok)).toBe('600');
    expect(mode(tokens)).toBe('600');
    // the documented quick start: simdm perso keygen > transport.keys
    const keys = join(dir, 'transport.keys');
    writeFileSync(keys, '');
    chmodSync(keys, 0o644);
    const fd = openSync(keys, 'w');
    const k = run(['perso', 'keygen'], fd);
    closeSync(fd);
    expect(k.status, k.stderr).toBe(0);
    expect(readFileSync(keys, 'utf8')).toMatch(/^TRANSPORT_KEY=[0-9A-F]{64}\n$/);
    expect(mode(keys)).toBe('600');
  }, 120_000);
});
