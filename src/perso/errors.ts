/**
 * Errors of bulk personalisation. Codes are stable (`perso.<what>`); messages never carry a
 * secret value (ADM1, PIN1, PUK1, K, OPc, the transport key), only column names and row numbers.
 */
import { SimdmError } from '../errors.js';

export class PersoError extends SimdmError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(`perso.${code}`, message, options);
  }
}

/** A data file (CSV or encrypted key store) is malformed at a row (1-based line of data) and column. */
export class PersoInputError extends PersoError {
  readonly row: number;
  readonly column: string | undefined;
  constructor(what: string, row: number, column: string | undefined, message: string) {
    super(what, `row ${row}${column !== undefined ? `, column ${column}` : ''}: ${message}`);
    this.row = row;
    this.column = column;
  }
}
