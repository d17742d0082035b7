/**
 * A batch's data file (CSV or key store) read as a stream, so a batch of a million cards fits a
 * stated memory budget (docs/perso.md, bench/perso-large.ts): one pass checks every record (the
 * rules of loadData: fields, values, plaintext secrets, duplicate ICCID/IMSI) and keeps only each
 * usable row's number and byte range; a row is read back from the file and parsed when its card is
 * written (`row`). The file must not change during the run (the journal ties rows to ICCIDs, and
 * the runner compares the ICCID of the row it reads with the journal's).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { iterateCsv, type CsvRecord } from './csv.js';
import { type DataRow, dataHeader, type LoadOptions, openRowSecrets, rowFromRecord, wipeSecrets } from './data.js';
import type { TransportKey } from './keystore.js';
import { PersoError, PersoInputError } from './errors.js';
import { KEYSTORE_MARK } from './keystore.js';

/** longest CSV record accepted (a row of a key store is well under 4 KiB) */
export const MAX_RECORD_BYTES = 64 * 1024;
/** most rows in one data file */
export const MAX_DATA_ROWS = 10_000_000;
/** row errors kept with their message (all are counted) */
const MAX_KEPT_ERRORS = 1000;
const CHUNK = 1 << 20;

export interface RowRef {
  rowNo: number;
  iccid: string;
  imsi: string;
}

export interface BatchRows {
  readonly path: string;
  readonly columns: string[];
  readonly encrypted: boolean;
  /** the first MAX_KEPT_ERRORS row errors, by row */
  readonly errors: PersoInputError[];
  /** every row error, kept or not */
  readonly errorCount: number;
  /** usable rows */
  readonly count: number;
  /** number, ICCID and IMSI of every usable row, in file order (read again from the file) */
  refs(): Generator<RowRef>;
  /** the usable row with this number, read from the file; undefined if there is none */
  row(rowNo: number): DataRow | undefined;
  close(): void;
}

/** Record boundaries of a CSV byte stream: a newline outside quotes ends a record (RFC 4180). */
function* records(fd: number, size: number): Generator<{ start: number; end: number; line: number; bytes: Buffer }> {
  let carry = Buffer.alloc(0);
  let carryAt = 0;
  let pos = 0;
  let line = 1;
  let recLine = 1;
  let inQuote = false;
  const buf = Buffer.allocUnsafe(CHUNK);
  while (pos < size) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
    if (n <= 0) break;
    const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
    const base = carry.length ? carryAt : pos;
    pos += n;
    let recStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === 0x22) inQuote = !inQuote;
      else if (c === 0x0a) {
        line++;
        if (!inQuote) {
          yield { start: base + recStart, end: base + i + 1, line: recLine, bytes: chunk.subarray(recStart, i + 1) };
          recStart = i + 1;
          recLine = line;
        }
      }
      if (i - recStart >= MAX_RECORD_BYTES)
        throw new PersoError('data', `line ${recLine}: a record longer than ${MAX_RECORD_BYTES} bytes (not a data file, or an unterminated quote)`);
    }
    carry = Buffer.from(chunk.subarray(recStart));
    carryAt = base + recStart;
  }
  if (carry.length) yield { start: carryAt, end: carryAt + carry.length, line: recLine, bytes: carry };
}

function parseRecord(bytes: Buffer, line: number, record: number): CsvRecord | PersoInputError | undefined {
  let text = bytes.toString('utf8');
  if (record === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  for (const r of iterateCsv(text)) {
    if (r instanceof PersoInputError) return new PersoInputError('csv', line + r.row - 1, r.column, r.message.replace(/^row \d+(, column [^:]+)?: /, ''));
    return { record, line, fields: r.fields };
  }
  return undefined; // a blank line
}

/** Opens and checks a data file (see the module comment). Throws PersoError for file-level problems. */
export function openDataFile(path: string, opts: LoadOptions = {}): BatchRows {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new PersoError('data', `cannot read data file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return scan(fd, path, opts);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function scan(fd: number, path: string, opts: LoadOptions): BatchRows {
  const size = fstatSync(fd).size;
  const errors: PersoInputError[] = [];
  let errorCount = 0;
  const bad = (e: PersoInputError): void => {
    errorCount++;
    if (errors.length < MAX_KEPT_ERRORS) errors.push(e);
  };
  let cap = 1024;
  let rowNos = new Int32Array(cap);
  let starts = new Float64Array(cap);
  let lens = new Int32Array(cap);
  let count = 0;
  const dropped = new Set<number>();
  // ICCID/IMSI -> row number, for the duplicate rule; dropped after the scan
  let seen: [Map<string, number>, Map<string, number>] | undefined = [new Map(), new Map()];
  let head: { columns: string[]; encrypted: boolean } | undefined;
  let mark: CsvRecord | undefined;
  let n = 0;
  for (const rec of records(fd, size)) {
    const r = parseRecord(rec.bytes, rec.line, ++n);
    if (r === undefined) {
      n--;
      continue;
    }
    if (!head) {
      if (r instanceof PersoInputError) throw new PersoError('data', `${path}: ${r.message}`);
      if (!mark && n === 1 && r.fields[0] === KEYSTORE_MARK) {
        mark = r;
        continue;
      }
      head = dataHeader(mark, r, opts);
      continue;
    }
    if (r instanceof PersoInputError) {
      bad(r);
      continue;
    }
    const x = rowFromRecord(head.columns, r, head.encrypted, opts);
    if (x instanceof PersoInputError) {
      bad(x);
      continue;
    }
    let dup = false;
    for (const [k, m] of [
      ['ICCID', seen[0]],
      ['IMSI', seen[1]],
    ] as const) {
      const v = k === 'ICCID' ? x.iccid : x.imsi;
      const other = m.get(v);
      if (other === undefined) {
        m.set(v, x.row);
        continue;
      }
      if (!dropped.has(other)) {
        dropped.add(other);
        bad(new PersoInputError('duplicate', other, k, `duplicate ${k} (also on row ${x.row}): refused`));
      }
      if (!dup) bad(new PersoInputError('duplicate', x.row, k, `duplicate ${k} (also on row ${other}): refused`));
      dup = true;
    }
    if (dup) continue;
    if (count === cap) {
      cap *= 2;
      const a = new Int32Array(cap);
      a.set(rowNos);
      rowNos = a;
      const b = new Float64Array(cap);
      b.set(starts);
      starts = b;
      const c = new Int32Array(cap);
      c.set(lens);
      lens = c;
    }
    if (count >= MAX_DATA_ROWS) throw new PersoError('data', `${path}: more than ${MAX_DATA_ROWS} rows: split the batch`);
    rowNos[count] = x.row;
    starts[count] = rec.start;
    lens[count] = rec.end - rec.start;
    count++;
  }
  seen = undefined;
  if (!head) throw new PersoError('data', 'the data file has no header row');
  const { columns, encrypted } = head;
  errors.sort((a, b) => a.row - b.row);
  const usable = count - dropped.size;

  const readRow = (i: number): DataRow => {
    const buf = Buffer.allocUnsafe(lens[i]!);
    readSync(fd, buf, 0, lens[i]!, starts[i]!);
    const r = parseRecord(buf, rowNos[i]!, 2);
    const x = r && !(r instanceof PersoInputError) ? rowFromRecord(columns, r, encrypted, opts) : undefined;
    if (!x || x instanceof PersoInputError) throw new PersoError('data', `${path} changed during the run (row ${rowNos[i]} no longer reads as before)`);
    return x;
  };
  const find = (rowNo: number): number => {
    let lo = 0;
    let hi = count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = rowNos[mid]!;
      if (v === rowNo) return mid;
      if (v < rowNo) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  let closed = false;
  return {
    path,
    columns,
    encrypted,
    errors,
    errorCount,
    count: usable,
    *refs() {
      for (let i = 0; i < count; i++) {
        if (dropped.has(rowNos[i]!)) continue;
        const r = readRow(i);
        yield { rowNo: r.row, iccid: r.iccid, imsi: r.imsi };
      }
    },
    row(rowNo: number) {
      const i = find(rowNo);
      if (i < 0 || dropped.has(rowNo)) return undefined;
      return readRow(i);
    },
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

/**
 * `perso check`: every secret cell of every row decrypted and authenticated (AES-GCM tag over the
 * cell with `ICCID|COLUMN` as AAD: a flipped bit, a cell moved between rows or columns, or a cell
 * that is not base64 fails) and its value checked, then wiped; with the rows' own errors.
 */
export function authenticateRows(key: TransportKey, d: BatchRows): { usable: number; errors: PersoInputError[]; errorCount: number } {
  const errors = [...d.errors];
  let errorCount = d.errorCount;
  let usable = 0;
  for (const ref of d.refs()) {
    try {
      wipeSecrets(openRowSecrets(key, d.row(ref.rowNo)!));
      usable++;
    } catch (e) {
      if (!(e instanceof PersoInputError)) throw e;
      errorCount++;
      if (errors.length < MAX_KEPT_ERRORS) errors.push(e);
    }
  }
  errors.sort((a, b) => a.row - b.row);
  return { usable, errors, errorCount };
}
