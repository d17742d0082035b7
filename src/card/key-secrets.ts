/**
 * Key values from the secret store: the value of a key reference (SIMDM_PIN1, SIMDM_ADM1,
 * SIMDM_PUK1, SIMDM_NEW_PIN1 from the environment or --keys) encoded for the card, and the
 * verification of named keys before a write. Secret values never reach output or messages.
 */
import type { ApduSender } from '../apdu/link.js';
import { UsageError } from '../errors.js';
import type { SecretStore } from '../util/secrets.js';
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
