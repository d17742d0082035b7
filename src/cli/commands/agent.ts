/**
 * simdm agent run | apply | show: the device agent (src/agent/agent.ts, docs/agent.md) on a local
 * or remote:// reader. PIN1 for EF.IMSI and ADM1 for writing server changes back to the card come
 * from SIMDM_PIN1 / SIMDM_ADM1 or --keys (never an argument), through the safe verify.
 */
import { createInterface } from 'node:readline/promises';
import type { Argv, CommandModule } from 'yargs';
import { streamSink } from '../../apdu/trace.js';
import { DeviceAgent, type AgentEvent } from '../../agent/agent.js';
import { CardBootstrapSource } from '../../agent/source.js';
import { StateDir } from '../../agent/state.js';
import { readPem } from '../../bridge/client.js';
import { isSecretField, redactValue } from '../../bootstrap/content/index.js';
import { parseConnectTo } from '../../dm/http.js';
import { openTransport } from '../../transport/open.js';
import { type GlobalArgs, jsonReplacer, secretsFor } from '../context.js';

interface RunArgs extends GlobalArgs {
  state: string;
  once?: boolean;
  'dms-ca'?: string;
  'auto-connect'?: boolean;
  encoding: 'wbxml' | 'xml';
  'net-hook'?: string;
  'nm-keyfile'?: string;
  'retry-ms': number;
  'adm-key'?: string[];
  'connect-to'?: string[];
}

/** Asks on the terminal; without one, a bootstrap that needs confirmation is not applied (asked again next time). */
async function askTerminal(question: string, signal: AbortSignal): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write(
      `agent: ${question} -- confirmation required but no terminal: not applied (asked again at the next insertion, or run 'simdm agent apply')\n`,
    );
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `, { signal })).trim());
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
      return 'bootstrap declined by the user (asked again at the next insertion)';
    case 'cancelled':
      return 'card removed while asking: nothing applied';
    case 'activated':
      return `known pair ${e.pair}: stored tree active (${e.status})`;
    case 'connectivity':
      return `network access ${e.napId} handed to the host (${e.via.join(', ')})`;
    case 'connected':
      return `DM session with ${e.serverId}: server and device authenticated${e.changed.length ? `; server changed ${e.changed.join(', ')}` : ''}`;
    case 'card-written':
      return `server changes to ${e.accounts.join(', ')} written to the card (${e.files.join(', ') || 'no file changed'})`;
    case 'pending':
      return `session pending (attempt ${e.attempt})${e.retryInMs !== undefined ? `: retry in ${Math.round(e.retryInMs / 1000)} s` : ''}`;
    case 'error':
      return `error (${e.code}): ${e.message}`;
  }
}

function runOptions(y: Argv<GlobalArgs>): Argv<RunArgs> {
  return y
    .option('state', { type: 'string', demandOption: true, describe: 'state directory (device id, pairs, DM trees; mode 700)' })
    .option('dms-ca', { type: 'string', describe: "CA (PEM) of the DM servers' certificates (default: system store)" })
    .option('auto-connect', { type: 'boolean', describe: 'connect after bootstrap when the card says nothing (default: no)' })
    .option('encoding', { choices: ['wbxml', 'xml'] as const, default: 'wbxml' as const, describe: 'DM message encoding' })
    .option('net-hook', {
      type: 'string',
      describe: "command (sh -c) run before the first session with the card's NAP settings in SIMDM_NAP_* / SIMDM_PROXY_* environment variables",
    })
    .option('nm-keyfile', { type: 'string', describe: "write a NetworkManager keyfile (mode 600) for the card's NAP into this directory" })
    .option('retry-ms', { type: 'number', default: 2000, describe: 'first retry delay after a failed session (doubles up to 5 min)' })
    .option('connect-to', {
      type: 'string',
      array: true,
      describe: 'HOST:PORT:ADDR:PORT: reach a DM server elsewhere than its address says (like curl; TLS name unchanged)',
    })
    .option('adm-key', {
      type: 'string',
      array: true,
      describe: "the card's authorities' ADM keys in DODF order, for writing server changes back (default ADM1 ADM2 ...; values from SIMDM_<KEY> or --keys)",
    }) as Argv<RunArgs>;
}

async function runAgent(argv: RunArgs, once: boolean): Promise<void> {
  const opened = await openTransport(argv.reader, argv as unknown as Record<string, unknown>);
  let failed = false;
  const secrets = secretsFor(argv);
  const agent = new DeviceAgent({
    transport: opened.transport,
    stateDir: argv.state,
    source: new CardBootstrapSource(secrets),
    confirm: askTerminal,
    defaults: { userConfirmation: false, autoConnect: argv['auto-connect'] ?? false },
    dm: {
      encoding: argv.encoding,
      ...(argv['dms-ca'] ? { ca: readPem(argv['dms-ca'], 'DMS CA') } : {}),
      ...(argv['connect-to']?.length ? { connectTo: Object.fromEntries(argv['connect-to'].map(parseConnectTo)) } : {}),
    },
    secrets,
    ...(argv['adm-key']?.length ? { admKeys: argv['adm-key'] } : {}),
    retry: once ? { none: true } : { initialMs: argv['retry-ms'] },
    connectivity: { ...(argv['net-hook'] ? { hook: argv['net-hook'] } : {}), ...(argv['nm-keyfile'] ? { nmKeyfileDir: argv['nm-keyfile'] } : {}) },
    ...(argv.trace ? { trace: streamSink((l) => process.stderr.write(l)) } : {}),
    onEvent: (e) => {
      if (e.type === 'error') failed = true;
      process.stdout.write(argv.json ? JSON.stringify(e, jsonReplacer) + '\n' : `agent: ${describe(e)}\n`);
    },
  });
  try {
    if (once) {
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
  if (failed && once) process.exitCode = 1;
}

const run: CommandModule<GlobalArgs, RunArgs & { once?: boolean }> = {
  command: 'run',
  describe:
    'watch the card: on a new ICCID/IMSI pair read the bootstrap into the local DM tree and run an OMA DM 1.2 session when indicated (retried until it succeeds)',
  builder: (y: Argv<GlobalArgs>) =>
    runOptions(y).option('once', { type: 'boolean', describe: 'process the card in the reader and exit (no retry; exit 1 on failure)' }) as Argv<
      RunArgs & { once?: boolean }
    >,
  handler: (argv) => runAgent(argv, !!argv.once),
};

const apply: CommandModule<GlobalArgs, RunArgs> = {
  command: 'apply',
  describe: 'process the card in the reader now (asks again for a bootstrap declined before; a pending session is tried once) and exit',
  builder: (y: Argv<GlobalArgs>) => runOptions(y),
  handler: (argv) => runAgent(argv, true),
};

interface ShowArgs extends GlobalArgs {
  state: string;
}

const show: CommandModule<GlobalArgs, ShowArgs> = {
  command: 'show',
  describe: 'print the device id, the pairs seen and the current DM tree (secrets redacted); creates nothing',
  builder: (y: Argv<GlobalArgs>) => y.option('state', { type: 'string', demandOption: true }) as Argv<ShowArgs>,
  handler: (argv) => {
    const st = new StateDir(argv.state, { create: false });
    const cur = st.state.current;
    const tree = cur && st.hasTree(cur) ? st.loadTree(cur) : undefined;
    const red = (o: Record<string, string>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, isSecretField(k) || /(AAuthSecret|\/Secret)$/.test(k) ? redactValue(v) : v]));
    const out = { deviceId: st.state.deviceId, current: cur ?? null, pairs: st.state.pairs, dm: tree ? red(tree.dm) : {}, lwm2m: tree ? red(tree.lwm2m) : {} };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'agent <command>',
  describe: "device agent: card watch, bootstrap into the local DM tree, OMA DM 1.2 sessions with the card's servers",
  builder: (y: Argv<GlobalArgs>) => y.command(run).command(apply).command(show).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
