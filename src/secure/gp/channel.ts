/**
 * Opening a GlobalPlatform secure channel over any ApduSender: SELECT the ISD (optional),
 * INITIALIZE UPDATE, pick SCP02 or SCP03 from the card's answer (key information byte 2, GP 2.2
 * E.5.1.3 / Amd D 7.1.1.6), optional key diversification from the returned KDD, card cryptogram
 * check, EXTERNAL AUTHENTICATE. The result is a SecureSender that wraps every later command.
 */
import { randomBytes } from 'node:crypto';
import type { ApduSender } from '../../apdu/link.js';
import { swHex } from '../../apdu/sw.js';
import { toHex } from '../../util/hex.js';
import { constantTimeEqual } from '../primitives/ct.js';
import { type HostSecureChannel, type HostSessionSetup, levelName, SecureSender } from './common.js';
import { ISD_AIDS, selectAid, getStatus, parseStatusResponse, type GpRegistryEntry, type StatusScope } from './commands.js';
import { type Diversification, diversifyKeys } from './diversify.js';
import { ScpError } from './errors.js';
import { buildPutKey, type PutKeyRequest } from './putkey.js';
import { Scp02Session } from './scp02.js';
import { Scp03Session } from './scp03.js';

export interface GpKeySet {
  enc: Uint8Array;
  mac: Uint8Array;
  dek: Uint8Array;
}

export interface OpenChannelOptions {
  /** static keys, or the master key when `diversification` is set (then enc = mac = dek = master) */
  keys: GpKeySet;
  level: number;
  /** force a protocol; by default the card's INITIALIZE UPDATE answer decides */
  scp?: 2 | 3;
  kvn?: number;
  diversification?: Diversification;
  /** SELECT this AID first; `true` tries the GP ISD AIDs in turn; false/undefined: no SELECT */
  select?: Uint8Array | boolean;
  /** SCP02 "i" parameter (default 55) */
  scp02i?: number;
  /** SCP03 S16 mode: send a 16-byte host challenge */
  s16?: boolean;
}

export interface ChannelInfo {
  scp: 2 | 3;
  kvn: number;
  level: string;
  kdd: string;
  i?: number;
  sequenceCounter?: string;
}

/** An open secure channel: a SecureSender plus what the card said when it was opened (no keys). */
export class OpenedChannel extends SecureSender {
  constructor(
    inner: ApduSender,
    session: HostSecureChannel,
    readonly info: ChannelInfo,
  ) {
    super(inner, session);
  }
}

async function selectIsd(sender: ApduSender, sel: Uint8Array | boolean): Promise<Uint8Array> {
  const aids = sel === true ? ISD_AIDS : [sel as Uint8Array];
  let last = 0;
  for (const aid of aids) {
    const r = await sender.transmit(selectAid(aid));
    if (r.sw === 0x9000 || r.sw >> 8 === 0x61) return aid;
    last = r.sw;
  }
  throw new ScpError('card', `no security domain answered SELECT (last ${swHex(last)})`);
}

export async function openSecureChannel(sender: ApduSender, o: OpenChannelOptions): Promise<OpenedChannel> {
  let aid: Uint8Array | undefined;
  if (o.select) aid = await selectIsd(sender, o.select);
  const hostChallenge = new Uint8Array(randomBytes(o.s16 ? 16 : 8));
  const iu = { cla: 0x80, ins: 0x50, p1: o.kvn ?? 0, p2: 0x00, data: hostChallenge, le: 256 };
  const r = await sender.transmit(iu);
  if (r.sw !== 0x9000) throw new ScpError('card', `INITIALIZE UPDATE refused (${swHex(r.sw)})`);
  if (r.data.length < 13) throw new ScpError('format', `INITIALIZE UPDATE response of ${r.data.length} bytes`);
  const scp = o.scp ?? (r.data[11] === 0x03 ? 3 : r.data[11] === 0x02 ? 2 : 0);
  if (scp !== 2 && scp !== 3) throw new ScpError('format', `card offers SCP ${r.data[11]!.toString(16)}, only 02 and 03 are supported`);
  const kdd = r.data.slice(0, 10);
  const keys = o.diversification && o.diversification !== 'none' ? diversifyKeys(o.keys.enc, o.diversification, kdd) : o.keys;
  let session: HostSessionSetup;
  let extra: { i?: number; sequenceCounter?: string } = {};
  if (scp === 3) {
    const s = new Scp03Session(keys, { kvn: o.kvn ?? 0, hostChallenge, ...(aid ? { aid } : {}) });
    const p = s.processInitializeUpdate(r.data);
    extra = { i: p.i, ...(p.sequenceCounter ? { sequenceCounter: toHex(p.sequenceCounter) } : {}) };
    session = s;
  } else {
    const s = new Scp02Session(keys, { kvn: o.kvn ?? 0, hostChallenge, i: o.scp02i ?? 0x55 });
    const p = s.processInitializeUpdate(r.data);
    extra = { sequenceCounter: toHex(p.sequenceCounter) };
    session = s;
  }
  const ea = session.externalAuthenticate(o.level);
  const er = await sender.transmit(ea);
  session.processExternalAuthenticate(er.sw);
  return new OpenedChannel(sender, session, { scp, kvn: r.data[10]!, level: levelName(o.level), kdd: toHex(kdd), ...extra });
}

/** GET STATUS over an open channel, following 6310 "more data" (GP 2.2 11.4.3). */
export async function listStatus(s: ApduSender, scope: StatusScope): Promise<GpRegistryEntry[]> {
  const out: GpRegistryEntry[] = [];
  let next = false;
  for (let guard = 0; guard < 64; guard++) {
    const r = await s.transmit(getStatus(scope, next));
    if (r.sw === 0x6a88) return out; // referenced data not found: nothing of this kind
    if (r.sw !== 0x9000 && r.sw !== 0x6310) throw new ScpError('card', `GET STATUS refused (${swHex(r.sw)})`);
    out.push(...parseStatusResponse(r.data));
    if (r.sw === 0x9000) return out;
    next = true;
  }
  return out;
}

/** PUT KEY over an open channel; checks the KCVs the card returns. */
export async function putKey(s: SecureSender, req: PutKeyRequest): Promise<{ kvn: number; kcvs: string[] }> {
  const { cmd, expect } = buildPutKey(req, (c) => s.session.encryptKeyData(c));
  const r = await s.transmit(cmd);
  if (r.sw !== 0x9000) throw new ScpError('card', `PUT KEY refused (${swHex(r.sw)})`);
  if (!constantTimeEqual(r.data, expect)) throw new ScpError('key', 'the card answered PUT KEY with other key check values');
  const kcvs: string[] = [];
  for (let i = 1; i + 3 <= expect.length; i += 3) kcvs.push(toHex(expect.subarray(i, i + 3)));
  return { kvn: expect[0]!, kcvs };
}
