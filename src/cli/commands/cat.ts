/**
 * simdm cat PATH [--record N] [--raw|--decode]: read an EF (READ BINARY / READ RECORD, TS 102 221
 * 11.1.3 / 11.1.5) and show it decoded through its codec, or as hex.
 */
import type { Argv, CommandModule } from 'yargs';
import { verifyKeys } from '../../card/key-secrets.js';
import { CardFs } from '../../card/fs.js';
import { UsageError } from '../../errors.js';
import { toHex } from '../../util/hex.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  path: string;
  record?: number;
  raw?: boolean;
  decode?: boolean;
  verify?: string[];
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'cat <path>',
  describe: 'read an EF: decoded by its codec (default when there is one) or raw hex',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('path', { type: 'string', demandOption: true })
      .option('record', { type: 'number', describe: 'one record (record EFs), numbered from 1' })
      .option('raw', { type: 'boolean', describe: 'hex only' })
      .option('decode', { type: 'boolean', describe: 'decoded value only (fails if the EF has no codec)' })
      .option('verify', { type: 'string', array: true, describe: 'verify these keys first (values from SIMDM_<KEY> or --keys), e.g. --verify pin1' })
      .option('force', { type: 'boolean', describe: 'allow verifying a key with one try left' })
      .conflicts('raw', 'decode')
      .example('$0 cat ADF.USIM/EF.SPN', 'the service provider name')
      .example('SIMDM_PIN1=1234 $0 cat EF.IMSI --verify pin1', 'a PIN-protected EF') as Argv<Args>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      await verifyKeys(link, secretsFor(argv), argv.verify, !!argv.force);
      const fs = new CardFs(link);
      const f = await fs.select(argv.path);
      const codec = f.entry?.codec;
      if (f.type !== 'EF') throw new UsageError(`${f.path} is a ${f.type}: use 'simdm ls ${f.path}'`);
      const isRecord = f.structure === 'linear-fixed' || f.structure === 'cyclic';
      let raw: string | string[];
      let decoded: unknown;
      let decodeError: string | undefined;
      const dec = (b: Uint8Array): unknown => {
        if (!codec) return undefined;
        try {
          return codec.decode(b);
        } catch (e) {
          decodeError = (e as Error).message;
          return undefined;
        }
      };
      if (isRecord) {
        const recs = argv.record !== undefined ? [await fs.readRecord(undefined, argv.record)] : await fs.readRecords();
        raw = recs.map((r) => toHex(r));
        const d = recs.map(dec);
        decoded = codec && !decodeError ? (argv.record !== undefined ? d[0] : d) : undefined;
      } else {
        if (argv.record !== undefined) throw new UsageError(`${f.path} is ${f.structure}, it has no records`);
        const b = await fs.readBinary();
        raw = toHex(b);
        decoded = dec(b);
      }
      if (argv.decode && !codec) throw new UsageError(`${f.path}: no codec for this file; use --raw`);
      if (argv.decode && decodeError) throw new UsageError(`${f.path}: ${decodeError}`);
      const result = argv.raw
        ? { path: f.path, raw }
        : argv.decode
          ? { path: f.path, decoded }
          : { path: f.path, raw, ...(decoded !== undefined ? { decoded } : {}), ...(decodeError ? { decodeError } : {}) };
      output(argv, result, () => {
        if (argv.raw) return Array.isArray(raw) ? raw.map((r, i) => `${argv.record ?? i + 1}: ${r}`).join('\n') : raw;
        if (argv.decode) return JSON.stringify(decoded, null, 2);
        const rawText = Array.isArray(raw) ? raw.map((r, i) => `  ${argv.record ?? i + 1}: ${r}`).join('\n') : `  ${raw}`;
        return [
          `${f.path}`,
          rawText,
          ...(decoded !== undefined ? [JSON.stringify(decoded, null, 2)] : []),
          ...(decodeError ? [`decode error: ${decodeError}`] : []),
        ].join('\n');
      });
    });
  },
};
export default cmd;
