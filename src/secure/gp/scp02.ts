/**
 * GlobalPlatform Secure Channel Protocol '02' (GP Card Specification v2.2, Appendix E), explicit
 * initiation, 3 static 2-key 3DES keys (ENC, MAC, DEK).
 *
 * - Session keys (E.4.1): 3DES-CBC(static key, constant || sequence counter || 12 x 00), zero ICV;
 *   constants C-MAC 0101, R-MAC 0102, DEK 0181, S-ENC 0182.
 * - Cryptograms (E.4.2): full 3DES MAC (ISO 9797-1 algorithm 1, padding method 2, zero ICV) under
 *   S-ENC; card = MAC(host challenge || seq || card challenge), host = MAC(seq || card challenge ||
 *   host challenge).
 * - C-MAC (E.4.4): retail MAC (ISO 9797-1 algorithm 3) under the C-MAC key over the modified header
 *   (CLA with b3 set, Lc + 8) and the clear data. The ICV is zero for EXTERNAL AUTHENTICATE, then the
 *   previous C-MAC, encrypted with single DES under the first half of the C-MAC key when the "i"
 *   parameter asks for ICV encryption (b5, as in i = 15 / 55).
 * - C-DECRYPTION (E.4.6): data padded 80 00.. and 3DES-CBC encrypted under S-ENC with a zero ICV,
 *   after the C-MAC was computed over the clear data.
 * - Sensitive data (E.4.7): 3DES-ECB under the session DEK.
 * R-MAC (E.4.5) is not implemented: levels with R-MAC are refused with `scp.level`.
 */
import { randomBytes } from 'node:crypto';
import type { CommandApdu } from '../../apdu/command.js';
import type { ResponseApdu } from '../../apdu/response.js';
import { constantTimeEqual } from '../primitives/ct.js';
import { desCbcDecrypt, desCbcEncrypt, desEcbDecrypt, desEcbEncrypt } from '../primitives/des.js';
import { desMacAlg1, retailMac } from '../primitives/mac.js';
import { padIso9797M2, unpadIso9797M2 } from '../primitives/padding.js';
import { concatBytes, hexNum } from '../../util/hex.js';
import { decodeLevel, type HostSecureChannel, macCla, maxWrappedData, smCla } from './common.js';
import { ScpError } from './errors.js';

export const Scp02Constant = {
  C_MAC: 0x0101,
  R_MAC: 0x0102,
  DEK: 0x0181,
  S_ENC: 0x0182,
} as const;

/** The "i" parameter of SCP02 (GP 2.2 E.1.1). */
export const Scp02Option = {
  THREE_KEYS: 0x01,
  CMAC_UNMODIFIED: 0x02,
  EXPLICIT: 0x04,
  ICV_MAC_OVER_AID: 0x08,
  ICV_ENCRYPTION: 0x10,
  RMAC_SUPPORT: 0x20,
  PSEUDO_RANDOM: 0x40,
} as const;

export interface Scp02Keys {
  enc: Uint8Array;
  mac: Uint8Array;
  dek: Uint8Array;
}

export interface Scp02SessionKeys {
  sEnc: Uint8Array;
  cMac: Uint8Array;
  rMac: Uint8Array;
  dek: Uint8Array;
}

function checkKey(k: Uint8Array, name: string): void {
  if (k.length !== 16) throw new ScpError('key', `SCP02 ${name} key must be 16 bytes (2-key 3DES), got ${k.length}`);
}

export function scp02SessionKey(staticKey: Uint8Array, constant: number, sequenceCounter: Uint8Array): Uint8Array {
  if (sequenceCounter.length !== 2) throw new ScpError('format', 'SCP02 sequence counter must be 2 bytes');
  const d = new Uint8Array(16);
  d[0] = constant >> 8;
  d[1] = constant & 0xff;
  d.set(sequenceCounter, 2);
  return desCbcEncrypt(staticKey, d);
}

export function scp02SessionKeys(keys: Scp02Keys, sequenceCounter: Uint8Array): Scp02SessionKeys {
  checkKey(keys.enc, 'ENC');
  checkKey(keys.mac, 'MAC');
  checkKey(keys.dek, 'DEK');
  return {
    sEnc: scp02SessionKey(keys.enc, Scp02Constant.S_ENC, sequenceCounter),
    cMac: scp02SessionKey(keys.mac, Scp02Constant.C_MAC, sequenceCounter),
    rMac: scp02SessionKey(keys.mac, Scp02Constant.R_MAC, sequenceCounter),
    dek: scp02SessionKey(keys.dek, Scp02Constant.DEK, sequenceCounter),
  };
}

export function scp02CardCryptogram(sEnc: Uint8Array, hostChallenge: Uint8Array, seq: Uint8Array, cardChallenge: Uint8Array): Uint8Array {
  return desMacAlg1(sEnc, concatBytes(hostChallenge, seq, cardChallenge));
}

export function scp02HostCryptogram(sEnc: Uint8Array, hostChallenge: Uint8Array, seq: Uint8Array, cardChallenge: Uint8Array): Uint8Array {
  return desMacAlg1(sEnc, concatBytes(seq, cardChallenge, hostChallenge));
}

export interface Scp02InitUpdateResponse {
  diversificationData: Uint8Array;
  kvn: number;
  scpId: number;
  sequenceCounter: Uint8Array;
  cardChallenge: Uint8Array;
  cardCryptogram: Uint8Array;
}

/** INITIALIZE UPDATE response for SCP02 (GP 2.2 E.5.1.3 Table E-7): 28 bytes. */
export function parseScp02InitUpdateResponse(r: Uint8Array): Scp02InitUpdateResponse {
  if (r.length !== 28) throw new ScpError('format', `SCP02 INITIALIZE UPDATE response of ${r.length} bytes, expected 28`);
  if (r[11] !== 0x02) throw new ScpError('format', `card offers SCP ${hexNum(r[11]!, 2)}, not 02`);
  return {
    diversificationData: r.slice(0, 10),
    kvn: r[10]!,
    scpId: 0x02,
    sequenceCounter: r.slice(12, 14),
    cardChallenge: r.slice(14, 20),
    cardCryptogram: r.slice(20, 28),
  };
}

/** MAC state shared by host and card. */
class Scp02Channel {
  private lastMac: Uint8Array | undefined;
  constructor(
    readonly keys: Scp02SessionKeys,
    readonly level: number,
    readonly i: number,
  ) {}

  private icv(): Uint8Array {
    if (!this.lastMac) return new Uint8Array(8);
    if (this.i & Scp02Option.ICV_ENCRYPTION) return desEcbEncrypt(this.keys.cMac.subarray(0, 8), this.lastMac);
    return this.lastMac;
  }

  /** C-MAC over the modified header and the clear data (Lc counts the MAC). */
  cmac(cla: number, ins: number, p1: number, p2: number, clear: Uint8Array): Uint8Array {
    const lc = clear.length + 8;
    if (lc > 255) throw new ScpError('format', `wrapped command data of ${lc} bytes exceeds a short APDU`);
    const mac = retailMac(this.keys.cMac, concatBytes(Uint8Array.of(macCla(cla), ins, p1, p2, lc), clear), { iv: this.icv() });
    this.lastMac = mac;
    return mac;
  }
}

function checkLevel(level: number): void {
  if (level !== 0x00 && level !== 0x01 && level !== 0x03) {
    throw new ScpError('level', `SCP02 security level ${hexNum(level, 2)} not supported (00, 01, 03)`);
  }
}

export interface Scp02HostOptions {
  kvn?: number;
  hostChallenge?: Uint8Array;
  /** the SCP02 "i" parameter the card runs (default 0x55: ICV encryption, explicit, 3 keys) */
  i?: number;
}

export class Scp02Session implements HostSecureChannel {
  readonly scp = 2 as const;
  private readonly hostChallenge: Uint8Array;
  private init?: Scp02InitUpdateResponse;
  private sessionKeys?: Scp02SessionKeys;
  private channel?: Scp02Channel;

  constructor(
    private readonly keys: Scp02Keys,
    private readonly opts: Scp02HostOptions = {},
  ) {
    checkKey(keys.enc, 'ENC');
    checkKey(keys.mac, 'MAC');
    checkKey(keys.dek, 'DEK');
    this.hostChallenge = opts.hostChallenge ?? new Uint8Array(randomBytes(8));
    if (this.hostChallenge.length !== 8) throw new ScpError('format', 'SCP02 host challenge must be 8 bytes');
  }

  get level(): number {
    return this.channel?.level ?? 0;
  }
  get initUpdateResponse(): Scp02InitUpdateResponse | undefined {
    return this.init;
  }

  get maxCommandData(): number {
    const ch = this.channel;
    if (!ch || !decodeLevel(ch.level).cmac) return 255;
    return maxWrappedData(8, decodeLevel(ch.level).cdec ? 8 : undefined);
  }

  initializeUpdate(): CommandApdu {
    return { cla: 0x80, ins: 0x50, p1: this.opts.kvn ?? 0, p2: 0x00, data: this.hostChallenge, le: 256 };
  }

  processInitializeUpdate(resp: Uint8Array): Scp02InitUpdateResponse {
    const r = parseScp02InitUpdateResponse(resp);
    const sk = scp02SessionKeys(this.keys, r.sequenceCounter);
    const want = scp02CardCryptogram(sk.sEnc, this.hostChallenge, r.sequenceCounter, r.cardChallenge);
    if (!constantTimeEqual(want, r.cardCryptogram)) {
      throw new ScpError('cryptogram', 'card cryptogram does not verify: wrong keys, key version or diversification');
    }
    this.init = r;
    this.sessionKeys = sk;
    return r;
  }

  externalAuthenticate(level: number): CommandApdu {
    if (!this.init || !this.sessionKeys) throw new ScpError('state', 'EXTERNAL AUTHENTICATE before a verified INITIALIZE UPDATE');
    checkLevel(level);
    const ch = new Scp02Channel(this.sessionKeys, level, this.opts.i ?? 0x55);
    const hc = scp02HostCryptogram(this.sessionKeys.sEnc, this.hostChallenge, this.init.sequenceCounter, this.init.cardChallenge);
    const mac = ch.cmac(0x84, 0x82, level, 0x00, hc);
    this.channel = ch;
    return { cla: 0x84, ins: 0x82, p1: level, p2: 0x00, data: concatBytes(hc, mac) };
  }

  processExternalAuthenticate(sw: number): void {
    if (sw !== 0x9000) {
      this.channel = undefined;
      throw new ScpError('card', `EXTERNAL AUTHENTICATE refused (${hexNum(sw, 4)})`);
    }
  }

  wrap(cmd: CommandApdu): CommandApdu {
    const ch = this.channel;
    if (!ch) throw new ScpError('state', 'no authenticated SCP02 session');
    const f = decodeLevel(ch.level);
    if (!f.cmac) return cmd;
    const clear = cmd.data ?? new Uint8Array(0);
    // refuse before any state changes, so a refused command leaves the session usable
    if (clear.length > this.maxCommandData)
      throw new ScpError('format', `command data of ${clear.length} bytes does not fit a short APDU once wrapped (max ${this.maxCommandData})`);
    const cla = smCla(cmd.cla);
    const mac = ch.cmac(cla, cmd.ins, cmd.p1, cmd.p2, clear);
    let data = clear;
    if (f.cdec && clear.length > 0) data = desCbcEncrypt(ch.keys.sEnc, padIso9797M2(clear, 8));
    if (data.length + 8 > 255) throw new ScpError('format', 'encrypted command exceeds a short APDU');
    const out: CommandApdu = { cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: concatBytes(data, mac) };
    if (cmd.le !== undefined) out.le = cmd.le;
    if (cmd.secret) out.secret = true;
    return out;
  }

  unwrap(resp: ResponseApdu): ResponseApdu {
    if (!this.channel) throw new ScpError('state', 'no authenticated SCP02 session');
    return resp;
  }

  /** Encrypts key data for PUT KEY: 3DES-ECB under the session DEK (E.4.7). */
  encryptKeyData(clear: Uint8Array): Uint8Array {
    if (!this.sessionKeys) throw new ScpError('state', 'no SCP02 session keys');
    return desEcbEncrypt(this.sessionKeys.dek, clear);
  }
}

export interface Scp02CardOptions {
  kvn: number;
  i?: number;
  diversificationData?: Uint8Array;
  /** the 2-byte sequence counter; incremented after each successful EXTERNAL AUTHENTICATE */
  sequenceCounter?: number;
  cardChallenge?: Uint8Array;
}

/** Card side of SCP02 for the virtual ISD. */
export class Scp02CardSession {
  private hostChallenge?: Uint8Array;
  private cardChallenge?: Uint8Array;
  private sessionKeys?: Scp02SessionKeys;
  private channel?: Scp02Channel;
  private seq: number;

  constructor(
    private readonly keys: Scp02Keys,
    private readonly opts: Scp02CardOptions,
  ) {
    this.seq = opts.sequenceCounter ?? 0;
  }

  get authenticated(): boolean {
    return this.channel !== undefined;
  }
  get level(): number {
    return this.channel?.level ?? 0;
  }
  get sequenceCounter(): number {
    return this.seq;
  }

  reset(): void {
    this.channel = undefined;
    this.sessionKeys = undefined;
  }

  private seqBytes(): Uint8Array {
    return Uint8Array.of((this.seq >> 8) & 0xff, this.seq & 0xff);
  }

  initializeUpdate(hostChallenge: Uint8Array): Uint8Array {
    this.reset();
    if (hostChallenge.length !== 8) throw new ScpError('format', 'host challenge must be 8 bytes');
    const cc = this.opts.cardChallenge ?? new Uint8Array(randomBytes(6));
    this.hostChallenge = hostChallenge.slice();
    this.cardChallenge = cc;
    const seq = this.seqBytes();
    const sk = scp02SessionKeys(this.keys, seq);
    this.sessionKeys = sk;
    return concatBytes(
      this.opts.diversificationData ?? new Uint8Array(10),
      Uint8Array.of(this.opts.kvn, 0x02),
      seq,
      cc,
      scp02CardCryptogram(sk.sEnc, hostChallenge, seq, cc),
    );
  }

  externalAuthenticate(cmd: CommandApdu): void {
    const sk = this.sessionKeys;
    if (!sk || !this.hostChallenge || !this.cardChallenge) throw new ScpError('state', 'EXTERNAL AUTHENTICATE without INITIALIZE UPDATE');
    this.sessionKeys = undefined;
    const data = cmd.data ?? new Uint8Array(0);
    if (data.length !== 16) throw new ScpError('format', `EXTERNAL AUTHENTICATE data of ${data.length} bytes`);
    checkLevel(cmd.p1);
    const ch = new Scp02Channel(sk, cmd.p1, this.opts.i ?? 0x55);
    const mac = ch.cmac(cmd.cla, cmd.ins, cmd.p1, cmd.p2, data.subarray(0, 8));
    if (!constantTimeEqual(mac, data.subarray(8))) throw new ScpError('mac', 'EXTERNAL AUTHENTICATE C-MAC does not verify');
    const hc = scp02HostCryptogram(sk.sEnc, this.hostChallenge, this.seqBytes(), this.cardChallenge);
    if (!constantTimeEqual(hc, data.subarray(0, 8))) throw new ScpError('cryptogram', 'host cryptogram does not verify');
    this.channel = ch;
    this.seq = (this.seq + 1) & 0xffff;
  }

  unwrapCommand(cmd: CommandApdu): CommandApdu {
    const ch = this.channel;
    if (!ch) throw new ScpError('state', 'no secure channel');
    const f = decodeLevel(ch.level);
    if (!f.cmac) return cmd;
    const data = cmd.data ?? new Uint8Array(0);
    if (data.length < 8 || ((cmd.cla & 0x04) === 0 && (cmd.cla & 0x40) === 0)) {
      this.reset();
      throw new ScpError('mac', 'command has no C-MAC');
    }
    let clear: Uint8Array = data.slice(0, data.length - 8);
    if (f.cdec && clear.length > 0) {
      try {
        clear = unpadIso9797M2(desCbcDecrypt(ch.keys.sEnc, clear), 8);
      } catch {
        this.reset();
        throw new ScpError('padding', 'encrypted command data does not decrypt to padded data');
      }
    }
    const want = ch.cmac(cmd.cla, cmd.ins, cmd.p1, cmd.p2, clear);
    if (!constantTimeEqual(want, data.subarray(data.length - 8))) {
      this.reset();
      throw new ScpError('mac', 'C-MAC does not verify');
    }
    const out: CommandApdu = { cla: cmd.cla & ((cmd.cla & 0x40) !== 0 ? ~0x20 : ~0x04) & 0xff, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2 };
    if (clear.length) out.data = clear;
    if (cmd.le !== undefined) out.le = cmd.le;
    return out;
  }

  wrapResponse(resp: ResponseApdu): ResponseApdu {
    return resp;
  }

  decryptKeyData(enc: Uint8Array): Uint8Array {
    const ch = this.channel;
    if (!ch) throw new ScpError('state', 'no secure channel');
    return desEcbDecrypt(ch.keys.dek, enc);
  }
}
