/**
 * Test batches: N rows with ICCIDs in the 89 882 (test/international) range with a correct Luhn
 * digit, IMSIs of the test network 001/01, random K and OPc, and given ADM1/PIN1/PUK1. The
 * randomness is seeded, so a seed gives the same batch again (except the GCM IVs of `perso import`).
 */
import { createHash } from 'node:crypto';
import { formatCsv } from './csv.js';
import { luhnDigit } from './data.js';

export interface GenerateOptions {
  count: number;
  seed?: string;
  /** first serial (default 1) */
  start?: number;
  /** ICCID prefix before the serial (default 8988211) */
  iccidPrefix?: string;
  /** IMSI prefix (MCC+MNC, default 00101) */
  imsiPrefix?: string;
  adm1?: string;
  pin1?: string;
  puk1?: string;
  spn?: string;
}

export const GENERATED_COLUMNS = ['ICCID', 'IMSI', 'KI', 'OPC', 'ADM1', 'PIN1', 'PUK1', 'SPN'];

export function generatedIccid(serial: number, prefix = '8988211'): string {
  const body = prefix + String(serial).padStart(18 - prefix.length, '0');
  return body + luhnDigit(body);
}

export function generatedImsi(serial: number, prefix = '00101'): string {
  return prefix + String(serial).padStart(15 - prefix.length, '0');
}

function rnd(seed: string, i: number, what: string): string {
  return createHash('sha256').update(`${seed}/${i}/${what}`).digest('hex').slice(0, 32).toUpperCase();
}

/** The plaintext CSV of a test batch (encrypt it with `encryptData`). */
export function generateCsv(o: GenerateOptions): string {
  const seed = o.seed ?? 'simdm';
  const rows: string[][] = [GENERATED_COLUMNS];
  for (let i = 0; i < o.count; i++) {
    const n = (o.start ?? 1) + i;
    rows.push([
      generatedIccid(n, o.iccidPrefix),
      generatedImsi(n, o.imsiPrefix),
      rnd(seed, n, 'k'),
      rnd(seed, n, 'opc'),
      o.adm1 ?? '88888888',
      o.pin1 ?? '1234',
      o.puk1 ?? '12345678',
      o.spn ?? 'simdm',
    ]);
  }
  return formatCsv(rows);
}
