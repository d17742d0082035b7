/**
 * What `profile validate|compile|write` say about device targets before anything is written:
 * every target that will not load the result, with why, as a warning; as an error for the
 * targets the user requires (`--target`, or `targets:` in the profile).
 */
import { BootstrapError } from '../errors.js';
import { KINDS } from '../oids.js';
import type { CardPlan } from '../plan.js';
import { checkPlan, TARGETS, type TargetVerdict } from './index.js';
import { TARGET_NAMES, type TargetName } from './types.js';

export interface TargetReport {
  required: TargetName[];
  verdicts: TargetVerdict[];
  /** one line per target that will not load the card */
  problems: string[];
}

export function verdictLine(v: TargetVerdict): string {
  if (!v.applies) return `${v.target}: not applicable (loads ${TARGETS[v.target].kinds.map((k) => KINDS[k].label).join(', ')} files; the profile has none)`;
  return v.loads ? `${v.target}: loads ${v.files.map((f) => KINDS[f.kind].label).join(', ')}` : `${v.target}: will NOT load this card: ${v.reasons.join('; ')}`;
}

/** Checks `plan` on every target; throws when a required target will not load it. */
export async function targetReport(plan: CardPlan, required: readonly TargetName[], warn: (line: string) => void): Promise<TargetReport> {
  const verdicts = await checkPlan(plan, TARGET_NAMES);
  const problems: string[] = [];
  const errors: string[] = [];
  for (const v of verdicts) {
    const need = required.includes(v.target);
    if (need && !v.applies) errors.push(`${v.target} is required but loads none of this profile's files (${TARGETS[v.target].kinds.join(', ')} only)`);
    if (!v.applies || v.loads) continue;
    const line = verdictLine(v);
    problems.push(line);
    if (need) errors.push(line);
    else warn(`warning: ${line}`);
  }
  if (errors.length) throw new BootstrapError('target', `${plan.name}: required device target(s) refuse it, nothing written:\n  ${errors.join('\n  ')}`);
  return { required: [...required], verdicts, problems };
}
