/**
 * simdm agent run | show: the device agent (src/agent/agent.ts) on a local or remote:// reader.
 * PIN1 for EF.IMSI comes from SIMDM_PIN1 or --keys (never an argument), through the safe verify.
 */
import { createInterface } from 'node:readline/promises';
import type { Argv, CommandModule } from 'yargs';
import { DeviceAgent, type AgentEvent } from '../../agent/agent.js';
import { CardBootstrapSource } from '../../agent/source.js';
import { StateDir } from '../../agent/state.js';
import { readPem } from '../../bridge/client.js';
import { isSecretField, redactValue } from '../../bootstrap/content/index.js';
import { openTransport } from '../../transport/open.js';
import { type GlobalArgs, jsonReplacer, secretsFor } from '../context.js';

interface RunArgs extends GlobalArgs {
  state: string;
  once?: boolean;
  'dms-ca'?: string;
  'auto-connect'?: boolean;
}

/** Asks on the terminal; without one, a bootstrap that needs confirmation is not applied. */
async function askTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write(`agent: ${question} -- confirmation required but no terminal: not applied\n`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function describe(e: AgentEvent): string {
  switch (e.type) {
    case 'card':
      return `card ICCID ${e.iccid} IMSI ${e.imsi}${e.known ? ' (known pair)' : ' (new pair)'}`;
    case 'removed':
      return 'card removed';
    case 'bootstrap':
      return `bootstrap loaded: accounts ${e.report.accounts.join(', ') || '-'}, LwM2M objects ${e.report.lwm2mObjects.join(', ') || '-'}${e.report.removedObsolete.length ? `; obsolete removed: ${e.report.removedObsolete.join(', ')}` : ''}${e.issues.length ? `; issues: ${e.issues.join('; ')}` : ''}`;
    case 'declined':
      return 'bootstrap declined by the user';
    case 'activated':
      return `known pair ${e.pair}: stored tree active`;
    case 'connected':
      return `DM session with ${e.serverId}: server and device authenticated`;
    case 'error':
      return `error (${e.code}): ${e.message}`;
  }
}

const run: CommandModule<GlobalArgs, RunArgs> = {
  command: 'run',
  describe: 'watch the card: on a new ICCID/IMSI pair read the bootstrap into the local DM tree and connect when indicated',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('state', { type: 'string', demandOption: true, describe: 'state directory (device id, pairs, DM trees; mode 700)' })
      .option('once', { type: 'boolean', describe: 'process the card in the reader and exit' })
      .option('dms-ca', { type: 'string', describe: 'CA (PEM) of the DM servers\' certificates (default: system store)' })
      .option('auto-connect', { type: 'boolean', describe: 'connect after bootstrap when the card says nothing (default: no)' }) as Argv<RunArgs>,
  handler: async (argv) => {
    const opened = await openTransport(argv.reader, argv as unknown as Record<string, unknown>);
    let failed = false;
    const agent = new DeviceAgent({
      transport: opened.transport,
      stateDir: argv.state,
      source: new CardBootstrapSource(secretsFor(argv)),
      confirm: askTerminal,
      defaults: { userConfirmation: false, autoConnect: argv['auto-connect'] ?? false },
      ...(argv['dms-ca'] ? { dm: { ca: readPem(argv['dms-ca'], 'DMS CA') } } : {}),
      onEvent: (e) => {
        if (e.type === 'error') failed = true;
        process.stdout.write(argv.json ? JSON.stringify(e, jsonReplacer) + '\n' : `agent: ${describe(e)}\n`);
      },
    });
    try {
      if (argv.once) {
        await agent.schedule();
      } else {
        agent.start();
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await agent.stop();
      }
    } finally {
      await opened.close();
    }
    if (failed && argv.once) process.exitCode = 1;
  },
};

interface ShowArgs extends GlobalArgs {
  state: string;
}

const show: CommandModule<GlobalArgs, ShowArgs> = {
  command: 'show',
  describe: 'print the device id, the pairs seen and the current DM tree (secrets redacted)',
  builder: (y: Argv<GlobalArgs>) => y.option('state', { type: 'string', demandOption: true }) as Argv<ShowArgs>,
  handler: (argv) => {
    const st = new StateDir(argv.state);
    const cur = st.state.current;
    const tree = cur ? st.loadTree(cur) : undefined;
    const red = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, isSecretField(k) || /AAuthSecret$/.test(k) ? redactValue(v) : v]));
    const out = { deviceId: st.state.deviceId, current: cur ?? null, pairs: st.state.pairs, dm: tree ? red(tree.dm) : {}, lwm2m: tree ? red(tree.lwm2m) : {} };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'agent <command>',
  describe: 'device agent: card watch, bootstrap into the local DM tree, DM server authentication',
  builder: (y: Argv<GlobalArgs>) => y.command(run).command(show).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
