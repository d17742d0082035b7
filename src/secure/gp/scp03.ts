/**
 * GlobalPlatform Secure Channel Protocol '03' (GP Card Specification v2.2 Amendment D, v1.1.x):
 * AES-128/192/256 keys, S8 and S16 modes, C-MAC / C-DECRYPTION / R-MAC / R-ENCRYPTION.
 *
 * - Key derivation (Amd D 4.1.5): NIST SP 800-108 counter mode with AES-CMAC; derivation data =
 *   label (11 x 00 || constant) || 00 || L (2 bytes, bits) || i (1 byte) || context.
 * - Session keys (6.2.1): S-ENC = KDF(K-ENC, 04), S-MAC = KDF(K-MAC, 06), S-RMAC = KDF(K-MAC, 07),
 *   context = host challenge || card challenge.
 * - Cryptograms (6.2.2/6.2.3): card = KDF(S-MAC, 00), host = KDF(S-MAC, 01), 64 (S8) or 128 (S16) bits.
 * - Pseudo-random card challenge (6.2.2.1): KDF(K-ENC, 02, context = sequence counter || SD AID).
 * - C-MAC (6.2.4): AES-CMAC(S-MAC, MAC chaining value || CLA INS P1 P2 Lc || data); the full 16
 *   bytes chain, the leftmost 8 (S8) or 16 (S16) are sent. Chaining starts at 16 x 00.
 * - C-DECRYPTION (6.2.6): data padded 80 00.. to 16, AES-CBC(S-ENC) with ICV = AES(S-ENC, counter).
 * - R-MAC (6.2.5): AES-CMAC(S-RMAC, chaining value || response data || SW).
 * - R-ENCRYPTION (6.2.7): ICV = AES(S-ENC, 80 || counter), response data padded 80 00...
 */
import type { CommandApdu } from '../../apdu/command.js';
import type { ResponseApdu } from '../../apdu/response.js';
import { AesBlockCipher, aesCbcDecrypt, aesCbcEncrypt } from '../primitives/aes.js';
import { AesCmacKey } from '../primitives/cmac.js';
import { constantTimeEqual } from '../primitives/ct.js';
import { kdfCounterCmac } from '../primitives/kdf.js';
import { padIso9797M2, unpadIso9797M2 } from '../primitives/padding.js';
import { concatBytes, toHex, hexNum } from '../../util/hex.js';
import { randomBytes } from 'node:crypto';
import { ScpError } from './errors.js';
import { decodeLevel, type HostSecureChannel, macCla, maxWrappedData, smCla } from './common.js';

/** Derivation constants, Amendment D Table 4-1. */
export const Scp03Constant = {
  CARD_CRYPTOGRAM: 0x00,
  HOST_CRYPTOGRAM: 0x01,
  CARD_CHALLENGE: 0x02,
  S_ENC: 0x04,
  S_MAC: 0x06,
  S_RMAC: 0x07,
} as const;

/** The "i" parameter of SCP03 (Amd D 5.1 Table 5-1). */
export const Scp03Option = {
  S16: 0x01,
  PSEUDO_RANDOM_CHALLENGE: 0x10,
  RMAC_SUPPORT: 0x20,
  RENC_SUPPORT: 0x40,
} as const;

export interface Scp03Keys {
  enc: Uint8Array;
  mac: Uint8Array;
  dek: Uint8Array;
}

export interface Scp03SessionKeys {
  sEnc: Uint8Array;
  sMac: Uint8Array;
  sRmac: Uint8Array;
}

function checkAesKey(k: Uint8Array, name: string): void {
  if (k.length !== 16 && k.length !== 24 && k.length !== 32) {
    throw new ScpError('key', `SCP03 ${name} key must be 16, 24 or 32 bytes, got ${k.length}`);
  }
}

/** The SCP03 KDF (Amd D 4.1.5): `lenBits` of output from `key` for `constant` and `context`. */
export function scp03Kdf(key: Uint8Array, constant: number, context: Uint8Array, lenBits: number): Uint8Array {
  const before = new Uint8Array(16);
  before[11] = constant;
  before[12] = 0x00; // separation indicator
  before[13] = (lenBits >> 8) & 0xff;
  before[14] = lenBits & 0xff;
  return kdfCounterCmac(key, lenBits / 8, { before: before.subarray(0, 15), after: context, counterBytes: 1 });
}

export function scp03SessionKeys(keys: Scp03Keys, hostChallenge: Uint8Array, cardChallenge: Uint8Array): Scp03SessionKeys {
  checkAesKey(keys.enc, 'ENC');
  checkAesKey(keys.mac, 'MAC');
  const ctx = concatBytes(hostChallenge, cardChallenge);
  return {
    sEnc: scp03Kdf(keys.enc, Scp03Constant.S_ENC, ctx, keys.enc.length * 8),
    sMac: scp03Kdf(keys.mac, Scp03Constant.S_MAC, ctx, keys.mac.length * 8),
    sRmac: scp03Kdf(keys.mac, Scp03Constant.S_RMAC, ctx, keys.mac.length * 8),
  };
}

export function scp03Cryptogram(sMac: Uint8Array, constant: 0x00 | 0x01, hostChallenge: Uint8Array, cardChallenge: Uint8Array, s16 = false): Uint8Array {
  return scp03Kdf(sMac, constant, concatBytes(hostChallenge, cardChallenge), s16 ? 128 : 64);
}

/** Pseudo-random card challenge (Amd D 6.2.2.1) from the 3-byte sequence counter and the SD AID. */
export function scp03PseudoRandomChallenge(enc: Uint8Array, sequenceCounter: Uint8Array, aid: Uint8Array, s16 = false): Uint8Array {
  return scp03Kdf(enc, Scp03Constant.CARD_CHALLENGE, concatBytes(sequenceCounter, aid), s16 ? 128 : 64);
}

export interface Scp03InitUpdateResponse {
  diversificationData: Uint8Array;
  kvn: number;
  scpId: number;
  i: number;
  cardChallenge: Uint8Array;
  cardCryptogram: Uint8Array;
  sequenceCounter?: Uint8Array;
}

/** INITIALIZE UPDATE response (Amd D 7.1.1.6 Table 7-3). */
export function parseScp03InitUpdateResponse(r: Uint8Array): Scp03InitUpdateResponse {
  if (r.length < 13) throw new ScpError('format', `INITIALIZE UPDATE response of ${r.length} bytes`);
  const scpId = r[11]!;
  if (scpId !== 0x03) throw new ScpError('format', `card offers SCP ${hexNum(scpId, 2)}, not 03`);
  const i = r[12]!;
  const n = i & Scp03Option.S16 ? 16 : 8;
  const withSeq = (i & Scp03Option.PSEUDO_RANDOM_CHALLENGE) !== 0;
  const want = 13 + 2 * n + (withSeq ? 3 : 0);
  // some cards append the sequence counter even with random challenges: accept 3 extra bytes
  if (r.length !== want && !(r.length === want + 3 && !withSeq)) {
    throw new ScpError('format', `INITIALIZE UPDATE response of ${r.length} bytes, expected ${want} for i=${hexNum(i)}`);
  }
  const out: Scp03InitUpdateResponse = {
    diversificationData: r.slice(0, 10),
    kvn: r[10]!,
    scpId,
    i,
    cardChallenge: r.slice(13, 13 + n),
    cardCryptogram: r.slice(13 + n, 13 + 2 * n),
  };
  if (r.length > 13 + 2 * n) out.sequenceCounter = r.slice(13 + 2 * n, 16 + 2 * n);
  return out;
}

/**
 * The state of an authenticated SCP03 channel: the same object computes on the host side and
 * the card side, so both sides are one implementation checked against the published vectors.
 */
class Scp03Channel {
  macChain: Uint8Array = new Uint8Array(16);
  counter = 0;
  private readonly cmacKey: AesCmacKey;
  private readonly rmacKey: AesCmacKey;
  /** S-ENC held open: counter blocks and C-DECRYPTION / R-ENCRYPTION */
  readonly enc: AesBlockCipher;
  constructor(
    readonly keys: Scp03SessionKeys,
    readonly level: number,
    readonly macLen: 8 | 16,
  ) {
    this.cmacKey = new AesCmacKey(keys.sMac);
    this.rmacKey = new AesCmacKey(keys.sRmac);
    this.enc = new AesBlockCipher(keys.sEnc);
  }

  counterBlock(response: boolean): Uint8Array {
    const b = new Uint8Array(16);
    let v = this.counter;
    for (let i = 15; i >= 8 && v > 0; i--) {
      b[i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    if (response) b[0] = 0x80;
    return this.enc.encryptBlock(b);
  }

  /** C-MAC over chaining || header (Lc including the MAC) || data; updates the chaining value. */
  cmac(cla: number, ins: number, p1: number, p2: number, data: Uint8Array): Uint8Array {
    const lc = data.length + this.macLen;
    if (lc > 255) throw new ScpError('format', `wrapped command data of ${lc} bytes exceeds a short APDU`);
    const input = concatBytes(this.macChain, Uint8Array.of(macCla(cla), ins, p1, p2, lc), data);
    this.macChain = this.cmacKey.mac(input);
    return this.macChain.slice(0, this.macLen);
  }

  rmac(data: Uint8Array, sw: number): Uint8Array {
    const input = concatBytes(this.macChain, data, Uint8Array.of(sw >> 8, sw & 0xff));
    return this.rmacKey.mac(input).slice(0, this.macLen);
  }
}

function withLevelCheck(level: number): void {
  const f = decodeLevel(level);
  if ((level & ~0x33) !== 0) throw new ScpError('level', `security level ${hexNum(level)} has unknown bits`);
  if ((f.cdec || f.rmac) && !f.cmac) throw new ScpError('level', 'C-DECRYPTION and R-MAC need C-MAC');
  if (f.renc && !(f.rmac && f.cdec)) throw new ScpError('level', 'R-ENCRYPTION needs C-DECRYPTION and R-MAC');
}

export interface Scp03HostOptions {
  /** key version number for INITIALIZE UPDATE P1 (0 = any) */
  kvn?: number;
  /** host challenge; random when omitted. 8 bytes (S8) or 16 (S16). */
  hostChallenge?: Uint8Array;
  /** the SD AID, needed only to check a pseudo-random card challenge */
  aid?: Uint8Array;
}

/** Host side of SCP03: builds INITIALIZE UPDATE / EXTERNAL AUTHENTICATE, then wraps and unwraps. */
export class Scp03Session implements HostSecureChannel {
  readonly scp = 3 as const;
  private hostChallenge: Uint8Array;
  private init?: Scp03InitUpdateResponse;
  private sessionKeys?: Scp03SessionKeys;
  private channel?: Scp03Channel;
  private pendingCounter = 0;

  constructor(
    private readonly keys: Scp03Keys,
    private readonly opts: Scp03HostOptions = {},
  ) {
    checkAesKey(keys.enc, 'ENC');
    checkAesKey(keys.mac, 'MAC');
    this.hostChallenge = opts.hostChallenge ?? new Uint8Array(randomBytes(8));
    if (this.hostChallenge.length !== 8 && this.hostChallenge.length !== 16) {
      throw new ScpError('format', 'host challenge must be 8 or 16 bytes');
    }
  }

  get level(): number {
    return this.channel?.level ?? 0;
  }

  get initUpdateResponse(): Scp03InitUpdateResponse | undefined {
    return this.init;
  }

  get maxCommandData(): number {
    const ch = this.channel;
    if (!ch || !decodeLevel(ch.level).cmac) return 255;
    return maxWrappedData(ch.macLen, decodeLevel(ch.level).cdec ? 16 : undefined);
  }

  /** INITIALIZE UPDATE (Amd D 7.1.1): 80 50 KVN 00 Lc host-challenge 00. */
  initializeUpdate(): CommandApdu {
    return { cla: 0x80, ins: 0x50, p1: this.opts.kvn ?? 0, p2: 0x00, data: this.hostChallenge, le: 256 };
  }

  /** Checks the card cryptogram and derives the session keys. Throws ScpError `scp.cryptogram`. */
  processInitializeUpdate(resp: Uint8Array): Scp03InitUpdateResponse {
    const r = parseScp03InitUpdateResponse(resp);
    const s16 = (r.i & Scp03Option.S16) !== 0;
    if (this.hostChallenge.length !== (s16 ? 16 : 8)) {
      throw new ScpError('format', `card runs ${s16 ? 'S16' : 'S8'} mode: the host challenge must be ${s16 ? 16 : 8} bytes`);
    }
    const sk = scp03SessionKeys(this.keys, this.hostChallenge, r.cardChallenge);
    const expect = scp03Cryptogram(sk.sMac, 0x00, this.hostChallenge, r.cardChallenge, s16);
    if (!constantTimeEqual(expect, r.cardCryptogram)) {
      throw new ScpError('cryptogram', 'card cryptogram does not verify: wrong keys, key version or diversification');
    }
    if (r.sequenceCounter && this.opts.aid && r.i & Scp03Option.PSEUDO_RANDOM_CHALLENGE) {
      const expect = scp03PseudoRandomChallenge(this.keys.enc, r.sequenceCounter, this.opts.aid, s16);
      if (!constantTimeEqual(expect, r.cardChallenge)) throw new ScpError('cryptogram', 'pseudo-random card challenge does not match the sequence counter');
    }
    this.init = r;
    this.sessionKeys = sk;
    return r;
  }

  /** EXTERNAL AUTHENTICATE (Amd D 7.1.2): 84 82 level 00 Lc host-cryptogram C-MAC. */
  externalAuthenticate(level: number): CommandApdu {
    if (!this.init || !this.sessionKeys) throw new ScpError('state', 'EXTERNAL AUTHENTICATE before a verified INITIALIZE UPDATE');
    withLevelCheck(level);
    const f = decodeLevel(level);
    if (f.rmac && !(this.init.i & Scp03Option.RMAC_SUPPORT)) throw new ScpError('level', 'card does not support R-MAC (i parameter)');
    if (f.renc && !(this.init.i & Scp03Option.RENC_SUPPORT)) throw new ScpError('level', 'card does not support R-ENCRYPTION (i parameter)');
    const s16 = (this.init.i & Scp03Option.S16) !== 0;
    const ch = new Scp03Channel(this.sessionKeys, level, s16 ? 16 : 8);
    const hostCrypto = scp03Cryptogram(this.sessionKeys.sMac, 0x01, this.hostChallenge, this.init.cardChallenge, s16);
    const mac = ch.cmac(0x84, 0x82, level, 0x00, hostCrypto);
    this.channel = ch;
    return { cla: 0x84, ins: 0x82, p1: level, p2: 0x00, data: concatBytes(hostCrypto, mac) };
  }

  /** Whether the card accepted EXTERNAL AUTHENTICATE; a failure closes the session. */
  processExternalAuthenticate(sw: number): void {
    if (sw !== 0x9000) {
      this.channel = undefined;
      throw new ScpError('card', `EXTERNAL AUTHENTICATE refused (${hexNum(sw, 4)})`);
    }
  }

  wrap(cmd: CommandApdu): CommandApdu {
    const ch = this.channel;
    if (!ch) throw new ScpError('state', 'no authenticated SCP03 session');
    const f = decodeLevel(ch.level);
    const n = cmd.data?.length ?? 0;
    // refuse before any state changes, so a refused command leaves the session usable
    if (n > this.maxCommandData) throw new ScpError('format', `command data of ${n} bytes does not fit a short APDU once wrapped (max ${this.maxCommandData})`);
    ch.counter++; // Amd D 6.2.6: incremented for every command of the session
    this.pendingCounter = ch.counter;
    if (!f.cmac) return cmd;
    let data = cmd.data ?? new Uint8Array(0);
    if (f.cdec && data.length > 0) {
      data = ch.enc.cbcEncrypt(padIso9797M2(data, 16), ch.counterBlock(false));
    }
    const cla = smCla(cmd.cla);
    const mac = ch.cmac(cla, cmd.ins, cmd.p1, cmd.p2, data);
    const out: CommandApdu = { cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: concatBytes(data, mac) };
    if (cmd.le !== undefined) out.le = cmd.le;
    if (cmd.secret) out.secret = true;
    return out;
  }

  unwrap(resp: ResponseApdu): ResponseApdu {
    const ch = this.channel;
    if (!ch) throw new ScpError('state', 'no authenticated SCP03 session');
    const f = decodeLevel(ch.level);
    if (!f.rmac) return resp;
    // Amd D 6.2.5: no R-MAC on an error status without data (the card closed or refused)
    if (resp.data.length === 0 && !isWarningOrOk(resp.sw)) return resp;
    if (resp.data.length < ch.macLen) throw new ScpError('mac', `response of ${resp.data.length} bytes has no R-MAC`);
    const body = resp.data.subarray(0, resp.data.length - ch.macLen);
    const got = resp.data.subarray(resp.data.length - ch.macLen);
    const want = ch.rmac(body, resp.sw);
    if (!constantTimeEqual(want, got)) throw new ScpError('mac', 'R-MAC does not verify');
    if (f.renc && body.length > 0) {
      if (body.length % 16 !== 0) throw new ScpError('padding', 'encrypted response data is not a multiple of 16 bytes');
      const saved = ch.counter;
      ch.counter = this.pendingCounter;
      const icv = ch.counterBlock(true);
      ch.counter = saved;
      try {
        return { data: unpadIso9797M2(ch.enc.cbcDecrypt(body, icv), 16), sw: resp.sw };
      } catch {
        throw new ScpError('padding', 'decrypted response data has no valid padding');
      }
    }
    return { data: body.slice(), sw: resp.sw };
  }

  /** Encrypts key data for PUT KEY with the static DEK (Amd D 7.2.1: AES-CBC, zero ICV). */
  encryptKeyData(clear: Uint8Array): Uint8Array {
    if (clear.length % 16 !== 0) throw new ScpError('format', 'SCP03 key data must be padded to 16 bytes before encryption');
    return aesCbcEncrypt(this.keys.dek, clear);
  }
}

function isWarningOrOk(sw: number): boolean {
  const s1 = sw >> 8;
  return sw === 0x9000 || s1 === 0x62 || s1 === 0x63 || s1 === 0x61;
}

export interface Scp03CardOptions {
  kvn: number;
  /** i parameter: S16, pseudo-random challenge, R-MAC/R-ENC support */
  i?: number;
  diversificationData?: Uint8Array;
  /** SD AID, for pseudo-random challenges */
  aid?: Uint8Array;
  /** 3-byte sequence counter for pseudo-random challenges; incremented per INITIALIZE UPDATE */
  sequenceCounter?: number;
  /** fixed card challenge (tests); random otherwise */
  cardChallenge?: Uint8Array;
}

/**
 * Card side of SCP03 for the virtual card's Issuer Security Domain: answers INITIALIZE UPDATE,
 * verifies EXTERNAL AUTHENTICATE, unwraps protected commands and protects responses.
 */
export class Scp03CardSession {
  private hostChallenge?: Uint8Array;
  private cardChallenge?: Uint8Array;
  private sessionKeys?: Scp03SessionKeys;
  private channel?: Scp03Channel;
  private seq: number;

  constructor(
    private readonly keys: Scp03Keys,
    private readonly opts: Scp03CardOptions,
  ) {
    this.seq = opts.sequenceCounter ?? 0;
  }

  get authenticated(): boolean {
    return this.channel !== undefined;
  }
  get level(): number {
    return this.channel?.level ?? 0;
  }
  get i(): number {
    return this.opts.i ?? Scp03Option.RMAC_SUPPORT | Scp03Option.RENC_SUPPORT;
  }
  get sequenceCounter(): number {
    return this.seq;
  }

  /** Resets to "no secure channel" (e.g. on SELECT or any failure). */
  reset(): void {
    this.channel = undefined;
    this.sessionKeys = undefined;
  }

  initializeUpdate(hostChallenge: Uint8Array): Uint8Array {
    this.reset();
    const s16 = (this.i & Scp03Option.S16) !== 0;
    const n = s16 ? 16 : 8;
    if (hostChallenge.length !== n) throw new ScpError('format', `host challenge must be ${n} bytes`);
    let cc: Uint8Array;
    let seq: Uint8Array | undefined;
    if (this.i & Scp03Option.PSEUDO_RANDOM_CHALLENGE) {
      this.seq = (this.seq + 1) & 0xffffff;
      seq = Uint8Array.of((this.seq >> 16) & 0xff, (this.seq >> 8) & 0xff, this.seq & 0xff);
      cc = scp03PseudoRandomChallenge(this.keys.enc, seq, this.opts.aid ?? new Uint8Array(0), s16);
    } else cc = this.opts.cardChallenge ?? new Uint8Array(randomBytes(n));
    this.hostChallenge = hostChallenge.slice();
    this.cardChallenge = cc;
    const sk = scp03SessionKeys(this.keys, hostChallenge, cc);
    this.sessionKeys = sk;
    const crypto = scp03Cryptogram(sk.sMac, 0x00, hostChallenge, cc, s16);
    return concatBytes(this.opts.diversificationData ?? new Uint8Array(10), Uint8Array.of(this.opts.kvn, 0x03, this.i), cc, crypto, seq ?? new Uint8Array(0));
  }

  /** Verifies EXTERNAL AUTHENTICATE; throws ScpError (`scp.cryptogram` / `scp.mac` / `scp.state`). */
  externalAuthenticate(cmd: CommandApdu): void {
    const sk = this.sessionKeys;
    if (!sk || !this.hostChallenge || !this.cardChallenge) throw new ScpError('state', 'EXTERNAL AUTHENTICATE without INITIALIZE UPDATE');
    this.sessionKeys = undefined; // one attempt per INITIALIZE UPDATE
    const s16 = (this.i & Scp03Option.S16) !== 0;
    const n = s16 ? 16 : 8;
    const data = cmd.data ?? new Uint8Array(0);
    if (data.length !== 2 * n) throw new ScpError('format', `EXTERNAL AUTHENTICATE data of ${data.length} bytes`);
    withLevelCheck(cmd.p1);
    const f = decodeLevel(cmd.p1);
    if ((f.rmac && !(this.i & Scp03Option.RMAC_SUPPORT)) || (f.renc && !(this.i & Scp03Option.RENC_SUPPORT))) {
      throw new ScpError('level', 'security level not supported by this security domain');
    }
    const ch = new Scp03Channel(sk, cmd.p1, n as 8 | 16);
    const want = ch.cmac(cmd.cla, cmd.ins, cmd.p1, cmd.p2, data.subarray(0, n));
    if (!constantTimeEqual(want, data.subarray(n))) throw new ScpError('mac', 'EXTERNAL AUTHENTICATE C-MAC does not verify');
    const hc = scp03Cryptogram(sk.sMac, 0x01, this.hostChallenge, this.cardChallenge, s16);
    if (!constantTimeEqual(hc, data.subarray(0, n))) throw new ScpError('cryptogram', 'host cryptogram does not verify');
    this.channel = ch;
  }

  /**
   * Unwraps a command received in the session: checks the C-MAC, decrypts; returns the plain
   * command with the secure messaging bit cleared. Throws ScpError and closes the session on failure.
   */
  unwrapCommand(cmd: CommandApdu): CommandApdu {
    const ch = this.channel;
    if (!ch) throw new ScpError('state', 'no secure channel');
    const f = decodeLevel(ch.level);
    ch.counter++;
    if (!f.cmac) return cmd;
    const data = cmd.data ?? new Uint8Array(0);
    if ((cmd.cla & 0x04) === 0 && (cmd.cla & 0x40) === 0) {
      this.reset();
      throw new ScpError('mac', 'command without secure messaging in a C-MAC session');
    }
    if (data.length < ch.macLen) {
      this.reset();
      throw new ScpError('mac', 'command has no C-MAC');
    }
    const body = data.subarray(0, data.length - ch.macLen);
    const want = ch.cmac(cmd.cla, cmd.ins, cmd.p1, cmd.p2, body);
    if (!constantTimeEqual(want, data.subarray(data.length - ch.macLen))) {
      this.reset();
      throw new ScpError('mac', 'C-MAC does not verify');
    }
    let plain: Uint8Array = body.slice();
    if (f.cdec && body.length > 0) {
      if (body.length % 16 !== 0) {
        this.reset();
        throw new ScpError('padding', 'encrypted command data is not a multiple of 16 bytes');
      }
      try {
        plain = unpadIso9797M2(ch.enc.cbcDecrypt(body, ch.counterBlock(false)), 16);
      } catch {
        this.reset();
        throw new ScpError('padding', 'decrypted command data has no valid padding');
      }
    }
    const out: CommandApdu = { cla: cmd.cla & ((cmd.cla & 0x40) !== 0 ? ~0x20 : ~0x04) & 0xff, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2 };
    if (plain.length) out.data = plain;
    if (cmd.le !== undefined) out.le = cmd.le;
    return out;
  }

  /** Protects the response to the last unwrapped command (R-ENC then R-MAC, per level). */
  wrapResponse(resp: ResponseApdu): ResponseApdu {
    const ch = this.channel;
    if (!ch) return resp;
    const f = decodeLevel(ch.level);
    if (!f.rmac) return resp;
    if (resp.data.length === 0 && !isWarningOrOk(resp.sw)) return resp;
    let data = resp.data;
    if (f.renc && data.length > 0) data = ch.enc.cbcEncrypt(padIso9797M2(data, 16), ch.counterBlock(true));
    return { data: concatBytes(data, ch.rmac(data, resp.sw)), sw: resp.sw };
  }

  /** Decrypts PUT KEY key data with the static DEK (AES-CBC, zero ICV). */
  decryptKeyData(enc: Uint8Array): Uint8Array {
    if (enc.length % 16 !== 0) throw new ScpError('format', 'encrypted key data is not a multiple of 16 bytes');
    return aesCbcDecrypt(this.keys.dek, enc);
  }

  /** A short identification for logs (never key material). */
  describe(): string {
    return `SCP03 kvn=${toHex(Uint8Array.of(this.opts.kvn))} i=${toHex(Uint8Array.of(this.i))}`;
  }
}
