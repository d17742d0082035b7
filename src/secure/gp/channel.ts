/**
 * Opening a GlobalPlatform secure channel over any ApduSender: SELECT the ISD (optional), read its
 * Card Data (which SCPs, which i), INITIALIZE UPDATE, take SCP02 or SCP03 from the card's answer
 * (key information byte 2, GP CS E.5.1.3 / Amd D 7.1.1.6) and the key version it names, optional
 * key diversification from the returned KDD, card cryptogram check (a mismatch is explained by
 * diagnose.ts), EXTERNAL AUTHENTICATE. The result is a SecureSender that wraps every later command.
 * When `scp` is asked for and the default key set speaks the other protocol, the key information
 * template (GET DATA E0, answered before authentication) names the key set to use instead.
 */
import { randomBytes } from 'node:crypto';
import type { ApduSender } from '../../apdu/link.js';
import { swHex } from '../../apdu/sw.js';
import { toHex, hexNum } from '../../util/hex.js';
import { constantTimeEqual } from '../primitives/ct.js';
import { type HostSecureChannel, type HostSessionSetup, levelName, SecureSender } from './common.js';
import { getData, type GpKeyInfo, ISD_AIDS, parseCardData, parseKeyInformation, type ScpOption, selectAid, selectedAid } from './commands.js';
import { explainCryptogramFailure, keySetHint } from './diagnose.js';
import { type Diversification, diversifyKeys } from './diversify.js';
import { ScpError } from './errors.js';
import { buildPutKey, KEY_TYPE_AES, KEY_TYPE_DES, type PutKeyRequest } from './putkey.js';
import { getStatus, type GpRegistryEntry, parseStatusResponse, type StatusScope } from './registry.js';
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
  /** the protocol wanted; by default the card's INITIALIZE UPDATE answer decides */
  scp?: 2 | 3;
  /** key version for INITIALIZE UPDATE; by default 0 (the card's default key set), or the first key set of `scp` */
  kvn?: number;
  diversification?: Diversification;
  /** SELECT this AID first; `true` finds the ISD (empty DF name, then the GP ISD AIDs); false/undefined: no SELECT */
  select?: Uint8Array | boolean;
  /** SCP02 "i" parameter (default: what the card's Card Data announces, else 55) */
  scp02i?: number;
  /** SCP03 challenge length: true S16, false S8; by default S8, then S16 if the card refuses an 8-byte challenge */
  s16?: boolean;
}

export interface ChannelInfo {
  scp: 2 | 3;
  kvn: number;
  level: string;
  kdd: string;
  i?: number;
  sequenceCounter?: string;
  /** the security domain selected (hex) */
  aid?: string;
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

/**
 * SELECT the security domain. `true`: an empty DF name first (GP CS 2.3.1 11.9 SELECT, it answers
 * with the ISD's own AID), then the GP and OP ISD AIDs. Returns the AID the card names.
 */
export async function selectIsd(sender: ApduSender, sel: Uint8Array | boolean): Promise<Uint8Array> {
  const aids = sel === true ? [new Uint8Array(0), ...ISD_AIDS] : [sel as Uint8Array];
  let last = 0;
  for (const aid of aids) {
    const r = await sender.transmit(selectAid(aid));
    if (r.sw === 0x9000 || r.sw >> 8 === 0x61) {
      const named = selectedAid(r.data);
      if (named) return named;
      if (aid.length) return aid;
      continue; // an empty SELECT that does not name an AID selected something else: try the AIDs
    }
    last = r.sw;
  }
  throw new ScpError('card', `no security domain answered SELECT (last ${swHex(last)})`);
}

/** Plain GET DATA before authentication; undefined when the card does not answer it. */
async function plainGetData(sender: ApduSender, tag: number): Promise<Uint8Array | undefined> {
  const r = await sender.transmit(getData(tag));
  return r.sw === 0x9000 ? r.data : undefined;
}

async function keyInformation(sender: ApduSender): Promise<GpKeyInfo[] | undefined> {
  const d = await plainGetData(sender, 0x00e0);
  if (!d) return undefined;
  try {
    return parseKeyInformation(d);
  } catch {
    return undefined;
  }
}

const KEY_TYPE_FOR_SCP: Record<2 | 3, number> = { 2: KEY_TYPE_DES, 3: KEY_TYPE_AES };

export async function openSecureChannel(sender: ApduSender, o: OpenChannelOptions): Promise<OpenedChannel> {
  let aid: Uint8Array | undefined;
  if (o.select) aid = await selectIsd(sender, o.select);
  // Card Data (66, GP CS H.2) is answered before authentication: it names the SCPs and their i
  const cardData = await plainGetData(sender, 0x0066);
  let announced: ScpOption[] = [];
  try {
    announced = cardData ? parseCardData(cardData) : [];
  } catch {
    announced = [];
  }
  let keyInfo: GpKeyInfo[] | undefined;
  let kvn = o.kvn ?? 0;
  if (o.scp && o.kvn === undefined && announced.length && announced[0]!.scp !== o.scp) {
    // the default key set speaks another SCP: take the first key set of the wanted one (E0, 11.3.3.1)
    keyInfo = await keyInformation(sender);
    kvn = pickKvn(keyInfo, o.scp);
  }
  const initialize = async (s16: boolean) => {
    const hostChallenge = new Uint8Array(randomBytes(s16 ? 16 : 8));
    const r = await sender.transmit({ cla: 0x80, ins: 0x50, p1: kvn, p2: 0x00, data: hostChallenge, le: 256 });
    return { r, hostChallenge };
  };
  let { r, hostChallenge } = await initialize(o.s16 === true);
  // a card whose key set runs S16 refuses an 8-byte challenge (Amd D 7.1.1.4): retry with 16 bytes
  if (o.s16 === undefined && o.scp !== 2 && [0x6a80, 0x6700, 0x6a88].includes(r.sw)) {
    const again = await initialize(true);
    if (again.r.sw === 0x9000) ({ r, hostChallenge } = again);
  }
  if (r.sw !== 0x9000) {
    const what = r.sw === 0x6a88 ? `no key set with KVN ${hexNum(kvn, 2)}` : 'refused';
    throw new ScpError('card', `INITIALIZE UPDATE ${what} (${swHex(r.sw)})${keySetHint(keyInfo ?? (await keyInformation(sender)))}`);
  }
  if (r.data.length < 13) throw new ScpError('format', `INITIALIZE UPDATE response of ${r.data.length} bytes`);
  const offered = r.data[11]!;
  if (offered !== 2 && offered !== 3) throw new ScpError('format', `card offers SCP ${hexNum(offered, 2)}, only 02 and 03 are supported`);
  if (o.scp && offered !== o.scp) {
    keyInfo ??= await keyInformation(sender);
    throw new ScpError(
      'key',
      `key set KVN ${hexNum(r.data[10]!, 2)} is an SCP0${offered} key set, SCP0${o.scp} was asked for${o.kvn !== undefined ? ' with --kvn' : ''}.${keySetHint(keyInfo)}`,
    );
  }
  const scp = offered as 2 | 3;
  const kdd = r.data.slice(0, 10);
  const keys = o.diversification && o.diversification !== 'none' ? diversifyKeys(o.keys.enc, o.diversification, kdd) : o.keys;
  const scp02i = o.scp02i ?? announced.find((a) => a.scp === 2)?.i ?? 0x55;
  let session: HostSessionSetup;
  let extra: { i?: number; sequenceCounter?: string } = {};
  try {
    if (scp === 3) {
      const s = new Scp03Session(keys, { kvn, hostChallenge, ...(aid ? { aid } : {}) });
      const p = s.processInitializeUpdate(r.data);
      extra = { i: p.i, ...(p.sequenceCounter ? { sequenceCounter: toHex(p.sequenceCounter) } : {}) };
      session = s;
    } else {
      const s = new Scp02Session(keys, { kvn, hostChallenge, i: scp02i });
      const p = s.processInitializeUpdate(r.data);
      extra = { i: scp02i, sequenceCounter: toHex(p.sequenceCounter) };
      session = s;
    }
  } catch (e) {
    if (e instanceof ScpError && e.code === 'scp.cryptogram' && e.message.startsWith('card cryptogram')) {
      keyInfo ??= await keyInformation(sender);
      const why = explainCryptogramFailure({
        scp,
        keys: o.keys,
        diversification: o.diversification ?? 'none',
        hostChallenge,
        response: r.data,
        i: scp02i,
        ...(keyInfo ? { keyInfo } : {}),
      });
      throw new ScpError('cryptogram', why.message, { cause: e });
    }
    throw e;
  }
  const ea = session.externalAuthenticate(o.level);
  const er = await sender.transmit(ea);
  try {
    session.processExternalAuthenticate(er.sw);
  } catch (e) {
    // the card cryptogram verified, so the keys are right: the card refused the host cryptogram's C-MAC or the level
    throw new ScpError(
      'card',
      `${(e as Error).message}: the card cryptogram verified, so the keys match; the card refused security level ${levelName(o.level)} or the C-MAC (SCP02 i=${toHex(Uint8Array.of(scp02i))} assumed)`,
      { cause: e },
    );
  }
  return new OpenedChannel(sender, session, {
    scp,
    kvn: r.data[10]!,
    level: levelName(o.level),
    kdd: toHex(kdd),
    ...extra,
    ...(aid ? { aid: toHex(aid) } : {}),
  });
}

function pickKvn(info: GpKeyInfo[] | undefined, scp: 2 | 3): number {
  const k = info?.find((x) => x.type === KEY_TYPE_FOR_SCP[scp]);
  if (!k)
    throw new ScpError(
      'key',
      `the card's default key set is not SCP0${scp} and its key information template lists no ${scp === 2 ? 'DES' : 'AES'} key set.${keySetHint(info)} Give --kvn.`,
    );
  return k.version;
}

/** GET STATUS over an open channel, following 6310 "more data" (GP 2.2 11.4.3). */
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
