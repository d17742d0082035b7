/**
 * Errors of the card file system layer. Each names the file (path), record or field at fault;
 * none ever carries a PIN, PUK or ADM value.
 */
import { SimdmError } from '../errors.js';

/** Bad use of the file system API or a file that does not fit the request (before any APDU). */
export class CardFsError extends SimdmError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(`card.${code}`, message, options);
  }
}

/** A path or name that does not resolve; `suggestions` lists close names from the catalogue. */
export class FileNotFoundError extends CardFsError {
  readonly suggestions: string[];
  constructor(what: string, suggestions: string[] = [], detail?: string) {
    const hint = suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : '';
    super('not-found', `${what}: no such file${detail ? ` (${detail})` : ''}${hint}`);
    this.suggestions = suggestions;
  }
}

/** PIN/ADM safety refusals and failed verifications (TS 102 221 9.5, 11.1.9-11.1.13). */
export class PinError extends SimdmError {
  readonly retries: number | undefined;
  constructor(code: string, message: string, retries?: number) {
    super(`pin.${code}`, message);
    this.retries = retries;
  }
}
