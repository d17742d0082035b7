/**
 * Memory of a large batch (issue 12 item 8): a key store of N cards (default 1 000 000; every
 * secret column sealed, as `perso generate` writes it) goes through what `perso run` does before
 * and while cards are written, in a child process whose peak RSS is the figure: the streamed
 * check of the data file with the transport key, the journal (SQLite) filled with every row, then
 * rows read back and decrypted as their cards would be (a sample of 2 000, spread over the file).
 *
 *   npx tsx bench/perso-large.ts [--rows 1000000] [--keep DIR]
 *
 * Prints file size, the time of each phase and the child's peak RSS (process.resourceUsage().maxRSS).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatCsv } from '../src/perso/csv.js';
import { generatedIccid, generatedImsi, GENERATED_COLUMNS } from '../src/perso/generate.js';
import { KEYSTORE_MARK, sealCell, TransportKey } from '../src/perso/keystore.js';

const KEY_HEX = '5A'.repeat(32);
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
};

async function measure(dir: string): Promise<void> {
  const { loadBatch } = await import('../src/perso/batch.js');
  const { openRowSecrets, wipeSecrets } = await import('../src/perso/data.js');
  const { openBatchJournal, readBatchData } = await import('../src/perso/station.js');
  const key = new TransportKey(Buffer.from(KEY_HEX, 'hex'));
  const t0 = performance.now();
  const batch = loadBatch(join(dir, 'big.yaml'));
  const data = readBatchData(batch, key);
  const t1 = performance.now();
  const j = await openBatchJournal(batch, { write: true });
  await j.ensureRows([...data.refs()], batch.name);
  const t2 = performance.now();
  const step = Math.max(1, Math.floor(data.count / 2000));
  let opened = 0;
  for (let n = 2; n < data.count + 2; n += step) {
    const row = data.row(n);
    if (!row) continue;
    wipeSecrets(openRowSecrets(key, row));
    opened++;
  }
  const t3 = performance.now();
  await j.close();
  data.close();
  const ru = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      rows: data.count,
      badRows: data.errorCount,
      checkS: (t1 - t0) / 1000,
      journalS: (t2 - t1) / 1000,
      rowsOpened: opened,
      openS: (t3 - t2) / 1000,
      peakRssMiB: Math.round(ru.maxRSS / 1024),
    }) + '\n',
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure(process.argv[3]!);
  const rows = Number(arg('rows', '1000000'));
  const keep = arg('keep', '');
  const dir = keep || mkdtempSync(join(tmpdir(), 'simdm-perso-large-'));
  const key = new TransportKey(Buffer.from(KEY_HEX, 'hex'));
  const file = join(dir, 'big.keystore.csv');
  const t0 = performance.now();
  const fd = openSync(file, 'w', 0o600);
  writeSync(fd, formatCsv([[KEYSTORE_MARK, 'v1', 'aes-256-gcm', key.checkValue()], GENERATED_COLUMNS]));
  const secret = new Set(['KI', 'OPC', 'ADM1', 'PIN1', 'PUK1']);
  let buf: string[][] = [];
  for (let n = 1; n <= rows; n++) {
    const iccid = generatedIccid(n);
    const plain: Record<string, string> = {
      ICCID: iccid,
      IMSI: generatedImsi(n),
      KI: n.toString(16).padStart(32, '0').toUpperCase(),
      OPC: (n * 7).toString(16).padStart(32, '0').toUpperCase(),
      ADM1: '88888888',
      PIN1: '1234',
      PUK1: '12345678',
      SPN: 'simdm',
    };
    buf.push(GENERATED_COLUMNS.map((c) => (secret.has(c) ? sealCell(key, iccid, c, plain[c]!) : plain[c]!)));
    if (buf.length === 10_000) {
      writeSync(fd, formatCsv(buf));
      buf = [];
    }
  }
  if (buf.length) writeSync(fd, formatCsv(buf));
  closeSync(fd);
  writeFileSync(join(dir, 'big.yaml'), `batch: big\ndata: big.keystore.csv\njournal: big.journal.sqlite\n`);
  const genS = (performance.now() - t0) / 1000;
  const size = statSync(file).size;
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--measure', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`measuring failed (exit ${r.status})`);
  const m = JSON.parse(r.stdout) as Record<string, number>;
  console.log(`key store: ${rows} rows, ${(size / 1048576).toFixed(0)} MiB, generated in ${genS.toFixed(1)} s`);
  console.log(
    `perso run data side (child process): check ${m.checkS!.toFixed(1)} s, journal of ${m.rows} rows ${m.journalS!.toFixed(1)} s, ${m.rowsOpened} rows read back and decrypted in ${m.openS!.toFixed(2)} s`,
  );
  console.log(`peak RSS: ${m.peakRssMiB} MiB`);
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

await main();
