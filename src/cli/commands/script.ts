/**
 * simdm script run: APDU scripts (docs/apdu-scripts.md), scriptor-compatible with simdm's
 * expectations, variables and blocks. Secrets from SIMDM_<NAME> / --keys, redacted in output.
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { loadVarsFile } from '../../bootstrap/profile/vars.js';
import { fidBytes, found, selectFid } from '../../bootstrap/card-io.js';
import { parseScript } from '../../script/parse.js';
import { runScript, type RunReport } from '../../script/run.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface RunArgs extends GlobalArgs {
  script: string;
  'dry-run'?: boolean;
  block?: string[];
  vars?: string;
  'keep-going'?: boolean;
}

const run: CommandModule<GlobalArgs, RunArgs> = {
  command: 'run <script>',
  describe: 'run an APDU script, checking #> SW=/DATA= expectations',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('script', { type: 'string', demandOption: true })
      .option('dry-run', { type: 'boolean', describe: 'parse and resolve variables, print the APDUs (secrets as **), send nothing' })
      .option('block', { type: 'string', array: true, describe: 'run only these named blocks (and lines outside blocks)' })
      .option('vars', { type: 'string', describe: 'non-secret variables (YAML or NAME=value)' })
      .option('keep-going', { type: 'boolean', describe: 'do not stop at the first unmet expectation' })
      .option('force', { type: 'boolean', describe: 'present PINs/ADM keys even with one try left' }) as Argv<RunArgs>,
  handler: async (argv) => {
    let text: string;
    try {
      text = readFileSync(argv.script, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${argv.script}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    let script;
    try {
      script = parseScript(text);
    } catch (e) {
      throw new UsageError(`${argv.script}: ${(e as Error).message}`);
    }
    const secrets = secretsFor(argv);
    const vars = argv.vars ? loadVarsFile(argv.vars) : {};
    const lines: string[] = [];
    const log = (l: string) => {
      if (argv.json) lines.push(l);
      else process.stdout.write(l + '\n');
    };
    const opts = {
      secrets,
      vars,
      dryRun: !!argv['dry-run'],
      force: !!argv.force,
      log,
      stopOnMismatch: !argv['keep-going'],
      ...(argv.block ? { blocks: argv.block } : {}),
    };
    let report: RunReport;
    if (argv['dry-run']) report = await runScript(script, undefined, opts);
    else {
      report = await withCard(argv, async ({ transport, link }) =>
        runScript(script, transport, opts, async (name) => {
          // ICCID from EF.ICCID (always readable); IMSI scripts should pass it with --vars
          if (name === 'IMSI') throw new UsageError('${IMSI} in a script: give IMSI with --vars');
          await link.transmit({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fidBytes(0x3f00) });
          const r = await selectFid(link, 0x2fe2);
          if (!found(r.sw)) throw new UsageError('no EF.ICCID on the card');
          return (await link.send({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 10 }, 'READ BINARY EF.ICCID')).slice();
        }),
      );
    }
    if (argv.json) output(argv, report);
    else output(argv, report, (r: RunReport) => `${r.dryRun ? 'dry run: ' : ''}${r.steps.length} steps, ${r.sent} sent, ${r.failed} failed`);
    if (report.failed) process.exitCode = 1;
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'script <command>',
  describe: 'APDU scripts (scriptor syntax plus expectations, variables, blocks)',
  builder: (y: Argv<GlobalArgs>) => y.command(run).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
