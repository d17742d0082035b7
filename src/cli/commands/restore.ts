/**
 * simdm restore FILE.json [--dry-run] [--partial] [--verify KEY]: write back what differs from a
 * dump. Files it cannot write are refused with the reason; unless --partial, nothing is written
 * when any file is refused.
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { verifyKeys } from '../../card/key-secrets.js';
import { applyRestore, parseDump, planRestore, RestoreError } from '../../card/dump.js';
import { CardFs } from '../../card/fs.js';
import { UsageError } from '../../errors.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  file: string;
  'dry-run'?: boolean;
  partial?: boolean;
  verify?: string[];
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'restore <file>',
  describe: 'write a dump back: only files that differ; refuses (with reasons) what it cannot write',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('file', { type: 'string', demandOption: true })
      .option('dry-run', { type: 'boolean', describe: 'show the plan, write nothing' })
      .option('partial', { type: 'boolean', describe: 'write what can be written even when some files are refused' })
      .option('verify', { type: 'string', array: true, describe: 'verify these keys first, e.g. --verify adm1 --verify pin1' })
      .option('force', { type: 'boolean', describe: 'allow verifying a key with one try left' }) as Argv<Args>,
  handler: async (argv) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(argv.file, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read dump ${argv.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const dump = parseDump(json, argv.file);
    await withCard(argv, async ({ link }) => {
      await verifyKeys(link, secretsFor(argv), argv.verify, !!argv.force);
      const fs = new CardFs(link);
      const plan = await planRestore(fs, dump);
      const refused = plan.filter((p) => p.action === 'refuse');
      const toWrite = plan.filter((p) => p.action === 'write');
      const render = (): string =>
        plan
          .filter((p) => p.action !== 'same')
          .map((p) => `${p.action.padEnd(6)} ${p.path}${p.records ? ` records ${p.records.join(',')}` : ''}${p.reason ? `: ${p.reason}` : ''}`)
          .concat([`${toWrite.length} to write, ${plan.filter((p) => p.action === 'same').length} identical, ${refused.length} refused`])
          .join('\n');
      if (refused.length && !argv.partial && !argv['dry-run']) {
        throw new RestoreError(
          `refusing to restore ${argv.file}: ${refused.map((r) => `${r.path}: ${r.reason}`).join('; ')} (nothing written; --partial writes the rest)`,
        );
      }
      const written = argv['dry-run'] ? 0 : await applyRestore(fs, dump, plan);
      output(argv, { written, plan }, () => `${render()}${argv['dry-run'] ? '\n(dry run: nothing written)' : `\nwrote ${written} files`}`);
    });
  },
};
export default cmd;
