/**
 * A small RFC 4180 CSV reader/writer. Records end with CRLF or LF; fields may be quoted with `"`,
 * a quote inside a quoted field is doubled (RFC 4180 section 2 rules 5-7). Errors are
 * PersoInputError with the row (the 1-based line where the record starts, as a spreadsheet numbers
 * rows) and the 1-based column number.
 */
import { PersoInputError } from './errors.js';

export interface CsvRecord {
  /** 1-based record number (header = 1) */
  record: number;
  /** 1-based line where the record starts */
  line: number;
  fields: string[];
}

/** Parses the whole text; throws on the first malformed record. */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  for (const r of iterateCsv(text)) {
    if (r instanceof PersoInputError) throw r;
    out.push(r);
  }
  return out;
}

/**
 * Yields records, or a PersoInputError for a malformed one and then continues at the next line,
 * so one bad record does not hide the rest of the file.
 */
export function* iterateCsv(text: string): Generator<CsvRecord | PersoInputError> {
  let i = 0;
  let line = 1;
  let record = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  const n = text.length;
  while (i < n) {
    record++;
    const startLine = line;
    const fields: string[] = [];
    let err: PersoInputError | undefined;
    let field = '';
    let col = 1;
    let endOfRecord = false;
    while (!endOfRecord) {
      if (i < n && text[i] === '"') {
        // quoted field
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (!closed) {
          err = new PersoInputError('csv', startLine, String(col), `unterminated quoted field (opened on line ${startLine})`);
          i = n;
          break;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          err = new PersoInputError('csv', startLine, String(col), `unexpected character after closing quote`);
          break;
        }
      } else {
        while (i < n) {
          const c = text[i]!;
          if (c === ',' || c === '\n' || (c === '\r' && text[i + 1] === '\n')) break;
          if (c === '"') {
            err = new PersoInputError('csv', startLine, String(col), `quote inside an unquoted field`);
            break;
          }
          field += c;
          i++;
        }
        if (err) break;
      }
      fields.push(field);
      field = '';
      if (i >= n) endOfRecord = true;
      else if (text[i] === ',') {
        i++;
        col++;
        if (i >= n) fields.push('');
        if (i >= n) endOfRecord = true;
      } else {
        i += text[i] === '\r' ? 2 : 1;
        line++;
        endOfRecord = true;
      }
    }
    if (err) {
      // skip to the end of this physical line and go on
      while (i < n && text[i] !== '\n') i++;
      if (i < n) {
        i++;
        line++;
      }
      yield err;
      continue;
    }
    // a blank line is not a record
    if (fields.length === 1 && fields[0] === '') {
      record--;
      continue;
    }
    yield { record, line: startLine, fields };
  }
}

function quote(f: string): string {
  return /[",\r\n]/.test(f) || f !== f.trim() ? `"${f.replace(/"/g, '""')}"` : f;
}

export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}
