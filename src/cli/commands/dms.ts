/**
 * simdm dms serve: a small OMA DM 1.2 server (src/dms/server.ts, docs/dms.md) for tests and demos.
 * Accounts from a JSON file, or from the DM (and CP w7) bootstrap on the card in --reader.
 * GBA: --gba with K/OPc from SIMDM_K / SIMDM_OPC (or --keys), never from the command line.
 */
import type { Argv, CommandModule } from 'yargs';
import { dmFieldsFromCp } from '../../bootstrap/content/dm-accounts.js';
import { readImsi } from '../../bootstrap/profile/vars.js';
import { readBootstrap } from '../../bootstrap/reader.js';
import { readPem } from '../../bridge/client.js';
import { accountsFromDmFieldsReport, loadAccounts } from '../../dms/accounts.js';
import type { GbaConfig } from '../../dms/gba.js';
import { DmsServer, type DmsAccount, type DmsCommand } from '../../dms/server.js';
import { UsageError } from '../../errors.js';
import { impiFromImsi } from '../../secure/gba/ua.js';
import { toHex } from '../../util/hex.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface ServeArgs extends GlobalArgs {
  cert?: string;
  key?: string;
  http?: boolean;
  accounts?: string;
  'from-card'?: boolean;
  host: string;
  port: number;
  path?: string[];
  gba?: boolean;
  impi?: string;
  'naf-fqdn'?: string;
  'bsf-domain': string;
  get?: string[];
  replace?: string[];
  add?: string[];
  delete?: string[];
  exec?: string[];
  group?: 'atomic' | 'sequence';
}

function commandsOf(argv: ServeArgs): DmsCommand[] {
  const out: DmsCommand[] = [];
  for (const u of argv.get ?? []) out.push({ verb: 'Get', uri: u });
  for (const [verb, list] of [
    ['Replace', argv.replace],
    ['Add', argv.add],
  ] as const) {
    for (const s of list ?? []) {
      const i = s.indexOf('=');
      if (i <= 0) throw new UsageError(`--${verb.toLowerCase()} takes URI=VALUE (got ${s.slice(0, 40)})`);
      out.push({ verb, uri: s.slice(0, i), data: s.slice(i + 1) });
    }
  }
  for (const u of argv.delete ?? []) out.push({ verb: 'Delete', uri: u });
  for (const u of argv.exec ?? []) out.push({ verb: 'Exec', uri: u });
  return out;
}

const serve: CommandModule<GlobalArgs, ServeArgs> = {
  command: 'serve',
  describe: 'OMA DM 1.2 server over HTTPS (XML or WBXML): md5/HMAC/GBA client authentication, server credential, management commands',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('cert', { type: 'string', describe: 'server certificate (PEM)' })
      .option('key', { type: 'string', describe: 'server key (PEM)' })
      .option('http', { type: 'boolean', describe: 'plain HTTP instead of HTTPS (loopback tests with peers only)' })
      .option('accounts', { type: 'string', describe: 'accounts JSON file {"accounts":[...]} (docs/dms.md; holds secrets: keep it mode 600)' })
      .option('from-card', { type: 'boolean', describe: 'take the accounts from the DM bootstrap (and CP w7 applications) on the card in --reader' })
      .option('host', { type: 'string', default: '127.0.0.1' })
      .option('port', { type: 'number', default: 8443 })
      .option('path', { type: 'string', array: true, describe: "paths served besides those of the accounts' server addresses (default /dm)" })
      .option('gba', { type: 'boolean', describe: 'serve GBA (TS 33.220) for GBA accounts: K and OPc (hex) from SIMDM_K / SIMDM_OPC or --keys' })
      .option('impi', { type: 'string', describe: "GBA subscriber IMPI (default: from the card's IMSI with --from-card)" })
      .option('naf-fqdn', { type: 'string', describe: 'NAF FQDN for Ks_NAF (default: the host of the first account address)' })
      .option('bsf-domain', { type: 'string', default: 'bsf.simdm.invalid', describe: 'domain of the B-TIDs' })
      .option('get', { type: 'string', array: true, describe: "send Get URI in each account's next session" })
      .option('replace', { type: 'string', array: true, describe: 'send Replace URI=VALUE (no secrets here: the value is on the command line)' })
      .option('add', { type: 'string', array: true, describe: 'send Add URI=VALUE' })
      .option('delete', { type: 'string', array: true, describe: 'send Delete URI' })
      .option('exec', { type: 'string', array: true, describe: 'send Exec URI' })
      .option('group', {
        choices: ['atomic', 'sequence'] as const,
        describe: 'send the commands above in one Atomic (all or none) or Sequence (in order) (OMA-TS-DM_RepPro 6.6.3/6.6.13)',
      }) as Argv<ServeArgs>,
  handler: async (argv) => {
    let accounts: DmsAccount[] = [];
    const skipped: string[] = [];
    let cardImsi: string | undefined;
    if (argv.accounts) accounts = loadAccounts(argv.accounts);
    if (argv['from-card']) {
      const secrets = secretsFor(argv);
      const st = await withCard(argv, async ({ link }) => {
        const b = await readBootstrap(link);
        if (argv.gba && !argv.impi) cardImsi = await readImsi(link, secrets);
        return b;
      });
      const servers = new Set<string>();
      for (const f of st.files) {
        if (f.content?.format !== 'syncml-dm') continue;
        const r = accountsFromDmFieldsReport(f.content.fields);
        accounts.push(...r.accounts);
        skipped.push(...r.skipped);
        r.accounts.forEach((a) => servers.add(a.serverId));
      }
      // DM accounts in CP form (APPLICATION w7), unless a DM file holds the same server
      for (const f of st.files) {
        if (f.content?.format !== 'wap-provisioningdoc') continue;
        const r = accountsFromDmFieldsReport(dmFieldsFromCp(f.content.fields));
        accounts.push(...r.accounts.filter((a) => !servers.has(a.serverId)));
      }
    }
    for (const s of skipped) process.stderr.write(`dms: skipped ${s}\n`);
    if (!accounts.length) throw new UsageError('no DM accounts: give --accounts FILE or --from-card with a card holding a DM bootstrap');
    const gbaAccounts = accounts.filter((a) => a.authType === 'GBA');
    let gba: GbaConfig | undefined;
    if (argv.gba) {
      const secrets = secretsFor(argv);
      const k = toHex(secrets.requireHex('K', [16], 'GBA (the subscriber key K)'));
      const opc = toHex(secrets.requireHex('OPC', [16], 'GBA (OPc)'));
      const impi = argv.impi ?? (cardImsi ? impiFromImsi(cardImsi) : undefined);
      if (!impi) throw new UsageError("--gba needs the subscriber: --impi IMPI, or --from-card to take it from the card's IMSI");
      const naf = argv['naf-fqdn'] ?? (gbaAccounts[0]?.addr ? new URL(gbaAccounts[0].addr).hostname : argv.host);
      gba = { bsfDomain: argv['bsf-domain'], nafFqdn: naf, subscribers: [{ impi, k, opc }] };
    } else if (gbaAccounts.length) {
      process.stderr.write(
        `dms: ${gbaAccounts.map((a) => a.serverId).join(', ')} authenticate with GBA: give --gba (K/OPc from SIMDM_K / SIMDM_OPC) to serve them\n`,
      );
    }
    if (!argv.http && (!argv.cert || !argv.key)) throw new UsageError('--cert and --key are required (or --http for plain HTTP on loopback)');
    const dms = new DmsServer({
      accounts,
      ...(argv.http ? {} : { tls: { cert: readPem(argv.cert!, 'certificate'), key: readPem(argv.key!, 'key') } }),
      host: argv.host,
      port: argv.port,
      ...(argv.path?.length ? { paths: argv.path } : {}),
      commands: commandsOf(argv),
      ...(argv.group ? { group: argv.group === 'atomic' ? ('Atomic' as const) : ('Sequence' as const) } : {}),
      ...(gba ? { gba } : {}),
      onSession: (l) =>
        process.stderr.write(
          `dms: ${l.time} ${l.clientName} -> ${l.serverId} (${l.devId ?? '-'}): ${l.result}${l.commands?.length ? `; ${l.commands.join('; ')}` : ''}${l.results?.length ? `; results ${l.results.map((r) => `${r.source}=${r.data ?? ''}`).join(', ')}` : ''}\n`,
        ),
      onReject: (line) => process.stderr.write(`dms: ${line}\n`),
    });
    const a = await dms.listen();
    const scheme = argv.http ? 'http' : 'https';
    output(
      argv,
      { listening: `${a.host}:${a.port}`, paths: dms.servedPaths, accounts: accounts.map((x) => `${x.clientName}@${x.serverId} (${x.authType})`), gba: !!gba },
      () =>
        `DMS listening on ${dms.servedPaths.map((p) => `${scheme}://${a.host}:${a.port}${p}`).join(', ')} (${accounts.length} accounts${gba ? ', GBA' : ''}); Ctrl-C stops`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dms.close();
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'dms <command>',
  describe: 'a small OMA DM 1.2 server (HTTPS, XML/WBXML) for tests and demos',
  builder: (y: Argv<GlobalArgs>) => y.command(serve).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
