/**
 * simdm gp: GlobalPlatform secure channel and card management on the Issuer Security Domain.
 *   gp auth     open an SCP02/SCP03 secure channel and report what the card answered
 *   gp list     GET STATUS (ISD, applications, load files) and the key information template
 *   gp put-key  replace or add a key set (PUT KEY), checking the returned KCVs
 * Keys only from SIMDM_ENC / SIMDM_MAC / SIMDM_DEK, or SIMDM_KEY for one key (the master key when
 * --kdf is given); new keys for put-key from SIMDM_NEW_ENC / SIMDM_NEW_MAC / SIMDM_NEW_DEK or
 * SIMDM_NEW_KEY. Never from arguments, never printed.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { type GpKeySet, listStatus, openSecureChannel, putKey, type OpenedChannel } from '../../secure/gp/channel.js';
import { getKeyInformation, parseKeyInformation, type StatusScope } from '../../secure/gp/commands.js';
import { parseLevel } from '../../secure/gp/common.js';
import type { Diversification } from '../../secure/gp/diversify.js';
import { fromHex, toHex, hexNum } from '../../util/hex.js';
import type { SecretStore } from '../../util/secrets.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface ChannelArgs extends GlobalArgs {
  scp?: string;
  level: string;
  kvn?: number;
  kdf: Diversification;
  aid?: string;
  s16?: boolean;
}

const LENGTHS = [16, 24, 32];

function keySet(s: SecretStore, prefix: '' | 'NEW_', purpose: string): GpKeySet {
  if (s.has(`${prefix}ENC`) || s.has(`${prefix}MAC`) || s.has(`${prefix}DEK`)) {
    return {
      enc: s.requireHex(`${prefix}ENC`, LENGTHS, purpose),
      mac: s.requireHex(`${prefix}MAC`, LENGTHS, purpose),
      dek: s.requireHex(`${prefix}DEK`, LENGTHS, purpose),
    };
  }
  const k = s.requireHex(`${prefix}KEY`, LENGTHS, purpose);
  return { enc: k, mac: k, dek: k };
}

function channelOptions<T>(y: Argv<T>): Argv<T & ChannelArgs> {
  return y
    .option('scp', {
      type: 'string',
      choices: ['02', '03', '2', '3'],
      describe: 'protocol wanted (default: what the card offers); without --kvn the key information template names the key set',
    })
    .option('level', { type: 'string', default: 'cmac', describe: 'security level: cmac, cmac+cdec, cmac+cdec+rmac+renc, or hex (01, 03, 33)' })
    .option('kvn', { type: 'number', describe: "key version number for INITIALIZE UPDATE (default 0: the card's default key set)" })
    .option('kdf', {
      choices: ['none', 'emv', 'visa2', 'kdf3'] as const,
      default: 'none' as const,
      describe: 'diversify SIMDM_KEY (master key) with the card KDD',
    })
    .option('aid', { type: 'string', describe: 'security domain AID to SELECT (default: the GP ISD AIDs)' })
    .option('s16', {
      type: 'boolean',
      describe: 'SCP03 S16 mode (16-byte challenges, cryptograms and MACs); default: S8, S16 when the card refuses 8 bytes; --no-s16 never retries',
    }) as unknown as Argv<T & ChannelArgs>;
}

async function open(link: Parameters<typeof openSecureChannel>[0], a: ChannelArgs): Promise<OpenedChannel> {
  const level = parseLevel(a.level);
  if (Number.isNaN(level)) throw new UsageError(`--level ${a.level}: use cmac, cmac+cdec, cmac+cdec+rmac, cmac+cdec+rmac+renc or a hex value`);
  const keys = keySet(secretsFor(a), '', 'gp');
  return openSecureChannel(link, {
    keys,
    level,
    ...(a.scp ? { scp: Number(a.scp) as 2 | 3 } : {}),
    ...(a.kvn !== undefined ? { kvn: a.kvn } : {}),
    diversification: a.kdf,
    ...(a.s16 !== undefined ? { s16: a.s16 } : {}),
    select: a.aid ? fromHex(a.aid, '--aid') : true,
  });
}

const auth: CommandModule<GlobalArgs, ChannelArgs> = {
  command: 'auth',
  describe: 'open a GP secure channel (INITIALIZE UPDATE + EXTERNAL AUTHENTICATE) and report it',
  builder: (y) =>
    channelOptions(y).example('SIMDM_KEY=404142434445464748494A4B4C4D4E4F $0 gp auth --level cmac+cdec', 'SCP02/03 with the GP test key') as Argv<ChannelArgs>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      const ch = await open(link, argv);
      output(
        argv,
        ch.info,
        (i: OpenedChannel['info']) =>
          `SCP0${i.scp} key version ${hexNum(i.kvn, 2)}, level ${i.level}, KDD ${i.kdd}` +
          (i.i !== undefined ? `, i=${hexNum(i.i, 2)}` : '') +
          (i.aid ? `, security domain ${i.aid}` : '') +
          (i.sequenceCounter ? `, sequence counter ${i.sequenceCounter}` : ''),
      );
    });
  },
};

interface ListArgs extends ChannelArgs {
  scope: StatusScope | 'all';
}

const list: CommandModule<GlobalArgs, ListArgs> = {
  command: 'list',
  describe: 'GET STATUS of the ISD, applications and load files, and the key information template',
  builder: (y) =>
    channelOptions(y).option('scope', {
      choices: ['all', 'isd', 'apps', 'loadfiles', 'modules'] as const,
      default: 'all' as const,
    }) as unknown as Argv<ListArgs>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      const ch = await open(link, argv);
      const scopes: StatusScope[] = argv.scope === 'all' ? ['isd', 'apps', 'modules'] : [argv.scope];
      const entries: { scope: string; aid: string; lifeCycle: string; privileges: string; modules?: string[] }[] = [];
      for (const sc of scopes) {
        for (const e of await listStatus(ch, sc)) {
          entries.push({
            scope: sc,
            aid: toHex(e.aid),
            lifeCycle: hexNum(e.lifeCycle, 2),
            privileges: toHex(e.privileges),
            ...(e.modules ? { modules: e.modules.map((m) => toHex(m)) } : {}),
          });
        }
      }
      const ki = await ch.transmit(getKeyInformation());
      const keys = ki.sw === 0x9000 ? parseKeyInformation(ki.data) : [];
      output(argv, { channel: ch.info, entries, keys }, (v: { entries: typeof entries; keys: typeof keys }) =>
        [
          ...v.entries.map(
            (e) =>
              `${e.scope.padEnd(9)} ${e.aid.padEnd(32)} life cycle ${e.lifeCycle}${e.privileges ? ` privileges ${e.privileges}` : ''}${e.modules ? ` modules ${e.modules.join(' ')}` : ''}`,
          ),
          ...v.keys.map((k) => `key ${k.id} version ${hexNum(k.version, 2)} type ${hexNum(k.type)} length ${k.length}`),
        ].join('\n'),
      );
    });
  },
};

interface PutKeyArgs extends ChannelArgs {
  'new-kvn': number;
  'replace-kvn': number;
  type?: 'aes' | 'des';
}

const putKeyCmd: CommandModule<GlobalArgs, PutKeyArgs> = {
  command: 'put-key',
  describe: 'replace or add a key set (ENC, MAC, DEK) from SIMDM_NEW_ENC/MAC/DEK or SIMDM_NEW_KEY',
  builder: (y) =>
    channelOptions(y)
      .option('new-kvn', { type: 'number', demandOption: true, describe: 'key version number of the new key set (1..127)' })
      .option('replace-kvn', { type: 'number', default: 0, describe: 'key version to replace (0 adds a key set)' })
      .option('type', {
        choices: ['aes', 'des'] as const,
        describe: 'key type (default: AES for SCP03, DES for SCP02 sessions)',
      }) as unknown as Argv<PutKeyArgs>,
  handler: async (argv) => {
    const nk = keySet(secretsFor(argv), 'NEW_', 'gp put-key');
    await withCard(argv, async ({ link }) => {
      const ch = await open(link, argv);
      const type = argv.type ?? (ch.info.scp === 3 ? 'aes' : 'des');
      const r = await putKey(ch, { replaceKvn: argv['replace-kvn'], newKvn: argv['new-kvn'], keys: [nk.enc, nk.mac, nk.dek].map((key) => ({ type, key })) });
      output(argv, r, (v: typeof r) => `key set ${hexNum(v.kvn, 2)} written, KCVs ${v.kcvs.join(' ')}`);
    });
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'gp <command>',
  describe: 'GlobalPlatform secure channel (SCP02/SCP03) and card management',
  builder: (y) => y.command(auth).command(list).command(putKeyCmd).demandCommand(1) as Argv<GlobalArgs>,
  handler: () => undefined,
};
export default cmd;
