/**
 * simdm: the command line. Every command is a module in ./commands, listed with its description
 * in the manifest ./commands/index.ts; only the module of the command being run is imported (the
 * others are listed for --help and completion by their manifest entry), so start-up stays quick.
 * Errors the user can act on (SimdmError) print as one line on stderr and exit 1; anything else
 * is a bug and prints its stack with SIMDM_DEBUG=1.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SimdmError } from '../errors.js';
import { SECRET_HELP } from '../util/secrets.js';
import { COMMANDS, commandName, requestedCommand, type SimdmCommand } from './commands/index.js';
import { registerReaderSchemes } from './schemes.js';

// `simdm ... --json | head`: a closed pipe is the reader's choice, not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

/** The module of the command being run; for the others their manifest entry (help, completion). */
async function commandModules(args: readonly string[]): Promise<SimdmCommand[]> {
  const wanted = requestedCommand(args);
  return Promise.all(
    COMMANDS.map(async (e) =>
      commandName(e) === wanted ? (await e.load()).default : { command: e.command, describe: e.describe, builder: {}, handler: () => undefined },
    ),
  );
}

async function main(): Promise<void> {
  registerReaderSchemes();
  const args = hideBin(process.argv);
  const commands = await commandModules(args);
  let cli = yargs(args)
    .scriptName('simdm')
    .usage('$0 <command> [options]\n\nDevice Management bootstrap data on SIM/UICC cards.')
    .option('reader', {
      alias: 'r',
      type: 'string',
      describe: 'PC/SC reader (name, unique part of it, or index); sim:[IMAGE.json] for the built-in virtual card; env SIMDM_READER',
      global: true,
    })
    .option('json', { type: 'boolean', describe: 'machine-readable output', global: true })
    .option('trace', { type: 'boolean', describe: 'print every APDU to stderr (PINs and keys redacted)', global: true })
    .option('keys', { type: 'string', describe: 'key file with NAME=value lines (PIN1, ADM1, K, OPC, ...)', global: true })
    .option('token-file', { type: 'string', describe: 'remote:// readers: file holding the bridge token (or SIMDM_BRIDGE_TOKEN)', global: true })
    .option('bridge-ca', { type: 'string', describe: 'remote:// readers: CA certificate of the bridge (or SIMDM_BRIDGE_CA)', global: true })
    .option('bridge-cert', { type: 'string', describe: 'remote:// readers: client certificate for mTLS (or SIMDM_BRIDGE_CERT)', global: true })
    .option('bridge-key', { type: 'string', describe: 'remote:// readers: client key for mTLS (or SIMDM_BRIDGE_KEY)', global: true })
    .group(['reader', 'token-file', 'bridge-ca', 'bridge-cert', 'bridge-key'], 'Reader:')
    .epilogue(SECRET_HELP)
    .strict()
    .demandCommand(1, 'name a command (simdm --help lists them)')
    .recommendCommands()
    .fail((msg, err) => {
      throw err ?? new SimdmError('usage', msg);
    })
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 100));
  for (const c of commands) cli = cli.command(c);
  // bash/zsh: `simdm completion >> ~/.bashrc` (README, "Shell completion")
  cli = cli.completion('completion', 'print a bash/zsh completion script (simdm completion >> ~/.bashrc)');
  await cli.parseAsync();
}

function exitCode(): void {
  // pcsclite keeps handles open for a moment after close; don't wait for them
  setTimeout(() => process.exit(process.exitCode ?? 0), 50).unref();
}

main().then(exitCode, (e: unknown) => {
  if (e instanceof SimdmError) {
    process.stderr.write(`simdm: ${e.message}\n`);
  } else if (e instanceof Error) {
    process.stderr.write(`simdm: internal error: ${e.message}\n`);
    if (process.env.SIMDM_DEBUG) process.stderr.write(`${e.stack}\n`);
  } else {
    process.stderr.write(`simdm: ${String(e)}\n`);
  }
  process.exitCode = 1;
  exitCode();
});
