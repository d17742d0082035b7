/**
 * The root of every error simdm throws on purpose. Each layer derives its own class
 * (TransportError, ApduError, CodecError, ...) so callers can tell "the card said no" from
 * "the bytes were bad" from "the reader went away". A `code` is stable and machine-readable;
 * the message is for humans and never contains secrets.
 */
export class SimdmError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input from a user: malformed hex, a missing argument, an unknown name. */
export class UsageError extends SimdmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, options);
  }
}
