/**
 * The device targets (types.ts) by name, running them against a card, and checking a plan
 * before anything is written: the plan is written to a fresh virtual UICC (src/sim) exactly as
 * `profile write` would write it to a blank card, and each target runs its own read sequence
 * against it. A target "applies" when the plan has a file of a kind it loads; it "loads" the
 * plan when it loads what it should: nrf91 the profile's first LwM2M file (layout.ts), omapi one
 * file of each of its kinds, opensc and strict every file of their kinds, each with the fields
 * the profile gives.
 */
import { CardLink } from '../../apdu/link.js';
import { UsageError } from '../../errors.js';
import { defaultImage, pinHex } from '../../sim/default-image.js';
import { InProcessTransport } from '../../sim/inproc.js';
import { VirtualUicc } from '../../sim/uicc.js';
import { SecretStore } from '../../util/secrets.js';
import { keyRefOf } from '../../card/keys.js';
import { primaryLwm2m } from '../layout.js';
import type { CardPlan, PlannedFile } from '../plan.js';
import { writePlan } from '../writer.js';
import { nrf91 } from './nrf91.js';
import { omapi } from './omapi.js';
import { opensc } from './opensc.js';
import { strict } from './strict.js';
import { type DeviceTarget, TARGET_NAMES, type TargetFile, type TargetName, type TargetResult } from './types.js';

export * from './types.js';

export const TARGETS: Readonly<Record<TargetName, DeviceTarget>> = { nrf91, omapi, opensc, strict };

/** `nrf91,omapi` -> names; unknown names are a usage error. */
export function parseTargets(list: readonly string[]): TargetName[] {
  const out: TargetName[] = [];
  for (const n of list
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (n === 'all') out.push(...TARGET_NAMES);
    else if ((TARGET_NAMES as readonly string[]).includes(n)) out.push(n as TargetName);
    else throw new UsageError(`unknown device target "${n}" (known: ${TARGET_NAMES.join(', ')}, all)`);
  }
  return [...new Set(out)];
}

export async function runTargets(link: CardLink, names: readonly TargetName[] = TARGET_NAMES): Promise<TargetResult[]> {
  const out: TargetResult[] = [];
  for (const n of names) out.push(await TARGETS[n].read(link));
  return out;
}

/** The files of `plan` a target should load. */
export function expectedFiles(plan: CardPlan, t: TargetName): PlannedFile[] {
  const kinds = TARGETS[t].kinds;
  if (t === 'nrf91') return [primaryLwm2m(plan)].filter((f): f is PlannedFile => !!f);
  const mine = plan.files.filter((f) => kinds.includes(f.kind));
  if (t === 'omapi') return kinds.map((k) => mine.find((f) => f.kind === k)).filter((f): f is PlannedFile => !!f);
  return mine;
}

const sameFields = (a: Record<string, string>, b: Record<string, string>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);

export interface TargetVerdict {
  target: TargetName;
  applies: boolean;
  loads: boolean;
  /** why not (empty when it loads) */
  reasons: string[];
  files: TargetFile[];
}

/** Whether `result` is what `plan` should give on that target. */
export function judge(plan: CardPlan, result: TargetResult): TargetVerdict {
  const want = expectedFiles(plan, result.target);
  const reasons: string[] = [];
  for (const f of want) {
    const got = result.files.find((x) => x.kind === f.kind && sameFields(x.fields, f.fields));
    if (got) continue;
    if (result.target === 'omapi' && result.files.some((x) => x.kind === f.kind)) continue;
    reasons.push(`${f.label} (${f.id}) not loaded`);
  }
  const why = reasons.length ? [...result.reasons, ...(result.reasons.length ? [] : reasons)] : [];
  return { target: result.target, applies: want.length > 0, loads: want.length > 0 && reasons.length === 0, reasons: why, files: result.files };
}

/** The plan written to a fresh virtual UICC, then read by each target. */
export async function checkPlan(plan: CardPlan, names: readonly TargetName[] = TARGET_NAMES): Promise<TargetVerdict[]> {
  const img = defaultImage();
  const value = '88888888';
  const env: Record<string, string> = {};
  for (const k of new Set(plan.authorities.map((a) => a.key))) {
    env[`SIMDM_${k}`] = value;
    const pin = img.pins.find((p) => p.name === k);
    if (pin) pin.value = pinHex(value);
    else img.pins.push({ name: k, ref: keyRefOf(k), value: pinHex(value), retries: 3, maxRetries: 3, enabled: true });
  }
  const t = new InProcessTransport(new VirtualUicc(img), 'target check');
  await t.connect();
  const link = new CardLink(t);
  await writePlan(link, plan, { secrets: new SecretStore(env as NodeJS.ProcessEnv), backupDir: false, verify: false });
  const out: TargetVerdict[] = [];
  for (const n of names) out.push(judge(plan, await TARGETS[n].read(link)));
  return out;
}
