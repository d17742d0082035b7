/**
 * simdm aka: 3GPP AKA from the command line (TS 33.102 6.3).
 *   aka vector    authentication vector from K and OP/OPc (MILENAGE) or TOP/TOPc (TUAK)
 *   aka auts      verify AUTS (resynchronisation) and recover SQN_MS
 *   aka run       AUTHENTICATE the USIM in the reader and check RES/CK/IK against the AuC side
 *   aka provision write K/OPc into a virtual card image (usim-auth applet state)
 * Keys come only from SIMDM_K, SIMDM_OP / SIMDM_OPC (TUAK: SIMDM_TOP / SIMDM_TOPC) or --keys.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { fromHex, toHex, uintBytes } from '../../util/hex.js';
import { verifyKeys } from '../../card/key-secrets.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';
import { akaAlgorithm, type AkaAlgorithm, type AlgorithmName } from '../../secure/aka/algorithm.js';
import { generateVector, nextSqnAfterResync, sqnNumber, vectorJson, verifyAuts } from '../../secure/aka/auc.js';
import { ctEqual } from '../../secure/aka/compare.js';
import { authenticate, expectAuthSuccess } from '../../secure/aka/device.js';
import { milenageOpc as milenageOpcFrom } from '../../secure/aka/milenage.js';
import { tuakTopc as tuakTopcFrom, type TuakParams } from '../../secure/aka/tuak.js';
import { loadImage, saveImage } from '../../sim/image.js';
import { SqnArray } from '../../secure/aka/sqn.js';

interface AlgArgs extends GlobalArgs {
  alg: AlgorithmName;
  'res-len'?: number;
  'mac-len'?: number;
  'ck-len'?: number;
  'ik-len'?: number;
  'keccak-iterations'?: number;
}

function algOptions<T>(y: Argv<T>): Argv<T & AlgArgs> {
  return y
    .option('alg', { choices: ['milenage', 'tuak'] as const, default: 'milenage' as const, describe: 'AKA algorithm set' })
    .option('res-len', { type: 'number', describe: 'TUAK: RES length in bytes (4, 8, 16, 32)' })
    .option('mac-len', { type: 'number', describe: 'TUAK: MAC length in bytes (8, 16, 32)' })
    .option('ck-len', { type: 'number', describe: 'TUAK: CK length in bytes (16, 32)' })
    .option('ik-len', { type: 'number', describe: 'TUAK: IK length in bytes (16, 32)' })
    .option('keccak-iterations', { type: 'number', describe: 'TUAK: Keccak iterations (default 1)' }) as unknown as Argv<T & AlgArgs>;
}

function tuakParams(a: AlgArgs): TuakParams {
  const p: TuakParams = {};
  if (a['res-len'] !== undefined) p.resLength = a['res-len'] as TuakParams['resLength'];
  if (a['mac-len'] !== undefined) p.macLength = a['mac-len'] as TuakParams['macLength'];
  if (a['ck-len'] !== undefined) p.ckLength = a['ck-len'] as TuakParams['ckLength'];
  if (a['ik-len'] !== undefined) p.ikLength = a['ik-len'] as TuakParams['ikLength'];
  if (a['keccak-iterations'] !== undefined) p.keccakIterations = a['keccak-iterations'];
  return p;
}

/** The subscriber's algorithm from secrets: K plus OP or OPc (TOP or TOPc for TUAK). */
function algorithmFromSecrets(a: AlgArgs): AkaAlgorithm {
  const s = secretsFor(a);
  const tuak = a.alg === 'tuak';
  const k = s.requireHex('K', tuak ? [16, 32] : [16], 'AKA');
  const opLen = tuak ? [32] : [16];
  const opcName = tuak && !!s.get('TOPC') ? 'TOPC' : 'OPC';
  const opName = tuak && !!s.get('TOP') ? 'TOP' : 'OP';
  const hasOpc = !!s.get(opcName);
  const hasOp = !!s.get(opName);
  if (hasOpc === hasOp) {
    throw new UsageError(`AKA: set exactly one of SIMDM_${opName} and SIMDM_${opcName}`);
  }
  return akaAlgorithm({
    alg: a.alg,
    k,
    ...(hasOpc ? { opc: s.requireHex(opcName, opLen) } : { op: s.requireHex(opName, opLen) }),
    ...(tuak ? { tuak: tuakParams(a) } : {}),
  });
}

function hexArg(v: string | undefined, what: string, len: number): Uint8Array | undefined {
  if (v === undefined) return undefined;
  const b = fromHex(v, what);
  if (b.length !== len) throw new UsageError(`${what} must be ${len} bytes, got ${b.length}`);
  return b;
}

const lower = (b: Uint8Array) => toHex(b).toLowerCase();

interface VectorArgs extends AlgArgs {
  rand?: string;
  sqn: string;
  amf: string;
}

const vector: CommandModule<GlobalArgs, VectorArgs> = {
  command: 'vector',
  describe: 'generate an authentication vector (RAND, XRES, CK, IK, AK, AUTN, MAC-A, MAC-S, AK*)',
  builder: (y) =>
    algOptions(y)
      .option('rand', { type: 'string', describe: 'RAND (16 bytes hex); random if omitted' })
      .option('sqn', { type: 'string', demandOption: true, describe: 'SQN (6 bytes hex)' })
      .option('amf', { type: 'string', default: '8000', describe: 'AMF (2 bytes hex)' })
      .example('SIMDM_K=... SIMDM_OPC=... $0 aka vector --sqn 000000000020 --json', '') as Argv<VectorArgs>,
  handler: (argv) => {
    const alg = algorithmFromSecrets(argv);
    const v = generateVector(alg, {
      sqn: hexArg(argv.sqn, 'SQN', 6)!,
      amf: hexArg(argv.amf, 'AMF', 2)!,
      ...(argv.rand ? { rand: hexArg(argv.rand, 'RAND', 16)! } : {}),
    });
    output(argv, vectorJson(v), (j: Record<string, string>) =>
      Object.entries(j)
        .map(([k, x]) => `${k.toUpperCase().padEnd(8)} ${x}`)
        .join('\n'),
    );
  },
};

interface AutsArgs extends AlgArgs {
  rand: string;
  auts: string;
  ind: number;
  'ind-bits': number;
}

const auts: CommandModule<GlobalArgs, AutsArgs> = {
  command: 'auts',
  describe: 'verify AUTS from a synchronisation failure and recover SQN_MS (TS 33.102 6.3.5)',
  builder: (y) =>
    algOptions(y)
      .option('rand', { type: 'string', demandOption: true, describe: 'the RAND of the failed authentication' })
      .option('auts', { type: 'string', demandOption: true, describe: 'AUTS (14 bytes hex)' })
      .option('ind', { type: 'number', default: 0, describe: 'IND slot for the next SQN' })
      .option('ind-bits', { type: 'number', default: 5, describe: 'IND length in bits (TS 33.102 Annex C)' }) as Argv<AutsArgs>,
  handler: (argv) => {
    const alg = algorithmFromSecrets(argv);
    const rand = hexArg(argv.rand, 'RAND', 16)!;
    const autsBytes = fromHex(argv.auts, 'AUTS');
    const r = verifyAuts(alg, rand, autsBytes);
    const next = nextSqnAfterResync(r.sqnMsValue, argv['ind-bits'], argv.ind);
    const res = {
      sqn_ms: lower(r.sqnMs),
      sqn_ms_decimal: r.sqnMsValue,
      next_sqn: lower(uintBytes(next, 6)),
      next_sqn_decimal: next,
    };
    output(argv, res, (x: typeof res) => `AUTS verifies: SQN_MS ${x.sqn_ms} (${x.sqn_ms_decimal}); next SQN ${x.next_sqn} (${x.next_sqn_decimal})`);
  },
};

interface RunArgs extends AlgArgs {
  sqn: string;
  amf: string;
  aid: string;
  verify?: string[];
  force?: boolean;
}

const run: CommandModule<GlobalArgs, RunArgs> = {
  command: 'run',
  describe: 'AUTHENTICATE the USIM in the reader with a fresh vector and check RES/CK/IK (resynchronises once on AUTS)',
  builder: (y) =>
    algOptions(y)
      .option('sqn', { type: 'string', demandOption: true, describe: 'SQN to use (6 bytes hex); after AUTS the AuC picks SEQ_MS+1' })
      .option('amf', { type: 'string', default: '8000', describe: 'AMF (2 bytes hex)' })
      .option('aid', { type: 'string', default: 'A0000000871002', describe: 'USIM AID (or its first bytes)' })
      .option('verify', {
        type: 'string',
        array: true,
        default: ['pin1'],
        describe:
          'keys to verify after selecting the USIM (AUTHENTICATE needs PIN1, TS 31.102 7.1.2; value from SIMDM_PIN1 or --keys); --verify none when PIN1 is disabled',
      })
      .option('force', { type: 'boolean', describe: 'allow verifying a key with one try left' }) as Argv<RunArgs>,
  handler: async (argv) => {
    const alg = algorithmFromSecrets(argv);
    const amf = hexArg(argv.amf, 'AMF', 2)!;
    let sqn = sqnNumber(hexArg(argv.sqn, 'SQN', 6)!);
    const aid = fromHex(argv.aid, 'AID');
    await withCard(argv, async ({ link }) => {
      await link.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: aid }, 'SELECT USIM');
      await verifyKeys(
        link,
        secretsFor(argv),
        (argv.verify ?? []).filter((k) => k !== 'none'),
        !!argv.force,
      );
      let resynced: number | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        const v = generateVector(alg, { sqn, amf });
        const r = await authenticate(link, v.rand, v.autn);
        if (r.kind === 'sync-failure') {
          const { sqnMsValue } = verifyAuts(alg, v.rand, r.auts);
          resynced = sqnMsValue;
          sqn = nextSqnAfterResync(sqnMsValue);
          continue;
        }
        const ok = expectAuthSuccess(r); // MAC failure: AkaError aka.mac-failure
        const resOk = ctEqual(ok.res, v.xres);
        const keysOk = ctEqual(ok.ck, v.ck) && ctEqual(ok.ik, v.ik);
        const out = {
          result: resOk && keysOk ? 'ok' : 'mismatch',
          res_ok: resOk,
          ck_ik_ok: keysOk,
          sqn: sqn,
          ...(resynced !== undefined ? { resynchronised_from_sqn_ms: resynced } : {}),
        };
        output(
          argv,
          out,
          (o: typeof out) =>
            `${o.result === 'ok' ? 'AKA ok' : 'AKA MISMATCH'}: RES ${o.res_ok ? 'matches' : 'differs'}, CK/IK ${o.ck_ik_ok ? 'match' : 'differ'}, SQN ${o.sqn}${resynced !== undefined ? ` (after resync from SQN_MS ${resynced})` : ''}`,
        );
        if (!(resOk && keysOk)) process.exitCode = 2;
        return;
      }
      throw new UsageError('the card asked for resynchronisation twice');
    });
  },
};

interface ProvisionArgs extends AlgArgs {
  image: string;
}

const provision: CommandModule<GlobalArgs, ProvisionArgs> = {
  command: 'provision',
  describe: 'write K and OPc (TOPc) from the secrets into a virtual card image for its AUTHENTICATE applet',
  builder: (y) => algOptions(y).option('image', { type: 'string', demandOption: true, describe: 'card image JSON (see simdm vcard)' }) as Argv<ProvisionArgs>,
  handler: (argv) => {
    const s = secretsFor(argv);
    const tuak = argv.alg === 'tuak';
    const k = s.requireHex('K', tuak ? [16, 32] : [16], 'AKA');
    algorithmFromSecrets(argv); // validates the key set before the image is touched
    // store OPc/TOPc, never OP (TS 35.206 5.1 / TS 35.231 7.1 recommend OPc on the card)
    const opcName = tuak ? (s.get('TOPC') ? 'TOPC' : 'OPC') : 'OPC';
    const opName = tuak ? (s.get('TOP') ? 'TOP' : 'OP') : 'OP';
    let opc: Uint8Array;
    if (s.get(opcName)) opc = s.requireHex(opcName, tuak ? [32] : [16]);
    else if (tuak) opc = tuakTopcFrom(k, s.requireHex(opName, [32]), argv['keccak-iterations'] ?? 1);
    else opc = milenageOpcFrom(k, s.requireHex(opName, [16]));
    const image = loadImage(argv.image);
    const applets = { ...(image.applets ?? {}) };
    applets['usim-auth'] = {
      alg: argv.alg,
      k: toHex(k),
      opc: toHex(opc),
      ...(tuak
        ? {
            tuak: {
              ...(argv['res-len'] ? { resLength: argv['res-len'] } : {}),
              ...(argv['keccak-iterations'] ? { keccakIterations: argv['keccak-iterations'] } : {}),
            },
          }
        : {}),
      sqn: new SqnArray().toJSON(),
    };
    saveImage(argv.image, { ...image, applets });
    output(argv, { image: argv.image, alg: argv.alg }, () => `${argv.image}: ${argv.alg} subscriber written (SQN array reset)`);
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'aka <command>',
  describe: '3GPP AKA: vectors (MILENAGE, TUAK), AUTS resync, AUTHENTICATE a USIM',
  builder: (y) => y.command(vector).command(auts).command(run).command(provision).demandCommand(1) as Argv<GlobalArgs>,
  handler: () => undefined,
};
export default cmd;
