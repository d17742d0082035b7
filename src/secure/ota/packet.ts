/**
 * Secured command and response packets, ETSI TS 102 225 5.1 / 5.2, in the SMS-PP form of
 * 3GPP TS 31.115 4.2 (command) and 4.4 (response):
 *
 *   command:  [UDHL 02, IEI 70, IEIDL 00] CPL(2) CHL SPI(2) KIc KID TAR(3) | CNTR(5) PCNTR CC data pad
 *   response: [UDHL 02, IEI 71, IEIDL 00] RPL(2) RHL TAR(3) | CNTR(5) PCNTR status CC data pad
 *
 * The part after the bar is ciphered when the SPI asks for it, padded with zeros to the cipher
 * block (PCNTR = number of padding octets). The CC of a command covers CPL..PCNTR, the data and the
 * padding (TS 31.115 4.2; the UDH is not part of it); the CC of a response covers UDHL, IEI, IEIDL,
 * RPL..status, the data and the padding (TS 31.115 4.4). DES CBC-MACs pad with zeros to 8 octets.
 * Both rules are checked against pySim's published OTA test packets.
 */
import { concatBytes, readUint, uintBytes } from '../../util/hex.js';
import { constantTimeEqual } from '../primitives/ct.js';
import { cipherBlockSize, checksumLength, otaChecksum, otaDecrypt, otaEncrypt } from './crypto.js';
import { OtaError } from './errors.js';
import { decodeKic, decodeKid, decodeSpi, encodeSpi, type Spi } from './spi.js';
import { PorStatus } from './status.js';

export const UDH_COMMAND = Uint8Array.of(0x02, 0x70, 0x00);
export const UDH_RESPONSE = Uint8Array.of(0x02, 0x71, 0x00);
export const MAX_COUNTER = 0xffffffffff;

export interface OtaKeys {
  kic?: Uint8Array;
  kid?: Uint8Array;
}

export interface OtaSecurityOptions {
  /** CC length for AES-CMAC: 8 (TS 102 225 default) or 4 */
  aesCcLength?: 4 | 8 | 16;
}

export interface CommandPacketInput {
  spi: Spi;
  kic: number;
  kid: number;
  tar: Uint8Array;
  counter: number;
  data: Uint8Array;
}

function integrityLength(spiIntegrity: Spi['integrity'], kid: number, o: OtaSecurityOptions): number {
  if (spiIntegrity === 'none') return 0;
  if (spiIntegrity !== 'cc') throw new OtaError('key', `${spiIntegrity.toUpperCase()} integrity is not supported (only CC)`);
  return checksumLength(decodeKid(kid).algorithm, o.aesCcLength);
}

function checkCounter(c: number): void {
  if (!Number.isInteger(c) || c < 0 || c > MAX_COUNTER) throw new OtaError('format', `counter ${c} is not a 5-byte value`);
}

function needKey(k: Uint8Array | undefined, name: string): Uint8Array {
  if (!k) throw new OtaError('key', `the SPI asks for ${name === 'KIc' ? 'ciphering' : 'a cryptographic checksum'} but no ${name} key is available`);
  return k;
}

/** Builds a secured command packet (from CPL on; `udh` prepends 02 70 00). */
export function buildCommandPacket(p: CommandPacketInput, keys: OtaKeys, o: OtaSecurityOptions & { udh?: boolean } = {}): Uint8Array {
  if (p.tar.length !== 3) throw new OtaError('format', 'TAR must be 3 bytes');
  checkCounter(p.counter);
  const ccLen = integrityLength(p.spi.integrity, p.kid, o);
  const chl = 13 + ccLen;
  const kicAlg = decodeKic(p.kic).algorithm;
  const block = p.spi.ciphering ? cipherBlockSize(kicAlg) : 1;
  const pad = p.spi.ciphering ? (block - ((6 + ccLen + p.data.length) % block)) % block : 0;
  const cpl = 1 + chl + p.data.length + pad;
  if (cpl > 0xffff) throw new OtaError('format', 'command packet too long');
  const head = concatBytes(uintBytes(cpl, 2), Uint8Array.of(chl), encodeSpi(p.spi), Uint8Array.of(p.kic, p.kid), p.tar);
  const cntr = concatBytes(uintBytes(p.counter, 5), Uint8Array.of(pad));
  const padded = concatBytes(p.data, new Uint8Array(pad));
  let cc: Uint8Array = new Uint8Array(0);
  if (ccLen) cc = otaChecksum(decodeKid(p.kid).algorithm, needKey(keys.kid, 'KID'), concatBytes(head, cntr, padded), o.aesCcLength);
  let body = concatBytes(cntr, cc, padded);
  if (p.spi.ciphering) body = otaEncrypt(kicAlg, needKey(keys.kic, 'KIc'), body);
  return concatBytes(o.udh ? UDH_COMMAND : new Uint8Array(0), head, body);
}

export interface CommandPacketHeader {
  spi: Spi;
  spiBytes: Uint8Array;
  kic: number;
  kid: number;
  tar: Uint8Array;
}

/** Reads the clear header of a command packet (from CPL, or from the UDH 02 70 00). */
export function readCommandHeader(bytes: Uint8Array): CommandPacketHeader & { packet: Uint8Array } {
  let b = bytes;
  if (b.length >= 3 && b[0] === 0x02 && b[1] === 0x70 && b[2] === 0x00) b = b.subarray(3);
  if (b.length < 16) throw new OtaError('format', `command packet of ${b.length} bytes is shorter than its header`);
  const cpl = readUint(b, 0, 2);
  if (cpl !== b.length - 2) throw new OtaError('format', `CPL ${cpl} does not match the ${b.length - 2} bytes that follow`);
  const chl = b[2]!;
  if (chl < 13 || 3 + chl > b.length) throw new OtaError('format', `CHL ${chl} out of range`);
  const spiBytes = b.slice(3, 5);
  return { spi: decodeSpi(spiBytes), spiBytes, kic: b[5]!, kid: b[6]!, tar: b.slice(7, 10), packet: b };
}

export interface OpenedCommand extends CommandPacketHeader {
  counter: number;
  padding: number;
  data: Uint8Array;
}

/**
 * Receiving entity side: deciphers and checks the CC of a command packet. Throws OtaError with the
 * response status to answer (01 CC failed, 05 ciphering error, 06 key problem, ...). The counter is
 * not checked here (see counter.ts), so that it is checked only once the CC verified.
 */
export function openCommandPacket(bytes: Uint8Array, keys: OtaKeys, o: OtaSecurityOptions = {}): OpenedCommand {
  const h = readCommandHeader(bytes);
  const b = h.packet;
  const chl = b[2]!;
  let ccLen: number;
  try {
    ccLen = integrityLength(h.spi.integrity, h.kid, o);
  } catch (e) {
    throw new OtaError('key', (e as Error).message, PorStatus.UNIDENTIFIED_SECURITY_ERROR);
  }
  if (chl !== 13 + ccLen) throw new OtaError('format', `CHL ${chl} does not match the SPI/KID (expected ${13 + ccLen})`, PorStatus.UNIDENTIFIED_SECURITY_ERROR);
  const head = b.subarray(0, 10);
  let body = b.subarray(10);
  if (h.spi.ciphering) {
    const kicAlg = decodeKic(h.kic).algorithm;
    if (!keys.kic) throw new OtaError('key', 'no KIc key for this TAR/key index', PorStatus.UNIDENTIFIED_SECURITY_ERROR);
    if (body.length % cipherBlockSize(kicAlg) !== 0)
      throw new OtaError('cipher', 'ciphered part is not a multiple of the block size', PorStatus.CIPHERING_ERROR);
    try {
      body = otaDecrypt(kicAlg, keys.kic, body);
    } catch (e) {
      if (e instanceof OtaError) throw new OtaError(e.code.slice(4), e.message, PorStatus.CIPHERING_ERROR);
      throw e;
    }
  }
  if (body.length < 6 + ccLen) throw new OtaError('format', 'command packet shorter than CNTR, PCNTR and CC', PorStatus.UNIDENTIFIED_SECURITY_ERROR);
  const counter = readUint(body, 0, 5);
  const pcntr = body[5]!;
  const cc = body.subarray(6, 6 + ccLen);
  const padded = body.subarray(6 + ccLen);
  if (pcntr > padded.length) throw new OtaError('cipher', `PCNTR ${pcntr} exceeds the secured data`, PorStatus.CIPHERING_ERROR);
  if (ccLen) {
    if (!keys.kid) throw new OtaError('key', 'no KID key for this TAR/key index', PorStatus.UNIDENTIFIED_SECURITY_ERROR);
    const want = otaChecksum(decodeKid(h.kid).algorithm, keys.kid, concatBytes(head, body.subarray(0, 6), padded), o.aesCcLength);
    if (!constantTimeEqual(want, cc)) throw new OtaError('cc', 'cryptographic checksum does not verify', PorStatus.RC_CC_DS_FAILED);
  }
  return { spi: h.spi, spiBytes: h.spiBytes, kic: h.kic, kid: h.kid, tar: h.tar, counter, padding: pcntr, data: padded.slice(0, padded.length - pcntr) };
}

export interface ResponsePacketInput {
  /** the SPI of the command this answers (its second byte says how to secure the PoR) */
  spi: Spi;
  kic: number;
  kid: number;
  tar: Uint8Array;
  counter: number;
  status: number;
  data: Uint8Array;
  /** send without CC and ciphering (security errors where the keys cannot be used) */
  unsecured?: boolean;
}

/** Builds a response packet (with the UDH 02 71 00 unless `udh` is false). */
export function buildResponsePacket(r: ResponsePacketInput, keys: OtaKeys, o: OtaSecurityOptions & { udh?: boolean } = {}): Uint8Array {
  checkCounter(r.counter);
  const ccLen = r.unsecured ? 0 : integrityLength(r.spi.porIntegrity, r.kid, o);
  const cipher = !r.unsecured && r.spi.porCiphering;
  const rhl = 10 + ccLen;
  const kicAlg = decodeKic(r.kic).algorithm;
  const block = cipher ? cipherBlockSize(kicAlg) : 1;
  const pad = cipher ? (block - ((7 + ccLen + r.data.length) % block)) % block : 0;
  const rpl = 1 + rhl + r.data.length + pad;
  const head = concatBytes(uintBytes(rpl, 2), Uint8Array.of(rhl), r.tar);
  const cntr = concatBytes(uintBytes(r.counter, 5), Uint8Array.of(pad, r.status));
  const padded = concatBytes(r.data, new Uint8Array(pad));
  let cc: Uint8Array = new Uint8Array(0);
  if (ccLen) cc = otaChecksum(decodeKid(r.kid).algorithm, needKey(keys.kid, 'KID'), concatBytes(UDH_RESPONSE, head, cntr, padded), o.aesCcLength);
  let body = concatBytes(cntr, cc, padded);
  if (cipher) body = otaEncrypt(kicAlg, needKey(keys.kic, 'KIc'), body);
  return concatBytes(o.udh === false ? new Uint8Array(0) : UDH_RESPONSE, head, body);
}

export interface OpenedResponse {
  tar: Uint8Array;
  counter: number;
  padding: number;
  status: number;
  data: Uint8Array;
  /** whether a CC was present and verified */
  verified: boolean;
}

/**
 * Sending entity side: reads a response packet for a command sent with `spi`/`kic`/`kid`.
 * A response header without CC (RHL 10) is accepted only for a non-OK status (an error PoR the
 * card could not secure); an OK status must carry the CC the SPI asked for.
 */
export function openResponsePacket(bytes: Uint8Array, cmd: { spi: Spi; kic: number; kid: number }, keys: OtaKeys, o: OtaSecurityOptions = {}): OpenedResponse {
  let b = bytes;
  if (b.length >= 3 && b[0] === 0x02 && b[1] === 0x71 && b[2] === 0x00) b = b.subarray(3);
  if (b.length < 13) throw new OtaError('format', `response packet of ${b.length} bytes is shorter than its header`);
  const rpl = readUint(b, 0, 2);
  if (rpl !== b.length - 2) throw new OtaError('format', `RPL ${rpl} does not match the ${b.length - 2} bytes that follow`);
  const rhl = b[2]!;
  if (rhl < 10 || 3 + rhl > b.length) throw new OtaError('format', `RHL ${rhl} out of range`);
  const ccLen = rhl - 10;
  const head = b.subarray(0, 6);
  const tar = b.slice(3, 6);
  let body = b.subarray(6);
  const unsecured = ccLen === 0;
  if (!unsecured) {
    const want = integrityLength(cmd.spi.porIntegrity, cmd.kid, o);
    if (want !== ccLen) throw new OtaError('format', `RHL ${rhl} does not match the PoR security of the SPI`);
  }
  // a PoR without CC is never ciphered by a card that could not verify the command
  if (cmd.spi.porCiphering && !unsecured) {
    const kicAlg = decodeKic(cmd.kic).algorithm;
    body = otaDecrypt(kicAlg, needKey(keys.kic, 'KIc'), body);
  }
  if (body.length < 7 + ccLen) throw new OtaError('format', 'response packet shorter than CNTR, PCNTR, status and CC');
  const counter = readUint(body, 0, 5);
  const pcntr = body[5]!;
  const status = body[6]!;
  const cc = body.subarray(7, 7 + ccLen);
  const padded = body.subarray(7 + ccLen);
  if (pcntr > padded.length) throw new OtaError('format', `PCNTR ${pcntr} exceeds the response data`);
  if (ccLen) {
    const want = otaChecksum(
      decodeKid(cmd.kid).algorithm,
      needKey(keys.kid, 'KID'),
      concatBytes(UDH_RESPONSE, head, body.subarray(0, 7), padded),
      o.aesCcLength,
    );
    if (!constantTimeEqual(want, cc)) throw new OtaError('cc', 'response cryptographic checksum does not verify');
  } else if (cmd.spi.porIntegrity !== 'none' && status === PorStatus.OK) {
    throw new OtaError('cc', 'PoR OK without the cryptographic checksum the SPI asks for');
  }
  return { tar, counter, padding: pcntr, status, data: padded.slice(0, padded.length - pcntr), verified: ccLen > 0 };
}
