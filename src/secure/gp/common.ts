/**
 * Pieces shared by SCP02 and SCP03: security level bits (GP Card Spec v2.2 Table 10-1 /
 * Amendment D 5.1.2), the host-side interface both sessions implement, and a sender that wraps
 * every command sent through it.
 */
import type { CommandApdu } from '../../apdu/command.js';
import type { ApduSender } from '../../apdu/link.js';
import type { ResponseApdu } from '../../apdu/response.js';
import { isSuccess, SwError } from '../../apdu/sw.js';
import { insName } from '../../apdu/ins.js';

export interface SecurityLevelFlags {
  cmac: boolean;
  cdec: boolean;
  rmac: boolean;
  renc: boolean;
}

export function decodeLevel(level: number): SecurityLevelFlags {
  return {
    cmac: (level & 0x01) !== 0,
    cdec: (level & 0x02) !== 0,
    rmac: (level & 0x10) !== 0,
    renc: (level & 0x20) !== 0,
  };
}

/** Parses a level given as a number, hex, or names joined by '+' (e.g. "cmac+cdec+rmac"). */
export function parseLevel(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^(0x)?[0-9a-f]{1,2}$/.test(t) && !/^(cmac|cdec|rmac|renc)$/.test(t)) return parseInt(t.replace(/^0x/, ''), 16);
  let l = 0;
  for (const part of t.split(/[+,|]/)) {
    const p = part.trim().replace(/-/g, '');
    if (p === 'none' || p === '') continue;
    if (p === 'cmac' || p === 'mac') l |= 0x01;
    else if (p === 'cdec' || p === 'cenc' || p === 'enc' || p === 'cdecryption') l |= 0x03;
    else if (p === 'rmac') l |= 0x10;
    else if (p === 'renc' || p === 'rencryption') l |= 0x30;
    else return NaN;
  }
  return l;
}

/** Largest n with pad(n) + mac <= 255, where pad(n) rounds n + 1 up to the block (method 2). */
export function maxWrappedData(macLen: number, block: number | undefined): number {
  if (block === undefined) return 255 - macLen;
  return Math.floor((255 - macLen) / block) * block - 1;
}

export function levelName(level: number): string {
  const f = decodeLevel(level);
  const n = [f.cmac && 'C-MAC', f.cdec && 'C-DECRYPTION', f.rmac && 'R-MAC', f.renc && 'R-ENCRYPTION'].filter(Boolean);
  return n.length ? n.join('+') : 'none';
}

/** What a host-side secure channel session does once authenticated. */
export interface HostSecureChannel {
  readonly scp: 2 | 3;
  readonly level: number;
  /** the longest plain command data field that still fits a short APDU once wrapped */
  readonly maxCommandData: number;
  /** protects a plain command for the card (CLA gets the secure messaging bit) */
  wrap(cmd: CommandApdu): CommandApdu;
  /** verifies/decrypts the card's response to the last wrapped command */
  unwrap(resp: ResponseApdu): ResponseApdu;
  /** encrypts key material for PUT KEY with the session's DEK (SCP02 session DEK, SCP03 static DEK) */
  encryptKeyData(clear: Uint8Array): Uint8Array;
}

/** A host session before and during EXTERNAL AUTHENTICATE. */
export interface HostSessionSetup extends HostSecureChannel {
  externalAuthenticate(level: number): CommandApdu;
  processExternalAuthenticate(sw: number): void;
}

/** An ApduSender that wraps each command through an open secure channel. */
export class SecureSender implements ApduSender {
  constructor(
    readonly inner: ApduSender,
    readonly session: HostSecureChannel,
  ) {}
  get channel(): number {
    return this.inner.channel;
  }
  /** the largest plain data field per command: use as CardFs maxChunk */
  get maxCommandData(): number {
    return this.session.maxCommandData;
  }
  async transmit(cmd: CommandApdu): Promise<ResponseApdu> {
    const w = this.session.wrap(cmd);
    const r = await this.inner.transmit(w);
    return this.session.unwrap(r);
  }
  async send(cmd: CommandApdu, what?: string): Promise<Uint8Array> {
    const r = await this.transmit(cmd);
    if (!isSuccess(r.sw)) throw new SwError(r.sw, what ?? insName(cmd.ins));
    return r.data;
  }
}

/** CLA with the GP secure messaging indication (b3) set, channel bits kept. */
export function smCla(cla: number): number {
  return (cla & 0x40) !== 0 ? cla | 0x20 : cla | 0x04;
}

/** The CLA as used in MAC computation: channel number bits cleared (GP 2.2 11.1.4). */
export function macCla(cla: number): number {
  return (cla & 0x40) !== 0 ? cla & 0xf0 : cla & 0xfc;
}
