/**
 * Why a card cryptogram did not verify. The card cryptogram depends only on the static keys, the
 * host challenge and what INITIALIZE UPDATE returned, so the host can check other candidates
 * offline, without sending anything more to the card: every key diversification that fits the
 * protocol (SCP02: none, EMV CPS, VISA2; SCP03: none, KDF3), and the well-known GP test key
 * 40..4F. The result names the key set (KVN, SCP, i), what was tried and what to try next; it never
 * contains key material.
 */
import { constantTimeEqual } from '../primitives/ct.js';
import { toHex } from '../../util/hex.js';
import type { GpKeyInfo } from './commands.js';
import { type Diversification, diversifyKeys } from './diversify.js';
import { scp02CardCryptogram, scp02SessionKeys } from './scp02.js';
import { scp03Cryptogram, scp03SessionKeys, Scp03Option } from './scp03.js';

export interface CryptogramContext {
  scp: 2 | 3;
  /** the key bytes the user gave (static keys, or the master key when a diversification was asked) */
  keys: { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array };
  diversification: Diversification;
  hostChallenge: Uint8Array;
  /** the INITIALIZE UPDATE response data */
  response: Uint8Array;
  /** SCP02 i as assumed by the host */
  i?: number;
  /** the card's key information template, when it could be read */
  keyInfo?: GpKeyInfo[];
}

const GP_TEST_KEY = Uint8Array.from({ length: 16 }, (_, k) => 0x40 + k);

/** Whether `keys` (static) produce the card cryptogram of `response`. */
export function cardCryptogramMatches(
  scp: 2 | 3,
  keys: { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array },
  hostChallenge: Uint8Array,
  r: Uint8Array,
): boolean {
  try {
    if (scp === 2) {
      const seq = r.subarray(12, 14);
      const sk = scp02SessionKeys(keys, seq);
      return constantTimeEqual(scp02CardCryptogram(sk.sEnc, hostChallenge, seq, r.subarray(14, 20)), r.subarray(20, 28));
    }
    const i = r[12]!;
    const n = i & Scp03Option.S16 ? 16 : 8;
    const cc = r.subarray(13, 13 + n);
    const sk = scp03SessionKeys(keys, hostChallenge, cc);
    return constantTimeEqual(scp03Cryptogram(sk.sMac, 0x00, hostChallenge, cc, n === 16), r.subarray(13 + n, 13 + 2 * n));
  } catch {
    return false; // a key of the wrong length for this protocol cannot match
  }
}

function describeKeySet(c: CryptogramContext): string {
  const r = c.response;
  const kvn = toHex(Uint8Array.of(r[10]!));
  if (c.scp === 2) return `key set KVN ${kvn} (SCP02, i=${toHex(Uint8Array.of(c.i ?? 0x55))} assumed, sequence counter ${toHex(r.subarray(12, 14))})`;
  const i = r[12]!;
  const seq = i & Scp03Option.PSEUDO_RANDOM_CHALLENGE ? `, sequence counter ${toHex(r.subarray(r.length - 3))}` : '';
  return `key set KVN ${kvn} (SCP03, i=${toHex(Uint8Array.of(i))}, ${i & Scp03Option.S16 ? 'S16' : 'S8'}${seq})`;
}

/** " Key sets on the card: KVN 30 SCP03 (AES-128), ..." from the key information template (E0). */
export function keySetHint(info: GpKeyInfo[] | undefined): string {
  if (!info?.length) return '';
  const sets = new Map<number, string>();
  for (const k of info) {
    if (sets.has(k.version)) continue;
    const kind = k.type === 0x88 ? `SCP03 (AES-${k.length * 8})` : k.type === 0x80 ? 'SCP02 (DES)' : `key type ${toHex(Uint8Array.of(k.type))}`;
    sets.set(k.version, `KVN ${toHex(Uint8Array.of(k.version))} ${kind}`);
  }
  return ` Key sets on the card: ${[...sets.values()].join(', ')}.`;
}

/** The explanation of a card cryptogram mismatch, with a hint when another candidate matches. */
export function explainCryptogramFailure(c: CryptogramContext): { message: string; matches?: Diversification | 'gp-test-key' } {
  const kdd = c.response.subarray(0, 10);
  const methods: Diversification[] = c.scp === 2 ? ['none', 'emv', 'visa2'] : ['none', 'kdf3'];
  const given =
    c.diversification === 'none'
      ? 'the keys as given (no diversification)'
      : `the master key diversified with ${c.diversification.toUpperCase()} over KDD ${toHex(kdd)}`;
  const head = `card cryptogram does not verify for ${describeKeySet(c)} with ${given}.`;
  const master = c.keys.enc;
  let matches: Diversification | 'gp-test-key' | undefined;
  for (const m of methods) {
    if (m === c.diversification) continue;
    const ks = m === 'none' ? c.keys : safeDiversify(master, m, kdd);
    if (ks && cardCryptogramMatches(c.scp, ks, c.hostChallenge, c.response)) {
      matches = m;
      break;
    }
  }
  const tried = methods.map((m) => (m === 'none' ? 'none' : m)).join(', ');
  if (matches) {
    const flag = matches === 'none' ? 'drop --kdf' : `use --kdf ${matches}`;
    return {
      message: `${head} It does verify with ${matches === 'none' ? 'the keys as given' : `${matches.toUpperCase()} diversification`}: ${flag}.`,
      matches,
    };
  }
  const test = { enc: GP_TEST_KEY, mac: GP_TEST_KEY, dek: GP_TEST_KEY };
  if (cardCryptogramMatches(c.scp, test, c.hostChallenge, c.response)) {
    return { message: `${head} This key set still holds the GP test key 40..4F (give it as SIMDM_KEY).`, matches: 'gp-test-key' };
  }
  return {
    message:
      `${head} Tried the diversifications ${tried} offline: none matches, nor the GP test key.` +
      keySetHint(c.keyInfo) +
      ` Next: check the keys for this KVN, choose another key set with --kvn${c.scp === 3 ? ' (or --scp 02)' : ' (or --scp 03)'}, or ask the card issuer which diversification the card uses.`,
  };
}

function safeDiversify(master: Uint8Array, m: Diversification, kdd: Uint8Array): { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array } | undefined {
  try {
    return diversifyKeys(master, m, kdd);
  } catch {
    return undefined; // e.g. an AES master key cannot be EMV-diversified
  }
}
