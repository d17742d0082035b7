/**
 * simdm wbxml decode FILE [-o out.xml]          WBXML (binary, or hex text) -> XML
 * simdm wbxml encode FILE.xml [-o out.wbxml]    XML -> WBXML (hex on stdout unless -o)
 * simdm wbxml languages                         the code page tables simdm carries
 * `-` reads stdin / writes stdout; binary goes to stdout only with `-o -`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import {
  decodeWbxml,
  describePublicId,
  encodeWbxml,
  findLanguage,
  LANGUAGE_DECLS,
  languageForPublicId,
  parseXml,
  serializeXml,
  chooseLanguage,
  type LanguageDecl,
  type WbxmlEncodeOptions,
} from '../../codec/wbxml/index.js';
import { UsageError } from '../../errors.js';
import { fromHex, isHex, toHex } from '../../util/hex.js';
import { type GlobalArgs, output } from '../context.js';
import { checkInputSize, InputSizeError } from '../../util/input-file.js';

interface WbxmlArgs extends GlobalArgs {
  file?: string;
  out?: string;
  language?: string;
  'public-id'?: string;
  'wbxml-version'?: string;
  'string-table'?: boolean;
  'keep-whitespace'?: boolean;
  indent?: number;
}

/** yargs hands a lone `-` over as '' */
const isStd = (f: string | undefined) => f === '-' || f === '';

function readInput(file: string): Buffer {
  try {
    if (!isStd(file)) checkInputSize(file, 'wbxml');
    return isStd(file) ? readFileSync(0) : readFileSync(file);
  } catch (e) {
    if (e instanceof InputSizeError) throw e;
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

function writeOutput(file: string, data: string | Uint8Array): void {
  try {
    if (isStd(file)) process.stdout.write(data);
    else writeFileSync(file, data);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`, { cause: e });
  }
}

function languageArg(v: string | undefined): LanguageDecl | undefined {
  if (v === undefined) return undefined;
  const l = findLanguage(v);
  if (!l) throw new UsageError(`unknown WBXML language ${JSON.stringify(v)} (simdm wbxml languages lists them)`);
  return l;
}

function publicIdArg(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(v.trim())) {
    const n = Number(v.trim());
    if (n > 0xffffffff) throw new UsageError(`public id ${v} does not fit in 32 bits`);
    return n;
  }
  const byName = findLanguage(v);
  if (byName && !v.startsWith('-//')) return byName.wellKnownId ?? byName.fpi;
  return v;
}

const VERSIONS: Record<string, number> = { '1.0': 0, '1.1': 1, '1.2': 2, '1.3': 3 };

const decode: CommandModule<GlobalArgs, WbxmlArgs> = {
  command: 'decode <file>',
  describe: 'WBXML to XML (the file may also hold the bytes as hex text)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('file', { type: 'string', describe: 'WBXML file, - for stdin', demandOption: true })
      .option('out', { alias: 'o', type: 'string', describe: 'write the XML here (- = stdout, the default)' })
      .option('language', { alias: 'l', type: 'string', describe: 'force code pages: prov10, syncml12, syncml11, devinf12, devinf11' })
      .option('indent', { type: 'number', default: 2, describe: 'indent element-only content (0 = none)' }) as Argv<WbxmlArgs>,
  handler: (argv) => {
    const raw = readInput(argv.file!);
    const text = raw.toString('latin1');
    const bytes = raw.length && isHex(text) && /[0-9a-f]/i.test(text) ? fromHex(text, argv.file) : new Uint8Array(raw);
    const lang = languageArg(argv.language);
    const doc = decodeWbxml(bytes, lang ? { language: lang } : {});
    const fpi = typeof doc.publicId === 'string' ? doc.publicId : doc.language.fpi;
    const xml = serializeXml(doc.root, { language: doc.language, ...(fpi ? { publicId: fpi } : {}), indent: argv.indent ?? 2 });
    if (argv.out !== undefined && !isStd(argv.out)) {
      writeOutput(argv.out, xml);
      output(
        argv,
        { file: argv.out, bytes: bytes.length, publicId: doc.publicId, language: doc.language.id },
        () =>
          `${argv.out}: ${xml.length} characters of XML from ${bytes.length} bytes of WBXML ${(doc.version >> 4) + 1}.${doc.version & 15}, public id ${describePublicId(doc.publicId)}`,
      );
    } else if (argv.json) {
      output(argv, { version: doc.version, publicId: doc.publicId, charset: doc.charset, language: doc.language.id, xml });
    } else writeOutput('-', xml);
  },
};

const encode: CommandModule<GlobalArgs, WbxmlArgs> = {
  command: 'encode <file>',
  describe: 'XML to WBXML (hex on stdout unless -o; binary on stdout only with -o -)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('file', { type: 'string', describe: 'XML file, - for stdin', demandOption: true })
      .option('out', { alias: 'o', type: 'string', describe: 'write the WBXML here (- = binary on stdout)' })
      .option('public-id', { type: 'string', describe: 'well-known number (0x0B), FPI string (string-table form), or a language name' })
      .option('language', { alias: 'l', type: 'string', describe: 'code pages (default: from the DOCTYPE or the document element)' })
      .option('wbxml-version', { type: 'string', default: '1.3', choices: Object.keys(VERSIONS), describe: 'WBXML version' })
      .option('string-table', { type: 'boolean', default: true, describe: 'put repeated strings in the string table (--no-string-table: inline)' })
      .option('keep-whitespace', { type: 'boolean', default: false, describe: 'keep text exactly (default: trim, like xml2wbxml)' }) as Argv<WbxmlArgs>,
  handler: (argv) => {
    const xml = readInput(argv.file!).toString('utf8');
    const parsed = parseXml(xml, { whitespace: argv['keep-whitespace'] ? 'keep' : 'trim' });
    const opts: WbxmlEncodeOptions = {
      version: VERSIONS[argv['wbxml-version'] ?? '1.3'],
      stringTable: argv['string-table'] === false ? 'none' : 'auto',
    };
    const lang = languageArg(argv.language);
    if (lang) opts.language = lang;
    const pid = publicIdArg(argv['public-id']);
    if (pid !== undefined) opts.publicId = pid;
    else if (parsed.publicId && !lang) {
      const l = languageForPublicId(parsed.publicId);
      if (l) opts.language = l;
      else opts.publicId = parsed.publicId;
    }
    opts.language = chooseLanguage(parsed.root, opts);
    const bytes = encodeWbxml(parsed.root, opts);
    if (isStd(argv.out)) writeOutput('-', bytes);
    else if (argv.out !== undefined) {
      writeOutput(argv.out, bytes);
      output(
        argv,
        { file: argv.out, bytes: bytes.length, language: opts.language.id },
        () => `${argv.out}: ${bytes.length} bytes of WBXML (${opts.language!.title})`,
      );
    } else output(argv, { bytes: toHex(bytes), length: bytes.length, language: opts.language.id }, () => toHex(bytes));
  },
};

const languages: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'languages',
  describe: 'list the WBXML code page tables (public ids, FPIs)',
  handler: (argv) => {
    const rows = LANGUAGE_DECLS.map((d) => ({
      id: d.id,
      publicId: d.wellKnownId !== undefined ? describePublicId(d.wellKnownId).split(' ')[0] : undefined,
      fpi: d.fpi,
      title: d.title,
    }));
    output(argv, rows, (r: typeof rows) => r.map((x) => `${x.id.padEnd(9)} ${(x.publicId ?? '-').padEnd(7)} ${x.fpi ?? ''}  ${x.title}`).join('\n'));
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'wbxml <command>',
  describe: 'WBXML (OMA Client Provisioning, SyncML DM) to and from XML',
  builder: (y) => y.command(decode).command(encode).command(languages).demandCommand(1),
  handler: () => {},
};
export default cmd;
