/**
 * simdm gba: GBA key derivation (3GPP TS 33.220).
 *   gba ks-naf   Ks_NAF / Ks_ext_NAF (and Ks_int_NAF with --int) from CK, IK (SIMDM_CK, SIMDM_IK,
 *                or SIMDM_KS = CK‖IK), RAND, IMPI and NAF_Id = FQDN ‖ Ua security protocol id
 *   gba btid     B-TID = base64(RAND)@BSF domain
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { fromHex, toHex } from '../../util/hex.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { bTid, ks, ksExtNaf, ksIntNaf, nafId, UA_PROTOCOL } from '../../secure/gba/gba.js';

const UA_NAMES: Record<string, Uint8Array> = {
  unspecified: UA_PROTOCOL.unspecified,
  '33.221': UA_PROTOCOL.ts33221,
  mbms: UA_PROTOCOL.mbms,
  'http-digest': UA_PROTOCOL.httpDigest,
  'http-digest-tls': UA_PROTOCOL.httpDigestTls,
};

interface KsNafArgs extends GlobalArgs {
  'naf-id': string;
  ua: string;
  impi: string;
  rand: string;
  int?: boolean;
  bsf?: string;
}

const ksNaf: CommandModule<GlobalArgs, KsNafArgs> = {
  command: 'ks-naf',
  describe: 'derive Ks_(ext)_NAF = KDF(Ks, "gba-me", RAND, IMPI, NAF_Id) (TS 33.220 B.3)',
  builder: (y) =>
    y
      .option('naf-id', { type: 'string', demandOption: true, describe: 'NAF FQDN, e.g. naf.example.org' })
      .option('ua', {
        type: 'string',
        default: 'http-digest',
        describe: `Ua security protocol id: ${Object.keys(UA_NAMES).join(', ')} or 5 bytes hex (TS 33.220 Annex H)`,
      })
      .option('impi', { type: 'string', demandOption: true, describe: 'IMS private identity' })
      .option('rand', { type: 'string', demandOption: true, describe: 'RAND of the bootstrapping run (16 bytes hex)' })
      .option('int', { type: 'boolean', describe: 'also derive Ks_int_NAF ("gba-u", GBA_U)' })
      .option('bsf', { type: 'string', describe: 'BSF domain name, to print the B-TID too' })
      .example(
        'SIMDM_CK=... SIMDM_IK=... $0 gba ks-naf --naf-id naf.example.org --impi user@ims.example --rand 00112233445566778899AABBCCDDEEFF',
        '',
      ) as Argv<KsNafArgs>,
  handler: (argv) => {
    const s = secretsFor(argv);
    const ksKey = s.get('KS') ? s.requireHex('KS', [32], 'GBA') : ks(s.requireHex('CK', [16], 'GBA'), s.requireHex('IK', [16], 'GBA'));
    const rand = fromHex(argv.rand, 'RAND');
    if (rand.length !== 16) throw new UsageError(`RAND must be 16 bytes, got ${rand.length}`);
    const ua = UA_NAMES[argv.ua] ?? fromHex(argv.ua, 'Ua security protocol id');
    if (ua.length !== 5) throw new UsageError('Ua security protocol id must be 5 bytes');
    const naf = nafId(argv['naf-id'], ua);
    const out: Record<string, string> = {
      naf_id: toHex(naf).toLowerCase(),
      ks_ext_naf: toHex(ksExtNaf(ksKey, rand, argv.impi, naf)).toLowerCase(),
    };
    if (argv.int) out.ks_int_naf = toHex(ksIntNaf(ksKey, rand, argv.impi, naf)).toLowerCase();
    if (argv.bsf) out.b_tid = bTid(rand, argv.bsf);
    output(argv, out, (o: Record<string, string>) =>
      Object.entries(o)
        .map(([k, v]) => `${k.padEnd(11)} ${v}`)
        .join('\n'),
    );
  },
};

interface BtidArgs extends GlobalArgs {
  rand: string;
  bsf: string;
}

const btid: CommandModule<GlobalArgs, BtidArgs> = {
  command: 'btid',
  describe: 'B-TID = base64(RAND)@BSF domain (TS 33.220 4.5.2)',
  builder: (y) =>
    y
      .option('rand', { type: 'string', demandOption: true, describe: 'RAND (16 bytes hex)' })
      .option('bsf', { type: 'string', demandOption: true, describe: 'BSF server domain name' }) as Argv<BtidArgs>,
  handler: (argv) => {
    const b = bTid(fromHex(argv.rand, 'RAND'), argv.bsf);
    output(argv, { b_tid: b }, () => b);
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'gba <command>',
  describe: 'GBA (TS 33.220): Ks_NAF derivation, B-TID',
  builder: (y) => y.command(ksNaf).command(btid).demandCommand(1) as Argv<GlobalArgs>,
  handler: () => undefined,
};
export default cmd;
