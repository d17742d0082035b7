/**
 * The lazy command manifest (src/cli/commands/index.ts) says what each command module says, the
 * command word is found as yargs would find it, and no test runs the compiled bin/simdm.js (which
 * could be a stale dist/ while the sources change: tests go through test/helpers/cli.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandName, requestedCommand } from '../../../src/cli/commands/index.js';
import { ROOT } from '../../helpers/cli.js';

describe('command manifest', () => {
  it('each entry has the command string and description of its module', async () => {
    for (const e of COMMANDS) {
      const m = (await e.load()).default;
      expect({ command: m.command, describe: m.describe }, e.command).toEqual({ command: e.command, describe: e.describe });
    }
  });

  it('lists every command module of the folder once', () => {
    const files = readdirSync(join(ROOT, 'src/cli/commands'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    const names = COMMANDS.map(commandName);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...files].sort());
  });

  it('finds the command word after global options, also for shell completion', () => {
    expect(requestedCommand(['--help'])).toBeUndefined();
    expect(requestedCommand([])).toBeUndefined();
    expect(requestedCommand(['ls', '-R'])).toBe('ls');
    expect(requestedCommand(['-r', 'sim:card.json', '--json', 'cat', 'EF.ICCID'])).toBe('cat');
    expect(requestedCommand(['--reader', 'Virtual PCD 00 00', '--trace', 'pin', 'status'])).toBe('pin');
    expect(requestedCommand(['--reader=sim:', 'atr'])).toBe('atr');
    expect(requestedCommand(['--keys', 'k.env', '--token-file', 't', 'apdu', '00A40000'])).toBe('apdu');
    expect(requestedCommand(['--get-yargs-completions', 'simdm', 'bootstrap', ''])).toBe('bootstrap');
    expect(requestedCommand(['--get-yargs-completions', 'simdm', ''])).toBe('');
  });
});

describe('tests run the CLI from the sources', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
  it('no test spawns bin/simdm.js (only the packaging test runs a build)', () => {
    const offenders = files(join(ROOT, 'test'))
      .map((f) => relative(ROOT, f))
      .filter((f) => !['test/e2e/packaging.test.ts', 'test/helpers/cli.ts', 'test/unit/cli/manifest.test.ts'].includes(f))
      .filter((f) => /bin\/simdm\.js/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
