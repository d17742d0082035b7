/**
 * simdm dms serve: a small DM server endpoint over HTTPS (src/dms/server.ts) for tests and
 * demos. Accounts from a JSON file, or from the DM bootstrap on the card in --reader.
 */
import type { Argv, CommandModule } from 'yargs';
import { readBootstrap } from '../../bootstrap/reader.js';
import { readPem } from '../../bridge/client.js';
import { accountsFromDmFields, loadAccounts } from '../../dms/accounts.js';
import { DmsServer, type DmsAccount } from '../../dms/server.js';
import { UsageError } from '../../errors.js';
import { type GlobalArgs, output } from '../context.js';
import { withCard } from '../session.js';

interface ServeArgs extends GlobalArgs {
  cert: string;
  key: string;
  accounts?: string;
  'from-card'?: boolean;
  host: string;
  port: number;
}

const serve: CommandModule<GlobalArgs, ServeArgs> = {
  command: 'serve',
  describe: 'serve POST /dm over HTTPS: md5/HMAC client authentication over rotating nonces, server credential, replay refusal',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('cert', { type: 'string', demandOption: true, describe: 'server certificate (PEM)' })
      .option('key', { type: 'string', demandOption: true, describe: 'server key (PEM)' })
      .option('accounts', { type: 'string', describe: 'accounts JSON file {"accounts":[...]} (holds secrets: keep it mode 600)' })
      .option('from-card', { type: 'boolean', describe: 'take the accounts from the DM bootstrap on the card in --reader' })
      .option('host', { type: 'string', default: '127.0.0.1' })
      .option('port', { type: 'number', default: 8443 }) as Argv<ServeArgs>,
  handler: async (argv) => {
    let accounts: DmsAccount[] = [];
    if (argv.accounts) accounts = loadAccounts(argv.accounts);
    if (argv['from-card']) {
      const st = await withCard(argv, ({ link }) => readBootstrap(link));
      for (const f of st.files) if (f.content?.format === 'syncml-dm') accounts.push(...accountsFromDmFields(f.content.fields));
    }
    if (!accounts.length) throw new UsageError('no DM accounts: give --accounts FILE or --from-card with a card holding a DM bootstrap');
    const dms = new DmsServer({
      accounts,
      tls: { cert: readPem(argv.cert, 'certificate'), key: readPem(argv.key, 'key') },
      host: argv.host,
      port: argv.port,
      onSession: (l) => process.stderr.write(`dms: ${l.time} ${l.clientName} -> ${l.serverId}: ${l.result}\n`),
    });
    const a = await dms.listen();
    output(argv, { listening: `${a.host}:${a.port}`, accounts: accounts.map((x) => `${x.clientName}@${x.serverId}`) }, () => `DMS listening on https://${a.host}:${a.port}/dm (${accounts.length} accounts); Ctrl-C stops`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dms.close();
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'dms <command>',
  describe: 'a small OMA DM server endpoint (HTTPS) for tests and demos',
  builder: (y: Argv<GlobalArgs>) => y.command(serve).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
