/**
 * What the card explorer commands (src/cli/commands/{ls,cat,write,select,pin,dump,restore}.ts)
 * share: secrets for key references (SIMDM_PIN1, SIMDM_ADM1, SIMDM_PUK1, SIMDM_NEW_PIN1 or
 * --keys), verification of keys before a write, and the text rendering of file listings.
 * Secret values never reach output or messages.
 */
import type { ApduSender } from '../apdu/link.js';
import { UsageError } from '../errors.js';
import type { SecretStore } from '../util/secrets.js';
import type { FileInfo } from './fs.js';
import { isAdm, keyName, keyRefOf, pukName } from './keys.js';
import { encodePinValue, verifyPin } from './pin.js';

/** The secret of key `ref` (PIN1 -> SIMDM_PIN1), encoded for the card (ADM: hex or ASCII). */
export function keyValue(store: SecretStore, ref: number, purpose: string, prefix = ''): Uint8Array {
  const name = `${prefix}${keyName(ref)}`;
  const text = store.require(name, purpose);
  try {
    return encodePinValue(text, isAdm(ref) ? 'adm' : 'pin');
  } catch (e) {
    throw new UsageError(`secret ${name}: ${(e as Error).message}`);
  }
}

/** The PUK of PIN `ref` (PIN1 -> SIMDM_PUK1). */
export function pukValue(store: SecretStore, ref: number, purpose: string): Uint8Array {
  const name = pukName(ref);
  const text = store.require(name, purpose);
  try {
    return encodePinValue(text, 'puk');
  } catch (e) {
    throw new UsageError(`secret ${name}: ${(e as Error).message}`);
  }
}

/** Verifies each key named (from the secret store), with the retry-counter safety of verifyPin. */
export async function verifyKeys(sender: ApduSender, store: SecretStore, keys: readonly string[] | undefined, force: boolean): Promise<void> {
  for (const k of keys ?? []) {
    const ref = keyRefOf(k);
    await verifyPin(sender, ref, keyValue(store, ref, `verify ${keyName(ref)}`), { force });
  }
}

const fidHex = (fid: number): string => fid.toString(16).toUpperCase().padStart(4, '0');

/** One line of `ls`: name, FID, structure, size, SFI, access. */
export function fileLine(f: FileInfo, indent = 0): string {
  const name = f.path.split('/').pop()!;
  const parts = [`${' '.repeat(indent * 2)}${name}`.padEnd(28), fidHex(f.fid), f.type.padEnd(3)];
  if (f.type === 'EF') {
    parts.push((f.structure ?? '?').padEnd(12));
    if (f.recordCount !== undefined) parts.push(`${f.recordCount}x${f.recordLength}`.padEnd(7));
    else parts.push(`${f.size ?? '?'}`.padEnd(7));
    parts.push(f.sfi ? `sfi ${f.sfi.toString(16).toUpperCase().padStart(2, '0')}` : '      ');
  } else if (f.aid) parts.push(Buffer.from(f.aid).toString('hex').toUpperCase());
  if (f.access) {
    const a = f.access;
    const acc = f.type === 'EF' ? [`read ${a.read ?? '?'}`, `update ${a.update ?? '?'}`] : Object.entries(a).map(([k, v]) => `${k} ${v}`);
    parts.push(acc.join(', '));
  } else if (f.arrRef) parts.push(`rules: EF.ARR ${fidHex(f.arrRef.fid)} record ${f.arrRef.record}`);
  return parts.join('  ').trimEnd();
}

/** A plain JSON view of a FileInfo (bytes as hex, no catalogue object). */
export function fileJson(f: FileInfo): Record<string, unknown> {
  const { entry, fcpRaw, aid, ...rest } = f;
  return {
    ...rest,
    fid: fidHex(f.fid),
    ...(aid ? { aid: Buffer.from(aid).toString('hex').toUpperCase() } : {}),
    fcpRaw: Buffer.from(fcpRaw).toString('hex').toUpperCase(),
    ...(entry ? { description: entry.desc, spec: entry.spec, codec: entry.codec?.name } : {}),
  };
}
