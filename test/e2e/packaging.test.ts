/**
 * The package as a user gets it: `npm pack` (prepack: a clean build of src/ into dist/), then
 * `npm install ./simdm-x.y.z.tgz` into an empty folder. The installed `simdm` runs without
 * TypeScript or tsx, the .d.ts files are there and type-check a consumer, and every example of
 * docs/library.md runs against the installed package.
 *
 * The install takes its dependencies from the npm cache when it can (--prefer-offline) and skips
 * the dependencies' install scripts (--ignore-scripts): the native addons (pcsclite,
 * better-sqlite3) would otherwise compile for minutes; nothing here loads them (the examples use
 * the in-process virtual card `sim:`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'simdm-pack-'));
const app = join(dir, 'app');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
let files: string[] = [];

beforeAll(() => {
  // scripts/test.sh makes a clean build once before the suite (SIMDM_DIST_FRESH=1); run alone,
  // `npm pack` builds through the prepack script
  const out = npm(['pack', '--json', '--pack-destination', dir, ...(process.env.SIMDM_DIST_FRESH ? ['--ignore-scripts'] : [])], ROOT);
  const info = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  files = info[0]!.files.map((f) => f.path);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // @types/node beside it, as a TypeScript user would have it (the declarations mention Buffer, NodeJS)
  const typesNode = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;
  npm(
    [
      'install',
      '--prefer-offline',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      join(dir, info[0]!.filename),
      `@types/node@${typesNode}`,
    ],
    app,
  );
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack + npm install of the tarball', () => {
  it('the tarball holds the build, declarations, bin, docs, profiles and scripts; no sources, tests or maps', () => {
    expect(files).toContain('bin/simdm.js');
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/api/codec.d.ts');
    expect(files).toContain('docs/library.md');
    expect(files).toContain('card-profiles/operator-dm.yaml');
    expect(files).toContain('apdu-scripts/read-identity.apdu');
    expect(files.filter((f) => /^(src|test|bench)\/|\.map$|tsbuildinfo|^\.demo|^\.pcsc/.test(f))).toEqual([]);
  });

  it('installs without TypeScript, tsx or esbuild, and `simdm` runs', () => {
    for (const dev of ['tsx', 'typescript', 'esbuild', 'vitest']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    const bin = join(app, 'node_modules', '.bin', 'simdm');
    const help = spawnSync(bin, ['--help'], { cwd: app, encoding: 'utf8' });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('simdm bootstrap <command>');
    const atr = spawnSync(bin, ['--json', 'atr', '--reader', 'sim:'], { cwd: app, encoding: 'utf8' });
    expect(atr.status, atr.stderr).toBe(0);
    // the virtual card's ATR (src/sim/default-image.ts): direct convention, T=0, TCK checked
    expect(JSON.parse(atr.stdout)).toMatchObject({ convention: 'direct', tckValid: true });
  });

  it('the declarations type-check a TypeScript consumer of every entry point', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      [
        "import { openReader, CardFs, type Reader } from 'simdm';",
        "import { decodeBer } from 'simdm/codec';",
        "import { readBootstrap, type CardState } from 'simdm/bootstrap';",
        "import { aka, gp, ota, gba, dm } from 'simdm/secure';",
        "import { BridgeClient } from 'simdm/bridge';",
        "import { VirtualUicc, defaultImage } from 'simdm/sim';",
        "export async function f(): Promise<CardState> { const r: Reader = await openReader('sim:'); const fs: CardFs = r.fs; void fs; void decodeBer; void aka.Milenage; void gp.parseLevel; void ota.wrapScript; void gba.bTid; void dm.authMd5; void BridgeClient; void new VirtualUicc(defaultImage()); return readBootstrap(r.link); }",
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          lib: ['ES2023'],
          skipLibCheck: true,
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout).toBe(0);
  }, 180_000);

  const examples = [...readFileSync(join(ROOT, 'docs/library.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  it('docs/library.md has examples', () => expect(examples.length).toBeGreaterThanOrEqual(4));
  examples.forEach((code, i) => {
    it(`docs/library.md example ${i + 1} runs against the installed package`, () => {
      const file = join(app, `example-${i + 1}.mjs`);
      writeFileSync(file, code);
      const r = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    });
  });
});
