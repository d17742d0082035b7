/**
 * simdm tlv decode --format ber|comprehension|simple|lwm2m HEX   tree with offsets and tag names
 * simdm tlv encode --format ... FILE.json                         the JSON `decode --json` prints
 * HEX may be `-` (hex text on stdin); FILE.json may be `-` (stdin). For lwm2m, `--object N`
 * decodes with the resource types of object N (0 Security, 1 Server, 3 Device, 11 APN).
 * The mapping itself is the codec layer's (src/codec/tlv/json.ts).
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { decodeTlvText, encodeTlvJson, TLV_FORMATS, type TlvFormat } from '../../codec/tlv/json.js';
import { SimdmError, UsageError } from '../../errors.js';
import { fromHex, toHex } from '../../util/hex.js';
import { type GlobalArgs, output } from '../context.js';

interface TlvArgs extends GlobalArgs {
  format: TlvFormat;
  hex?: string;
  file?: string;
  object?: number;
}

function readText(file: string): string {
  try {
    return file === '-' || file === '' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

function formatOption<T>(y: Argv<T>): Argv<T & { format: TlvFormat; object?: number }> {
  return y
    .option('format', { alias: 'f', choices: TLV_FORMATS, demandOption: true, describe: 'TLV flavour' })
    .option('object', { type: 'number', describe: 'lwm2m: decode/encode with the resource types of this object id' }) as unknown as Argv<
    T & { format: TlvFormat; object?: number }
  >;
}

const decode: CommandModule<GlobalArgs, TlvArgs> = {
  command: 'decode <hex>',
  describe: 'decode TLV bytes given in hex (- for stdin): a tree with offsets and tag names',
  builder: (y: Argv<GlobalArgs>) =>
    formatOption(y)
      .positional('hex', { type: 'string', demandOption: true, describe: 'the bytes in hex, or - to read hex text from stdin' })
      .example('$0 tlv decode -f ber 62178202412183026F078A01058B036F060A80020009880138', 'an FCP')
      .example('$0 tlv decode -f lwm2m --object 1 08000FC10001C40100015180C10601C10755', 'a Server object') as unknown as Argv<TlvArgs>,
  handler: (argv) => {
    const text = argv.hex === '-' || argv.hex === '' ? readText('-') : String(argv.hex);
    const bytes = fromHex(text, 'TLV bytes');
    if (argv.object !== undefined && argv.format !== 'lwm2m') throw new UsageError('--object only applies to --format lwm2m');
    let r: { json: unknown; text: string[] };
    try {
      r = decodeTlvText(argv.format, bytes, argv.object);
    } catch (e) {
      if (e instanceof SimdmError) throw e;
      throw new SimdmError('codec', `cannot decode: ${(e as Error).message}`, { cause: e });
    }
    output(argv, r.json, () => r.text.join('\n'));
  },
};

const encode: CommandModule<GlobalArgs, TlvArgs> = {
  command: 'encode <file>',
  describe: 'encode the JSON that `tlv decode --json` prints (- for stdin); prints hex',
  builder: (y: Argv<GlobalArgs>) =>
    formatOption(y).positional('file', { type: 'string', demandOption: true, describe: 'JSON file, or -' }) as unknown as Argv<TlvArgs>,
  handler: (argv) => {
    const raw = readText(String(argv.file ?? '-'));
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (e) {
      throw new UsageError(`${argv.file}: not JSON (${(e as Error).message})`);
    }
    const bytes = encodeTlvJson(argv.format, doc);
    output(argv, { format: argv.format, hex: toHex(bytes) }, () => toHex(bytes));
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'tlv <command>',
  describe: 'decode and encode BER-TLV, COMPREHENSION-TLV, SIMPLE-TLV and LwM2M TLV',
  builder: (y: Argv<GlobalArgs>) => y.command(decode).command(encode).demandCommand(1) as Argv<GlobalArgs>,
  handler: () => undefined,
};
export default cmd;
