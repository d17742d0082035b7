/**
 * GBA key material (3GPP TS 33.220):
 * - Ks = CK ‖ IK after AKA over Ub (4.5.2);
 * - B-TID = base64(RAND) "@" BSF server's domain name (4.5.2 step 6, RFC 4648 base64);
 * - Ks_NAF (GBA_ME) = Ks_ext_NAF (GBA_U) = KDF(Ks, "gba-me", RAND, IMPI, NAF_Id) and
 *   Ks_int_NAF = KDF(Ks, "gba-u", RAND, IMPI, NAF_Id), both with FC = 0x01 (Annex B.2.2, B.3);
 * - NAF_Id = FQDN of the NAF ‖ Ua security protocol identifier (4.5.2, Annex H).
 */
import { checkLength } from '../aka/errors.js';
import { concatBytes } from '../../util/hex.js';
import { GbaError, kdf } from './kdf.js';

export const FC_GBA_NAF = 0x01;

/** Ua security protocol identifiers of TS 33.220 Annex H (5 octets each). */
export const UA_PROTOCOL = {
  /** (0x00,0,0,0,0): unspecified */
  unspecified: Uint8Array.of(0x00, 0x00, 0x00, 0x00, 0x00),
  /** (0x01,0,0,0,0): Ua security protocol of TS 33.221 (subscriber certificates) */
  ts33221: Uint8Array.of(0x01, 0x00, 0x00, 0x00, 0x00),
  /** (0x01,0,0,0,1): TS 33.246 (MBMS) */
  mbms: Uint8Array.of(0x01, 0x00, 0x00, 0x00, 0x01),
  /** (0x01,0,0,0,2): HTTP digest authentication of TS 24.109 without TLS */
  httpDigest: Uint8Array.of(0x01, 0x00, 0x00, 0x00, 0x02),
  /** (0x01,0,0,0,3): HTTP digest of TS 24.109 with TLS */
  httpDigestTls: Uint8Array.of(0x01, 0x00, 0x00, 0x00, 0x03),
} as const;

/** (0x01, 0x00, 0x01, yy, zz): TLS with the cipher suite yy,zz (Annex H, TS 33.222). */
export function uaProtocolTls(cipherSuite: number): Uint8Array {
  if (!Number.isInteger(cipherSuite) || cipherSuite < 0 || cipherSuite > 0xffff) throw new GbaError('gba.param', 'TLS cipher suite must be 2 octets');
  return Uint8Array.of(0x01, 0x00, 0x01, cipherSuite >> 8, cipherSuite & 0xff);
}

export function ks(ck: Uint8Array, ik: Uint8Array): Uint8Array {
  checkLength('CK', ck, 16);
  checkLength('IK', ik, 16);
  return concatBytes(ck, ik);
}

/** NAF_Id = FQDN (ASCII/UTF-8) ‖ Ua security protocol identifier (5 octets). */
export function nafId(fqdn: string, uaProtocol: Uint8Array): Uint8Array {
  if (!fqdn) throw new GbaError('gba.param', 'NAF FQDN is empty');
  if (uaProtocol.length !== 5) throw new GbaError('gba.param', `Ua security protocol identifier must be 5 octets, got ${uaProtocol.length}`);
  return concatBytes(new TextEncoder().encode(fqdn), uaProtocol);
}

function derive(label: 'gba-me' | 'gba-u', ksKey: Uint8Array, rand: Uint8Array, impi: string, naf: Uint8Array): Uint8Array {
  checkLength('Ks', ksKey, 32);
  checkLength('RAND', rand, 16);
  if (!impi) throw new GbaError('gba.param', 'IMPI is empty');
  return kdf(ksKey, FC_GBA_NAF, [label, rand, impi, naf]);
}

/** Ks_NAF (GBA_ME) / Ks_ext_NAF (GBA_U). */
export function ksExtNaf(ksKey: Uint8Array, rand: Uint8Array, impi: string, naf: Uint8Array): Uint8Array {
  return derive('gba-me', ksKey, rand, impi, naf);
}

/** Ks_int_NAF (GBA_U, derived inside the UICC). */
export function ksIntNaf(ksKey: Uint8Array, rand: Uint8Array, impi: string, naf: Uint8Array): Uint8Array {
  return derive('gba-u', ksKey, rand, impi, naf);
}

/** B-TID = base64(RAND)@BSF_servers_domain_name. */
export function bTid(rand: Uint8Array, bsfDomain: string): string {
  checkLength('RAND', rand, 16);
  if (!bsfDomain || /[@\s]/.test(bsfDomain)) throw new GbaError('gba.param', 'BSF domain name must be a non-empty host name');
  return `${Buffer.from(rand).toString('base64')}@${bsfDomain}`;
}

/** Splits a B-TID back into RAND and the BSF domain (NAF side). */
export function parseBTid(btid: string): { rand: Uint8Array; bsfDomain: string } {
  const at = btid.lastIndexOf('@');
  if (at <= 0 || at === btid.length - 1) throw new GbaError('gba.format', 'B-TID must be base64(RAND)@domain');
  const b64 = btid.slice(0, at);
  if (!/^[A-Za-z0-9+/]{22}==$/.test(b64)) throw new GbaError('gba.format', 'B-TID: RAND part is not base64 of 16 octets');
  return { rand: new Uint8Array(Buffer.from(b64, 'base64')), bsfDomain: btid.slice(at + 1) };
}
