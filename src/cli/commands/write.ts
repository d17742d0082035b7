/**
 * simdm write PATH (--hex HEX | --json FILE) [--record N] [--offset N]: UPDATE BINARY / UPDATE
 * RECORD (TS 102 221 11.1.4 / 11.1.6). JSON goes through the EF's codec; every check (codec,
 * size, record range) happens before the first byte is written.
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { verifyKeys } from '../../card/key-secrets.js';
import type { Json } from '../../card/codecs/types.js';
import { CardFs } from '../../card/fs.js';
import { UsageError } from '../../errors.js';
import { fromHex, toHex } from '../../util/hex.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  path: string;
  hex?: string;
  json?: boolean;
  'json-file'?: string;
  value?: string;
  record?: number;
  offset?: number;
  verify?: string[];
}

function readJson(file: string): Json {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'write <path>',
  describe: 'write an EF from hex or from JSON encoded by its codec (checked before anything is written)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('path', { type: 'string', demandOption: true })
      .option('hex', { type: 'string', describe: 'the bytes to write' })
      .option('json-file', { type: 'string', describe: "JSON value for the EF's codec (as `simdm cat --decode` shows it); - for stdin" })
      .option('value', { type: 'string', describe: 'the JSON value inline' })
      .option('record', { type: 'number', describe: 'record number (record EFs); without it, --json-file gives all records as a list' })
      .option('offset', { type: 'number', default: 0, describe: 'byte offset (transparent EFs, --hex only)' })
      .option('verify', { type: 'string', array: true, describe: 'verify these keys first (values from SIMDM_<KEY> or --keys), e.g. --verify adm1' })
      .option('force', { type: 'boolean', describe: 'allow verifying a key with one try left' })
      .check((a) => {
        const n = [a.hex, a['json-file'], a.value].filter((x) => x !== undefined).length;
        if (n !== 1) throw new UsageError('give exactly one of --hex, --json-file, --value');
        return true;
      })
      .example(`$0 write ADF.USIM/EF.SPN --value '{"name":"simdm","showPlmnNameAtHome":true}' --verify adm1`, 'set the service provider name')
      .example('$0 write ADF.USIM/EF.IMSI --json-file imsi.json', 'IMSI from {"imsi":"001010123456789"}') as Argv<Args>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      const fs = new CardFs(link);
      const f = await fs.select(argv.path);
      if (f.type !== 'EF') throw new UsageError(`${f.path} is a ${f.type}, not an EF`);
      const isRecord = f.structure === 'linear-fixed' || f.structure === 'cyclic';
      // build every write first: a bad value or size must not leave half a file written
      const writes: { record?: number; data: Uint8Array }[] = [];
      if (argv.hex !== undefined) {
        const data = fromHex(argv.hex, '--hex');
        if (isRecord && argv.record === undefined) throw new UsageError(`${f.path} is a record EF: give --record N`);
        writes.push({ ...(isRecord ? { record: argv.record! } : {}), data });
      } else {
        const value = argv.value !== undefined ? parseInline(argv.value) : readJson(argv['json-file']!);
        const codec = f.entry?.codec;
        if (!codec) throw new UsageError(`${f.path}: no codec for this file; write it with --hex`);
        if (isRecord) {
          const len = f.recordLength ?? 0;
          if (argv.record !== undefined) writes.push({ record: argv.record, data: codec.encode(value, len) });
          else {
            if (!Array.isArray(value)) throw new UsageError(`${f.path}: give --record N, or a JSON list of all ${f.recordCount} records`);
            if (f.recordCount !== undefined && value.length > f.recordCount)
              throw new UsageError(`${f.path}: ${value.length} records given, the file has ${f.recordCount}`);
            value.forEach((v, i) => writes.push({ record: i + 1, data: codec.encode(v, len) }));
          }
        } else {
          if (argv.record !== undefined) throw new UsageError(`${f.path} is transparent: no --record`);
          if (f.size === undefined) throw new UsageError(`${f.path}: the card did not give the file size`);
          writes.push({ data: codec.encode(value, f.size) });
        }
      }
      for (const w of writes) {
        if (w.record !== undefined) {
          if (f.recordCount !== undefined && (w.record < 1 || w.record > f.recordCount))
            throw new UsageError(`${f.path}: record ${w.record} out of range 1..${f.recordCount}`);
          if (f.recordLength !== undefined && w.data.length !== f.recordLength)
            throw new UsageError(`${f.path}: ${w.data.length} bytes for a record of ${f.recordLength}`);
        } else if (f.size !== undefined && argv.offset! + w.data.length > f.size) {
          throw new UsageError(`${f.path}: ${w.data.length} bytes at offset ${argv.offset} do not fit in the file of ${f.size} bytes; nothing written`);
        }
      }
      await verifyKeys(link, secretsFor(argv), argv.verify, !!argv.force);
      for (const w of writes) {
        if (w.record !== undefined) await fs.updateRecord(f.path, w.record, w.data);
        else await fs.updateBinary(f.path, w.data, argv.offset);
      }
      const result = {
        path: f.path,
        written: writes.map((w) => ({ ...(w.record !== undefined ? { record: w.record } : { offset: argv.offset }), hex: toHex(w.data) })),
      };
      output(argv, result, () =>
        result.written.map((w) => `${f.path}${'record' in w ? ` record ${w.record}` : ''}: wrote ${w.hex.length / 2} bytes`).join('\n'),
      );
    });
  },
};

function parseInline(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new UsageError(`--value is not JSON: ${(e as Error).message}`);
  }
}

export default cmd;
