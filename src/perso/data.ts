/**
 * The per-card data of a batch: one CSV row per card (ICCID, IMSI, Ki/K, OPc, ADM1, PIN1, PUK1 and
 * any profile variable). Loading never stops at a bad row: every malformed row is reported with its
 * row and column and left out, the rest of the batch stays usable. Rows sharing an ICCID or IMSI
 * are all refused (which one is right cannot be known).
 */
import { iterateCsv, type CsvRecord } from './csv.js';
import { PersoError, PersoInputError } from './errors.js';
import { ENC_PREFIX, isSecretColumn, KEYSTORE_MARK, openCell, sealCell, type TransportKey } from './keystore.js';

export interface DataRow {
  /** 1-based spreadsheet row (line) of the record */
  row: number;
  iccid: string;
  imsi: string;
  /** non-secret columns (upper-case names), ICCID and IMSI included */
  values: Record<string, string>;
  /** secret columns as stored: `enc:...` in a key store, plaintext only while importing */
  sealed: Record<string, string>;
}

export interface LoadedData {
  columns: string[];
  rows: DataRow[];
  errors: PersoInputError[];
  encrypted: boolean;
}

/** Luhn check digit (ISO/IEC 7812-1 Annex B) over the digits given. */
export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

const ALIASES: Record<string, string> = { K: 'KI' };

/** Checks a plaintext value of a known column; returns a message or undefined. Never echoes secrets. */
export function checkValue(column: string, v: string): string | undefined {
  switch (column) {
    case 'ICCID':
      if (!/^\d{18,20}$/.test(v)) return 'ICCID must be 18 to 20 digits (ITU-T E.118)';
      if (luhnDigit(v.slice(0, -1)) !== Number(v.at(-1))) return 'ICCID check digit (Luhn, E.118) is wrong';
      return undefined;
    case 'IMSI':
      return /^\d{6,15}$/.test(v) ? undefined : 'IMSI must be 6 to 15 digits (TS 23.003 2.2)';
    case 'KI':
    case 'OPC':
    case 'OP':
      return /^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{64})$/.test(v) ? undefined : `${column} must be 16 or 32 bytes of hex`;
    case 'ADM1':
    case 'ADM2':
      return /^(\d{8}|[0-9A-Fa-f]{16})$/.test(v) ? undefined : `${column} must be 8 digits or 16 hex digits`;
    case 'PIN1':
    case 'PIN2':
      return /^\d{4,8}$/.test(v) ? undefined : `${column} must be 4 to 8 digits (TS 102 221 9.5.1)`;
    case 'PUK1':
    case 'PUK2':
      return /^\d{8}$/.test(v) ? undefined : `${column} must be 8 digits`;
    case 'SPN':
      return Buffer.byteLength(v, 'utf8') <= 16 ? undefined : 'SPN must fit 16 bytes (TS 31.102 4.2.12)';
    default:
      return /[\x00-\x1f]/.test(v) ? 'control characters are not allowed' : undefined;
  }
}

export interface LoadOptions {
  /** with a key: a key store must carry this key's check value */
  key?: TransportKey;
  /** accept plaintext secret cells (only `perso import` does) */
  plaintext?: boolean;
}

/**
 * The key store mark record (if any) and the header record: the columns (aliases resolved) and
 * whether the file is a key store. Throws PersoError for file-level problems.
 */
export function dataHeader(mark: CsvRecord | undefined, header: CsvRecord | undefined, opts: LoadOptions): { columns: string[]; encrypted: boolean } {
  let encrypted = false;
  if (mark) {
    if (mark.fields[1] !== 'v1' || mark.fields[2] !== 'aes-256-gcm' || !mark.fields[3]) {
      throw new PersoError('keystore', `line ${mark.line}: unsupported key store header (expected ${KEYSTORE_MARK},v1,aes-256-gcm,CHECK)`);
    }
    encrypted = true;
    if (opts.key) opts.key.assertCheck(mark.fields[3]);
  }
  if (!header) throw new PersoError('data', 'the data file has no header row');
  const columns = header.fields.map((f) => {
    const u = f.trim().toUpperCase();
    return ALIASES[u] ?? u;
  });
  for (const need of ['ICCID', 'IMSI']) {
    if (!columns.includes(need)) throw new PersoError('data', `line ${header.line}: the header has no ${need} column`);
  }
  const dupCol = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dupCol) throw new PersoError('data', `line ${header.line}: column ${dupCol} appears twice`);
  const bad = columns.find((c) => !/^[A-Z][A-Z0-9_]*$/.test(c));
  if (bad !== undefined) throw new PersoError('data', `line ${header.line}: column name "${bad.slice(0, 40)}" is not a NAME (letters, digits, _)`);
  return { columns, encrypted };
}

/** One data record checked against the columns: the row, or the error naming its row and column. */
export function rowFromRecord(columns: string[], r: CsvRecord, encrypted: boolean, opts: LoadOptions): DataRow | PersoInputError {
  if (r.fields.length !== columns.length) {
    return new PersoInputError(
      'data',
      r.line,
      String(Math.min(r.fields.length, columns.length) + 1),
      `expected ${columns.length} fields, found ${r.fields.length}`,
    );
  }
  const values: Record<string, string> = {};
  const sealed: Record<string, string> = {};
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    const v = r.fields[i]!.trim();
    if (isSecretColumn(c)) {
      if (v === '') continue;
      if (v.startsWith(ENC_PREFIX)) {
        if (!encrypted) return new PersoInputError('data', r.line, c, 'encrypted cell in a file without the key store header');
      } else if (!opts.plaintext) {
        return new PersoInputError('data', r.line, c, 'secret in plaintext: encrypt the file with `simdm perso import`');
      } else {
        const m = checkValue(c, v);
        if (m) return new PersoInputError('data', r.line, c, m);
      }
      sealed[c] = v;
    } else {
      const m = checkValue(c, v);
      if (m) return new PersoInputError('data', r.line, c, m);
      values[c] = v;
    }
  }
  return { row: r.line, iccid: values.ICCID!, imsi: values.IMSI!, values, sealed };
}

/**
 * Parses a data CSV (plain or key store). Throws PersoError only for file-level problems (no
 * header, missing ICCID/IMSI column, wrong transport key); row problems land in `errors`.
 */
export function loadData(text: string, opts: LoadOptions = {}): LoadedData {
  const records: CsvRecord[] = [];
  const errors: PersoInputError[] = [];
  for (const r of iterateCsv(text)) {
    if (r instanceof PersoInputError) errors.push(r);
    else records.push(r);
  }
  const mark = records[0]?.fields[0] === KEYSTORE_MARK ? records.shift() : undefined;
  const { columns, encrypted } = dataHeader(mark, records.shift(), opts);
  const rows: DataRow[] = [];
  for (const r of records) {
    const x = rowFromRecord(columns, r, encrypted, opts);
    if (x instanceof PersoInputError) errors.push(x);
    else rows.push(x);
  }
  // duplicates: refuse every row of a repeated ICCID or IMSI
  for (const k of ['iccid', 'imsi'] as const) {
    const seen = new Map<string, number[]>();
    rows.forEach((r, i) => seen.set(r[k], [...(seen.get(r[k]) ?? []), i]));
    const drop = new Set<number>();
    for (const [, idx] of seen) {
      if (idx.length < 2) continue;
      for (const i of idx) {
        const others = idx.filter((j) => j !== i).map((j) => rows[j]!.row);
        errors.push(
          new PersoInputError('duplicate', rows[i]!.row, k.toUpperCase(), `duplicate ${k.toUpperCase()} (also on row ${others.join(', ')}): refused`),
        );
        drop.add(i);
      }
    }
    if (drop.size) {
      const keep = rows.filter((_, i) => !drop.has(i));
      rows.length = 0;
      rows.push(...keep);
    }
  }
  errors.sort((a, b) => a.row - b.row);
  return { columns, rows, errors, encrypted };
}

/**
 * Decrypts the secrets of one row (the card being written). Throws PersoInputError naming the
 * row and column on a cell that does not authenticate or whose value is malformed.
 */
export function openRowSecrets(key: TransportKey, row: DataRow): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  try {
    for (const [c, cell] of Object.entries(row.sealed)) {
      const p = openCell(key, row.iccid, c, cell, row.row);
      out.set(c, p);
      const m = checkValue(c, p.toString('utf8'));
      if (m) throw new PersoInputError('data', row.row, c, m);
    }
  } catch (e) {
    wipeSecrets(out);
    throw e;
  }
  return out;
}

export function wipeSecrets(m: Map<string, Buffer>): void {
  for (const b of m.values()) b.fill(0);
  m.clear();
}

/** `perso import`: a plaintext CSV to a key store. Bad rows are reported and left out. */
export function encryptData(text: string, key: TransportKey): { text: string; rows: number; errors: PersoInputError[] } {
  const d = loadData(text, { plaintext: true });
  const out: string[][] = [[KEYSTORE_MARK, 'v1', 'aes-256-gcm', key.checkValue()], d.columns];
  for (const r of d.rows) {
    out.push(d.columns.map((c) => (isSecretColumn(c) ? (r.sealed[c] ? sealCell(key, r.iccid, c, r.sealed[c]!) : '') : (r.values[c] ?? ''))));
  }
  return { text: formatRows(out), rows: d.rows.length, errors: d.errors };
}

/** `perso export`: a key store back to plaintext (for the operator's HSM import, say). */
export function decryptData(text: string, key: TransportKey): { text: string; rows: number; errors: PersoInputError[] } {
  const d = loadData(text, { key });
  if (!d.encrypted) throw new PersoError('keystore', 'not a key store (no #simdm-keystore header)');
  const out: string[][] = [d.columns];
  const errors = [...d.errors];
  for (const r of d.rows) {
    let s: Map<string, Buffer>;
    try {
      s = openRowSecrets(key, r);
    } catch (e) {
      if (e instanceof PersoInputError) {
        errors.push(e);
        continue;
      }
      throw e;
    }
    out.push(d.columns.map((c) => (isSecretColumn(c) ? (s.get(c)?.toString('utf8') ?? '') : (r.values[c] ?? ''))));
    wipeSecrets(s);
  }
  return { text: formatRows(out), rows: out.length - 1, errors };
}

function formatRows(rows: string[][]): string {
  return rows.map((r) => r.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\n') + '\n';
}
