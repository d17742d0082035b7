/**
 * Per-card variables for profiles: a --vars file (YAML/JSON mapping, or NAME=value lines) and
 * the card itself (ICCID from EF.ICCID, readable always; IMSI from EF.IMSI of ADF.USIM, which
 * needs PIN1: verified through card/pin.ts with SIMDM_PIN1 only when a profile uses ${IMSI}).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ApduSender } from '../../apdu/link.js';
import { encodePinValue, verifyPin } from '../../card/pin.js';
import { UsageError } from '../../errors.js';
import type { SecretStore } from '../../util/secrets.js';
import { fidBytes, found, selectFid } from '../card-io.js';
import { imsiOf } from '../../card/spec/ts-31-102.js';
import { readIccid } from '../writer.js';
import { checkInputSize, InputSizeError } from '../../util/input-file.js';
import { hexNum } from '../../util/hex.js';

export function loadVarsFile(path: string): Record<string, string> {
  let text: string;
  try {
    checkInputSize(path, 'vars');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InputSizeError) throw e;
    throw new UsageError(`cannot read vars file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const out: Record<string, string> = {};
  if (/^\s*[A-Za-z_][A-Za-z0-9_]*\s*=/m.test(text) && !/^\s*[A-Za-z_][A-Za-z0-9_]*\s*:/m.test(text)) {
    text.split(/\r?\n/).forEach((l, i) => {
      const t = l.trim();
      if (!t || t.startsWith('#')) return;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(t);
      if (!m) throw new UsageError(`${path}:${i + 1}: expected NAME=value`);
      out[m[1]!] = m[2]!.replace(/^["']|["']$/g, '');
    });
    return out;
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${path}: expected a mapping of NAME: value`);
  for (const [k, v] of Object.entries(data)) out[k] = String(v);
  return out;
}

const USIM_AID_PREFIX = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02);

/** IMSI digits from the card's USIM (PIN1 verified first if the card asks for it). */
export async function readImsi(s: ApduSender, secrets: SecretStore, force = false): Promise<string> {
  const sel = await s.transmit({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: USIM_AID_PREFIX });
  if (!found(sel.sw)) throw new UsageError('the profile uses ${IMSI} but the card has no USIM application: give IMSI with --vars');
  const f = await selectFid(s, 0x6f07);
  if (!found(f.sw)) throw new UsageError('the profile uses ${IMSI} but the card has no EF.IMSI: give IMSI with --vars');
  let r = await s.transmit({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 9 });
  if (r.sw === 0x6982) {
    await verifyPin(s, 'PIN1', encodePinValue(secrets.require('PIN1', 'reading EF.IMSI for ${IMSI}'), 'pin'), { force });
    await selectFid(s, 0x6f07);
    r = await s.transmit({ cla: 0x00, ins: 0xb0, p1: 0, p2: 0, le: 9 });
  }
  if (r.sw !== 0x9000) throw new UsageError(`cannot read EF.IMSI (${hexNum(r.sw, 4)}): give IMSI with --vars`);
  await s.transmit({ cla: 0x00, ins: 0xa4, p1: 0x00, p2: 0x0c, data: fidBytes(0x3f00) });
  const imsi = imsiOf(r.data);
  if (imsi === null) throw new UsageError('the profile uses ${IMSI} but EF.IMSI on the card is empty: give IMSI with --vars');
  return imsi;
}

/** Values for the variables a profile uses: --vars first, then the card. */
export async function cardVars(
  s: ApduSender,
  names: string[],
  given: Record<string, string>,
  secrets: SecretStore,
  force = false,
): Promise<Record<string, string>> {
  const out = { ...given };
  if (names.includes('ICCID') && out.ICCID === undefined) {
    const iccid = await readIccid(s);
    if (iccid) out.ICCID = iccid;
  }
  if (names.includes('IMSI') && out.IMSI === undefined) out.IMSI = await readImsi(s, secrets, force);
  return out;
}
