/**
 * The state of a card's PINs and ADM keys in one call (`simdm pin status`): retry counters
 * (VERIFY without data, TS 102 221 11.1.9), the PUK's counter (UNBLOCK PIN without data,
 * 11.1.13), and enabled/disabled from the PIN status template DO (C6, TS 102 221 9.5.2) of the
 * MF and the first application. Never presents a value: nothing here can cost a try.
 */
import type { ApduSender } from '../apdu/link.js';
import { SwError } from '../apdu/sw.js';
import { SimdmError } from '../errors.js';
import { toHex } from '../util/hex.js';
import { PinError } from './errors.js';
import { CardFs } from './fs.js';
import { isAdm } from './keys.js';
import { pinStatus, pukStatus, type PinStatus } from './pin.js';

export interface KeyOverview extends PinStatus {
  /** from the PIN status template; absent where no FCP tells */
  enabled?: boolean;
  /** PUK tries left (PINs only, where the card answers) */
  pukRetries?: number;
}

/** PIN1, PIN2 and ADM1: what `pin status` shows when no key is named. */
export const DEFAULT_OVERVIEW_REFS: readonly number[] = [0x01, 0x81, 0x0a];

/** Enabled/disabled of every key listed in the C6 template of the MF and the first application. */
async function enabledFlags(sender: ApduSender): Promise<Map<number, boolean>> {
  const enabled = new Map<number, boolean>();
  const fs = new CardFs(sender);
  for (const p of ['MF', ...(await fs.applications()).slice(0, 1).map((a) => `AID:${toHex(a.aid)}`)]) {
    try {
      for (const k of (await fs.select(p)).fcp?.pinStatus?.keys ?? []) if (k.enabled !== undefined) enabled.set(k.keyReference, k.enabled);
    } catch (e) {
      if (!(e instanceof SimdmError)) throw e;
    }
  }
  return enabled;
}

/**
 * The overview of `refs`. With `strict`, a key the card does not know is an error (the user
 * named it); otherwise it is left out (the default list).
 */
export async function keyOverview(sender: ApduSender, refs: readonly number[] = DEFAULT_OVERVIEW_REFS, strict = false): Promise<KeyOverview[]> {
  const enabled = await enabledFlags(sender);
  const rows: KeyOverview[] = [];
  for (const r of refs) {
    try {
      const row: KeyOverview = { ...(await pinStatus(sender, r)) };
      const en = enabled.get(r);
      if (en !== undefined) row.enabled = en;
      if (!isAdm(r)) {
        try {
          row.pukRetries = (await pukStatus(sender, r)).retries;
        } catch (e) {
          if (!(e instanceof SwError)) throw e;
        }
      }
      rows.push(row);
    } catch (e) {
      if (!(e instanceof PinError) || e.code !== 'pin.unknown' || strict) throw e;
    }
  }
  return rows;
}
