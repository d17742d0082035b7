/**
 * The encrypted key store: the per-card data CSV with its secret columns (K/Ki, OPc/OP, ADM1,
 * PIN1/2, PUK1/2, OTA keys) encrypted cell by cell with the transport key.
 *
 * Format (docs/perso.md): a CSV whose first record is
 *   `#simdm-keystore,v1,aes-256-gcm,<check>`
 * then the header and the data. A secret cell is `enc:` + base64(IV(12) || ciphertext || tag(16)),
 * AES-256-GCM (NIST SP 800-38D) with a fresh random 96-bit IV per cell and, as additional
 * authenticated data, `ICCID|COLUMN`, so a cell moved to another row or column fails to decrypt.
 * `<check>` is the same construction over a fixed text with AAD `simdm-keystore-check`: a wrong
 * transport key is detected before any card is touched (GCM's tag is the authentication).
 * Cells are decrypted only when their card is written, and the plaintext buffers are zeroed after.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PersoError, PersoInputError } from './errors.js';
import { toHex } from '../util/hex.js';

export const KEYSTORE_MARK = '#simdm-keystore';
const CHECK_TEXT = Buffer.from('simdm keystore v1', 'ascii');
const CHECK_AAD = Buffer.from('simdm-keystore-check', 'ascii');

/** Columns that are secrets: encrypted at rest, never printed. */
export const SECRET_COLUMNS: ReadonlySet<string> = new Set([
  'KI',
  'K',
  'OPC',
  'OP',
  'ADM1',
  'ADM2',
  'PIN1',
  'PIN2',
  'PUK1',
  'PUK2',
  'KIC1',
  'KID1',
  'KIK1',
  'KIC2',
  'KID2',
  'KIK2',
  'KIC3',
  'KID3',
  'KIK3',
]);

/**
 * A secret column: one of SECRET_COLUMNS, any numbered PIN/PUK/ADM or OTA key set (ADM3..ADM10,
 * KIC4, ...), or a name ending in _PSK, _SECRET, _PASSWORD, _KEY or an SCP key role (_ENC, _MAC,
 * _DEK: e.g. ISD_ENC), as profile and ISD secrets are named.
 */
export function isSecretColumn(name: string): boolean {
  const u = name.toUpperCase();
  return SECRET_COLUMNS.has(u) || /^(ADM\d+|PIN\d+|PUK\d+|KI[CDK]\d+)$/.test(u) || /_(PSK|SECRET|PASSWORD|KEY|ENC|MAC|DEK)$/.test(u);
}

/** The 32-byte AES-256 transport key (from SIMDM_TRANSPORT_KEY or --keys, never an argument). */
export class TransportKey {
  private readonly key: Buffer;
  constructor(bytes: Uint8Array) {
    if (bytes.length !== 32) throw new PersoError('transport-key', `the transport key must be 32 bytes (AES-256), got ${bytes.length}`);
    this.key = Buffer.from(bytes);
  }
  static generate(): TransportKey {
    return new TransportKey(randomBytes(32));
  }
  /** for `perso keygen` only */
  toHex(): string {
    return toHex(this.key);
  }

  seal(plain: Uint8Array, aad: string | Uint8Array): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(typeof aad === 'string' ? Buffer.from(aad, 'utf8') : Buffer.from(aad));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64');
  }

  /** Returns the plaintext, or undefined when authentication fails (wrong key, tampered, moved). */
  open(sealed: string, aad: string | Uint8Array): Buffer | undefined {
    const b = Buffer.from(sealed, 'base64');
    if (b.length < 28 || b.toString('base64') !== sealed.replace(/\s/g, '')) return undefined;
    const d = createDecipheriv('aes-256-gcm', this.key, b.subarray(0, 12));
    d.setAAD(typeof aad === 'string' ? Buffer.from(aad, 'utf8') : Buffer.from(aad));
    d.setAuthTag(b.subarray(b.length - 16));
    try {
      return Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]);
    } catch {
      return undefined;
    }
  }

  checkValue(): string {
    return this.seal(CHECK_TEXT, CHECK_AAD);
  }

  /** Throws PersoError('wrong-transport-key') unless `check` was made with this key. */
  assertCheck(check: string): void {
    const p = this.open(check, CHECK_AAD);
    if (!p || !p.equals(CHECK_TEXT)) {
      throw new PersoError('wrong-transport-key', 'the transport key does not open this key store (wrong SIMDM_TRANSPORT_KEY, or the file was altered)');
    }
  }
}

export const ENC_PREFIX = 'enc:';

export function cellAad(iccid: string, column: string): string {
  return `${iccid}|${column.toUpperCase()}`;
}

/** Encrypts one secret cell. */
export function sealCell(key: TransportKey, iccid: string, column: string, value: string): string {
  return ENC_PREFIX + key.seal(Buffer.from(value, 'utf8'), cellAad(iccid, column));
}

/**
 * Decrypts one cell for the card being written. The caller zeroes the buffer after use.
 * `row` is the spreadsheet row of the record, for the error message.
 */
export function openCell(key: TransportKey, iccid: string, column: string, cell: string, row: number): Buffer {
  if (!cell.startsWith(ENC_PREFIX))
    throw new PersoInputError('keystore', row, column, 'secret cell is not encrypted (import the file with `simdm perso import`)');
  const p = key.open(cell.slice(ENC_PREFIX.length), cellAad(iccid, column));
  if (!p) throw new PersoInputError('keystore', row, column, 'secret cell does not authenticate (wrong key, or the cell was altered or moved)');
  return p;
}
