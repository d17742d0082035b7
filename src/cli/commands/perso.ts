/**
 * simdm perso: bulk personalisation (issue 8). Secrets never come from arguments: the transport
 * key from SIMDM_TRANSPORT_KEY (or --keys FILE), the per-card secrets from the encrypted key store.
 *
 *   perso keygen                       a new transport key (hex) on stdout
 *   perso import PLAIN.csv --out KS    encrypt the secret columns into a key store
 *   perso export KS --out PLAIN.csv    decrypt a key store (for the operator's own systems)
 *   perso generate --count N --out KS  a test batch, encrypted directly
 *   perso check BATCH                  the data file's bad rows, with row and column
 *   perso run BATCH --readers all      write cards on every listed reader in parallel
 *   perso resume BATCH --readers all   the same after a crash: finishes or redoes unverified cards
 *   perso report BATCH [--format csv|json] [--audit] [--out FILE]
 *   perso release BATCH --row N        an operator frees a held or failed row
 */
import { randomBytes } from 'node:crypto';
import { fstatSync, writeFileSync, readFileSync } from 'node:fs';
import { secretFd, writeSecretFile } from '../../util/secret-file.js';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { loadBatch } from '../../perso/batch.js';
import { decryptData, encryptData } from '../../perso/data.js';
import { authenticateRows } from '../../perso/data-file.js';
import { PersoError } from '../../perso/errors.js';
import { generateCsv } from '../../perso/generate.js';
import { TransportKey } from '../../perso/keystore.js';
import { createProgress, type Progress } from '../../perso/progress.js';
import { auditCsv, buildReport, reportCsv, reportText } from '../../perso/report.js';
import { runBatch } from '../../perso/run.js';
import { openBatchJournal, readBatchData, sealJournal } from '../../perso/station.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { checkInputSize } from '../../util/input-file.js';

function transportKey(argv: GlobalArgs): TransportKey {
  return new TransportKey(secretsFor(argv).requireHex('TRANSPORT_KEY', [32], 'the key store'));
}

function readText(path: string): string {
  checkInputSize(path, 'csv');
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function printRowErrors(errors: { message: string }[], max = 50, total = errors.length): void {
  for (const e of errors.slice(0, max)) process.stderr.write(`simdm: ${e.message}\n`);
  if (total > max) process.stderr.write(`simdm: ... and ${total - Math.min(max, errors.length)} more bad rows\n`);
}

interface FileArgs extends GlobalArgs {
  file: string;
  out: string;
}

interface KeygenArgs extends GlobalArgs {
  out?: string;
}

const keygen: CommandModule<GlobalArgs, KeygenArgs> = {
  command: 'keygen',
  describe: 'a new random AES-256 transport key (hex) as a --keys line TRANSPORT_KEY=...: to --out FILE (mode 600), or to stdout',
  builder: (y: Argv<GlobalArgs>) =>
    y.option('out', { alias: 'o', type: 'string', describe: 'write the key file here, mode 600 (also when it exists)' }) as Argv<KeygenArgs>,
  handler: (argv) => {
    const key = TransportKey.generate().toHex();
    if (argv.out) {
      writeSecretFile(argv.out, `TRANSPORT_KEY=${key}\n`);
      output(argv, { out: argv.out }, () => `transport key written to ${argv.out} (mode 600)`);
      return;
    }
    // `simdm perso keygen > transport.keys`: the shell created the file with its umask (0644
    // usually); a regular file on stdout is narrowed to 600 before the key goes into it
    try {
      if (fstatSync(1).isFile()) secretFd(1);
    } catch {
      /* not a file we may change: a pipe or a terminal */
    }
    output(argv, { transportKey: key }, (v: { transportKey: string }) => `TRANSPORT_KEY=${v.transportKey}`);
  },
};

const importCmd: CommandModule<GlobalArgs, FileArgs> = {
  command: 'import <file>',
  describe: 'encrypt the secret columns (KI/K, OPC, ADM1, PIN1, PUK1, ...) of a plaintext CSV into a key store',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('file', { type: 'string', demandOption: true })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'the key store to write' }) as Argv<FileArgs>,
  handler: (argv) => {
    const r = encryptData(readText(argv.file), transportKey(argv));
    writeSecretFile(argv.out, r.text);
    printRowErrors(r.errors);
    output(
      argv,
      { rows: r.rows, badRows: r.errors.length, out: argv.out },
      () => `${r.rows} rows encrypted into ${argv.out}${r.errors.length ? `; ${r.errors.length} bad rows left out (above)` : ''}`,
    );
    if (r.errors.length) process.exitCode = 2;
  },
};

const exportCmd: CommandModule<GlobalArgs, FileArgs> = {
  command: 'export <file>',
  describe: 'decrypt a key store back to a plaintext CSV (handle the output as a secret)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('file', { type: 'string', demandOption: true })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'plaintext CSV to write (mode 600)' }) as Argv<FileArgs>,
  handler: (argv) => {
    const r = decryptData(readText(argv.file), transportKey(argv));
    writeSecretFile(argv.out, r.text);
    printRowErrors(r.errors);
    output(argv, { rows: r.rows, badRows: r.errors.length, out: argv.out }, () => `${r.rows} rows decrypted into ${argv.out}`);
    if (r.errors.length) process.exitCode = 2;
  },
};

interface GenArgs extends GlobalArgs {
  count: number;
  out: string;
  repeatable?: boolean;
  start?: number;
  'write-batch'?: string;
}

const generate: CommandModule<GlobalArgs, GenArgs> = {
  command: 'generate',
  describe: 'a test batch: N rows (test ICCID range 89882, IMSI 00101...), encrypted with the transport key',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('count', { alias: 'n', type: 'number', demandOption: true })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'key store to write' })
      .option('repeatable', {
        type: 'boolean',
        describe: 'derive K/OPc from SIMDM_PERSO_SEED (or --keys) so the same batch comes out again; default: random keys',
      })
      .option('start', { type: 'number', describe: 'first serial (default 1)' })
      .option('write-batch', { type: 'string', describe: 'also write a batch YAML here naming the key store' }) as Argv<GenArgs>,
  handler: (argv) => {
    if (!Number.isInteger(argv.count) || argv.count < 1 || argv.count > 1_000_000) throw new UsageError('--count must be 1..1000000');
    // the seed determines every K/OPc of the batch: a secret like them, so never an argument
    const seed = argv.repeatable ? secretsFor(argv).require('PERSO_SEED', 'perso generate --repeatable') : randomBytes(32).toString('hex');
    const r = encryptData(generateCsv({ count: argv.count, seed, ...(argv.start ? { start: argv.start } : {}) }), transportKey(argv));
    writeSecretFile(argv.out, r.text);
    if (argv['write-batch']) {
      const name = argv['write-batch']
        .replace(/^.*\//, '')
        .replace(/\.ya?ml$/, '')
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .slice(0, 64);
      writeFileSync(argv['write-batch'], `batch: ${name}\ndata: ${argv.out.startsWith('/') ? argv.out : `${process.cwd()}/${argv.out}`}\n`);
    }
    output(argv, { rows: r.rows, out: argv.out }, () => `${r.rows} test rows written to ${argv.out}`);
  },
};

interface BatchArgs extends GlobalArgs {
  batch: string;
}

const check: CommandModule<GlobalArgs, BatchArgs> = {
  command: 'check <batch>',
  describe: 'check a batch: the key store opens with the transport key and every secret cell authenticates; bad rows with row and column',
  builder: (y: Argv<GlobalArgs>) => y.positional('batch', { type: 'string', demandOption: true }) as Argv<BatchArgs>,
  handler: (argv) => {
    const b = loadBatch(argv.batch);
    const key = transportKey(argv);
    const d = readBatchData(b, key);
    try {
      const a = authenticateRows(key, d);
      printRowErrors(a.errors, 50, a.errorCount);
      output(
        argv,
        { batch: b.name, rows: a.usable, badRows: a.errors.map((e) => e.message) },
        () => `batch ${b.name}: ${a.usable} usable rows, ${a.errorCount} bad rows`,
      );
      if (a.errorCount) process.exitCode = 2;
    } finally {
      d.close();
    }
  },
};

interface RunArgs extends BatchArgs {
  readers: string;
  'max-cards'?: number;
  station?: string;
  'keep-going'?: boolean;
  progress?: boolean;
  'new-journal'?: boolean;
}

function runCommand(resume: boolean): CommandModule<GlobalArgs, RunArgs> {
  return {
    command: `${resume ? 'resume' : 'run'} <batch>`,
    describe: resume
      ? 'resume after a crash or kill: rows of dead sessions are taken over, unverified cards finished or redone'
      : 'personalise cards on every listed reader in parallel until the batch is done (Ctrl-C: finish the cards in the readers, then stop)',
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional('batch', { type: 'string', demandOption: true })
        .option('readers', { type: 'string', default: 'all', describe: '"all" or R1,R2,... (names, unique parts of names, or indexes); up to 16' })
        .option('max-cards', { type: 'number', describe: 'stop after this many cards (verified, failed or skipped)' })
        .option('station', { type: 'string', describe: 'station name in the journal (default: host name)' })
        .option('keep-going', { type: 'boolean', describe: 'do not stop when the batch is done (pre-numbered cards trickling in)' })
        .option('force', { type: 'boolean', describe: 'present ADM/PIN even with one try left (never by default)' })
        .option('progress', { type: 'boolean', describe: 'progress bars (default: when stderr is a TTY)' })
        .option('new-journal', {
          type: 'boolean',
          describe:
            "start a new journal when the batch's journal is empty, damaged or missing (the old file is moved aside); only if no card was written with the old one",
        }) as Argv<RunArgs>,
    handler: async (argv) => {
      const secrets = secretsFor(argv);
      const key = transportKey(argv);
      const ac = new AbortController();
      const stop = (): void => {
        if (ac.signal.aborted) process.exit(130);
        process.stderr.write('simdm: stopping after the cards in the readers are done (again to quit now)\n');
        ac.abort();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      let progress: Progress | undefined;
      try {
        const sum = await runBatch({
          batchFile: argv.batch,
          key,
          secrets,
          readers: argv.readers,
          resume,
          signal: ac.signal,
          ...(argv.station ? { station: argv.station } : {}),
          ...(argv.force ? { force: true } : {}),
          ...(argv['max-cards'] !== undefined ? { maxCards: argv['max-cards'] } : {}),
          ...(argv['keep-going'] ? { stopWhenDone: false } : {}),
          ...(argv['new-journal'] ? { newJournal: true } : {}),
          admFallback: () => {
            const v = secrets.get('ADM1');
            return v ? Buffer.from(v, 'utf8') : undefined;
          },
          onStart: ({ session, data, recovered, readers, batch }) => {
            printRowErrors(data.errors, 50, data.errorCount);
            for (const r of recovered) process.stderr.write(`simdm: recovered row ${r.rowNo} ICCID ${r.iccid}: ${r.from} -> ${r.to}\n`);
            process.stderr.write(`simdm: session ${session}, batch ${batch.name}, ${data.count} rows, ${readers.length} reader(s)\n`);
            progress = createProgress({ readers, total: data.count, done: 0, tty: argv.progress ?? process.stderr.isTTY === true });
          },
          onEvent: (e) => progress?.event(e),
        });
        progress?.stop();
        output(
          argv,
          sum,
          () =>
            `session ${sum.session}: ${sum.verified} verified, ${sum.failed} failed, ${sum.pulled} pulled, ${sum.skipped} skipped; ${sum.cardsPerMinute.toFixed(1)} cards/min, ${sum.verified ? (sum.apdusVerified / sum.verified).toFixed(1) : '-'} APDUs per card`,
        );
        if (sum.failed) process.exitCode = 3;
      } finally {
        progress?.stop();
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    },
  };
}

interface ReportArgs extends BatchArgs {
  format: 'text' | 'csv' | 'json';
  audit?: boolean;
  out?: string;
}

const report: CommandModule<GlobalArgs, ReportArgs> = {
  command: 'report <batch>',
  describe: 'what was written, verified, failed and why (text, CSV or JSON); --audit: the audit trail of every session',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('batch', { type: 'string', demandOption: true })
      .option('format', { type: 'string', choices: ['text', 'csv', 'json'] as const, default: 'text' as const })
      .option('audit', { type: 'boolean', describe: 'the events (session id, what, success) instead of the rows' })
      .option('out', { alias: 'o', type: 'string', describe: 'write to this file' }) as Argv<ReportArgs>,
  handler: async (argv) => {
    const b = loadBatch(argv.batch);
    const j = await openBatchJournal(b, { write: false });
    try {
      const fmt = argv.json ? 'json' : argv.format;
      let text: string;
      if (argv.audit) {
        const ev = await j.events();
        text = fmt === 'json' ? JSON.stringify(ev, null, 2) + '\n' : auditCsv(ev);
      } else {
        const r = await buildReport(j, b.name);
        text = fmt === 'json' ? JSON.stringify(r, null, 2) + '\n' : fmt === 'csv' ? reportCsv(r) : reportText(r) + '\n';
      }
      if (argv.out) writeFileSync(argv.out, text);
      else process.stdout.write(text);
    } finally {
      await j.close();
    }
  },
};

interface ReleaseArgs extends BatchArgs {
  row: number;
  reason: string;
}

const release: CommandModule<GlobalArgs, ReleaseArgs> = {
  command: 'release <batch>',
  describe: 'free a held or failed row (the card that may carry it was destroyed or checked)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('batch', { type: 'string', demandOption: true })
      .option('row', { type: 'number', demandOption: true })
      .option('reason', { type: 'string', default: 'released by the operator' }) as Argv<ReleaseArgs>,
  handler: async (argv) => {
    const b = loadBatch(argv.batch);
    const j = await openBatchJournal(b, { write: true });
    try {
      const s = await j.openSession(`operator@${process.env.USER ?? 'unknown'}`);
      const ok = await j.operatorRelease(argv.row, s, argv.reason);
      await j.closeSession(s, ok ? `released row ${argv.row}` : 'nothing released');
      await sealJournal(b, j);
      if (!ok) throw new PersoError('release', `row ${argv.row} is not held or failed`);
      output(argv, { released: argv.row }, () => `row ${argv.row} is free again`);
    } finally {
      await j.close();
    }
  },
};

const perso: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'perso',
  describe: 'bulk personalisation: key stores, parallel runs on many readers, journal, resume, reports',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .command(keygen)
      .command(importCmd)
      .command(exportCmd)
      .command(generate)
      .command(check)
      .command(runCommand(false))
      .command(runCommand(true))
      .command(report)
      .command(release)
      .demandCommand(1, 'name a perso command') as Argv<GlobalArgs>,
  handler: () => undefined,
};

export default perso;
