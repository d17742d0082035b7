/**
 * What a principal may do: which readers (exact names or `*` globs) and whether it is read-only.
 * Read-only is an allow-list (anything not known to be harmless is refused): SELECT, READ
 * BINARY/RECORD, SEARCH RECORD, GET RESPONSE, STATUS, GET DATA, MANAGE CHANNEL and VERIFY PIN
 * *without* data (the retry-counter query of TS 102 221 11.1.9, which changes nothing). Refused
 * among others: UPDATE BINARY/RECORD, INCREASE, VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK PIN with
 * data, (EXTERNAL/GENERAL) AUTHENTICATE, CREATE/DELETE/ACTIVATE/DEACTIVATE/TERMINATE, PUT KEY,
 * INSTALL/LOAD, SET STATUS, ENVELOPE, INITIALIZE UPDATE.
 */
export interface Principal {
  /** stable id for logs and audit (token id or certificate CN); never the secret */
  id: string;
  readers: string[];
  readOnly: boolean;
}

const READ_ONLY_INS = new Set([
  0xa4, // SELECT
  0xb0, // READ BINARY
  0xb1, // READ BINARY (odd)
  0xb2, // READ RECORD
  0xb3, // READ RECORD (odd)
  0xa2, // SEARCH RECORD
  0xc0, // GET RESPONSE
  0xf2, // STATUS / GP GET STATUS
  0xca, // GET DATA
  0xcb, // GET DATA (odd)
  0x70, // MANAGE CHANNEL
]);

/** Whether a read-only principal may send this C-APDU (header bytes CLA INS P1 P2 [Lc|Le]). */
export function readOnlyAllows(capdu: Uint8Array): boolean {
  const ins = capdu[1];
  if (ins === undefined) return false;
  if (READ_ONLY_INS.has(ins)) return true;
  // VERIFY PIN with no command data (case 1: 4 bytes, or only Le) = query of the retry counter
  if (ins === 0x20) return capdu.length <= 5;
  return false;
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${esc}$`, 's');
}

export function readerAllowed(p: Principal, reader: string): boolean {
  return p.readers.some((g) => (g.includes('*') ? globToRegExp(g).test(reader) : g === reader));
}
